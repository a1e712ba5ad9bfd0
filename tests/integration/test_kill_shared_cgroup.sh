#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A cgroup the login did not get for itself is never killed. Like
# Debian's ssh.service without pam_systemd: sshd and all its sessions share
# one cgroup. sshd is restarted as KillMode=process does (the old sessions
# live on, children of PID 1), a second session logs in to the new listener,
# then the first session's link is cut. Its ending must kill its own job and
# leave the shared cgroup alone: the new listener and the other session live.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
scenario_setup
cgroup_tree_create
cgroup_mkdir ssh.service
SSHD_WRAP="$EXEC_IN --cgroup $CGROOT/ssh.service --"
scenario_sshd
scenario_watchdog "[Watchdog]
InputTimeoutSec=3s
KillGraceSec=1s"

session_open A -- 'nohup sleep 3101 >/dev/null 2>&1 & echo up; cat >/dev/null'
wait_until 15 "session A" grep -q up "$A_OUT"
A_MONITOR=$(sshd_monitor_pid "$TEST_USER")
A_JOB=$(own_procs -u "$TEST_USER" -f '^sleep 3101$') || fail "no job in session A"
"$RECORD_DUMP" "$STATE" >"$WORK/record" || fail "record refused"
grep -q '^CGROUP_ID=' "$WORK/record" && fail "a cgroup shared with sshd was recorded as the login's own"

sshd_restart
wait_until 5 "session A to be reparented" test "$(ps -o ppid= -p "$A_MONITOR" | tr -d ' ')" != "$SSHD_PID"
session_open B -o ServerAliveInterval=1 -- 'nohup sleep 3102 >/dev/null 2>&1 & echo up; cat >/dev/null'
wait_until 15 "session B" grep -q up "$B_OUT"
B_MONITOR=$(sshd_monitor_pid "$TEST_USER")
B_JOB=$(own_procs -u "$TEST_USER" -f '^sleep 3102$') || fail "no job in session B"
grep -qx "$SSHD_PID" <(cgroup_pids ssh.service) || fail "setup: the new listener is not in the shared cgroup"

port=$(client_port "$A_PID")
[ -n "$port" ] || fail "no client port for session A"
link_cut "$port"
wait_until 8 "session A to be ended" pid_gone "$A_MONITOR"
wait_until 4 "session A's job to be killed" pid_gone "$A_JOB"
sleep 1.5
pid_alive "$SSHD_PID" || fail "the new sshd listener was killed"
pid_alive "$B_MONITOR" || fail "session B's sshd was killed"
pid_alive "$B_JOB" || fail "session B's job was killed"
pid_alive "$WATCHDOG_PID" || fail "the daemon died"
log "ok: A's job killed, the shared cgroup left alone"
