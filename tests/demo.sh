#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The sandboxed demo, on a fresh Debian 12 machine, as root:
#   bash tests/demo.sh
# Builds the project, starts a real sshd with pam_sshd_watchdog in its PAM
# stack and sshd-watchdog beside it, inside a private network namespace; logs
# a user in from a second namespace with a job that keeps printing and a
# nohup'd one; cuts the link; and shows the session being ended as it
# happens. Everything it creates is removed when it ends.
set -euo pipefail
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
top_builddir=$top_srcdir/build
TEST_NAME=demo
TIMEOUT=5
GRACE=2

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

say "Installing dependencies and building (the first run takes a minute or two)"
bash "$top_srcdir/tests/build.sh"
PAM_MODULE=$top_builddir/pam_module/.libs/pam_sshd_watchdog.so
RECORD_DUMP=$top_builddir/tests/helpers/record-dump

. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/netns.sh"
. "$top_srcdir/tests/lib/sshd.sh"
. "$top_srcdir/tests/lib/watchdog.sh"
require_root

say "Two private network namespaces joined by a veth pair: server $SRV_ADDR, client $CLI_ADDR"
make_workdir
netns_pair_create
test_user_create
STATE="$WORK/state"

say "A real sshd ($($SSHD_BIN -V 2>&1 | cut -d, -f1)) with our module in its PAM session stack:"
sshd_start "session required pam_loginuid.so
session optional $PAM_MODULE statedir=$STATE"
grep '^session' "/etc/pam.d/$SSHD_SERVICE" | sed 's/^/    /'

say "sshd-watchdog beside it, with a short timeout for the demo:"
watchdog_config "[Watchdog]
InputTimeoutSec=${TIMEOUT}s
KillGraceSec=${GRACE}s"
sed 's/^/    /' "$WORK/watchdog.conf"
watchdog_start

say "Logging in as $TEST_USER: a loop that prints the time every second, and a nohup'd sleep"
session_open D -- 'nohup sleep 600 >/dev/null 2>&1 & while sleep 1; do date +%T; done'
wait_until 15 "the first line of output" test -s "$D_OUT"
MONITOR=$(sshd_monitor_pid "$TEST_USER")
wait_until 5 "the record" records_are 1
echo "    the record pam_sshd_watchdog wrote at login:"
"$RECORD_DUMP" "$STATE" | grep -E '^(USER|REMOTE_HOST|SSHD_PID|AUDIT_SESSION)=' | sed 's/^/        /'
echo "    the daemon:"
grep 'MESSAGE_ID=4c2ba311' "$WORK/watchdog.log" | sed 's/ \[.*//; s/^<[0-9]>/        /'
echo "    the session's processes:"
{ ps -o pid=,args= -p "$MONITOR"; pgrep -u "$TEST_USER" -a; } | sed 's/^/        /'

lastrcv() {
        ip netns exec "$NS_SRV" ss -Htin "src $SRV_ADDR:22" "dst $CLI_ADDR" 2>/dev/null |
                grep -o 'lastrcv:[0-9]*' | head -1 | cut -d: -f2
}

say "Cutting the link (nft drops everything in the client namespace), like a closed laptop lid"
link_cut
cut=$(now_ms)
while pid_alive "$MONITOR" && [ $(( $(now_ms) - cut )) -lt $(( (TIMEOUT + 5) * 1000 )) ]; do
        printf '    t+%4.1fs  client silent for %5s ms (limit %s s)   server still printing: %s   session processes: %s\n' \
                "$(awk -v ms=$(( $(now_ms) - cut )) 'BEGIN { printf "%.1f", ms / 1000 }')" \
                "$(lastrcv || echo -)" "$TIMEOUT" \
                "$(ip netns exec "$NS_SRV" ss -Htn "src $SRV_ADDR:22" | awk '{print "Send-Q=" $3; exit}')" \
                "$(user_live_pids "$TEST_USER" | wc -l)"
        sleep 0.5
done
ended=$(now_ms)
pid_gone "$MONITOR" || fail "the session was not ended"

say "Ended $(( ended - cut )) ms after the cut. The journal entry (here on stderr, fields in brackets):"
grep 'MESSAGE_ID=ffa2c22415ca4dff88de52a663886246' "$WORK/watchdog.log" | sed 's/^<[0-9]>/    /'

say "Waiting KillGraceSec (${GRACE}s) for the leftovers"
for ((i = 0; i < (GRACE + 3) * 20; i++)); do
        [ -z "$(user_live_pids "$TEST_USER")" ] && break
        sleep 0.05
done
[ -z "$(user_live_pids "$TEST_USER")" ] ||
        fail "still running after KillGraceSec: $(ps -u "$TEST_USER" -o pid=,stat=,args= | tr '\n' ';')"
gone=$(now_ms)
grep 'KILLED_PIDS' "$WORK/watchdog.log" | sed 's/ \[.*//; s/^<[0-9]>/    /'
echo "    processes of $TEST_USER left: $(user_live_pids "$TEST_USER" | wc -l)   records left: $(record_count)"
echo "    sshd listener (PID $SSHD_PID): $(pid_alive "$SSHD_PID" && echo 'still running, untouched' || echo GONE)"

say "Timeline: cut at 0 ms, sshd told to close at $(( ended - cut )) ms, every process gone at $(( gone - cut )) ms"
echo "    (the last input came just before the cut; without sshd-watchdog this session would"
echo "    have run on for about 15 minutes, and its nohup'd job for good)"
say "Done: removing the namespaces, the demo user, and every process the demo started"
