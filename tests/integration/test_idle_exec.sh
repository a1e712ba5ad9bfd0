#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The idle-user policy on a session that sshd-watchdog-exec registered
# (UsePAM no, ForceCommand): the daemon found its monitor from the kernel,
# and the terminals are that monitor's, as with PAM. An idle shell with a
# live client (keepalives) is warned on its terminal, then ended as idle,
# with its nohup'd job.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
EXEC_BIN=${EXEC_BIN:-${top_builddir:-}/exec/sshd-watchdog-exec}

WARNING='sshd-watchdog: idle for'
scenario_setup
scenario_exec_setup
mkdir -p -m 0755 "$STATE"
SSHD_USE_PAM=no scenario_sshd "ForceCommand $WORK/sshd-watchdog-exec --state-dir=$STATE"
scenario_watchdog "[Watchdog]
InputTimeoutSec=1h
KillGraceSec=1s
IdleTimeoutSec=10s
IdleWarnSec=4s"

session_open A -tt -o ServerAliveInterval=1 --
t_last=$(now_ms) # read before the keys are written: no later than their reading
session_send A $'nohup sleep 302 >/dev/null 2>&1 & echo up-$((6*7))\n'
wait_until 15 "a shell" grep -q up-42 "$A_OUT"
JOB=$(own_procs -u "$TEST_USER" -xf 'sleep 302') || fail "no nohup'd job"
cleanup_push "kill_pid $JOB"
MONITOR=$(sshd_monitor_pid "$TEST_USER") || fail "no monitor"
wait_until 5 "the registration" watchdog_log_has "Registered session .* of $TEST_USER from $CLI_ADDR"

# Due 6 s after the last keystroke, up to 8 s later by the kernel's step.
wait_until $(( 6 + 8 + 4 )) "the warning" grep -q "$WARNING" "$A_OUT"
warn_ms=$(( $(now_ms) - t_last ))
[ "$warn_ms" -ge 6000 ] || fail "warned $warn_ms ms after the last keystroke"
wait_until 8 "the idle ending" pid_gone "$MONITOR"
end_ms=$(( $(now_ms) - t_last ))
log "registered session warned $warn_ms ms and ended $end_ms ms after its last keystroke (limit 10 s)"
[ "$end_ms" -ge 10000 ] || fail "ended too early: $end_ms ms"
watchdog_log_has "MESSAGE_ID=396f0c162af3482fa8033554d67f9cf8.*SSHD_PID=$MONITOR" || fail "no idle ending entry"
wait_until 4 "the nohup'd job to be killed" pid_gone "$JOB"
pid_alive "$SSHD_PID" || fail "the sshd listener was killed"
pid_alive "$WATCHDOG_PID" || fail "the daemon died"
log "ok"
