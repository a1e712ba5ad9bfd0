#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The sandboxed demo, on a fresh Debian 12 machine, as root:
#   bash tests/demo.sh [12|13]
# Installs what it needs, builds, and boots a Debian 12 (or 13) container (systemd,
# logind, journald, Debian's own sshd and PAM stack) with our Debian package
# installed by apt-get (the module and the service), inside a private network
# namespace. Logs a user in from a second namespace with a job that keeps
# printing and a nohup'd one, cuts the link, and shows the session being
# ended as it happens. Everything it creates is removed when it ends; the
# container image stays cached in /var/tmp/sshd-watchdog-e2e.
set -euo pipefail
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
TEST_NAME=demo
RELEASE=${1:-12}
case $RELEASE in
12) export E2E_SUITE=bookworm ;;
13) export E2E_SUITE=trixie ;;
*) echo "usage: $0 [12|13]  (the Debian release to boot; 12 by default)" >&2; exit 2 ;;
esac
TIMEOUT=5
GRACE=2
START=$(date +%s%N)

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
elapsed() { echo "$(( ($(date +%s%N) - START) / 1000000000 ))s"; }

say "Installing what the demo needs (apt-get, only what is missing)"
bash "$top_srcdir/tests/install-deps.sh"
[ -x "$top_srcdir/configure" ] || (cd "$top_srcdir" && autoreconf -fi >/dev/null 2>&1)

. "$top_srcdir/tests/e2e/lib.sh"
require_root
make_workdir

say "Building sshd-watchdog and its Debian package and, meanwhile, a Debian $RELEASE container image (first run only: about a minute)"
e2e_rootfs &
ROOTFS_JOB=$!
cleanup_push "kill $ROOTFS_JOB 2>/dev/null"
e2e_package
wait "$ROOTFS_JOB" || fail "building the container image failed"
e2e_rootfs # sets E2E_ROOTFS; the cache is ready now
echo "    built and cached ($(elapsed) so far)"

say "Booting the container in a private network namespace ($SRV_ADDR), the client in another ($CLI_ADDR)"
netns_pair_create
e2e_prepare "[Watchdog]
InputTimeoutSec=${TIMEOUT}s
KillGraceSec=${GRACE}s"
e2e_boot
echo "    up: $(e2e_in systemctl is-system-running 2>/dev/null || true); sshd-watchdog.service: $(e2e_in systemctl is-active sshd-watchdog.service)"
echo "    installed as the Debian package (apt-get); pam-auth-update put our line after pam_systemd's in /etc/pam.d/common-session:"
grep -E '^session' "$E2E_ROOT/etc/pam.d/common-session" | sed 's/^/        /'
echo "    /etc/sshd-watchdog/watchdog.conf:"
sed 's/^/        /' "$E2E_ROOT/etc/sshd-watchdog/watchdog.conf"

say "Logging in as $TEST_USER: a loop that prints the time every second, and a nohup'd sleep"
session_open D -- 'nohup sleep 600 >/dev/null 2>&1 & while sleep 1; do date +%T; done'
wait_until 15 "the first line of output" test -s "$D_OUT"
SID=$(e2e_in loginctl list-sessions --no-legend | awk -v u="$TEST_USER" '$3 == u {print $1}' | tail -1)
SCOPE=$(e2e_scope_dir "$SID")
echo "    logind session $SID, scope $(basename "$SCOPE"), with these processes (as the container names them):"
e2e_in sh -c 'ps -o pid=,user=,args= -p "$(paste -sd, "$(find /sys/fs/cgroup -name "session-$1.scope" | head -1)/cgroup.procs")"' \
        sh "$SID" | sed 's/^/        /' || true
echo "    the daemon's journal:"
e2e_journal -u sshd-watchdog -o cat MESSAGE_ID=4c2ba311a05a4709ba96cf25424c5a90 | tail -1 | sed 's/^/        /'

lastrcv() {
        ip netns exec "$NS_SRV" ss -Htin "src $SRV_ADDR:22" "dst $CLI_ADDR" 2>/dev/null |
                grep -o 'lastrcv:[0-9]*' | head -1 | cut -d: -f2
}
procs() { [ -f "$SCOPE/cgroup.procs" ] && grep -c . "$SCOPE/cgroup.procs" || echo 0; }
# What the daemon says it will do, as an admin would ask it.
ctl_left() {
        local row
        row=$(e2e_in sshd-watchdogctl list --json 2>/dev/null | grep -o "{[^}]*\"session\":\"$SID\"[^}]*}") || { echo "gone"; return; }
        case $row in
        *'"left_usec":'*) sed 's/.*"left_usec":\([0-9]*\).*/\1/' <<<"$row" | awk '{ printf "left %.1fs", $1 / 1000000 }' ;;
        *'"kill_in_usec":'*) sed 's/.*"kill_in_usec":\([0-9]*\).*/\1/' <<<"$row" | awk '{ printf "ending, kill in %.1fs", $1 / 1000000 }' ;;
        *) sed 's/.*"state":"\([^"]*\)".*/\1/' <<<"$row" ;;
        esac
}

say "sshd-watchdogctl list (in the container, as root):"
e2e_in sshd-watchdogctl list | sed 's/^/    /'

say "Cutting the link: the client namespace drops every packet (nft), like a closed laptop lid"
link_cut
cut=$(now_ms)
ended=""
while [ -d "$SCOPE" ] && [ $(( $(now_ms) - cut )) -lt $(( (TIMEOUT + GRACE + 8) * 1000 )) ]; do
        if [ -z "$ended" ] && e2e_journal_has_ended "$SID"; then
                ended=$(now_ms)
                echo "    --- sshd-watchdog ended the session: SIGTERM to sshd, leftovers killed ${GRACE}s later ---"
        fi
        printf '    t+%4.1fs  client silent for %5s ms (limit %s s)  sshd-watchdogctl: %-22s  server output queued: %-12s  processes in the session: %s\n' \
                "$(awk -v ms=$(( $(now_ms) - cut )) 'BEGIN { printf "%.1f", ms / 1000 }')" "$(lastrcv || echo -)" "$TIMEOUT" \
                "$(ctl_left)" "$(ip netns exec "$NS_SRV" ss -Htn "src $SRV_ADDR:22" "dst $CLI_ADDR" | awk '{print $3 " bytes"; exit}')" "$(procs)"
        sleep 0.5
done
gone=$(now_ms)
[ -n "$ended" ] || ended=$gone
[ -d "$SCOPE" ] && fail "the session was not ended"

say "The journal entry, with its catalog text (journalctl -x):"
e2e_journal -x -n 1 MESSAGE_ID=ffa2c22415ca4dff88de52a663886246 | sed 's/^/    /' | head -14
echo "    and its fields:"
e2e_journal -o verbose -n 1 MESSAGE_ID=ffa2c22415ca4dff88de52a663886246 |
        grep -E '^\s+(USER_ID|SESSION_ID|REMOTE_HOST|SILENT_USEC|TIMEOUT_USEC|BYTES_RECEIVED)=' | sed 's/^ */        /'
e2e_journal -u sshd-watchdog -o cat | grep 'leftover process' | tail -1 | sed 's/^/    /'

say "Afterwards"
echo "    logind sessions of $TEST_USER: $(e2e_in loginctl list-sessions --no-legend | awk -v u="$TEST_USER" '$3 == u' | wc -l)"
echo "    session records: $(e2e_in sh -c 'ls /run/sshd-watchdog/sessions | wc -l')"
echo "    sshd listener: $(e2e_in systemctl is-active ssh.service)"

say "Timeline: link cut at 0 ms; sshd-watchdog ended the session at $(( ended - cut )) ms; every process gone at $(( gone - cut )) ms"
echo "    (the client's last input came about a second before the cut; without sshd-watchdog this"
echo "    session would have run on for about 15 minutes, and its nohup'd sleep for good)"
say "Done in $(elapsed): powering the container off, removing the namespaces and every process the demo started"
