#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A registration cannot claim sshd's own cgroup, and no record can make the
# daemon kill sshd's listener. An sshd without PAM in a cgroup of its own,
# like Debian's ssh.service: sshd is restarted as KillMode=process does, so
# the old sessions A and D live on, children of PID 1, in the same cgroup
# as the new listener and a new session B. Their users run
# sshd-watchdog-exec by hand (outside any ForceCommand).
#  1. A's registration compares the cgroup with its parent's, which is now
#     PID 1's: it must not record sshd's cgroup as the login's own. A's cut
#     ends A and its job; the new listener and B live.
#  2. D's record is made to claim that cgroup all the same (an older
#     daemon's record): at the kill the daemon finds the listener in it from
#     the kernel, and kills D's own processes only.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
EXEC_BIN=${EXEC_BIN:-${top_builddir:-}/exec/sshd-watchdog-exec}

scenario_setup
cgroup_tree_create
cgroup_mkdir ssh.service
scenario_exec_setup
SSHD_WRAP="$EXEC_IN --cgroup $CGROOT/ssh.service --"
SSHD_USE_PAM=no scenario_sshd
scenario_watchdog "[Watchdog]
InputTimeoutSec=3s
KillGraceSec=1s"

# shell NAME: a shell on its own connection -> NAME_MONITOR
shell() {
        session_open "$1" -tt --
        wait_until 15 "a shell prompt in $1" grep -q '\$' "$WORK/$1.out"
        printf -v "${1}_MONITOR" %s "$(sshd_monitor_pids "$TEST_USER" | grep -vxF "$(printf '%s\n' "${MONITORS[@]}")" | head -1)"
        local m=${1}_MONITOR
        [ -n "${!m}" ] || fail "no monitor for $1"
        MONITORS+=("${!m}")
}
# register NAME JOB: the user runs the helper by hand, with a job in the
# session's process tree (without PAM there is no audit session that
# would find a nohup'd one).
register() {
        session_send "$1" "$WORK/sshd-watchdog-exec --state-dir=$STATE -- sh -c 'sleep $2 & echo registered-\$((6*7)); wait'"$'\n'
        wait_until 10 "$1's registration" grep -q registered-42 "$WORK/$1.out"
}
MONITORS=()
shell A
shell D
sshd_restart
wait_until 5 "A and D to lose their listener" eval "[ \"\$(ps -o ppid= -p $A_MONITOR | tr -d ' ')\" != \"$SSHD_PID\" ] && [ \"\$(ps -o ppid= -p $D_MONITOR | tr -d ' ')\" != \"$SSHD_PID\" ]"
session_open B -o ServerAliveInterval=1 -- 'nohup sleep 3602 >/dev/null 2>&1 & echo up; cat >/dev/null'
wait_until 15 "session B" grep -q up "$B_OUT"
B_JOB=$(own_procs -u "$TEST_USER" -xf 'sleep 3602') || fail "no job in B"
grep -qx "$SSHD_PID" <(cgroup_pids ssh.service) || fail "setup: the new listener is not in sshd's cgroup"

register A 3601
A_JOB=$(own_procs -u "$TEST_USER" -xf 'sleep 3601') || fail "no job in A"
name=$(ls "$STATE/sessions" | grep "^$A_MONITOR-") || fail "A was not registered: $(tail -3 "$WORK/watchdog.log")"
"$RECORD_DUMP" "$STATE" "$name" >"$WORK/record-A" || fail "A's record refused"
grep -q '^CGROUP=.*/ssh.service$' "$WORK/record-A" || fail "setup: A is not in sshd's cgroup: $(cat "$WORK/record-A")"
grep -q '^CGROUP_ID=' "$WORK/record-A" && fail "A's registration claimed sshd's cgroup: $(tr '\n' ' ' <"$WORK/record-A")"

port=$(client_port "$A_PID")
link_cut "$port"
wait_until 8 "A to be ended" pid_gone "$A_MONITOR"
wait_until 4 "A's job to be killed" pid_gone "$A_JOB"
wait_until 3 "A's ending to finish" watchdog_log_has "(Killed [0-9]+ leftover process|Nothing).* \(sshd PID $A_MONITOR\)"
pid_alive "$SSHD_PID" || fail "1: the new sshd listener was killed"
pid_alive "$B_JOB" || fail "1: session B's job was killed"
link_restore
log "1: A's registration did not claim sshd's cgroup; A ended, the listener and B live"

register D 3603
D_JOB=$(own_procs -u "$TEST_USER" -xf 'sleep 3603') || fail "no job in D"
name=$(ls "$STATE/sessions" | grep "^$D_MONITOR-") || fail "D was not registered"
kill_pid "$WATCHDOG_PID"
echo "CGROUP_ID=$(stat -c %i "$CGROOT/ssh.service")" >>"$STATE/sessions/$name"
"$RECORD_DUMP" "$STATE" "$name" | grep -q '^CGROUP_ID=' || fail "setup: the forged record is refused"
watchdog_start
port=$(client_port "$D_PID")
link_cut "$port"
wait_until 8 "D to be ended" pid_gone "$D_MONITOR"
wait_until 4 "D's job to be killed" pid_gone "$D_JOB"
wait_until 3 "D's ending to finish" watchdog_log_has "(Killed [0-9]+ leftover process|Nothing).* \(sshd PID $D_MONITOR\)"
pid_alive "$SSHD_PID" || fail "2: the new sshd listener was killed"
pid_alive "$B_JOB" || fail "2: session B's job was killed"
watchdog_log_has "not killing its cgroup: cgroup .*ssh.service holds PID $SSHD_PID, sshd's listener" ||
        fail "2: the daemon does not say why it left the cgroup: $(grep -i "$name" "$WORK/watchdog.log" | tail -3)"
pid_alive "$WATCHDOG_PID" || fail "the daemon died"
log "ok: the listener in a claimed cgroup was found and spared; only D's own processes went"
