#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 5: the daemon is SIGKILLed mid-silence and restarted. The kernel
# kept the silence, so the session still ends at its original deadline.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
scenario_start "[Watchdog]
InputTimeoutSec=4s
KillGraceSec=1s"

session_open R -tt --
wait_until 15 "a shell prompt" grep -q '\$' "$R_OUT"
MONITOR=$(sshd_monitor_pid "$TEST_USER")
session_send R $'echo typed-$((6*7))\n'
wait_until 5 "the echo" grep -q typed-42 "$R_OUT"
last_input=$(now_ms)
link_cut
sleep 1
kill -KILL "$WATCHDOG_PID"
wait_until 2 "the daemon to die" pid_gone "$WATCHDOG_PID"
sleep 0.5
watchdog_start
log "restarted $(( $(now_ms) - last_input )) ms after the last input"
wait_until 6 "sshd's monitor to be ended" pid_gone "$MONITOR"
elapsed=$(( $(now_ms) - last_input ))
log "ended $elapsed ms after the last input (deadline 4000 ms)"
[ "$elapsed" -ge 3900 ] && [ "$elapsed" -le 4500 ] || fail "not at the original deadline: $elapsed ms"
entry=$(grep 'MESSAGE_ID=ffa2c22415ca4dff88de52a663886246' "$WORK/watchdog.log") || fail "no ended entry"
silent=$(sed -n 's/.*SILENT_USEC=\([0-9]*\).*/\1/p' <<<"$entry")
[ "$silent" -ge 4000000 ] && [ "$silent" -le 4500000 ] || fail "SILENT_USEC=$silent"
# The restart names the session it found in its start entry, and logs
# the session itself at debug level only (one entry per session would
# reach journald's rate limit on a host with thousands).
started=$(grep '^<6>Started: ' "$WORK/watchdog.log" | tail -n 1)
grep -qE '\[MESSAGE_ID=a21ecc70344042c1a43a227fb9b3e571 SESSIONS=1 SESSIONS_TIMED=1 SESSIONS_UNTIMED=0 ' <<<"$started" ||
        fail "the restart's start entry does not count the open session: $started"
[ "$(grep -c '^<6>Watching ' "$WORK/watchdog.log")" = 1 ] && [ "$(grep -c '^<7>Watching ' "$WORK/watchdog.log")" = 1 ] ||
        fail "want the session's Watching entry at info from the login, at debug from the restart: $(grep 'Watching ' "$WORK/watchdog.log")"
log "ok"
