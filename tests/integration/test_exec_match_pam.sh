#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# sshd-watchdog-exec in a Match block on a host whose sshd runs our PAM
# module: the PAM module records the session, the helper finds the record
# there and writes none ("OK already"), and the cut link ends the session
# exactly once; so are a printing command and an sftp session beside it
# (the subsystem goes through the helper too).
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
EXEC_BIN=${EXEC_BIN:-${top_builddir:-}/exec/sshd-watchdog-exec}

scenario_setup
install -m 0755 "$EXEC_BIN" "$WORK/sshd-watchdog-exec"
scenario_sshd "Match User $TEST_USER
        ForceCommand $WORK/sshd-watchdog-exec --debug --state-dir=$STATE"
scenario_watchdog "[Watchdog]
InputTimeoutSec=3s
KillGraceSec=1s"

session_open A -tt --
wait_until 15 "a shell prompt" grep -q '\$' "$A_OUT"
wait_until 5 "the helper's answer" grep -q 'sshd-watchdog-exec: OK already' "$A_OUT"
records_are 1 || fail "$(record_count) records for one session"
rec=$(find "$STATE/sessions" -mindepth 1 -maxdepth 1 ! -name '.*')
grep -q '^REGISTERED=' "$rec" && fail "the daemon wrote the record: the PAM module's was expected"
grep -q '^SERVICE=sshd-swdtest' "$rec" || fail "not the PAM module's record: $(cat "$rec")"
MONITOR=$(awk -F= '$1=="SSHD_PID"{print $2}' "$rec")
session_open P -- 'while :; do echo tick; sleep 0.2; done'
wait_until 10 "the printing session" grep -q tick "$WORK/P.out"
mkfifo "$WORK/S.in"
ip netns exec "$NS_CLI" sftp -b - -F /dev/null -i "$CLIENT_KEY" -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR "$TEST_USER@$SRV_ADDR" \
        <"$WORK/S.in" >"$WORK/S.out" 2>"$WORK/S.err" &
cleanup_push "kill_pid $!"
exec {S_FD}>"$WORK/S.in"
cleanup_push "exec $S_FD>&-"
printf 'pwd\n' >&"$S_FD"
wait_until 10 "sftp through the helper" grep -q 'Remote working directory' "$WORK/S.out"
records_are 3 || fail "$(record_count) records for three sessions"
grep -l '^REGISTERED=' "$STATE"/sessions/* && fail "the daemon wrote a record beside PAM's"
session_send A $'nohup sleep 303 >/dev/null 2>&1 &\necho started-$((6*7))\n'
wait_until 5 "the nohup job" grep -q started-42 "$A_OUT"
NOHUP=$(own_procs -u "$TEST_USER" -xf 'sleep 303') || fail "no nohup'd sleep"
sleep 0.5
link_cut

wait_until 6 "the session to be ended" pid_gone "$MONITOR"
wait_until 3 "its job to be killed" pid_gone "$NOHUP"
wait_until 4 "the records to go" records_are 0
wait_until 3 "every process of the three to be gone" no_live_pids_of "$TEST_USER"
sleep 1.5
n=$(watchdog_log_count 'MESSAGE_ID=ffa2c22415ca4dff88de52a663886246')
[ "$n" = 3 ] || fail "$n endings of three sessions"
watchdog_log_has 'Registered session' && fail "the daemon registered a session PAM had recorded"
pid_alive "$SSHD_PID" || fail "the sshd listener was killed"
log "ok: one record each (PAM's), one ending each"
