#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Errors that may pass are retried, never taken for "gone" or
# "unwatchable". The daemon runs with a fault injector preloaded, one fault
# per round: the socket dump at start-up fails (ENOBUFS); the exact lookup
# at the deadline answers ENOBUFS for the socket; a new record cannot be
# opened (EMFILE); the monitor's pidfd cannot be opened (EMFILE). Each time
# the silent session must still be ended, a little late at most.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
scenario_setup
scenario_sshd
watchdog_config "[Watchdog]
InputTimeoutSec=3s
KillGraceSec=1s"
FAULT_LIB="$HELPERS/.libs/libfault-inject.so"
[ -f "$FAULT_LIB" ] || fail "no fault injector at $FAULT_LIB"

# round NAME FAULTS BEFORE: BEFORE=yes opens the session before the daemon starts.
round() {
        local name=$1 faults=$2 before=$3 monitor last_input elapsed
        log "round $name: SWD_FAULTS=$faults"
        [ "$before" = yes ] || { WATCHDOG_ENV="LD_PRELOAD=$FAULT_LIB SWD_FAULTS=$faults" watchdog_start; }
        session_open "$name" -- 'echo up; cat >/dev/null'
        wait_until 15 "session $name" grep -q up "$WORK/$name.out"
        monitor=$(sshd_monitor_pids "$TEST_USER" | tail -1)
        [ "$before" = yes ] && { WATCHDOG_ENV="LD_PRELOAD=$FAULT_LIB SWD_FAULTS=$faults" watchdog_start; }
        session_send "$name" $'x\n'
        last_input=$(now_ms)
        link_cut "$(client_port "$(eval echo "\$${name}_PID")")"
        wait_until 10 "session $name to be ended" pid_gone "$monitor"
        elapsed=$(( $(now_ms) - last_input ))
        log "round $name: ended $elapsed ms after the last input (limit 3000 ms)"
        watchdog_log_has "fault-inject: " || fail "round $name: no fault was injected"
        [ "$elapsed" -le 5000 ] || fail "round $name: ended $elapsed ms after the last input"
        kill_pid "$WATCHDOG_PID"
        link_restore
        mv "$WORK/watchdog.log" "$WORK/watchdog-$name.log"
}

round DUMP 'diag_dump=ENOBUFS*2' yes
round QUERY 'diag_query=ENOBUFS*3' no
round RECORD 'record_open=EMFILE*2' no
round PIDFD 'pidfd_open=EMFILE*2' no
log "ok: every transient error was retried"
