#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Sshd-watchdogctl shows what the running daemon sees and will do.
# A watched session counts down (limit from a [User:] section), input sets
# it back, metrics count it; non-root is refused by the socket's mode and,
# were that lost, by the daemon itself (SO_PEERCRED); the cut session shows
# as ending, then as counted; with the daemon gone, exit status 3.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
CTL=${CTL:-${top_builddir:-}/ctl/sshd-watchdogctl}
[ -x "$CTL" ] || fail "no sshd-watchdogctl at $CTL"
scenario_start "[Watchdog]
InputTimeoutSec=1h
KillGraceSec=3s
[User:@USER@]
InputTimeoutSec=6s"
ctl() { "$CTL" --state-dir "$STATE" "$@"; }
# The user runs a copy in the test's own directory: the build tree may be
# one only root can enter (a clone in /root).
install -m 0755 "$CTL" "$WORK/sshd-watchdogctl"
json_num() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }

ctl status >"$WORK/status0" || fail "status failed: $(cat "$WORK/status0")"
grep -q "^sshd-watchdog: running, PID $WATCHDOG_PID" "$WORK/status0" || fail "status: $(cat "$WORK/status0")"
grep -q "^Configuration: $WORK/watchdog.conf" "$WORK/status0" || fail "status lacks the config file"
grep -q "^Sessions: none" "$WORK/status0" || fail "status: $(cat "$WORK/status0")"
[ "$(ctl list --json)" = "[]" ] || fail "list --json without sessions: $(ctl list --json)"
ctl list | grep -q "^0 sessions listed.$" || fail "list without sessions: $(ctl list)"

session_open A -- 'echo up; cat >/dev/null'
wait_until 15 "the session" grep -q up "$A_OUT"
MONITOR=$(sshd_monitor_pid "$TEST_USER")
wait_until 5 "the session to be watched" watchdog_log_has "MESSAGE_ID=4c2ba311a05a4709ba96cf25424c5a90.*SSHD_PID=$MONITOR"

ctl list >"$WORK/list1"
log "list:"$'\n'"$(cat "$WORK/list1")"
row=$(grep "$TEST_USER" "$WORK/list1") || fail "no row for $TEST_USER"
for want in "$CLI_ADDR" "\[User:$TEST_USER\]" " 6s " "watching"; do
        grep -q -- "$want" <<<"$row" || fail "the row lacks '$want': $row"
done
grep -q "^1 session listed.$" "$WORK/list1" || fail "no count line"

# The countdown is the daemon's, from the kernel's silence at each ask.
j1=$(ctl list --json); t1=$(now_ms)
sleep 1.5
j2=$(ctl list --json); t2=$(now_ms)
left1=$(json_num left_usec <<<"$j1"); left2=$(json_num left_usec <<<"$j2")
silent2=$(json_num silent_usec <<<"$j2")
grep -q "\"sshd_pid\":$MONITOR" <<<"$j1" || fail "json: $j1"
grep -q '"limit_source":"\[User:'"$TEST_USER"'\]"' <<<"$j1" || fail "json lacks the source: $j1"
[ "$(json_num limit_usec <<<"$j1")" = 6000000 ] || fail "json limit: $j1"
drop=$(( (left1 - left2) / 1000 )); took=$(( t2 - t1 ))
log "left $((left1 / 1000)) ms, then $((left2 / 1000)) ms $took ms later"
[ $(( drop - took )) -le 300 ] && [ $(( took - drop )) -le 300 ] || fail "left fell $drop ms in $took ms"
[ $(( (silent2 + left2) / 1000 )) -ge 5990 ] && [ $(( (silent2 + left2) / 1000 )) -le 6010 ] ||
        fail "silent + left is not the limit: $j2"

session_send A $'x\n'
sleep 0.3
silent3=$(ctl list --json | json_num silent_usec)
[ "$silent3" -lt 1000000 ] || fail "input did not set the silence back: $silent3 us"

ctl metrics >"$WORK/metrics"
grep -qx 'sshd_watchdog_up 1' "$WORK/metrics" || fail "metrics: no up"
grep -qx 'sshd_watchdog_sessions{state="watching"} 1' "$WORK/metrics" || fail "metrics: $(cat "$WORK/metrics")"
grep -qx 'sshd_watchdog_silence_seconds_count 1' "$WORK/metrics" || fail "metrics: no silence histogram"
grep -q "$TEST_USER" "$WORK/metrics" && fail "metrics carry a user name"

# Root only: the socket's mode, and the daemon's own check behind it.
if runuser -u "$TEST_USER" -- "$WORK/sshd-watchdogctl" --state-dir "$STATE" list >"$WORK/user.out" 2>&1; then
        fail "a user read the list: $(cat "$WORK/user.out")"
fi
grep -q '^sshd-watchdogctl: .*(root only)' "$WORK/user.out" || fail "the user was not refused by the socket: $(cat "$WORK/user.out")"
log "as $TEST_USER: $(cat "$WORK/user.out")"
state_mode=$(stat -c %a "$STATE")
chmod o+x "$STATE"
chmod 0666 "$STATE/control.sock"
rc=0
runuser -u "$TEST_USER" -- "$WORK/sshd-watchdogctl" --state-dir "$STATE" list >"$WORK/user2.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "with the socket open to all, a user got status $rc: $(cat "$WORK/user2.out")"
grep -q "root only" "$WORK/user2.out" || fail "a user was told: $(cat "$WORK/user2.out")"
wait_until 3 "the daemon's refusal" watchdog_log_has "Refused a control connection from UID $(id -u "$TEST_USER")"
chmod 0600 "$STATE/control.sock"
chmod "$state_mode" "$STATE"

# Cut: the session ends; in the grace its ending is listed with the kill ahead.
link_cut
wait_until 10 "sshd's monitor to be ended" pid_gone "$MONITOR"
ctl list >"$WORK/list2"
log "in the grace:"$'\n'"$(cat "$WORK/list2")"
grep -q "ending (killing leftovers in" "$WORK/list2" || fail "no ending row: $(cat "$WORK/list2")"
wait_until 6 "the ending to finish" eval 'ctl status | grep -q "^Sessions: none"'
ctl status | grep -q "^Ended since start: 1$" || fail "status: $(ctl status)"

kill_pid "$WATCHDOG_PID"
rc=0
ctl list >"$WORK/gone.out" 2>&1 || rc=$?
[ "$rc" = 3 ] || fail "without the daemon: status $rc: $(cat "$WORK/gone.out")"
grep -q "not running" "$WORK/gone.out" || fail "without the daemon: $(cat "$WORK/gone.out")"
rc=0
ctl metrics >"$WORK/gone.metrics" 2>/dev/null || rc=$?
[ "$rc" = 3 ] && grep -qx 'sshd_watchdog_up 0' "$WORK/gone.metrics" || fail "metrics without the daemon: $rc"
log "ok"
