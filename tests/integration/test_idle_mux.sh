#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ControlMaster: two sessions over one connection, one monitor, one
# record, a pty each. While one user types (a key a second at a bash
# prompt) the other's idleness ends nothing: the connection is idle only
# when all its terminals are. Once the typing stops both are warned, on
# both terminals, and the connection is ended.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"

LIMIT_MS=12000 WARN_MS=5000 STEP_MS=8000 SLACK_MS=4000
WARNING='sshd-watchdog: idle for'
ID_WARNED=6a7dd862fe054c56a9e1fedff79ff861
ID_IDLE_ENDED=396f0c162af3482fa8033554d67f9cf8

scenario_start "[Watchdog]
InputTimeoutSec=30s
KillGraceSec=1s
IdleTimeoutSec=12s
IdleWarnSec=5s"

MUX=(-o ControlPath="$WORK/mux" -o ServerAliveInterval=1)
session_open M -tt -o ControlMaster=yes "${MUX[@]}" -- bash --norc --noprofile -i
session_send M $'echo up-$((6*7))\n'
wait_until 15 "the master session" grep -q up-42 "$M_OUT"
session_open X -tt -o ControlMaster=no "${MUX[@]}" --
session_send X $'echo up-$((6*7))\n'
wait_until 15 "the second session" grep -q up-42 "$X_OUT"
MONITORS=$(sshd_monitor_pids "$TEST_USER")
[ "$(wc -w <<<"$MONITORS")" = 1 ] || fail "expected one connection, got monitors: $MONITORS"
MONITOR=$MONITORS
wait_until 5 "the session to be watched" watchdog_log_has "MESSAGE_ID=4c2ba311a05a4709ba96cf25424c5a90.*SSHD_PID=$MONITOR"

# M types, X does not, past X's limit and the 8 s step.
typer_start M
sleep $(( (LIMIT_MS + STEP_MS + SLACK_MS) / 1000 ))
pid_alive "$MONITOR" || fail "the connection was ended while one of its users typed"
grep -q "$WARNING" "$X_OUT" "$M_OUT" && fail "warned while one of its users typed"
watchdog_log_has "MESSAGE_ID=$ID_WARNED" && fail "a warning was logged while one of its users typed"

typer_stop
t_stop=$LAST_KEY_MS
wait_until $(( (LIMIT_MS - WARN_MS + STEP_MS + SLACK_MS) / 1000 )) "warnings on both terminals" \
        eval "grep -q '$WARNING' '$M_OUT' && grep -q '$WARNING' '$X_OUT'"
warn_ms=$(( $(now_ms) - t_stop ))
[ "$warn_ms" -ge $(( LIMIT_MS - WARN_MS )) ] || fail "warned $warn_ms ms after the last key"
wait_until $(( (WARN_MS + SLACK_MS) / 1000 )) "the connection to be ended" pid_gone "$MONITOR"
end_ms=$(( $(now_ms) - t_stop ))
log "warned $warn_ms ms and ended $end_ms ms after the last key"
[ "$end_ms" -ge "$LIMIT_MS" ] || fail "ended too early: $end_ms ms"
wait_until 5 "both clients to exit" eval "pid_gone $M_PID && pid_gone $X_PID"
watchdog_log_has "MESSAGE_ID=$ID_WARNED.*SSHD_PID=$MONITOR.*TERMINALS=2" || fail "the warning did not name two terminals"
watchdog_log_has "MESSAGE_ID=$ID_IDLE_ENDED.*SSHD_PID=$MONITOR" || fail "no idle ending entry"
log "ok"
