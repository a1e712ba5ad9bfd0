# SPDX-License-Identifier: LGPL-2.1-or-later
# The built sshd-watchdog in the server namespace (sock_diag is per network
# namespace: the daemon must share sshd's). Needs common.sh, netns.sh, sshd.sh.
#
#   watchdog_config "INI TEXT"   writes $WORK/watchdog.conf
#   watchdog_start               -> WATCHDOG_PID; its log is $WORK/watchdog.log
#                                WATCHDOG_ENV: "VAR=value ..." words for its
#                                environment (a private system bus, faults)
#   watchdog_log_has PATTERN     grep -E on the log
#   session_open NAME [ssh args...] [-- remote command]
#                                a client whose stdin is a fifo we hold open:
#                                -> ${NAME}_PID, ${NAME}_FD, ${NAME}_OUT
#   session_send NAME TEXT       client input (keystrokes)
#   cut_after_input NAME MONITOR LIMIT_MS
#                                a keystroke, the link cut, the monitor gone
#                                -> ELAPSED_MS

WATCHDOG_BIN=${WATCHDOG_BIN:-${top_builddir:-}/watchdog/sshd-watchdog}

watchdog_config() {
        printf '%s\n' "$1" >"$WORK/watchdog.conf"
}

watchdog_start() {
        local n
        [ -f "$WORK/watchdog.conf" ] || watchdog_config "[Watchdog]"
        n=$(grep -c '' "$WORK/watchdog.log" 2>/dev/null || echo 0)
        # shellcheck disable=SC2086
        env SSHD_WATCHDOG_LOG=stderr ${WATCHDOG_ENV:-} nsenter --net="/run/netns/$NS_SRV" -- "$WATCHDOG_BIN" --debug ${WATCHDOG_ARGS:-} \
                --config "$WORK/watchdog.conf" --state-dir "$STATE" 2>>"$WORK/watchdog.log" &
        WATCHDOG_PID=$!
        cleanup_push "kill_pid $WATCHDOG_PID"
        wait_until 10 "sshd-watchdog to start" watchdog_started "$n"
}

watchdog_started() {
        pid_alive "$WATCHDOG_PID" || fail "sshd-watchdog exited: $(tail -5 "$WORK/watchdog.log")"
        tail -n +"$(( $1 + 1 ))" "$WORK/watchdog.log" | grep -q 'MESSAGE_ID=a21ecc70344042c1a43a227fb9b3e571'
}

watchdog_log_has() { grep -qE "$1" "$WORK/watchdog.log"; }
watchdog_log_count() { grep -cE "$1" "$WORK/watchdog.log" || true; }

# session_open NAME [ssh options...] -- COMMAND...
session_open() {
        local name=$1 opts=() fd
        shift
        while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
        [ "${1:-}" = -- ] && shift
        mkfifo "$WORK/$name.in"
        # shellcheck disable=SC2046
        ip netns exec "$NS_CLI" $(ssh_cmd "${opts[@]}" "$TEST_USER@$SRV_ADDR") "$@" \
                <"$WORK/$name.in" >"$WORK/$name.out" 2>"$WORK/$name.err" &
        printf -v "${name}_PID" %s $!
        cleanup_push "kill_pid $!"
        exec {fd}>"$WORK/$name.in"
        printf -v "${name}_FD" %s "$fd"
        printf -v "${name}_OUT" %s "$WORK/$name.out"
        cleanup_push "exec $fd>&-"
}

session_send() {
        local fd_var="${1}_FD"
        printf '%s' "$2" >&"${!fd_var}"
}

# Records currently in the state dir.
record_count() {
        find "$STATE/sessions" -mindepth 1 -maxdepth 1 ! -name '.*' 2>/dev/null | wc -l
}

# Predicates for wait_until: they are evaluated on every poll, which a
# "$(...)" argument to wait_until is not.
records_are() { [ "$(record_count)" = "$1" ]; }
no_live_pids_of() { [ -z "$(own_live_pids "$1")" ]; }

# The local (client-side) port of a client's connection, for a per-connection cut.
client_port() {
        ip netns exec "$NS_CLI" ss -Htnp "dst $SRV_ADDR:22" | grep "pid=$1," | awk '{print $4}' | sed 's/.*://'
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# typer_start NAME...: a key a second on each session NAME (no Enter)
# until typer_stop, which sets LAST_KEY_MS: a time read before the last
# key was written, so never later than the terminal's read of it (a
# test's "at least N ms after the last key" must not fail on a daemon
# that was right).
typer_start() {
        TYPER_STOP=$WORK/typer.stop TYPER_LAST=$WORK/typer.last
        rm -f "$TYPER_STOP" "$TYPER_LAST"
        (
                while [ ! -e "$TYPER_STOP" ]; do
                        now_ms >"$TYPER_LAST.new" && mv -f "$TYPER_LAST.new" "$TYPER_LAST"
                        for name in "$@"; do session_send "$name" x; done
                        sleep 1
                done
        ) &
        TYPER=$!
        cleanup_push "kill_pid $TYPER"
}
typer_stop() {
        touch "$TYPER_STOP"
        wait_until 5 "the typer to stop" pid_gone "$TYPER"
        LAST_KEY_MS=$(cat "$TYPER_LAST") || fail "the typer never typed"
}

# cut_after_input NAME MONITOR LIMIT_MS: a keystroke on session NAME, the
# link cut, and sshd's MONITOR waited for (LIMIT_MS plus 5 s at most)
# -> ELAPSED_MS, from that keystroke to the monitor's end.
cut_after_input() {
        local last
        session_send "$1" $'x\n'
        last=$(now_ms)
        link_cut
        wait_until $(( $3 / 1000 + 5 )) "the session to be ended" pid_gone "$2"
        ELAPSED_MS=$(( $(now_ms) - last ))
        log "ended $ELAPSED_MS ms after the last input (limit $3 ms)"
}
