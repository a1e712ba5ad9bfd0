#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The kernel notices the dead client first: a session keeps printing (so
# sshd's ClientAlive never probes), its link dies, and TCP gives up after
# tcp_retries2 retransmissions (3 here: seconds; 15 by default: about 15
# minutes), long before InputTimeoutSec (1h). sshd exits on the write
# error; close_session finds the connection closed by the kernel and leaves
# the record marked closed; the daemon kills the session's nohup'd job
# within KillGraceSec (+ 1 s) of sshd's close.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
scenario_setup
# Per network namespace: only the server's.
in_srv sysctl -qw net.ipv4.tcp_retries2=3
scenario_sshd
scenario_watchdog "[Watchdog]
InputTimeoutSec=1h
KillGraceSec=1s"

session_open P -- 'nohup sh -c '\''echo $$ >~/job.pid; exec sleep 600'\'' >/dev/null 2>&1 & while :; do echo tick; sleep 0.1; done'
wait_until 15 "output and the job" eval '[ -s "$WORK/home/job.pid" ] && grep -q tick "$P_OUT"'
wait_until 5 "the session watched" records_are 1
MONITOR=$(sshd_monitor_pid "$TEST_USER")
JOB=$(cat "$WORK/home/job.pid")

link_cut
cut=$(now_ms)
wait_until 60 "TCP to give up and sshd to close the session" pid_gone "$MONITOR"
closed=$(now_ms)
log "sshd closed the session $(( closed - cut )) ms after the cut (tcp_retries2=3, InputTimeoutSec 1h)"
wait_until 2 "the nohup'd job to be killed within KillGraceSec + 1 s of sshd's close" pid_gone "$JOB"
log "job killed $(( $(now_ms) - closed )) ms after the close (KillGraceSec 1000 ms)"
wait_until 3 "the record to be removed" records_are 0

entry=$(grep 'MESSAGE_ID=c6aa9e92fec447a7b65e65958bd80be5' "$WORK/watchdog.log") || fail "no 'closed dead' entry"
case "$entry" in *CLOSED_BY=kernel*) ;; *) fail "the entry does not say the kernel closed it: $entry" ;; esac
log "journal: ${entry%% \[MESSAGE_ID=*}"
pid_alive "$SSHD_PID" || fail "the sshd listener was killed"
log "ok"
