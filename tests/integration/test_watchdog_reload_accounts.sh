#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A reload or a start-up asks NSS for each account's groups once,
# however many sessions the account has (with LDAP or sssd behind NSS, one
# round trip instead of one per session); a login asks afresh, so that a
# group change shows at the next login. Three sessions of one user; the
# fault injector logs every getgrouplist() the daemon makes.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
scenario_setup
scenario_sshd
watchdog_config "[Watchdog]
InputTimeoutSec=1h"
WATCHDOG_ENV="LD_PRELOAD=$HELPERS/.libs/libfault-inject.so SWD_TRACE_NSS=1" watchdog_start

lookups_since() { tail -n +"$(( $1 + 1 ))" "$WORK/watchdog.log" | grep -c "^fault-inject: getgrouplist $TEST_USER\$" || true; }
log_lines() { grep -c '' "$WORK/watchdog.log"; }

mark=$(log_lines)
watched() { [ "$(watchdog_log_count '^<6>Watching ')" -ge "$1" ]; }
i=0
for s in A B C; do
        session_open "$s" -- 'echo up; cat >/dev/null'
        wait_until 15 "session $s" grep -q up "$WORK/$s.out"
        i=$(( i + 1 ))
        wait_until 5 "session $s to be watched" watched "$i"
done
n=$(lookups_since "$mark")
[ "$n" = 3 ] || fail "three logins made $n group lookups, want one each"

mark=$(log_lines)
kill -HUP "$WATCHDOG_PID"
wait_until 5 "the reload" eval "tail -n +$(( mark + 1 )) '$WORK/watchdog.log' | grep -q 'Configuration reloaded: .*3 sessions: 3 timed'"
n=$(lookups_since "$mark")
[ "$n" = 1 ] || fail "a reload with three sessions of one user made $n group lookups, want 1"

kill_pid "$WATCHDOG_PID"
mark=$(log_lines)
WATCHDOG_ENV="LD_PRELOAD=$HELPERS/.libs/libfault-inject.so SWD_TRACE_NSS=1" watchdog_start
grep -q 'SESSIONS_TIMED=3 ' <<<"$(tail -n +"$(( mark + 1 ))" "$WORK/watchdog.log" | grep '^<6>Started: ')" ||
        fail "the restart does not time the three sessions: $(tail -n +"$(( mark + 1 ))" "$WORK/watchdog.log" | grep Started)"
n=$(lookups_since "$mark")
[ "$n" = 1 ] || fail "a start-up with three sessions of one user made $n group lookups, want 1"
log "ok: 3 logins 3 lookups, a reload 1, a start-up 1"
