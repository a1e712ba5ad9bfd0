#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# N sessions (default 60) go silent at
# once, each in a scope of its own with a nohup'd job and a job that left its
# process tree. logind answers slowly (50 ms a call) and the daemon runs with
# 48 file descriptors, soft and hard. Every session must be ended within 1 s
# of its deadline, every job gone within KillGraceSec + 2 s of it, and never
# more than 8 logind calls in flight. (tests/e2e/test_e2e_mass.sh does the
# same with 2,000 sessions, the real logind and the unit's own limits.)
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
. "$top_srcdir/tests/lib/bus.sh"
N=${SWD_MASS_SESSIONS:-60}
T_S=4
GRACE_S=1
scenario_setup
require_cmd prlimit
cgroup_tree_create
cgroup_mkdir user.slice
bus_start
LOGIND_CGROOT=$CGROOT/user.slice
fake_logind_start --delay-ms 50
SCENARIO_PAM="session required pam_loginuid.so
session required $HELPERS/.libs/pam_fake_scope.so cgroot=$CGROOT/user.slice
session optional @MODULE@ statedir=@STATE@" scenario_sshd "MaxStartups 100:30:200"
WATCHDOG_ENV="DBUS_SYSTEM_BUS_ADDRESS=$BUS_ADDRESS prlimit --nofile=48:48 --" scenario_watchdog "[Watchdog]
InputTimeoutSec=${T_S}s
KillGraceSec=${GRACE_S}s"

for ((i = 0; i < N; i++)); do
        session_open "S$i" -o ServerAliveInterval=1 -- \
                "nohup sleep 36$i >/dev/null 2>&1 & (setsid sleep 37$i </dev/null >/dev/null 2>&1 &); echo up; cat >/dev/null"
        # A few at a time: sshd's MaxStartups is not what is tested here.
        (( i % 8 == 7 )) && wait_until 30 "session S$i" grep -q up "$WORK/S$i.out"
done
for ((i = 0; i < N; i++)); do wait_until 30 "session S$i" grep -q up "$WORK/S$i.out"; done
wait_until 10 "$N records" records_are "$N"
mapfile -t MONITORS < <(sshd_monitor_pids "$TEST_USER")
mapfile -t JOBS < <(own_procs -u "$TEST_USER" -f '^sleep 3[67][0-9]+$')
[ "${#MONITORS[@]}" = "$N" ] && [ "${#JOBS[@]}" = $(( 2 * N )) ] || fail "setup: ${#MONITORS[@]} monitors, ${#JOBS[@]} jobs"
log "$N sessions up, ${#JOBS[@]} jobs"

link_cut
cut=$(now_ms)
all_gone() { local p; for p in "$@"; do pid_alive "$p" && return 1; done; return 0; }
wait_until $(( T_S + 1 + 1 )) "all monitors to be ended" all_gone "${MONITORS[@]}"
ended=$(( $(now_ms) - cut ))
wait_until $(( T_S + 1 + GRACE_S + 2 )) "every job to be killed" all_gone "${JOBS[@]}"
gone=$(( $(now_ms) - cut ))
log "after the cut: all $N monitors ended in $ended ms, all jobs gone in $gone ms (deadline ${T_S}000 ms at most)"
# Deadlines: the last keepalive came at most 1 s before the cut.
[ "$ended" -le $(( (T_S + 1) * 1000 + 1000 )) ] || fail "sessions ended late: $ended ms"
[ "$gone" -le $(( (T_S + 1 + GRACE_S) * 1000 + 2000 )) ] || fail "jobs gone late: $gone ms"
n=$(watchdog_log_count 'MESSAGE_ID=ffa2c22415ca4dff88de52a663886246')
[ "$n" = "$N" ] || fail "$n ended entries, want $N"
max=$(sed -n 's/.*max-in-flight=\([0-9]*\).*/\1/p' "$WORK/logind.log" | sort -n | tail -1)
log "logind calls in flight at most: $max"
[ "${max:-0}" -le 8 ] || fail "$max logind calls in flight (at most 8)"
watchdog_log_has 'Too many open files' && fail "the daemon ran out of file descriptors"
pid_alive "$WATCHDOG_PID" || fail "the daemon died"
log "ok"
