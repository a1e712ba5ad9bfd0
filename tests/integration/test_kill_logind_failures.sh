#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What logind answers decides what the journal says and what
# happens next. Each login gets a scope of its own, as with pam_systemd, and
# each session leaves a job that escaped its process tree (only the scope
# holds it). Round 1: logind answers KillSession with an error: the daemon
# must say so, kill the scope's processes another way, and never claim that
# logind killed them. Round 2: the system bus restarts between two endings:
# the daemon must connect again and ask logind. Round 3: logind takes 5 s to
# answer (busy with a thousand sessions closing): the daemon must not wait,
# and kill what is left in the scope itself within half a second.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
. "$top_srcdir/tests/lib/bus.sh"
scenario_setup
cgroup_tree_create
cgroup_mkdir user.slice
bus_start
LOGIND_CGROOT=$CGROOT/user.slice
fake_logind_start --fail-kill org.freedesktop.DBus.Error.Failed
SCENARIO_PAM="session required pam_loginuid.so
session required $HELPERS/.libs/pam_fake_scope.so cgroot=$CGROOT/user.slice
session optional @MODULE@ statedir=@STATE@" scenario_sshd
WATCHDOG_ENV="DBUS_SYSTEM_BUS_ADDRESS=$BUS_ADDRESS" scenario_watchdog "[Watchdog]
InputTimeoutSec=3s
KillGraceSec=1s"

# open_escaped NAME TAG: a session whose job left its process tree.
open_escaped() {
        session_open "$1" -- "(setsid sleep $2 </dev/null >/dev/null 2>&1 &); echo up; cat >/dev/null"
        wait_until 15 "session $1" grep -q up "$WORK/$1.out"
}

open_escaped A 3401
A_MONITOR=$(sshd_monitor_pid "$TEST_USER")
A_JOB=$(own_procs -u "$TEST_USER" -f '^sleep 3401$') || fail "no escaped job in A"
[ "$(ps -o ppid= -p "$A_JOB" | tr -d ' ')" != "$A_MONITOR" ] || fail "setup: the job did not escape"
grep -qx "$A_JOB" <(cgroup_pids "user.slice/session-$A_MONITOR.scope") || fail "setup: the job is not in A's scope"
link_cut "$(client_port "$A_PID")"
wait_until 8 "session A to be ended" pid_gone "$A_MONITOR"
wait_until 5 "logind to be asked about A" logind_called KillSession "$A_MONITOR"
wait_until 4 "A's escaped job to be killed despite logind's error" pid_gone "$A_JOB"
watchdog_log_has "KillSession.*$A_MONITOR.*(failed|error|Failed)" || fail "the journal does not say that logind failed"
watchdog_log_has "leftover.*session $A_MONITOR .*\(logind\)" && fail "the journal says logind killed A's leftovers, but logind failed"

log "round 2: the bus restarts"
kill_pid "$LOGIND_PID"
bus_restart
fake_logind_start
open_escaped B 3402
B_MONITOR=$(sshd_monitor_pids "$TEST_USER" | tail -1)
B_JOB=$(own_procs -u "$TEST_USER" -f '^sleep 3402$') || fail "no escaped job in B"
link_cut "$(client_port "$B_PID")"
wait_until 8 "session B to be ended" pid_gone "$B_MONITOR"
wait_until 4 "B's escaped job to be killed" pid_gone "$B_JOB"
wait_until 3 "logind to be asked about B after the bus came back" logind_called KillSession "$B_MONITOR"

log "round 3: logind is slow"
kill_pid "$LOGIND_PID"
fake_logind_start --delay-ms 5000
open_escaped C 3403
C_MONITOR=$(sshd_monitor_pids "$TEST_USER" | tail -1)
C_JOB=$(own_procs -u "$TEST_USER" -f '^sleep 3403$') || fail "no escaped job in C"
link_cut "$(client_port "$C_PID")"
wait_until 8 "session C to be ended" pid_gone "$C_MONITOR"
ended=$(now_ms)
wait_until 4 "C's escaped job to be killed without waiting for logind" pid_gone "$C_JOB"
gone=$(( $(now_ms) - ended ))
log "C's job gone $gone ms after its sshd (KillGraceSec 1000 ms, logind 5000 ms a call)"
[ "$gone" -le 2500 ] || fail "the daemon waited for logind: $gone ms"
watchdog_log_has "logind has not answered" || fail "the journal does not say logind was too slow"
pid_alive "$SSHD_PID" || fail "the sshd listener was killed"
pid_alive "$WATCHDOG_PID" || fail "the daemon died"
log "ok"
