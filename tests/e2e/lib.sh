# SPDX-License-Identifier: LGPL-2.1-or-later
# A booted Debian 12 (E2E_SUITE=bookworm, the default) or 13 (trixie)
# container for end-to-end tests: systemd as PID 1, logind, journald, dbus,
# Debian's own sshd and PAM stack, our build installed with `make install
# DESTDIR=` or as the Debian package. Sourcing it brings the shared
# helpers too (set top_srcdir first). Everything is undone at exit, in
# reverse, on every path.
#
#   e2e_rootfs              -> E2E_ROOTFS: the cached debootstrap (built when
#                              missing, stale or its package list changed)
#   e2e_build               -> E2E_BUILD: our tree built, for the test helpers
#   e2e_prepare "CONF"      overlay on the cache -> E2E_ROOT; installs our
#                              package with apt-get (pam-auth-update adds the
#                              line, the unit is enabled), the test user, CONF
#                              as watchdog.conf
#   e2e_overlay, e2e_user   the first and last part of that, for a test
#                              that installs the package instead
#   e2e_package             -> E2E_DEB: dpkg-buildpackage of this tree
#   e2e_boot                boots it in $NS_SRV -> E2E_NSPAWN_PID, E2E_PID1
#   e2e_in CMD...           runs CMD inside (nsenter)
#   e2e_journal ARGS...     journalctl inside
#   e2e_scope_dir ID        the cgroup directory of logind session ID, seen from the host
#   e2e_diagnose            what the daemon and the machine said; run on failure
#   e2e_session_ids, e2e_new_session VAR
#                           logind's sessions; the one that came since BEFORE
#   e2e_cut_shell NAME      a pty shell typed into, then its link cut
#   e2e_ended_late SID LAST_MS TIMEOUT_S
#                           waits for the daemon's ending of SID, fails unless
#                              at its deadline, prints how late (ms)

. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/netns.sh"
. "$top_srcdir/tests/lib/sshd.sh"
. "$top_srcdir/tests/lib/watchdog.sh"

E2E_CACHE=${E2E_CACHE:-/var/tmp/sshd-watchdog-e2e}
E2E_SUITE=${E2E_SUITE:-bookworm}
E2E_MIRROR=${E2E_MIRROR:-http://deb.debian.org/debian}
E2E_PACKAGES=systemd,systemd-sysv,dbus,libpam-systemd,openssh-server,openssh-sftp-server,iproute2,procps,libinih1
# Debian 13 keeps login records in wtmpdb (written through PAM), not in
# /var/log/wtmp; util-linux's `last` is gone with it.
[ "$E2E_SUITE" = bookworm ] || E2E_PACKAGES+=,wtmpdb,libpam-wtmpdb
E2E_MAX_AGE_DAYS=30
E2E_USER=alice

e2e_rootfs() {
        local key stamp
        key=$(printf '%s %s %s v1' "$E2E_SUITE" "$E2E_MIRROR" "$E2E_PACKAGES" | sha256sum | cut -c1-12)
        E2E_ROOTFS="$E2E_CACHE/rootfs-$key"
        stamp="$E2E_ROOTFS/.swd-complete"
        mkdir -p "$E2E_CACHE"
        (
                # One builder at a time; the others wait and reuse its result.
                flock -w 600 9 || fail "cannot lock $E2E_CACHE/lock"
                if [ -f "$stamp" ] && [ -n "$(find "$stamp" -mtime -"$E2E_MAX_AGE_DAYS")" ]; then
                        exit 0
                fi
                log "building the container image with debootstrap (about 45 s, cached in $E2E_CACHE)"
                rm -rf "$E2E_ROOTFS" "$E2E_ROOTFS.tmp"
                find "$E2E_CACHE" -maxdepth 1 -name 'rootfs-*' -mtime +"$E2E_MAX_AGE_DAYS" -exec rm -rf {} + 2>/dev/null || true
                debootstrap --variant=minbase --include="$E2E_PACKAGES" "$E2E_SUITE" "$E2E_ROOTFS.tmp" "$E2E_MIRROR" \
                        >"$E2E_CACHE/debootstrap.log" 2>&1 || fail "debootstrap failed: $(tail -5 "$E2E_CACHE/debootstrap.log")"
                mkdir -p "$E2E_ROOTFS.tmp/var/log/journal"
                rm -f "$E2E_ROOTFS.tmp/etc/machine-id"
                mv "$E2E_ROOTFS.tmp" "$E2E_ROOTFS"
                touch "$stamp"
        ) 9>"$E2E_CACHE/lock"
}

e2e_build() {
        E2E_BUILD="$top_srcdir/build-e2e"
        mkdir -p "$E2E_BUILD"
        (
                cd "$E2E_BUILD"
                [ -f Makefile ] || "$top_srcdir/configure" --enable-werror --prefix=/usr --sysconfdir=/etc \
                        --localstatedir=/var --with-securedir=/lib/x86_64-linux-gnu/security \
                        --with-systemdsystemunitdir=/lib/systemd/system >/dev/null
                make -j"$(nproc)" >/dev/null
                make -j"$(nproc)" tests/helpers/exit-times tests/helpers/monitor-exits tests/helpers/register-flood \
                        >/dev/null
        ) || fail "building for the container failed"
}

e2e_prepare() {
        local conf=$1
        e2e_overlay
        [ -n "${E2E_DEB:-}" ] || e2e_package
        # As an admin installs it, with apt-get, into the image before it
        # boots: the maintainer scripts run pam-auth-update (the line goes
        # into common-session) and enable the unit, which starts at boot.
        cp "$E2E_DEB" "$E2E_ROOT/root/"
        chroot "$E2E_ROOT" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "/root/$(basename "$E2E_DEB")" \
                >"$WORK/install.log" 2>&1 || fail "apt-get install of the package failed: $(tail -5 "$WORK/install.log")"
        grep -q 'pam_sshd_watchdog.so' "$E2E_ROOT/etc/pam.d/common-session" ||
                fail "pam-auth-update did not put the module into common-session"
        printf '%s\n' "$conf" >"$E2E_ROOT/etc/sshd-watchdog/watchdog.conf"
        e2e_user
}

# A writable layer over the cached image: E2E_ROOT, gone at exit.
e2e_overlay() {
        E2E_ROOT="$WORK/overlay/root"
        e2e_overlay_of "$E2E_ROOTFS" "$E2E_ROOT"
}

# The user who logs in, with a key of the test's.
e2e_user() {
        chroot "$E2E_ROOT" useradd -m -s /bin/bash "$E2E_USER"
        mkdir -p "$E2E_ROOT/home/$E2E_USER/.ssh"
        ssh-keygen -q -t ed25519 -N '' -f "$WORK/client_key"
        cp "$WORK/client_key.pub" "$E2E_ROOT/home/$E2E_USER/.ssh/authorized_keys"
        chroot "$E2E_ROOT" chown -R "$E2E_USER:$E2E_USER" "/home/$E2E_USER/.ssh"
        chmod 700 "$E2E_ROOT/home/$E2E_USER/.ssh"
        CLIENT_KEY="$WORK/client_key"
        TEST_USER=$E2E_USER
        printf 'PasswordAuthentication no\nKbdInteractiveAuthentication no\nPrintMotd no\n' \
                >"$E2E_ROOT/etc/ssh/sshd_config.d/swd-e2e.conf"
}

# The Debian package, built from this tree (a clean export of its files,
# dpkg-buildpackage -b, tests left to the suites) and checked by lintian,
# on E2E_SUITE's own toolchain: on the host when it runs that release, else
# in a cached build chroot of it (e2e_buildroot). Kept in E2E_CACHE by the
# exported tree's content, so the suites of one run build it once per
# release. -> E2E_DEB, and lintian's words in $WORK/lintian.txt (it fails on
# an error or a warning).
e2e_package() {
        local src="$WORK/pkg/sshd-watchdog" host key cached
        mkdir -p "$src"
        e2e_export_tree "$src"
        key=$(tar -C "$src" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - . | sha256sum | cut -c1-16)
        cached="$E2E_CACHE/deb-$E2E_SUITE-$key"
        if [ -f "$cached/.swd-complete" ]; then
                E2E_DEB=$(ls "$cached"/sshd-watchdog_*_*.deb)
                cp "$cached/lintian.txt" "$WORK/lintian.txt"
                return 0
        fi
        host=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
        if [ "$host" = "$E2E_SUITE" ]; then
                (cd "$src" && DEB_BUILD_OPTIONS=nocheck DEB_BUILD_PROFILES=nocheck dpkg-buildpackage -us -uc -b) \
                        >"$WORK/dpkg-buildpackage.log" 2>&1 ||
                        fail "dpkg-buildpackage failed: $(tail -5 "$WORK/dpkg-buildpackage.log")"
                E2E_DEB=$(ls "$WORK"/pkg/sshd-watchdog_*_*.deb)
                lintian --pedantic -I --fail-on error,warning "${E2E_DEB%.deb}.changes" >"$WORK/lintian.txt" 2>&1 ||
                        fail "lintian: $(grep -E '^(E|W):' "$WORK/lintian.txt" | head -5)"
        else
                e2e_buildroot
                local root="$WORK/buildroot"
                e2e_overlay_of "$E2E_BUILDROOT" "$root"
                mkdir -p "$root/build"
                cp -a "$src" "$root/build/"
                mount -t proc proc "$root/proc" && cleanup_push "umount -l '$root/proc'"
                chroot "$root" sh -c 'cd /build/sshd-watchdog &&
                        DEB_BUILD_OPTIONS=nocheck DEB_BUILD_PROFILES=nocheck dpkg-buildpackage -us -uc -b' \
                        >"$WORK/dpkg-buildpackage.log" 2>&1 ||
                        fail "dpkg-buildpackage in $E2E_SUITE failed: $(tail -5 "$WORK/dpkg-buildpackage.log")"
                chroot "$root" sh -c 'lintian --pedantic -I --fail-on error,warning /build/sshd-watchdog_*.changes' \
                        >"$WORK/lintian.txt" 2>&1 ||
                        fail "lintian: $(grep -E '^(E|W):' "$WORK/lintian.txt" | head -5)"
                cp "$root"/build/sshd-watchdog_*_*.deb "$WORK/pkg/"
                E2E_DEB=$(ls "$WORK"/pkg/sshd-watchdog_*_*.deb)
        fi
        [ -f "$E2E_DEB" ] || fail "no package built"
        # Older builds of this release go; this one is kept for the next suite.
        find "$E2E_CACHE" -maxdepth 1 -name "deb-$E2E_SUITE-*" -exec rm -rf {} + 2>/dev/null || true
        mkdir -p "$cached.tmp"
        cp "$E2E_DEB" "$WORK/lintian.txt" "$cached.tmp/"
        touch "$cached.tmp/.swd-complete"
        mv "$cached.tmp" "$cached"
}

# The files of this git checkout, as they are (committed or not, ignored
# ones left out), into DIR.
e2e_export_tree() {
        (cd "$top_srcdir" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) |
                tar -xf - -C "$1" || fail "cannot export the tree"
}

# A writable layer over LOWER at DIR, gone at exit.
e2e_overlay_of() {
        mkdir -p "$2.upper" "$2.work" "$2"
        mount -t overlay overlay -o "lowerdir=$1,upperdir=$2.upper,workdir=$2.work" "$2" ||
                fail "cannot mount an overlay at $2"
        cleanup_push "umount -l '$2'"
}

# A cached debootstrap of E2E_SUITE with what debian/control asks to build
# (apt-get build-dep, without the tests' libraries) and lintian:
# E2E_BUILDROOT. Rebuilt when debian/control changes.
e2e_buildroot() {
        local key stamp
        key=$(cat "$top_srcdir/debian/control" | sha256sum | cut -c1-12)
        E2E_BUILDROOT="$E2E_CACHE/buildroot-$E2E_SUITE-$key"
        stamp="$E2E_BUILDROOT/.swd-complete"
        mkdir -p "$E2E_CACHE"
        (
                flock -w 900 9 || fail "cannot lock $E2E_CACHE/lock"
                [ -f "$stamp" ] && [ -n "$(find "$stamp" -mtime -"$E2E_MAX_AGE_DAYS")" ] && exit 0
                log "building a $E2E_SUITE build chroot (a few minutes, cached in $E2E_CACHE)"
                rm -rf "$E2E_BUILDROOT" "$E2E_BUILDROOT.tmp"
                find "$E2E_CACHE" -maxdepth 1 -name "buildroot-$E2E_SUITE-*" -exec rm -rf {} + 2>/dev/null || true
                debootstrap --variant=buildd "$E2E_SUITE" "$E2E_BUILDROOT.tmp" "$E2E_MIRROR" \
                        >"$E2E_CACHE/debootstrap-build.log" 2>&1 ||
                        fail "debootstrap failed: $(tail -5 "$E2E_CACHE/debootstrap-build.log")"
                mkdir -p "$E2E_BUILDROOT.tmp/build/src/debian"
                cp "$top_srcdir/debian/control" "$E2E_BUILDROOT.tmp/build/src/debian/"
                # lintian's perl modules want /proc while they are configured.
                mount -t proc proc "$E2E_BUILDROOT.tmp/proc" || fail "cannot mount /proc in the build chroot"
                local rc=0
                chroot "$E2E_BUILDROOT.tmp" sh -c 'export DEBIAN_FRONTEND=noninteractive; apt-get update -qq &&
                        apt-get install -y -qq --no-install-recommends lintian && cd /build/src &&
                        DEB_BUILD_PROFILES=nocheck apt-get build-dep -y -qq ./' \
                        >>"$E2E_CACHE/debootstrap-build.log" 2>&1 || rc=$?
                umount "$E2E_BUILDROOT.tmp/proc"
                [ "$rc" = 0 ] || fail "apt-get in the $E2E_SUITE build chroot failed: $(tail -5 "$E2E_CACHE/debootstrap-build.log")"
                rm -rf "$E2E_BUILDROOT.tmp/build"
                mv "$E2E_BUILDROOT.tmp" "$E2E_BUILDROOT"
                touch "$stamp"
        ) 9>"$E2E_CACHE/lock"
}

# nspawn leaves cgroups behind at the root unless it starts in a cgroup of
# its own, in the v2 and in the name=systemd v1 hierarchy alike.
e2e_cgroups() {
        local c
        E2E_CGROUPS=()
        for c in /sys/fs/cgroup/unified /sys/fs/cgroup/systemd /sys/fs/cgroup; do
                [ -d "$c" ] || continue
                case $(stat -fc %T "$c") in
                cgroup2fs|cgroupfs|tmpfs) ;;
                *) continue ;;
                esac
                [ -f "$c/cgroup.procs" ] || continue
                mkdir "$c/swd-e2e-$$"
                E2E_CGROUPS+=("$c/swd-e2e-$$")
                cleanup_push "find '$c/swd-e2e-$$' -depth -type d -exec rmdir {} \;"
        done
        [ ${#E2E_CGROUPS[@]} -gt 0 ] || fail "no cgroup hierarchy to start the container in"
        E2E_CGROUP2=
        for c in "${E2E_CGROUPS[@]}"; do
                if [ -z "$E2E_CGROUP2" ] && [ "$(stat -fc %T "$(dirname "$c")")" = cgroup2fs ]; then
                        E2E_CGROUP2=$c
                fi
        done
        [ -n "$E2E_CGROUP2" ] || fail "no cgroup v2 hierarchy: logind's scopes could not be seen"
}

e2e_boot() {
        local c
        e2e_cgroups
        (
                for c in "${E2E_CGROUPS[@]}"; do echo "$BASHPID" >"$c/cgroup.procs"; done
                # nspawn's own seccomp filter (systemd 252) refuses
                # pidfd_getfd in the container, which no host does: the
                # daemon needs it (a registered session's connection, the
                # idle warning), and says so in the journal without it.
                exec env SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 systemd-nspawn -q -b -D "$E2E_ROOT" \
                        --register=no --keep-unit --network-namespace-path="/run/netns/$NS_SRV" \
                        --system-call-filter=pidfd_getfd \
                        -M "swd-e2e-$$" >"$WORK/console.log" 2>&1 </dev/null
        ) &
        E2E_NSPAWN_PID=$!
        cleanup_push "e2e_poweroff"
        # Runs before the poweroff above, and only when the test failed.
        cleanup_push '[ "$rc" = 0 ] || e2e_diagnose'
        wait_until 30 "the container's PID 1" e2e_find_pid1
        wait_until 30 "an ssh login into the container" e2e_ssh_ready
}

e2e_find_pid1() {
        pid_alive "$E2E_NSPAWN_PID" || fail "systemd-nspawn exited: $(tail -5 "$WORK/console.log")"
        E2E_PID1=$(ps --ppid "$E2E_NSPAWN_PID" -o pid= | tr -d ' ' | head -1)
        [ -n "$E2E_PID1" ] && [ "$(cat "/proc/$E2E_PID1/comm" 2>/dev/null)" = systemd ]
}

e2e_ssh_ready() {
        # shellcheck disable=SC2046
        ip netns exec "$NS_CLI" $(ssh_cmd -o ConnectTimeout=1 "$E2E_USER@$SRV_ADDR") true >/dev/null 2>&1
}

e2e_poweroff() {
        local i
        pid_alive "$E2E_NSPAWN_PID" || return 0
        [ -n "${E2E_PID1:-}" ] && kill -s RTMIN+4 "$E2E_PID1" 2>/dev/null
        for ((i = 0; i < 200; i++)); do
                pid_alive "$E2E_NSPAWN_PID" || return 0
                sleep 0.05
        done
        kill -KILL "$E2E_NSPAWN_PID" 2>/dev/null || true
}

e2e_in() { nsenter -t "$E2E_PID1" -m -u -i -n -p -- "$@"; }

e2e_diagnose() {
        [ -n "${E2E_PID1:-}" ] && pid_alive "$E2E_PID1" || return 0
        {
                echo "---- diagnosis: sshd-watchdog.service"
                e2e_in systemctl status --no-pager sshd-watchdog.service 2>&1 | head -12
                echo "---- records: $(e2e_in sh -c 'ls /run/sshd-watchdog/sessions | wc -l'), pending endings: $(e2e_in sh -c 'ls /run/sshd-watchdog/endings | wc -l')"
                echo "---- the daemon's warnings"
                e2e_in journalctl --no-pager -u sshd-watchdog -p warning -o cat 2>&1 | tail -20
                echo "---- the daemon's last words"
                e2e_in journalctl --no-pager -u sshd-watchdog -o short-monotonic 2>&1 | tail -30
                echo "---- load: $(cat /proc/loadavg)"
        } >&"$TEST_STDERR"
}
e2e_journal() { e2e_in journalctl --no-pager "$@"; }

# The container's cgroup tree sits inside ours; logind puts each session in
# user.slice/user-UID.slice/session-ID.scope.
e2e_scope_dir() {
        find "$E2E_CGROUP2" -maxdepth 6 -type d -name "session-$1.scope" 2>/dev/null | head -1
}

e2e_journal_has_ended() {
        e2e_journal -o json MESSAGE_ID=ffa2c22415ca4dff88de52a663886246 | grep -q "\"SESSION_ID\":\"$1\""
}

e2e_journal_since_has() {
        e2e_journal -u sshd-watchdog --since "$1" -o cat | grep -qF "$2"
}

e2e_session_ids() { e2e_in loginctl list-sessions --no-legend 2>/dev/null | awk '{print $1}' | sort; }

# e2e_new_session VAR: waits for the logind session that appeared since
# BEFORE (the output of e2e_session_ids taken before the login).
e2e_new_session() {
        local id i
        for ((i = 0; i < 200; i++)); do
                id=$(comm -13 <(printf '%s\n' $BEFORE) <(e2e_session_ids) | head -1)
                [ -n "$id" ] && { printf -v "$1" %s "$id"; return 0; }
                sleep 0.05
        done
        fail "no new logind session for $1"
}

# e2e_cut_shell NAME: a pty shell that has just been typed into, then its
# link cut (that connection only) -> NAME_PID, NAME_OUT, NAME_SID (logind's),
# NAME_LAST_MS (its last input).
e2e_cut_shell() {
        local name=$1 out pid port
        BEFORE=$(e2e_session_ids)
        session_open "$name" -tt --
        out=${name}_OUT pid=${name}_PID
        wait_until 15 "a shell" grep -q '\$' "${!out}"
        e2e_new_session "${name}_SID"
        session_send "$name" $'echo typed-$((6*7))\n'
        wait_until 5 "the echo" grep -q typed-42 "${!out}"
        printf -v "${name}_LAST_MS" %s "$(now_ms)"
        port=$(client_port "${!pid}")
        [ -n "$port" ] || fail "no client port for session $name"
        link_cut "$port"
}

# jfield JSON NAME: one string field of a `journalctl -o json` line.
jfield() { sed -n "s/.*\"$2\":\"\\([^\"]*\\)\".*/\\1/p" <<<"$1"; }

# e2e_ended_late SID LAST_INPUT_MS TIMEOUT_S: waits for the daemon's "ended"
# entry of logind session SID, fails unless it came at the deadline the
# session's last input set (-100 ms .. +500 ms), and prints how late it was.
e2e_ended_late() {
        local entry at_ms elapsed deadline=$(( $3 * 1000 ))
        wait_until $(( $3 + 5 )) "the daemon to end session $1" e2e_journal_has_ended "$1"
        entry=$(e2e_journal -o json MESSAGE_ID=ffa2c22415ca4dff88de52a663886246 | grep "\"SESSION_ID\":\"$1\"")
        at_ms=$(( $(jfield "$entry" __REALTIME_TIMESTAMP) / 1000 ))
        elapsed=$(( at_ms - $2 ))
        [ "$elapsed" -ge $(( deadline - 100 )) ] && [ "$elapsed" -le $(( deadline + 500 )) ] ||
                fail "session $1 ended $elapsed ms after its last input, not at its deadline ($deadline ms)"
        echo $(( elapsed - deadline ))
}
