#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 1: an idle pty shell with a nohup'd child; the link is cut. The
# daemon sends SIGTERM to sshd's monitor within InputTimeoutSec + 0.3 s of the
# last input, close_session removes the record, and KillGraceSec later the
# shell and the nohup'd child are gone. The journal entry names the session.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
scenario_start "[Watchdog]
InputTimeoutSec=3s
KillGraceSec=1s"

session_open A -tt --
wait_until 15 "a shell prompt" grep -q '\$' "$A_OUT"
MONITOR=$(sshd_monitor_pid "$TEST_USER")
wait_until 5 "the session to be watched" watchdog_log_has "MESSAGE_ID=4c2ba311a05a4709ba96cf25424c5a90.*SSHD_PID=$MONITOR"

session_send A $'nohup sleep 600 >/dev/null 2>&1 &\necho started-$((6*7))\n'
wait_until 5 "the nohup job" grep -q started-42 "$A_OUT"
last_input=$(now_ms)
NOHUP=$(own_procs -u "$TEST_USER" -x sleep) || fail "no nohup'd sleep"
SHELL_PID=$(own_procs -u "$TEST_USER" -x sh | head -1) || fail "no shell"
sleep 0.5
link_cut

wait_until 6 "sshd's monitor to be ended" pid_gone "$MONITOR"
gone=$(now_ms)
elapsed=$(( gone - last_input ))
log "monitor gone $elapsed ms after the last input (limit 3000 ms + 300 ms)"
[ "$elapsed" -ge 2900 ] || fail "ended too early: $elapsed ms"
[ "$elapsed" -le 3400 ] || fail "ended too late: $elapsed ms"

wait_until 2 "close_session to remove the record" records_are 0
wait_until 3 "the shell and the nohup'd child to be gone" \
        eval "pid_gone $SHELL_PID && pid_gone $NOHUP"

entry=$(grep 'MESSAGE_ID=ffa2c22415ca4dff88de52a663886246' "$WORK/watchdog.log") || fail "no 'session ended' entry"
log "journal: $entry"
for f in "USER_ID=$TEST_USER" "SSHD_PID=$MONITOR" "REMOTE_HOST=$CLI_ADDR" "TIMEOUT_USEC=3000000" "SILENT_USEC=" "AUDIT_SESSION="; do
        case "$entry" in *"$f"*) ;; *) fail "ended entry lacks $f" ;; esac
done
silent=$(sed -n 's/.*SILENT_USEC=\([0-9]*\).*/\1/p' <<<"$entry")
late=$(( silent - 3000000 ))
log "SIGTERM sent at silence $silent us: $late us after the deadline"
[ "$late" -ge 0 ] && [ "$late" -le 300000 ] || fail "SIGTERM $late us after the deadline"
watchdog_log_has "KILLED_PIDS=[1-9]" || fail "no leftover was killed (the nohup'd sleep should have been)"
pid_alive "$SSHD_PID" || fail "the sshd listener was killed"
pid_alive "$WATCHDOG_PID" || fail "the daemon died"
log "ok"
