#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The shipped systemd unit: systemd-analyze accepts it, and its offline
# exposure score stays at 1.7 or below (systemd-logind's own on Debian 12 is 2.8). The
# booted-container suite scores it again where it really runs.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/common.sh"
require_cmd systemd-analyze

unit="$top_builddir/etc/sshd-watchdog.service"
[ -f "$unit" ] || fail "$unit was not built"
make_workdir
# verify wants the binaries to exist where the unit says; point it at ours.
sed -e "s|^ExecStartPre=[^ ]*|ExecStartPre=$top_builddir/watchdog/sshd-watchdog|" \
    -e "s|^ExecStart=[^ ]*|ExecStart=$top_builddir/watchdog/sshd-watchdog|" \
    -e '/^Documentation=/d' "$unit" >"$WORK/sshd-watchdog.service"
# verify exits 0 on unknown keys too; any complaint at all fails the test.
systemd-analyze verify "$WORK/sshd-watchdog.service" >"$WORK/verify.err" 2>&1 || true
[ -s "$WORK/verify.err" ] && fail "systemd-analyze verify: $(cat "$WORK/verify.err")"
score=$(systemd-analyze security --offline=yes "$WORK/sshd-watchdog.service" 2>/dev/null |
        sed -n 's/.*Overall exposure level for sshd-watchdog.service: \([0-9.]*\).*/\1/p')
[ -n "$score" ] || fail "no exposure score from systemd-analyze"
log "exposure (offline): $score"
awk -v s="$score" 'BEGIN { exit !(s <= 1.7) }' || fail "exposure $score is above 1.7"
grep -q '^Type=notify$' "$unit" || fail "not Type=notify"
grep -q '^ExecStartPre=.*--check-config$' "$unit" || fail "no --check-config before start"
grep -q '^RuntimeDirectoryPreserve=yes$' "$unit" || fail "records would not survive a restart"
log "ok"
