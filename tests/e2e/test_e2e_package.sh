#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Debian package, end to end in a booted container: built from this
# tree with dpkg-buildpackage on the release's own toolchain, installed with `apt-get install ./*.deb` (not
# make install), then:
#  - pam-auth-update put the module into common-session after pam_systemd,
#    not into openssh-server's /etc/pam.d/sshd; the unit is enabled and
#    running; watchdog.conf is a conffile; the journal catalog is in place;
#  - an ssh login is recorded and watched; `su` runs the same common-session
#    and leaves no record (the module ignores what is not sshd);
#  - it is installed over an older version of itself (the same files,
#    repacked with a lower version): dpkg's upgrade path restarts the daemon,
#    keeps the admin's changed conffile, and the sessions: a kept-alive one
#    stays watched, one whose link was cut before the upgrade ends at the
#    deadline its last input set, not later;
#  - `apt-get remove`: no module line left, logins still work;
#    `apt-get purge`: no configuration, no state, no unit.
# Prints the install/upgrade/remove/purge transcript and the common-session it made.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/e2e/lib.sh"

require_root
require_cmd debootstrap systemd-nspawn nsenter ip nft ssh flock dpkg-buildpackage dh lintian git
[ -e "$top_srcdir/.git" ] || skip "the package is built from a git checkout's files"
START=$(now_ms)

make_workdir
e2e_rootfs
e2e_package
log "built $(basename "$E2E_DEB"), $(stat -c %s "$E2E_DEB") bytes"
# No error and no warning (e2e_package fails on them); what remains is
# informational, said in the log.
log "lintian:"$'\n'"$(grep -v 'root privileges' "$WORK/lintian.txt")"
netns_pair_create
e2e_overlay
e2e_user
VERSION=$(dpkg-deb -f "$E2E_DEB" Version)
OLD_VERSION="$VERSION~e2e1"
OLD_DEB="$WORK/sshd-watchdog_${OLD_VERSION}_$(dpkg-deb -f "$E2E_DEB" Architecture).deb"
rm -rf "$WORK/repack"
dpkg-deb -R "$E2E_DEB" "$WORK/repack" || fail "cannot unpack $E2E_DEB"
sed -i "s/^Version: .*/Version: $OLD_VERSION/" "$WORK/repack/DEBIAN/control"
dpkg-deb --root-owner-group -b "$WORK/repack" "$OLD_DEB" >/dev/null || fail "cannot repack as $OLD_VERSION"
cp "$E2E_DEB" "$OLD_DEB" "$E2E_ROOT/root/"
DEB="/root/$(basename "$E2E_DEB")"
grep -q pam_sshd_watchdog "$E2E_ROOT/etc/pam.d/common-session" && fail "the image has our module already"
e2e_boot
log "container up: Debian $E2E_SUITE, $(e2e_in sshd -V 2>&1 | head -1)"

transcript() { # transcript STEP CMD...: runs CMD inside, its output kept for the log
        local rc=0
        { echo "# $*"; e2e_in env DEBIAN_FRONTEND=noninteractive "${@:2}" 2>&1; } >>"$WORK/transcript.txt" || rc=$?
        [ "$rc" = 0 ] || fail "$1 failed: $(tail -5 "$WORK/transcript.txt")"
}
ssh_in() { ip netns exec "$NS_CLI" $(ssh_cmd "$E2E_USER@$SRV_ADDR") "$@" </dev/null; }
records() { e2e_in sh -c 'ls /run/sshd-watchdog/sessions 2>/dev/null | wc -l'; }

# ---------------------------------------------------------------- install
transcript install apt-get install -y "/root/$(basename "$OLD_DEB")"
e2e_in cat /etc/pam.d/common-session >"$WORK/common-session"
ours=$(grep -n 'pam_sshd_watchdog.so' "$WORK/common-session" | cut -d: -f1)
systemd_line=$(grep -n 'pam_systemd.so' "$WORK/common-session" | cut -d: -f1)
[ -n "$ours" ] || fail "pam-auth-update did not add the module: $(cat "$WORK/common-session")"
[ -n "$systemd_line" ] && [ "$ours" -gt "$systemd_line" ] || fail "the module is not after pam_systemd: $(cat "$WORK/common-session")"
grep -q 'pam_sshd_watchdog' "$E2E_ROOT/etc/pam.d/sshd" && fail "the package edited /etc/pam.d/sshd"
e2e_in systemctl is-enabled --quiet sshd-watchdog.service || fail "the unit is not enabled"
wait_until 10 "the daemon to run" e2e_in systemctl is-active --quiet sshd-watchdog.service
e2e_in dpkg-query -W -f='${Conffiles}\n' sshd-watchdog | grep -q '/etc/sshd-watchdog/watchdog.conf' ||
        fail "watchdog.conf is not a conffile"
e2e_in journalctl --list-catalog 4c2ba311a05a4709ba96cf25424c5a90 2>/dev/null | grep -q . ||
        fail "the journal catalog has no entry of ours"
e2e_in dpkg-query -W -f='${Version}' sshd-watchdog | grep -qxF "$OLD_VERSION" || fail "$OLD_VERSION is not what is installed"
log "installed $OLD_VERSION; common-session:"$'\n'"$(grep -v '^#' "$WORK/common-session" | grep .)"

# ---------------------------------------------------------------- use
TIMEOUT_S=10
printf '[Watchdog]\nInputTimeoutSec=%ss\nKillGraceSec=1s\n' "$TIMEOUT_S" >"$E2E_ROOT/etc/sshd-watchdog/watchdog.conf"
e2e_in systemctl reload sshd-watchdog.service || fail "systemctl reload failed"
BEFORE=$(e2e_session_ids); session_open A -o ServerAliveInterval=2 -- 'echo up; cat >/dev/null'
wait_until 15 "a login" grep -q up "$A_OUT"
e2e_new_session A_SID
wait_until 5 "its record" eval '[ "$(records)" = 1 ]'
wait_until 5 "sshd-watchdogctl to list it as watching" eval "e2e_in sshd-watchdogctl list --no-legend | grep -q ' watching\$'"
e2e_in su - "$E2E_USER" -c true || fail "su failed"
sleep 0.3
[ "$(records)" = 1 ] || fail "su left a record (the module must ignore what is not sshd)"
log "an ssh login is recorded and watched; su through the same common-session is not"

# ---------------------------------------------------------------- upgrade
e2e_cut_shell B
last_input=$B_LAST_MS
sleep 1
old_pid=$(e2e_in systemctl show -P MainPID sshd-watchdog.service)
transcript upgrade apt-get install -y "$DEB"
upgraded=$(( $(now_ms) - last_input ))
[ "$upgraded" -lt $(( TIMEOUT_S * 1000 - 1000 )) ] ||
        fail "the upgrade took until $upgraded ms after the last input: too late to test the deadline"
e2e_in dpkg-query -W -f='${Version}' sshd-watchdog | grep -qxF "$VERSION" || fail "not upgraded to $VERSION"
wait_until 10 "the daemon to run again" e2e_in systemctl is-active --quiet sshd-watchdog.service
new_pid=$(e2e_in systemctl show -P MainPID sshd-watchdog.service)
[ "$new_pid" != "$old_pid" ] || fail "the daemon was not restarted by the upgrade"
grep -qx "InputTimeoutSec=${TIMEOUT_S}s" "$E2E_ROOT/etc/sshd-watchdog/watchdog.conf" || fail "the upgrade lost the changed conffile"
[ "$(records)" = 2 ] || fail "the records did not survive the upgrade: $(records) left"
log "upgraded $OLD_VERSION -> $VERSION $upgraded ms after session B's last input: daemon $old_pid -> $new_pid, 2 records kept, the changed conffile kept"
late=$(e2e_ended_late "$B_SID" "$last_input" "$TIMEOUT_S")
log "session B ($B_SID), cut before the upgrade, ended $late ms after its deadline ($(( TIMEOUT_S * 1000 )) ms after its last input)"
link_restore
e2e_in loginctl list-sessions --no-legend | awk '{print $1}' | grep -qx "$A_SID" || fail "the kept-alive session A ended"
wait_until 5 "B's record to go" eval '[ "$(records)" = 1 ]'
e2e_in sshd-watchdogctl list --no-legend | grep -q ' watching$' || fail "session A is not watched after the upgrade"
log "session A ($A_SID), kept alive, is still there and watched"
kill_pid "$A_PID"
wait_until 5 "the logout" eval '[ "$(records)" = 0 ]'

# ---------------------------------------------------------------- remove
transcript remove apt-get remove -y sshd-watchdog
e2e_in grep -r pam_sshd_watchdog /etc/pam.d && fail "a module line is left after remove"
[ -e "$E2E_ROOT/lib/x86_64-linux-gnu/security/pam_sshd_watchdog.so" ] && fail "the module file is left"
out=$(ssh_in 'echo still-$((6*7))') || fail "a login after remove failed: $out"
[ "$out" = still-42 ] || fail "a login after remove: $out"
e2e_in test -f /etc/sshd-watchdog/watchdog.conf || fail "remove took the configuration (that is purge's)"
log "removed: no PAM line left, logins work, the configuration kept"

# ---------------------------------------------------------------- purge
transcript purge apt-get purge -y sshd-watchdog
e2e_in test -e /etc/sshd-watchdog && fail "/etc/sshd-watchdog left after purge"
e2e_in test -e /run/sshd-watchdog && fail "/run/sshd-watchdog left after purge"
e2e_in dpkg-query -W -f='${Status}\n' sshd-watchdog 2>/dev/null | grep -q 'installed' && fail "still installed"
e2e_in systemctl cat sshd-watchdog.service >/dev/null 2>&1 && fail "the unit is left after purge"
out=$(ssh_in 'echo after-purge') || fail "a login after purge failed: $out"
log "purged: no configuration, state or unit left; logins work"
log "transcript:"$'\n'"$(cat "$WORK/transcript.txt")"
log "ok: $(( $(now_ms) - START )) ms"
