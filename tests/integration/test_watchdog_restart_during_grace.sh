#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# An ending survives a daemon restart. The daemon is SIGKILLed
# right after it sent SIGTERM to sshd's monitor (sshd closes the session and
# removes the record within milliseconds), and started again inside
# KillGraceSec. The restarted daemon must still kill the session's nohup'd
# job at the deadline plus KillGraceSec.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
GRACE_S=3
scenario_start "[Watchdog]
InputTimeoutSec=3s
KillGraceSec=${GRACE_S}s"

session_open A -- 'nohup sleep 3301 >/dev/null 2>&1 & echo up; cat >/dev/null'
wait_until 15 "the session" grep -q up "$A_OUT"
MONITOR=$(sshd_monitor_pid "$TEST_USER")
JOB=$(own_procs -u "$TEST_USER" -f '^sleep 3301$') || fail "no nohup'd job"
link_cut
wait_until 8 "the session to be ended" watchdog_log_has 'MESSAGE_ID=ffa2c22415ca4dff88de52a663886246'
ended=$(now_ms)
kill -KILL "$WATCHDOG_PID"
wait_until 2 "the daemon to die" pid_gone "$WATCHDOG_PID"
wait_until 2 "sshd to close the session" pid_gone "$MONITOR"
wait_until 2 "close_session to remove the record" records_are 0
pid_alive "$JOB" || fail "setup: the job died with sshd; nothing is left to test"
watchdog_start
log "restarted $(( $(now_ms) - ended )) ms after the SIGTERM"
wait_until $(( GRACE_S + 3 )) "the restarted daemon to kill the job" pid_gone "$JOB"
gone=$(( $(now_ms) - ended ))
log "job gone $gone ms after the SIGTERM (KillGraceSec ${GRACE_S}000 ms)"
[ "$gone" -ge $(( GRACE_S * 1000 - 300 )) ] || fail "killed before KillGraceSec was over: $gone ms"
[ "$gone" -le $(( GRACE_S * 1000 + 1000 )) ] || fail "killed late: $gone ms"
pid_alive "$SSHD_PID" || fail "the sshd listener was killed"
log "ok"
