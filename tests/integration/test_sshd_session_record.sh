#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A real sshd, our module in its PAM session stack after pam_loginuid, a real
# ssh login from another network namespace: the record names the right
# monitor, peer, user and audit session while the session lives, and is gone
# once the user logs out.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/netns.sh"
. "$top_srcdir/tests/lib/sshd.sh"

require_root
require_cmd ip nft ssh ssh-keygen useradd ss
[ -x "$SSHD_BIN" ] || skip "needs $SSHD_BIN (openssh-server)"
: "${PAM_MODULE:?PAM_MODULE must name the built pam_sshd_watchdog.so}"
: "${RECORD_DUMP:?RECORD_DUMP must name the built record-dump helper}"

make_workdir
netns_pair_create
test_user_create
STATE="$WORK/state"
sshd_start "session required pam_loginuid.so
session required $PAM_MODULE statedir=$STATE debug"

record_count() {
        local n
        n=$(find "$STATE/sessions" -mindepth 1 -maxdepth 1 ! -name '.*' 2>/dev/null | wc -l)
        [ "$n" = "$1" ]
}
field() { sed -n "s/^$1=//p" "$WORK/record"; }

# Log in: the remote command waits for EOF on stdin, which we hold open.
mkfifo "$WORK/stdin"
# shellcheck disable=SC2046
ip netns exec "$NS_CLI" $(ssh_cmd "$TEST_USER@$SRV_ADDR") 'echo READY; cat >/dev/null; echo BYE' \
        <"$WORK/stdin" >"$WORK/client.out" 2>"$WORK/client.err" &
CLIENT_PID=$!
cleanup_push "kill_pid $CLIENT_PID"
exec 3>"$WORK/stdin"
cleanup_push "exec 3>&-"

wait_until 15 "the remote command to start" grep -q READY "$WORK/client.out"
wait_until 5 "one session record" record_count 1

MONITOR=$(sshd_monitor_pid "$TEST_USER") || fail "no monitor of $TEST_USER under sshd $SSHD_PID: $(ps --ppid "$SSHD_PID" -o pid=,uid=,args=)"
"$RECORD_DUMP" "$STATE" >"$WORK/record" || fail "record refused by the reader: $(cat "$WORK/record")"
log "record: $(tr '\n' ' ' <"$WORK/record")"

[ "$(field SSHD_PID)" = "$MONITOR" ] || fail "SSHD_PID=$(field SSHD_PID), the monitor is $MONITOR"
[ "$(field SSHD_STARTTIME)" = "$(proc_starttime "$MONITOR")" ] || fail "SSHD_STARTTIME does not match /proc/$MONITOR/stat"
[ "$(field NAME)" = "$MONITOR-$(proc_starttime "$MONITOR")" ] || fail "record name $(field NAME) is not PID-STARTTIME"
[ "$(field USER)" = "$TEST_USER" ] || fail "USER=$(field USER)"
[ "$(field UID)" = "$TEST_UID" ] || fail "UID=$(field UID), want $TEST_UID"
[ "$(field REMOTE_HOST)" = "$CLI_ADDR" ] || fail "REMOTE_HOST=$(field REMOTE_HOST), want $CLI_ADDR"
[ "$(field SERVICE)" = "$SSHD_SERVICE" ] || fail "SERVICE=$(field SERVICE), want $SSHD_SERVICE"

audit=$(cat "/proc/$MONITOR/sessionid")
[ "$audit" != 4294967295 ] || fail "pam_loginuid gave the monitor no audit session"
[ "$(field AUDIT_SESSION)" = "$audit" ] || fail "AUDIT_SESSION=$(field AUDIT_SESSION), the monitor's is $audit"
# The session's own shell shares the audit session: that is what the daemon kills by.
shell=$(own_procs -u "$TEST_USER" -x cat) || fail "no remote cat process"
[ "$(cat "/proc/$shell/sessionid")" = "$audit" ] || fail "the session's process is in another audit session"

cgroup=$(sed -n 's/^0:://p' "/proc/$MONITOR/cgroup")
[ "$(field CGROUP)" = "$cgroup" ] || fail "CGROUP=$(field CGROUP), the monitor's is $cgroup"
[ -z "$(field SESSION_ID)" ] || fail "SESSION_ID set without pam_systemd"

[ "$(stat -c %a:%U "$STATE/sessions")" = "700:root" ] || fail "sessions dir is $(stat -c %a:%U "$STATE/sessions")"
[ "$(stat -c %a:%U "$STATE/sessions/$(field NAME)")" = "600:root" ] || fail "record mode/owner wrong"

# The module left no descriptor of its own in the monitor (or in the session).
if ls -l "/proc/$MONITOR/fd" | grep -q "$STATE"; then
        fail "the monitor holds a descriptor into the state dir"
fi

# Log out: EOF ends the remote command, sshd closes the session.
exec 3>&-
wait_until 10 "the client to exit" pid_gone "$CLIENT_PID"
wait "$CLIENT_PID" || fail "ssh exited with $?: $(cat "$WORK/client.err")"
grep -q BYE "$WORK/client.out" || fail "the remote command did not finish normally"
wait_until 10 "the monitor to exit" pid_gone "$MONITOR"
record_count 0 || fail "record still there after logout: $(ls "$STATE/sessions")"

log "ok: record written at login, removed at logout"
