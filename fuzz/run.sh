#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# fuzz/run.sh BUILDDIR SECONDS [JOBS]: runs every harness `make fuzz` built
# for SECONDS each, JOBS at a time, from its seed corpus (fuzz/corpus/NAME,
# read only) into a scratch corpus removed at the end. Prints one line per
# harness with its executions; fails if any harness crashed, leaked or
# tripped a sanitizer (the reproducer is kept and named).
set -euo pipefail
builddir=$1
seconds=$2
jobs=${3:-$(nproc)}
srcdir=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/swd-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT

run_one() {
        local t=$1 name=${1#fuzz-} corpus="$work/$1"
        local rc=0
        mkdir -p "$corpus" "$work/$t.artifacts"
        ( cd "$work/$t.artifacts" &&
          "$builddir/fuzz/$t" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=1024 \
                  -artifact_prefix="$work/$t.artifacts/" "$corpus" "$srcdir/corpus/$name" ) >"$work/$t.log" 2>&1 || rc=$?
        local execs
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log" | tail -1)
        printf '%-22s %12s execs in %ss, exit %d\n' "$t" "${execs:-?}" "$seconds" "$rc"
        if [ "$rc" != 0 ]; then
                tail -40 "$work/$t.log"
                for a in "$work/$t.artifacts"/*; do
                        [ -f "$a" ] && cp "$a" "$builddir/" && echo "reproducer: $builddir/$(basename "$a")"
                done
                return 1
        fi
}

targets=()
for f in "$builddir"/fuzz/fuzz-*; do
        [ -x "$f" ] && targets+=("$(basename "$f")")
done
[ ${#targets[@]} -gt 0 ] || { echo "fuzz/run.sh: no harnesses in $builddir/fuzz (make fuzz)" >&2; exit 1; }
failed=0
pids=()
for t in "${targets[@]}"; do
        run_one "$t" >"$work/$t.result" 2>&1 &
        pids+=($!)
        if [ ${#pids[@]} -ge "$jobs" ]; then
                wait "${pids[0]}" || failed=1
                pids=("${pids[@]:1}")
        fi
done
for p in "${pids[@]}"; do wait "$p" || failed=1; done
for t in "${targets[@]}"; do cat "$work/$t.result"; done
exit $failed
