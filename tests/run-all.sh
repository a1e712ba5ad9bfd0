#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The whole test suite, on a fresh Debian 12 machine, as root:
#   bash tests/run-all.sh
# Installs what it needs, builds in ./build with -Werror, and runs
# `make check`: unit, PAM (pam_wrapper) and integration (real sshd in network
# namespaces) tests. Root-only tests skip loudly when not root.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tests/build.sh
cd build
if ! make -j"$(nproc)" check; then
        cat test-suite.log >&2 || true
        exit 1
fi
