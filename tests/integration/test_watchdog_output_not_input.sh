#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 2: the session's program prints every 0.5 s while the client is
# silent and the link is cut. sshd's ClientAliveInterval never fires here (it
# probes only when nothing happens); we end it anyway, because output is not
# input.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
scenario_start "[Watchdog]
InputTimeoutSec=3s
KillGraceSec=1s"

started=$(now_ms)
session_open B -- 'while :; do echo tick; sleep 0.5; done'
wait_until 15 "output" grep -q tick "$B_OUT"
first_tick=$(now_ms)
MONITOR=$(sshd_monitor_pid "$TEST_USER")
link_cut
ticks_at_cut=$(grep -c tick "$B_OUT")

wait_until 6 "sshd's monitor to be ended" pid_gone "$MONITOR"
gone=$(now_ms)
log "ended $(( gone - first_tick )) ms after the first output line ($(( gone - started )) ms after ssh started)"
[ $(( gone - first_tick )) -le 3400 ] || fail "ended too late"
[ $(( gone - started )) -ge 3000 ] || fail "ended before the timeout could have passed"
wait_until 3 "the printing loop to be gone" no_live_pids_of "$TEST_USER"

entry=$(grep 'MESSAGE_ID=ffa2c22415ca4dff88de52a663886246' "$WORK/watchdog.log") || fail "no 'session ended' entry"
silent=$(sed -n 's/.*SILENT_USEC=\([0-9]*\).*/\1/p' <<<"$entry")
log "SIGTERM at silence $silent us; $ticks_at_cut lines arrived before the cut, the server kept printing after"
[ "$silent" -ge 3000000 ] && [ "$silent" -le 3300000 ] || fail "SILENT_USEC=$silent"
pid_alive "$SSHD_PID" || fail "the sshd listener was killed"
log "ok"
