#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs dependencies and builds the tree in ./build (with -Werror).
# Shared by tests/run-all.sh and tests/demo.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tests/install-deps.sh
[ -x configure ] || autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
mkdir -p build
cd build
[ -f Makefile ] || ../configure --enable-werror >/dev/null
make -j"$(nproc)" >/dev/null
# check_PROGRAMS too: the demo and the shell tests use the record reader.
make -j"$(nproc)" tests/helpers/record-dump >/dev/null
