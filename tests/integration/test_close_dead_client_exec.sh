#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Whoever ends a dead session first, for sessions sshd-watchdog-exec
# registered: no close_session runs for them, so the daemon holds a
# descriptor of each one's connection (pidfd_getfd) and reads how it ended
# when the monitor exits. sshd without PAM, hardened (ClientAliveInterval 1,
# ClientAliveCountMax 2), each session in a transient scope from a fake
# systemd. A's link is cut: sshd closes it within seconds, long before
# InputTimeoutSec (1h), and the job that left A's process tree (only its
# scope holds it) is killed within KillGraceSec + 1 s of the close. L's
# command finishes by itself after a silent while: its nohup'd job stays.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
. "$top_srcdir/tests/lib/bus.sh"
EXEC_BIN=${EXEC_BIN:-${top_builddir:-}/exec/sshd-watchdog-exec}
require_cmd dbus-daemon

scenario_setup
cgroup_tree_create
scenario_exec_setup
mkdir -p -m 0755 "$STATE"
bus_start
fake_systemd_start --cgroot "$CGROOT" --mode ok
SSHD_USE_PAM=no scenario_sshd "ForceCommand $WORK/sshd-watchdog-exec --state-dir=$STATE
ClientAliveInterval 1
ClientAliveCountMax 2"
WATCHDOG_ENV="DBUS_SYSTEM_BUS_ADDRESS=$BUS_ADDRESS" WATCHDOG_ARGS="--transient-scopes=yes" scenario_watchdog "[Watchdog]
InputTimeoutSec=1h
KillGraceSec=1s"

session_open L -- 'nohup sh -c '\''echo $$ >~/L.pid; exec sleep 3902'\'' >/dev/null 2>&1 & sleep 3; echo done'
session_open A -- "(setsid sleep 3901 </dev/null >/dev/null 2>&1 &); echo up; cat >/dev/null"
wait_until 15 "session A" grep -q up "$A_OUT"
wait_until 15 "L's job" test -s "$WORK/home/L.pid"
wait_until 5 "both registered" records_are 2
A_JOB=$(own_procs -u "$TEST_USER" -xf 'sleep 3901') || fail "no job in A"
L_JOB=$(cat "$WORK/home/L.pid")
# (An if, not an &&: a loop whose last test fails would fail the
# assignment, and set -e would end the test without a word.)
A_MONITOR=$(for r in "$STATE"/sessions/*; do sed -n 's/^SSHD_PID=//p' "$r"; done | while read -r m; do
        if grep -qx "$A_JOB" "$CGROOT/sshd-watchdog-$m-"*.scope/cgroup.procs 2>/dev/null; then echo "$m"; fi; done)
[ -n "$A_MONITOR" ] || fail "setup: A's job is not in a scope of a registered session"

wait_until 10 "L's command to finish" grep -q done "$L_OUT"
wait_until 5 "L's record to go" records_are 1
link_cut "$(client_port "$A_PID")"
wait_until 30 "sshd to close A" pid_gone "$A_MONITOR"
closed=$(now_ms)
wait_until 2 "A's job to be killed within KillGraceSec + 1 s of the close" pid_gone "$A_JOB"
log "A: closed by sshd, its job killed $(( $(now_ms) - closed )) ms later (KillGraceSec 1000 ms)"
entry=$(grep 'MESSAGE_ID=c6aa9e92fec447a7b65e65958bd80be5' "$WORK/watchdog.log") || fail "no 'closed dead' entry"
case "$entry" in *"SSHD_PID=$A_MONITOR"*CLOSED_BY=sshd*) ;; *) fail "the entry: $entry" ;; esac
wait_until 3 "A's record to go" records_are 0
sleep 1
pid_alive "$L_JOB" || fail "the job of L, whose command finished by itself, was killed"
watchdog_log_has "MESSAGE_ID=ffa2c22415ca4dff88de52a663886246" && fail "the daemon ended a session itself"
log "ok"
