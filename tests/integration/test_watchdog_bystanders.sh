#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 6: only the silent session's own processes die. Two sessions of
# the same user, each with a nohup'd job; only A's connection is cut. B, its
# job, the sshd listener, and a process of the same user started outside ssh
# all survive A's ending.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
scenario_start "[Watchdog]
InputTimeoutSec=3s
KillGraceSec=1s"

# Outside ssh, same user: no audit session of ours. setpriv execs, so the
# PID is the sleep's own.
setsid setpriv --reuid="$TEST_USER" --regid="$(id -g "$TEST_USER")" --clear-groups sleep 600 </dev/null >/dev/null 2>&1 &
OUTSIDER=$!
cleanup_push "kill -KILL $OUTSIDER"

session_open A -- 'nohup sleep 601 >/dev/null 2>&1 & echo up; cat >/dev/null'
wait_until 15 "session A" grep -q up "$A_OUT"
A_MONITOR=$(sshd_monitor_pid "$TEST_USER")
session_open B -o ServerAliveInterval=1 -- 'nohup sleep 602 >/dev/null 2>&1 & echo up; cat >/dev/null'
wait_until 15 "session B" grep -q up "$B_OUT"
B_MONITOR=$(sshd_monitor_pids "$TEST_USER" | grep -vx "$A_MONITOR")
A_JOB=$(own_procs -u "$TEST_USER" -f '^sleep 601$')
B_JOB=$(own_procs -u "$TEST_USER" -f '^sleep 602$')
[ -n "$A_JOB" ] && [ -n "$B_JOB" ] && [ -n "$B_MONITOR" ] || fail "setup: A_JOB=$A_JOB B_JOB=$B_JOB B_MONITOR=$B_MONITOR"
[ "$(cat /proc/$OUTSIDER/sessionid)" != "$(cat /proc/$A_JOB/sessionid)" ] || fail "setup: the outsider shares A's audit session"

port=$(client_port "$A_PID")
[ -n "$port" ] || fail "cannot find session A's client port"
link_cut "$port"
wait_until 6 "session A to be ended" pid_gone "$A_MONITOR"
wait_until 3 "A's nohup'd job to be killed" pid_gone "$A_JOB"
sleep 1.5

pid_alive "$B_MONITOR" || fail "session B's sshd was killed"
pid_alive "$B_JOB" || fail "session B's job was killed"
pid_alive "$OUTSIDER" || fail "a process of the same user outside ssh was killed"
pid_alive "$SSHD_PID" || fail "the sshd listener was killed"
pid_alive "$WATCHDOG_PID" || fail "the daemon died"
[ "$(record_count)" = 1 ] || fail "B's record should remain alone, found $(record_count)"
n=$(watchdog_log_count 'MESSAGE_ID=ffa2c22415ca4dff88de52a663886246')
[ "$n" = 1 ] || fail "$n sessions ended, want 1"
log "ok"
