#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The idle-user policy where it must end nothing: under DryRun=yes an idle
# session is reported (would warn, would end: once per idle spell) and
# nothing is written to its terminal; an exempt user and an [User:]
# section with IdleTimeoutSec=0 are listed as such and left alone. Each
# switch is a SIGHUP reload.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
CTL=${CTL:-${top_builddir:-}/ctl/sshd-watchdogctl}
[ -x "$CTL" ] || fail "no sshd-watchdogctl at $CTL"

# Past the limit, its 8 s step and room for a busy machine.
PAST_S=$(( 10 + 8 + 4 ))
WARNING='sshd-watchdog: idle for'
scenario_start "[Watchdog]
InputTimeoutSec=1h
IdleTimeoutSec=10s
IdleWarnSec=4s
DryRun=yes"

session_open A -tt -o ServerAliveInterval=1 --
session_send A $'echo up-$((6*7))\n'
wait_until 15 "a shell" grep -q up-42 "$A_OUT"
MONITOR=$(sshd_monitor_pid "$TEST_USER")
wait_until $PAST_S "the dry-run ending" watchdog_log_has "Dry run: would end .*typed nothing"
watchdog_log_has "Dry run: would warn .*SSHD_PID=$MONITOR" || fail "no dry-run warning entry"
grep -q "$WARNING" "$A_OUT" && fail "a dry run wrote to the user's terminal"
pid_alive "$MONITOR" || fail "a dry run ended the session"
sleep 3
[ "$(watchdog_log_count "Dry run: would end .*typed nothing")" = 1 ] || fail "the dry-run ending was reported more than once"
"$CTL" --state-dir "$STATE" metrics | grep -qx 'sshd_watchdog_idle_warnings_total 0' ||
        fail "a dry run counted a warning: $("$CTL" --state-dir "$STATE" metrics | grep idle)"

rule_is() { "$CTL" --state-dir "$STATE" list --json | grep -q "\"sshd_pid\":$MONITOR,.*\"idle_rule\":\"$1\""; }

watchdog_config "[Watchdog]
InputTimeoutSec=1h
IdleTimeoutSec=10s
IdleWarnSec=4s
ExemptUsers=$TEST_USER"
kill -HUP "$WATCHDOG_PID"
wait_until 5 "the session to be listed exempt" rule_is exempt

watchdog_config "[Watchdog]
InputTimeoutSec=1h
IdleTimeoutSec=10s
IdleWarnSec=4s

[User:$TEST_USER]
IdleTimeoutSec=0"
kill -HUP "$WATCHDOG_PID"
wait_until 5 "the session to be listed off" rule_is off
sleep $PAST_S
pid_alive "$MONITOR" || fail "an exempt or unlimited session was ended"
grep -q "$WARNING" "$A_OUT" && fail "an exempt or unlimited user was warned"
watchdog_log_has "MESSAGE_ID=396f0c162af3482fa8033554d67f9cf8" && fail "an idle ending was logged"

# And back on: the session, idle all along, is warned at once and ended
# the warning's span later.
watchdog_config "[Watchdog]
InputTimeoutSec=1h
IdleTimeoutSec=10s
IdleWarnSec=4s"
kill -HUP "$WATCHDOG_PID"
wait_until 5 "the warning after the reload" grep -q "$WARNING" "$A_OUT"
t_warn=$(now_ms)
wait_until 8 "the idle ending" pid_gone "$MONITOR"
log "ended $(( $(now_ms) - t_warn )) ms after the late warning (IdleWarnSec 4 s)"
[ $(( $(now_ms) - t_warn )) -ge 3000 ] || fail "ended too soon after a late warning"
pid_alive "$WATCHDOG_PID" || fail "the daemon died"
log "ok"
