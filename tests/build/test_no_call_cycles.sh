#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The daemon's files call only downwards (docs/design.md, section 5): no
# file calls into one that, directly or through others, calls it back.
# Read from the built objects, not from the sources: an edge is a symbol
# one object of libwatchdog leaves undefined and another defines. tsort
# finds any loop and names its files.
set -eu
lib=${top_builddir:?}/watchdog/.libs/libwatchdog.a
[ -r "$lib" ] || { echo "no $lib: build first" >&2; exit 1; }
command -v nm >/dev/null && command -v tsort >/dev/null || { echo "needs nm and tsort" >&2; exit 77; }

# "OBJECT KIND SYMBOL" for the defined (text) and undefined symbols.
nm -A "$lib" 2>/dev/null | awk -F: '{
        obj = $2; sub(/^libwatchdog_la-/, "", obj); sub(/\.o$/, "", obj)
        n = split($3, f, " ")
        if (n == 2 && f[1] == "U") print obj, "U", f[2]
        else if (n == 3 && f[2] == "T") print obj, "T", f[3]
}' >"${TMPDIR:-/tmp}/swd-layers.$$"
trap 'rm -f "${TMPDIR:-/tmp}/swd-layers.$$"' EXIT

edges=$(awk '$2 == "T" { def[$3] = $1; next }
        { use[NR] = $1 " " $3 }
        END { for (i in use) { split(use[i], u, " "); if ((u[2] in def) && def[u[2]] != u[1]) print u[1], def[u[2]] } }' \
        "${TMPDIR:-/tmp}/swd-layers.$$" | sort -u)
n_files=$(awk '{ print $1 }' "${TMPDIR:-/tmp}/swd-layers.$$" | sort -u | wc -l)
n_edges=$(printf '%s\n' "$edges" | grep -c . || true)
[ "$n_files" -ge 30 ] && [ "$n_edges" -ge 50 ] ||
        { echo "FAIL: read $n_files files and $n_edges calls between them from $lib: too few to mean anything" >&2; exit 1; }
if ! out=$(printf '%s\n' "$edges" | tsort 2>&1 >/dev/null); then
        echo "FAIL: the daemon's files call each other in a loop:" >&2
        printf '%s\n' "$out" | sed -n 's/^tsort: //p' >&2
        exit 1
fi
echo "ok: $n_files files, $n_edges calls between them, no loop"
