#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Any local user can connect to register.sock (mode 0666). nobody floods it
# from four processes for 10 s while a session's link is cut. The session
# still ends at its deadline (SIGTERM at most 300 ms late) with its entry;
# the daemon spends under 10% of a CPU on the flood; the flood's refusals
# are logged five times, then counted in one entry when 30 s are over; and
# a registration of another user during the flood is still served.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
FLOOD=${FLOOD:-${top_builddir:-}/tests/helpers/register-flood}
[ -x "$FLOOD" ] || fail "no register-flood at $FLOOD"
require_cmd setpriv
scenario_start "[Watchdog]
InputTimeoutSec=4s
KillGraceSec=1s"
# Run as nobody from the test's own directory (the build tree may be root's alone).
install -m 0755 "$FLOOD" "$WORK/register-flood"
NOBODY=$(id -u nobody)
ticks() { awk '{ print $14 + $15 }' "/proc/$WATCHDOG_PID/stat"; }

session_open A -- 'nohup sleep 3701 >/dev/null 2>&1 & echo up; cat >/dev/null'
wait_until 15 "session A" grep -q up "$A_OUT"
MONITOR=$(sshd_monitor_pid "$TEST_USER")
JOB=$(own_procs -u "$TEST_USER" -xf 'sleep 3701') || fail "no job in A"
wait_until 5 "A to be watched" watchdog_log_has "MESSAGE_ID=4c2ba311a05a4709ba96cf25424c5a90.*SSHD_PID=$MONITOR"

cpu0=$(ticks)
t0=$(now_ms)
setpriv --reuid=nobody --regid=nogroup --clear-groups "$WORK/register-flood" "$STATE/register.sock" 10 4 \
        >"$WORK/flood.out" 2>&1 &
FLOODER=$!
cleanup_push "kill_pid $FLOODER"
sleep 2
# A registration of the test user's, through the flood: the daemon refuses
# it (it is not below an sshd), but it must get to answer.
out=$(timeout 10 setpriv --reuid="$TEST_USER" --regid="$(id -g "$TEST_USER")" --clear-groups \
        "$top_builddir/exec/sshd-watchdog-exec" --debug --state-dir="$STATE" -- true 2>&1) || true
case "$out" in *"NO "*"not sshd"*) ;; *) fail "another user's registration was not answered during the flood: $out" ;; esac
session_send A $'x\n'
last_input=$(now_ms)
port=$(client_port "$A_PID")
link_cut "$port"
wait_until 9 "A to be ended during the flood" pid_gone "$MONITOR"
log "A ended $(( $(now_ms) - last_input )) ms after its last input (limit 4000 ms)"
wait_until 4 "A's job to be killed" pid_gone "$JOB"
wait "$FLOODER" || fail "the flood failed: $(cat "$WORK/flood.out")"
cpu=$(( $(ticks) - cpu0 ))
wall=$(( $(now_ms) - t0 ))
log "flood: $(cat "$WORK/flood.out"); the daemon used $(( cpu * 10 )) ms of CPU in $wall ms"
made=$(awk '{ print $1 }' "$WORK/flood.out")
[ "$made" -ge 1000 ] || fail "the flood was no flood: $(cat "$WORK/flood.out")"
[ $(( cpu * 10 * 100 / wall )) -lt 10 ] || fail "the daemon used $(( cpu * 10 )) ms of CPU in $wall ms: 10% or more"

entry=$(grep 'MESSAGE_ID=ffa2c22415ca4dff88de52a663886246' "$WORK/watchdog.log") || fail "no ended entry for A"
silent=$(sed -n 's/.*SILENT_USEC=\([0-9]*\).*/\1/p' <<<"$entry")
[ "$silent" -ge 4000000 ] && [ "$silent" -le 4300000 ] || fail "A's SIGTERM came at silence $silent us (deadline 4000000 us, +300 ms)"
watchdog_log_has "Killed [0-9]+ leftover process.*SSHD_PID=$MONITOR" || fail "no entry for A's leftovers"
one_by_one=$(watchdog_log_count "(Refused|Cannot register).* of UID $NOBODY\b")
log "refusals of UID $NOBODY logged one by one: $one_by_one"
[ "$one_by_one" -le 5 ] || fail "$one_by_one refusals of one user logged one by one (at most 5)"
[ "$(watchdog_log_count 'accepting them more slowly')" -le 1 ] || fail "the pause is logged more than once"
wait_until 35 "the count of what was not logged" watchdog_log_has "Refused [0-9]+ more registrations of UID $NOBODY in the last 30s"
log "summary: $(grep -o "Refused [0-9]* more registrations of UID $NOBODY[^[]*" "$WORK/watchdog.log")"
pid_alive "$WATCHDOG_PID" || fail "the daemon died"
log "ok"
