#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A client that ends its session itself keeps the session's nohup'd jobs,
# however long it had been silent before: its last word (CHANNEL_CLOSE,
# DISCONNECT) or its kernel's FIN reaches sshd before close_session, which
# then removes the record as always. Four ways to leave, none with
# keepalives: `exit` at the prompt; a command that runs 4 s without a word
# from the client and then finishes; the ssh client killed after 3 s of
# silence (its kernel closes the connection); the `~.` escape after 3 s.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
scenario_start "[Watchdog]
InputTimeoutSec=1h
KillGraceSec=1s"

# job NAME: a nohup'd job that writes its PID to ~/NAME.pid.
job() { printf 'nohup sh -c '\''echo $$ >~/%s.pid; exec sleep 600'\'' >/dev/null 2>&1 &' "$1"; }

# left NAME MONITOR: the session is over; its record went at the close (it
# was not left for the daemon), and its job still runs after KillGraceSec + 1 s.
left() {
        local job
        wait_until 10 "session $1 to close" pid_gone "$2"
        wait_until 2 "close_session to remove the record of $1" records_are 0
        job=$(cat "$WORK/home/$1.pid")
        sleep 2
        pid_alive "$job" || fail "$1: the nohup'd job of a session the client closed itself was killed"
        log "$1: the client left; its job $job lives on"
}

# shell NAME: a pty shell with a job -> MONITOR
shell() {
        session_open "$1" -tt --
        wait_until 15 "a shell prompt in $1" grep -q '\$' "$WORK/$1.out"
        session_send "$1" "$(job "$1")"$'\n'
        wait_until 5 "the job of $1" test -s "$WORK/home/$1.pid"
        MONITOR=$(sshd_monitor_pid "$TEST_USER")
}

shell E
sleep 2
session_send E $'exit\n'
left E "$MONITOR"

session_open L -- "$(job L) sleep 4"
wait_until 15 "the job of L" test -s "$WORK/home/L.pid"
left L "$(sshd_monitor_pid "$TEST_USER")"

shell K
sleep 3
kill -KILL "$K_PID"
wait "$K_PID" 2>/dev/null || true
left K "$MONITOR"

shell D
sleep 3
session_send D $'\n~.'
left D "$MONITOR"

watchdog_log_has 'MESSAGE_ID=c6aa9e92fec447a7b65e65958bd80be5' && fail "a session the client closed was taken for dead"
watchdog_log_has 'KILLED_PIDS=[1-9]' && fail "something was killed"
log "ok"
