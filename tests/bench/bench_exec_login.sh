#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What sshd-watchdog-exec adds to a login, as root:
#   top_builddir=build top_srcdir=. bash tests/bench/bench_exec_login.sh [N]
# (`make bench-exec` sets those.) One real sshd with UsePAM no, N logins
# (default 30) of `ssh HOST true` each way, the first two ways in three
# alternating rounds (so that drift of the machine falls on both):
#   plain    no ForceCommand: sshd alone, the obvious alternative
#   helper   ForceCommand sshd-watchdog-exec, the daemon registering each
#            session (the walk through /proc, the record written)
#   no-daemon the same helper with the daemon stopped (connect refused)
# Prints the median and p90 of each in ms and the ratio helper/plain.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
EXEC_BIN=${EXEC_BIN:-${top_builddir:-}/exec/sshd-watchdog-exec}
N=${1:-30}

scenario_setup
scenario_exec_setup
mkdir -p -m 0755 "$STATE"
SSHD_USE_PAM=no scenario_sshd ""
scenario_watchdog "[Watchdog]
InputTimeoutSec=1h"

# logins NAME COUNT: COUNT logins, their wall times (us) added to $WORK/NAME.ms
logins() {
        local i t0
        for ((i = 0; i < $2; i++)); do
                t0=$(date +%s%N)
                ip netns exec "$NS_CLI" $(ssh_cmd "$TEST_USER@$SRV_ADDR") true </dev/null >/dev/null 2>&1 ||
                        fail "$1: login $i failed"
                echo $(( ($(date +%s%N) - t0) / 1000 )) >>"$WORK/$1.ms"
        done
}
# stat NAME: "median p90" in ms, one decimal
stat_of() {
        sort -n "$WORK/$1.ms" | awk '{ v[NR] = $1 } END { printf "%.1f %.1f", v[int((NR + 1) / 2)] / 1000, v[int(NR * 0.9 + 0.5)] / 1000 }'
}
force() {
        sed -i '/^ForceCommand /d' "$WORK/sshd_config"
        [ -n "$1" ] && echo "ForceCommand $1" >>"$WORK/sshd_config"
        sshd_restart
}

logins warmup 5
for round in 1 2 3; do
        force ""
        logins plain $(( N / 3 ))
        force "$WORK/sshd-watchdog-exec --state-dir=$STATE"
        logins helper $(( N / 3 ))
done
n=$(watchdog_log_count "Registered session")
[ "$n" -ge $(( N / 3 * 3 )) ] || fail "only $n of $(( N / 3 * 3 )) logins were registered"
kill_pid "$WATCHDOG_PID"
logins no-daemon $(( N / 3 * 3 ))

read -r pm p9 <<<"$(stat_of plain)"
read -r hm h9 <<<"$(stat_of helper)"
read -r nm n9 <<<"$(stat_of no-daemon)"
printf 'exec-login: %d logins each: plain median %s ms p90 %s; helper median %s ms p90 %s; no daemon median %s ms p90 %s\n' \
        $(( N / 3 * 3 )) "$pm" "$p9" "$hm" "$h9" "$nm" "$n9"
awk -v h="$hm" -v p="$pm" 'BEGIN { printf "exec-login: helper/plain ratio %.2f (+%.1f ms a login)\n", h / p, h - p }'
# The daemon's own part: from accept() to the answer, as it logs it.
sed -n 's/.*Registered session .* in \([0-9]*\) us.*/\1/p' "$WORK/watchdog.log" | sort -n |
        awk '{ v[NR] = $1 } END { printf "exec-login: the daemon registered %d sessions, median %d us, max %d us\n", NR, v[int((NR + 1) / 2)], v[NR] }'
