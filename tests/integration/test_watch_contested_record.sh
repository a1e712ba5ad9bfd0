#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# At start-up the daemon takes a record's SOCKET_INODE on its word
# (listing every sshd's descriptors again was most of a start-up's cost),
# except when two records name the same socket: a record left by an sshd
# that died while the daemon was down, its socket's inode since reused by a
# live connection. Then neither is believed, and only the session whose
# sshd holds the socket gets it.
#
# The stale record is made by hand: the live session's record, rewritten
# for a process that reuses the dead sshd's PID (a live PID with another
# start time), with none of the proofs (cgroup, logind session, audit
# session) that a real stale record would have for things long gone. It is
# linked into the directory before the live one, so that the live
# session's record is the second claim, the one a first come, first served
# rule would refuse. The process under the reused PID must live on.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
scenario_start "[Watchdog]
InputTimeoutSec=3s
KillGraceSec=1s"
DIR="$STATE/sessions"

# Keepalives every second: the setup below (up to 200 forks) may take
# longer than the limit on a busy machine, and the session must still be
# there for the cut at the end.
session_open A -o ServerAliveInterval=1 -- 'echo up; cat >/dev/null'
wait_until 15 "the session" grep -q up "$A_OUT"
MONITOR=$(sshd_monitor_pid "$TEST_USER")
wait_until 5 "its record" records_are 1
live=$(ls "$DIR")
inode=$(sed -n 's/^SOCKET_INODE=//p' "$DIR/$live")
[ -n "$inode" ] || fail "setup: the record names no socket: $(tr '\n' ' ' <"$DIR/$live")"
kill_pid "$WATCHDOG_PID"

# A stale record that the directory lists first (the daemon reads in that
# order): names hash, and similar names may hash alike (one full run
# failed 20 tries), so try many PIDs; each try costs a fork.
stale=
for _ in $(seq 200); do
        sleep 1000 &
        reused=$!
        starttime=$(( $(awk '{ print $22 }' "/proc/$reused/stat") - 1 ))
        name="$reused-$starttime"
        sed -e "s/^SSHD_PID=.*/SSHD_PID=$reused/" -e "s/^SSHD_STARTTIME=.*/SSHD_STARTTIME=$starttime/" \
                -e 's/^CGROUP=.*/CGROUP=/' -e '/^CGROUP_ID=/d' -e '/^SESSION_ID=/d' -e '/^AUDIT_SESSION=/d' \
                "$DIR/$live" >"$WORK/stale"
        install -m 0600 "$WORK/stale" "$DIR/$name"
        if [ "$(ls -U "$DIR" | head -n 1)" = "$name" ]; then
                stale=$name
                cleanup_push "kill_pid $reused"
                break
        fi
        rm "$DIR/$name"
        kill_pid "$reused"
done
[ -n "$stale" ] || fail "setup: no stale record came before the live one in 200 tries: $(ls -U "$DIR")"

watchdog_start
wait_until 5 "the stale record to be removed" eval "[ ! -e '$DIR/$stale' ]"
watchdog_log_has "record of $stale, whose sshd is gone" ||
        fail "the stale record was not taken for a session whose sshd is gone: $(grep -E "$stale|Started" "$WORK/watchdog.log")"
watchdog_log_has "$live.*(cannot be watched|unwatchable|more than one)|Cannot watch.*$live" &&
        fail "the live session was not watched: $(grep "$live" "$WORK/watchdog.log")"
pid_alive "$reused" || fail "the process that reuses the stale record's PID was killed"
started=$(grep '^<6>Started: ' "$WORK/watchdog.log" | tail -n 1)
grep -q ' SESSIONS_TIMED=1 ' <<<"$started" || fail "the start entry does not count one timed session: $started"

# The live session ends at its deadline: it was timed on its own socket.
pid_alive "$MONITOR" || fail "the live session was ended before its client went silent"
cut_after_input A "$MONITOR" 3000
[ "$ELAPSED_MS" -ge 2900 ] && [ "$ELAPSED_MS" -le 3600 ] || fail "not at its deadline: $ELAPSED_MS ms"
log "ok: the contested socket went to the session whose sshd holds it"
