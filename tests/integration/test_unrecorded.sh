#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Connections that no record names are found and said. An sshd without
# PAM whose sessions are recorded by sshd-watchdog-exec as ForceCommand:
# `ssh -N -L` opens no session channel, so no forced command runs and
# nothing records it; a user's ~/.bashrc runs before the forced command,
# and need not let it run. The daemon (UnrecordedScanSec=1s) reports it once in
# the journal, lists it in sshd-watchdogctl and counts it in the metrics;
# a recorded session and a connection still before authentication are
# left out. With EndUnrecorded=yes (a reload) the daemon records it from
# the kernel, and ends it when its link is cut, at its deadline.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
EXEC_BIN=${EXEC_BIN:-${top_builddir:-}/exec/sshd-watchdog-exec}
CTL=${CTL:-${top_builddir:-}/ctl/sshd-watchdogctl}

scenario_setup
scenario_exec_setup
SSHD_USE_PAM=no scenario_sshd "ForceCommand $WORK/sshd-watchdog-exec --state-dir=$STATE"
CONF="[Watchdog]
InputTimeoutSec=3s
KillGraceSec=1s
UnrecordedScanSec=1s"
scenario_watchdog "$CONF"
ctl() { "$CTL" --state-dir "$STATE" "$@"; }
UNRECORDED=a40577c7d47b4c03acb31973c37186b4

# A recorded session, kept alive.
session_open R -o ServerAliveInterval=1 -- 'echo up; cat >/dev/null'
wait_until 15 "session R" grep -q up "$R_OUT"
wait_until 5 "R's record" records_are 1
R_MONITOR=$(sshd_monitor_pid "$TEST_USER")
# A connection before authentication: sshd's banner, and no answer.
ip netns exec "$NS_CLI" bash -c "exec 3<>/dev/tcp/$SRV_ADDR/22; sleep 60" &
PREAUTH=$!
cleanup_push "kill_pid $PREAUTH"
# The forward.
session_open N -o ServerAliveInterval=1 -N -L 127.0.0.1:10022:127.0.0.1:22 --
wait_until 15 "N's login" eval "[ \"\$(sshd_monitor_pids $TEST_USER | wc -l)\" = 2 ]"
N_MONITOR=$(sshd_monitor_pids "$TEST_USER" | grep -vx "$R_MONITOR")

wait_until 5 "N to be reported" watchdog_log_has "MESSAGE_ID=$UNRECORDED.*SSHD_PID=$N_MONITOR"
entry=$(grep "MESSAGE_ID=$UNRECORDED" "$WORK/watchdog.log" | head -1)
log "journal: ${entry%% \[MESSAGE_ID=*}"
for f in "USER_ID=$TEST_USER" "REMOTE_HOST=$CLI_ADDR" "SSHD_PID=$N_MONITOR"; do
        case "$entry" in *"$f"*) ;; *) fail "the entry lacks $f: $entry" ;; esac
done
case "$entry" in *"forwards only"*) ;; *) fail "the entry does not say no command runs: $entry" ;; esac
ctl list >"$WORK/list.txt"
grep -E "^$N_MONITOR-[0-9]+ +$TEST_USER +$CLI_ADDR .* unrecorded" "$WORK/list.txt" >/dev/null ||
        fail "sshd-watchdogctl does not list N as unrecorded: $(cat "$WORK/list.txt")"
log "sshd-watchdogctl list:"$'\n'"$(cat "$WORK/list.txt")"
ctl metrics | grep -qx 'sshd_watchdog_sessions{state="unrecorded"} 1' || fail "metrics: $(ctl metrics | grep unrecorded)"
ctl status | grep -q "1 unrecorded" || fail "status: $(ctl status)"
# A ForceCommand skipped: sshd runs it as `$SHELL -c`, and bash reads
# ~/.bashrc first when sshd started it.
usermod -s /bin/bash "$TEST_USER"
echo 'exec sleep 3900' >"$WORK/home/.bashrc"
session_open B -- 'true'
wait_until 15 "B's login" eval "[ \"\$(sshd_monitor_pids $TEST_USER | wc -l)\" = 3 ]"
B_MONITOR=$(sshd_monitor_pids "$TEST_USER" | grep -vx -e "$R_MONITOR" -e "$N_MONITOR")
wait_until 5 "B to be reported" watchdog_log_has "MESSAGE_ID=$UNRECORDED.*SSHD_PID=$B_MONITOR"
grep "MESSAGE_ID=$UNRECORDED.*SSHD_PID=$B_MONITOR" "$WORK/watchdog.log" | grep -q "a command runs in it" ||
        fail "B's entry does not say a command runs in it"
rm "$WORK/home/.bashrc"
kill_pid "$B_PID"
wait_until 5 "B to close" pid_gone "$B_MONITOR"
# Three more looks: said once each, and nothing else was taken for unrecorded.
sleep 3.5
[ "$(watchdog_log_count "MESSAGE_ID=$UNRECORDED")" = 2 ] ||
        fail "reported $(watchdog_log_count "MESSAGE_ID=$UNRECORDED") times: $(grep "MESSAGE_ID=$UNRECORDED" "$WORK/watchdog.log")"
pid_alive "$PREAUTH" || fail "setup: the connection before authentication is gone"
records_are 1 || fail "EndUnrecorded=no recorded something"

# EndUnrecorded=yes: recorded, watched, ended at its deadline when cut.
watchdog_config "$CONF
EndUnrecorded=yes"
kill -HUP "$WATCHDOG_PID"
wait_until 5 "N to be recorded" records_are 2
name=$(ls "$STATE/sessions" | grep "^$N_MONITOR-")
"$RECORD_DUMP" "$STATE" "$name" | grep -qx 'REGISTERED=found' || fail "N's record: $("$RECORD_DUMP" "$STATE" "$name")"
wait_until 5 "N to be watched" watchdog_log_has "MESSAGE_ID=4c2ba311a05a4709ba96cf25424c5a90.*SSHD_PID=$N_MONITOR"
ctl metrics | grep -qx 'sshd_watchdog_sessions{state="unrecorded"} 0' || fail "still counted as unrecorded"
port=$(client_port "$N_PID")
last=$(now_ms)
link_cut "$port"
wait_until 8 "N to be ended" pid_gone "$N_MONITOR"
log "N ended $(( $(now_ms) - last )) ms after the cut (InputTimeoutSec 3000 ms, counted from its last input before)"
watchdog_log_has "MESSAGE_ID=ffa2c22415ca4dff88de52a663886246.*SSHD_PID=$N_MONITOR" || fail "no ended entry for N"
wait_until 3 "N's record to go" records_are 1
pid_alive "$R_MONITOR" || fail "session R was ended"
pid_alive "$SSHD_PID" || fail "the listener was killed"
log "ok"
