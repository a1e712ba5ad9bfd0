#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The whole test suite, on a fresh Debian 12 machine, as root:
#   bash tests/run-all.sh
# Installs what it needs, builds in ./build with -Werror, and runs
# `make check` (unit, PAM under pam_wrapper, integration against a real sshd
# in network namespaces), then the e2e suites of `make check-e2e` (a booted
# Debian 12 container with systemd, logind and journald, then 1,100 sessions
# cut at once in it (and the floor it is held to), then the Debian package
# built, installed, upgraded, removed and
# purged in it), and the first and last again in a Debian 13 container
# (OpenSSH 10.0's sshd-session, systemd 257; the package built in a Debian 13
# build chroot). The first run debootstraps each image, a minute or two,
# into /var/tmp/sshd-watchdog-e2e. Root-only
# tests skip loudly when not root.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tests/build.sh
cd build
if ! make -j"$(nproc)" check; then
        cat test-suite.log >&2 || true
        exit 1
fi
# The scripts directly, not `make check-e2e`: make would turn a skip (77)
# into a failure. Their results go beside make check's, in the same format.
pass=0 fail=0 skip=0
for t in bookworm:test_e2e bookworm:test_e2e_mass bookworm:test_e2e_package trixie:test_e2e trixie:test_e2e_package; do
        rc=0
        E2E_SUITE=${t%%:*} top_srcdir=$(cd .. && pwd) bash "../tests/e2e/${t#*:}.sh" || rc=$?
        case $rc in
        0) pass=$((pass + 1)) ;;
        77) skip=$((skip + 1)) ;;
        *) fail=$((fail + 1)) ;;
        esac
done
printf '# TOTAL: %s\n# PASS: %s\n# SKIP: %s\n# FAIL: %s\n' $((pass + fail + skip)) "$pass" "$skip" "$fail" >test-suite-e2e.log
echo "e2e: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
