#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A sweep is repeated until it finds nothing. The session leaves
# a "hopper": a job that every few milliseconds starts its successor and
# exits, so it always sits at a PID that a one-pass snapshot did not list,
# and is never a child of the session's tree for long. The session's own
# audit session (pam_loginuid) holds it; once the session is ended, no
# process of that audit session may be left.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
scenario_setup
# Shared with sshd, so no proof for the daemon: only the test's cleanup
# uses it, to be sure that the hopper goes whatever happens.
cgroup_tree_create
cgroup_mkdir ssh
SSHD_WRAP="$EXEC_IN --cgroup $CGROOT/ssh --" scenario_sshd
scenario_watchdog "[Watchdog]
InputTimeoutSec=3s
KillGraceSec=1s"
# Each generation leaves its PID in a heartbeat file: a scan of /proc can
# miss a hopper (that is the point), a heartbeat that stops cannot.
cat >"$WORK/hopper" <<'HOP'
#!/bin/sh
echo $$ >"$HOME/hopper.beat"
sleep 0.003
"$0" </dev/null >/dev/null 2>&1 &
HOP
chmod 0755 "$WORK/hopper"

session_open A -- "$WORK/hopper; echo up; cat >/dev/null"
wait_until 15 "the session" grep -q up "$A_OUT"
MONITOR=$(sshd_monitor_pid "$TEST_USER")
AUDIT=$(cat "/proc/$MONITOR/sessionid")
[ "$AUDIT" != 4294967295 ] || fail "setup: no audit session"
audit_pids() {
        local d
        for d in /proc/[0-9]*; do
                [ "$(cat "$d/sessionid" 2>/dev/null)" = "$AUDIT" ] && pid_alive "${d#/proc/}" && echo "${d#/proc/}"
        done
        return 0
}
BEAT="$WORK/home/hopper.beat"
# hopper_beats: the heartbeat moves within 0.5 s.
hopper_beats() {
        local a b i
        a=$(cat "$BEAT" 2>/dev/null)
        for i in 1 2 3 4 5; do
                sleep 0.1
                b=$(cat "$BEAT" 2>/dev/null)
                [ -n "$b" ] && [ "$b" != "$a" ] && return 0
        done
        return 1
}
sleep 0.5
hopper_beats || fail "setup: the hopper is not running"

link_cut
wait_until 8 "the session to be ended" pid_gone "$MONITOR"
hopper_beats || fail "setup: the hopper died with sshd; nothing is left to test"
sleep 1.5
hopper_beats && fail "the hopper of the ended session is still running"
left=$(audit_pids)
[ -z "$left" ] || fail "processes of the ended session's audit session $AUDIT left: $(for p in $left; do printf '%s(%s) ' "$p" "$(cat /proc/$p/comm 2>/dev/null)"; done)"
log "ok: the hopper was caught"
