#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The idle-user policy (IdleTimeoutSec=12s, IdleWarnSec=5s) against a real
# sshd and real clients, all alive (keepalives every second), beside the
# dead-client rule (InputTimeoutSec=4s):
#   P  a shell idle at its prompt: warned, then ended, on time
#   O  a program printing every second, nobody typing: output is not the
#      user, so it is warned and ended the same way
#   W  a shell idle until the warning, then the user types: not ended
#   T  a user typing a key every second at a bash prompt (no Enter):
#      never warned, never ended
#   S  an sftp session, N a `ssh -N`: no terminal, not subject, listed so
#   D  a dead client: ended by silence at InputTimeoutSec, long before
#      the idle limit (whichever comes first)
# The kernel keeps a terminal's idle time in 8 s steps, and the daemon
# reads it so as never to end early: a warning comes 7 to 15 s after the
# last keystroke, the ending 5 s after the warning.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
CTL=${CTL:-${top_builddir:-}/ctl/sshd-watchdogctl}
[ -x "$CTL" ] || fail "no sshd-watchdogctl at $CTL"

LIMIT_MS=12000 WARN_MS=5000 STEP_MS=8000
# Room for a busy machine beyond what the daemon promises.
SLACK_MS=4000
WARNING='sshd-watchdog: idle for'
ID_WARNED=6a7dd862fe054c56a9e1fedff79ff861
ID_IDLE_ENDED=396f0c162af3482fa8033554d67f9cf8
ID_ENDED=ffa2c22415ca4dff88de52a663886246

scenario_start "[Watchdog]
InputTimeoutSec=4s
KillGraceSec=1s
IdleTimeoutSec=12s
IdleWarnSec=5s"

KEEP=(-o ServerAliveInterval=1 -o ServerAliveCountMax=30)
SEEN_MONITORS=""
# new_monitor NAME: the monitor of the session that logged in last, the
# one not seen before -> NAME_MON (in this shell: a wait_until predicate).
new_monitor() {
        local pid
        for pid in $(sshd_monitor_pids "$TEST_USER"); do
                case " $SEEN_MONITORS " in *" $pid "*) ;; *)
                        SEEN_MONITORS="$SEEN_MONITORS $pid"
                        printf -v "${1}_MON" %s "$pid"
                        return 0 ;;
                esac
        done
        return 1
}
# open_pty NAME LINE [COMMAND]: a pty session that answered LINE with
# "up-42" -> NAME_MON
open_pty() {
        local name=$1 line=$2 out
        shift 2
        session_open "$name" -tt "${KEEP[@]}" -- "$@"
        out="${name}_OUT"
        session_send "$name" "$line"
        wait_until 15 "session $name" grep -q 'up-42' "${!out}"
        wait_until 5 "the monitor of $name" new_monitor "$name"
}

SHELL_LINE=$'echo up-$((6*7))\n'
open_pty D "$SHELL_LINE"
open_pty P "$SHELL_LINE"
open_pty W "$SHELL_LINE"
# bash reads key by key (readline), as shells and editors do; a program
# reading whole lines gets a key only with its Enter (docs/design.md).
open_pty T "$SHELL_LINE" bash --norc --noprofile -i
open_pty O $'\n' sh -c 'read x; echo up-$((6*7)); while :; do echo tick; sleep 1; done'
session_open S -s "${KEEP[@]}" -- sftp
wait_until 5 "the sftp session" new_monitor S
session_open N -N "${KEEP[@]}" --
wait_until 5 "the -N session" new_monitor N
log "monitors: D=$D_MON P=$P_MON W=$W_MON T=$T_MON O=$O_MON S=$S_MON N=$N_MON"

# T types a key a second for the whole test.
typer_start T

# The last keystroke of P, O and W, then D's link is cut.
t_last=$(now_ms) # read before the keys are written: no later than their reading
session_send P $'echo last-$((6*7))\n'
session_send W $'echo last-$((6*7))\n'
session_send O $'\n'
wait_until 5 "P and W to echo" eval "grep -q last-42 '$P_OUT' && grep -q last-42 '$W_OUT'"
session_send D $'x'
t_cut=$(now_ms)
link_cut "$(client_port "$D_PID")"

wait_until 8 "the dead client's session to be ended" pid_gone "$D_MON"
d_ms=$(( $(now_ms) - t_cut ))
log "D (dead client) ended $d_ms ms after its last input (InputTimeoutSec 4 s)"
[ "$d_ms" -ge 3900 ] || fail "D ended too early: $d_ms ms"
watchdog_log_has "MESSAGE_ID=$ID_ENDED.*SSHD_PID=$D_MON" || fail "D was not ended as silent"
watchdog_log_has "MESSAGE_ID=$ID_IDLE_ENDED.*SSHD_PID=$D_MON" && fail "D was ended as idle"

"$CTL" --state-dir "$STATE" list >"$WORK/list" || fail "ctl list failed"
log "list: $(cat "$WORK/list")"
"$CTL" --state-dir "$STATE" list --json >"$WORK/list.json" || fail "ctl list --json failed"
for m in "$S_MON" "$N_MON"; do
        grep -q "\"sshd_pid\":$m,.*\"idle_rule\":\"no terminal\"" "$WORK/list.json" ||
                fail "session of monitor $m is not listed as 'no terminal': $(cat "$WORK/list.json")"
done
grep -q "\"sshd_pid\":$P_MON,.*\"idle_rule\":\"applies\".*\"idle_limit_usec\":12000000" "$WORK/list.json" ||
        fail "P is not listed under the idle limit"

# Warnings for P, O and W, 7 to 15 s after the last keystroke.
wait_until $(( (LIMIT_MS - WARN_MS + STEP_MS + SLACK_MS) / 1000 )) "the warnings" \
        eval "grep -q '$WARNING' '$P_OUT' && grep -q '$WARNING' '$O_OUT' && grep -q '$WARNING' '$W_OUT'"
t_warn=$(now_ms)
warn_ms=$(( t_warn - t_last ))
log "warned $warn_ms ms after the last keystroke: $(grep -a "$WARNING" "$P_OUT" | tr -d '\r')"
[ "$warn_ms" -ge $(( LIMIT_MS - WARN_MS )) ] || fail "warned too early: $warn_ms ms"
session_send W $'echo typed-$((6*7))\n'
wait_until 5 "W to echo" grep -q typed-42 "$W_OUT"

wait_until $(( (WARN_MS + SLACK_MS) / 1000 )) "P to be ended" pid_gone "$P_MON"
t_end=$(now_ms)
end_ms=$(( t_end - t_last ))
log "P ended $end_ms ms after its last keystroke, $(( t_end - t_warn )) ms after the warning was seen"
[ "$end_ms" -ge "$LIMIT_MS" ] || fail "P ended too early: $end_ms ms"
[ $(( t_end - t_warn )) -ge $(( WARN_MS - 1000 )) ] || fail "P ended too soon after its warning"
wait_until 3 "O to be ended" pid_gone "$O_MON"
wait_until 5 "P's and O's clients to exit" eval "pid_gone $P_PID && pid_gone $O_PID"

for m in "$P_MON" "$O_MON"; do
        entry=$(grep "MESSAGE_ID=$ID_IDLE_ENDED.*SSHD_PID=$m" "$WORK/watchdog.log") || fail "no idle ending for $m"
        for f in "USER_ID=$TEST_USER" "IDLE_TIMEOUT_USEC=12000000" "IDLE_USEC=1[2-9]"; do
                case "$entry" in *$f*) ;; *) fail "idle ending of $m lacks $f: $entry" ;; esac
        done
        watchdog_log_has "MESSAGE_ID=$ID_WARNED.*SSHD_PID=$m" || fail "no warning entry for $m"
done
# The warning says when the ending comes, in plain text.
grep -aqE "$WARNING [0-9]+s; this session ends in 5s unless you type something" "$P_OUT" ||
        fail "unexpected warning text: $(grep -a "$WARNING" "$P_OUT" | tr -d '\r')"

# Past W's first deadline: the typing after the warning kept it.
sleep $(( (SLACK_MS + 2000) / 1000 ))
for m in "$W_MON" "$T_MON" "$S_MON" "$N_MON"; do
        pid_alive "$m" || fail "monitor $m was ended: $(grep "SSHD_PID=$m" "$WORK/watchdog.log" | tail -2)"
done
grep -q "$WARNING" "$T_OUT" && fail "the typing user was warned"
watchdog_log_has "MESSAGE_ID=$ID_WARNED.*SSHD_PID=$T_MON" && fail "the typing user's session was warned"
watchdog_log_has "its user typed after the warning" || fail "no note that W's user typed after the warning"

"$CTL" --state-dir "$STATE" metrics >"$WORK/metrics" || fail "ctl metrics failed"
grep -qx 'sshd_watchdog_idle_sessions_ended_total 2' "$WORK/metrics" ||
        fail "metrics: $(grep idle "$WORK/metrics")"
grep -qx 'sshd_watchdog_sessions_ended_total 3' "$WORK/metrics" || fail "metrics: $(grep ended "$WORK/metrics")"
pid_alive "$WATCHDOG_PID" || fail "the daemon died"
log "ok"
