#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Kill precision over N sessions (default 24), as root:
#   top_builddir=build top_srcdir=. PAM_MODULE=... bash tests/bench/bench_kill_precision.sh [N]
# (`make bench-precision` sets those.) One real sshd, N logins opened under a
# 1 h limit, their last input staggered 150 ms apart, then a reload to
# InputTimeoutSec=5s and one cut of the link. Reports, per session, how late
# the SIGTERM came after last input + 5 s:
#   - by the kernel's clock: SILENT_USEC - TIMEOUT_USEC of the journal entry
#     (tcpi_last_data_recv read just before the SIGTERM);
#   - from outside: when sshd's monitor exited minus when this script wrote
#     the last byte, minus 5 s (adds client send, sshd's exit and 10 ms polling).
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
N=${1:-24}
scenario_start "[Watchdog]
InputTimeoutSec=1h
KillGraceSec=1s" "MaxStartups 100
MaxSessions 100"

declare -a MON LAST GONE
for ((i = 0; i < N; i++)); do
        session_open "S$i" -- 'echo up; cat >/dev/null'
        out="S${i}_OUT"
        wait_until 15 "session $i" grep -q up "${!out}"
        MON[i]=$(sshd_monitor_pids "$TEST_USER" |
                 while read -r p; do printf '%s\n' "${MON[@]}" | grep -qx "$p" || echo "$p"; done | head -1)
done
log "$N sessions open; sending each a last byte, 150 ms apart"
for ((i = 0; i < N; i++)); do
        session_send "S$i" "x"
        LAST[i]=$(now_ms)
        sleep 0.15
done
watchdog_config "[Watchdog]
InputTimeoutSec=5s
KillGraceSec=1s"
kill -HUP "$WATCHDOG_PID"
wait_until 5 "the reload" watchdog_log_has "Configuration reloaded: InputTimeoutSec=5s"
link_cut
left=$N
deadline=$(( $(now_ms) + 12000 ))
while [ "$left" -gt 0 ] && [ "$(now_ms)" -lt "$deadline" ]; do
        for ((i = 0; i < N; i++)); do
                [ -z "${GONE[i]:-}" ] && pid_gone "${MON[i]}" && GONE[i]=$(now_ms) && left=$((left - 1))
        done
        sleep 0.01
done
[ "$left" = 0 ] || fail "$left sessions were not ended"

kernel=$(grep 'MESSAGE_ID=ffa2c22415ca4dff88de52a663886246' "$WORK/watchdog.log" |
         sed -n 's/.*SILENT_USEC=\([0-9]*\) TIMEOUT_USEC=\([0-9]*\).*/\1 \2/p' | awk '{print ($1 - $2) / 1000}')
outside=$(for ((i = 0; i < N; i++)); do echo $(( GONE[i] - LAST[i] - 5000 )); done)
stats() { sort -n | awk '{ v[NR] = $1 } END { printf "n=%d median=%s ms max=%s ms min=%s ms\n", NR, v[int((NR + 1) / 2)], v[NR], v[1] }'; }
echo "kill precision, kernel clock (SIGTERM - (last input + 5 s)): $(stats <<<"$kernel")"
echo "kill precision, from outside (monitor exit - (byte written + 5 s)): $(stats <<<"$outside")"
