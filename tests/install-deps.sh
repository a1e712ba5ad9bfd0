#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs every build and test dependency on Debian 12 or 13 with apt-get,
# as root. Runs apt only when something is missing, so it is cheap to repeat.
set -euo pipefail

packages=(
        # build (Debian 13's pam.pc requires audit, which libpam0g-dev does
        # not pull in; on Debian 12 it is needed by nothing and harmless)
        build-essential autoconf automake libtool pkg-config
        libpam0g-dev libaudit-dev libsystemd-dev libinih-dev
        # unit and PAM tests, sanitizer and valgrind runs, fuzzers
        libcmocka-dev libpam-wrapper libpamtest0-dev valgrind clang libclang-rt-dev
        # integration tests: a real sshd and client in network namespaces, a
        # private system bus for the fake logind
        openssh-server openssh-client iproute2 nftables procps passwd util-linux dbus-daemon
        # the unit file check
        systemd
        # end-to-end: booted Debian 12 and 13 containers, Dropbear's client,
        # the Debian package built and checked
        debootstrap systemd-container dropbear-bin debhelper dpkg-dev fakeroot lintian git
)

missing=()
for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
        echo "install-deps: missing packages: ${missing[*]}; run as root to install them" >&2
        exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
