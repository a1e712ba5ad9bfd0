# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared helpers for the shell-level tests. Source it; it sets -eu.
#
# Every resource a test makes is registered with `cleanup_push CMD` right
# after it exists; an EXIT trap runs them newest first, on success, failure
# or signal alike.

set -eu

SKIP=77
TEST_NAME=${TEST_NAME:-$(basename "$0" .sh)}

log()  { printf '[%s] %s\n' "$TEST_NAME" "$*" >&2; }
fail() { printf '[%s] FAIL: %s\n' "$TEST_NAME" "$*" >&2; exit 1; }
skip() { printf '[%s] SKIP: %s\n' "$TEST_NAME" "$*" >&2; exit $SKIP; }

require_root() {
        [ "$(id -u)" = 0 ] || skip "needs root (network namespaces, a real sshd, /etc/pam.d); run as root to test"
}

require_cmd() {
        local c
        for c in "$@"; do
                command -v "$c" >/dev/null 2>&1 || skip "needs $c"
        done
}

# The test's own stderr, for cleanups that must be heard (they run with
# their output thrown away).
exec {TEST_STDERR}>&2

_cleanups=()
cleanup_push() { _cleanups+=("$*"); }
_run_cleanups() {
        local rc=$? i
        trap - EXIT INT TERM
        for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do
                eval "${_cleanups[i]}" >/dev/null 2>&1 || true
        done
        exit $rc
}
trap _run_cleanups EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_until SECONDS DESCRIPTION CMD...: polls CMD every WAIT_POLL seconds
# (0.05), fails the test when it is not true within SECONDS. CMD's words are
# expanded once, by the caller: poll a function, never `test "$(...)"`.
wait_until() {
        local limit=$1 what=$2 deadline
        shift 2
        deadline=$(( $(date +%s%N) + limit * 1000000000 ))
        until "$@"; do
                [ "$(date +%s%N)" -lt "$deadline" ] || fail "timed out after ${limit}s waiting for: $what"
                sleep "${WAIT_POLL:-0.05}"
        done
}

# kill_pid PID: TERM, then KILL after 2 s, of one process we started.
kill_pid() {
        local pid=$1 i
        kill -0 "$pid" 2>/dev/null || return 0
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 40; i++)); do
                kill -0 "$pid" 2>/dev/null || return 0
                sleep 0.05
        done
        kill -KILL "$pid" 2>/dev/null || true
}

# kill_ours PID STARTTIME: SIGKILL to PID if it is still the process that
# started then (its PID may name another process by now).
kill_ours() {
        [ "$(proc_starttime "$1" 2>/dev/null)" = "$2" ] && kill -KILL "$1" 2>/dev/null
        return 0
}

quietly() { "$@" >/dev/null 2>&1; }
# count_lines REGEX FILE: how many lines match, 0 also when FILE is missing.
count_lines() { cat "$2" 2>/dev/null | grep -cE "$1" || true; }
# A zombie is gone for our purposes: it runs nothing, and its reaping is up
# to its parent (or to PID 1, which on some test hosts is slow to do it).
# No fork: the mass tests poll thousands of PIDs.
pid_alive() {
        local stat
        { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
        stat=${stat##*) }
        [ "${stat%% *}" != Z ]
}
pid_gone() { ! pid_alive "$1"; }

# Whether any process on this host has UID $1 (real, effective, saved or
# file system): a container's user 1001 is the host's UID 1001 too.
uid_in_use() {
        grep -qsE "^Uid:.*[[:space:]]$1([[:space:]]|\$)" /proc/[0-9]*/status
}

# Field 22 of /proc/PID/stat; comm may hold spaces and ')'.
proc_starttime() {
        local stat
        stat=$(cat "/proc/$1/stat") || return 1
        stat=${stat##*) }
        # shellcheck disable=SC2086
        set -- $stat
        echo "${20}"
}

# A scratch directory removed at exit.
make_workdir() {
        WORK=$(mktemp -d /tmp/swd-it.XXXXXX)
        chmod 0755 "$WORK"
        # SWD_KEEP_WORKDIR=1 keeps logs and configs for a post-mortem.
        [ "${SWD_KEEP_WORKDIR:-0}" = 1 ] && log "keeping $WORK" || cleanup_push "rm -rf '$WORK'"
}
