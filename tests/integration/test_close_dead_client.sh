#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# sshd notices the dead client first: a hardened sshd (ClientAliveInterval 1,
# ClientAliveCountMax 2) closes a cut session within seconds, long before
# InputTimeoutSec (1h here). close_session sees that the client had been
# silent and answered nothing, and leaves the record marked closed; the
# daemon kills what the session left within KillGraceSec (+ 1 s) of sshd's
# close: a pty shell's nohup'd and setsid'd jobs, and a no-pty command's
# children. The journal says sshd closed it, and after how much silence.
# A third session dies while the daemon is down: the record close_session
# marked waits for it, and the daemon started after the close still kills
# the job within KillGraceSec + 1 s of it.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
scenario_start "[Watchdog]
InputTimeoutSec=1h
KillGraceSec=2s" "ClientAliveInterval 1
ClientAliveCountMax 2"

# A pty shell with a nohup'd and a setsid'd job; each writes its PID.
session_open A -tt --
wait_until 15 "a shell prompt" grep -q '\$' "$A_OUT"
session_send A $'nohup sh -c \'echo $$ >~/nohup.pid; exec sleep 600\' >/dev/null 2>&1 &\n'
session_send A $'setsid sh -c \'echo $$ >~/setsid.pid; exec sleep 601\' </dev/null >/dev/null 2>&1 &\n'
session_send A $'echo ready-$((6*7))\n'
wait_until 5 "the shell's jobs" eval '[ -s "$WORK/home/nohup.pid" ] && [ -s "$WORK/home/setsid.pid" ] && grep -q ready-42 "$A_OUT"'
# A no-pty command whose child outlives it when sshd goes.
session_open B -- 'sh -c '\''echo $$ >~/child.pid; exec sleep 602'\'' & echo up; exec sleep 603'
wait_until 15 "the no-pty command" eval '[ -s "$WORK/home/child.pid" ] && grep -q up "$B_OUT"'
wait_until 5 "both sessions watched" records_are 2
MONITORS=$(sshd_monitor_pids "$TEST_USER")
[ "$(wc -w <<<"$MONITORS")" = 2 ] || fail "expected two monitors, found: $MONITORS"
JOBS="$(cat "$WORK/home/nohup.pid") $(cat "$WORK/home/setsid.pid") $(cat "$WORK/home/child.pid")"
for p in $JOBS; do pid_alive "$p" || fail "setup: job $p is not running"; done

link_cut
cut=$(now_ms)
for m in $MONITORS; do
        wait_until 30 "sshd to close the dead session of monitor $m" pid_gone "$m"
done
closed=$(now_ms)
log "sshd closed both dead sessions $(( closed - cut )) ms after the cut (InputTimeoutSec 1h)"
for p in $JOBS; do
        wait_until 3 "leftover $p to be killed within KillGraceSec + 1 s of sshd's close" pid_gone "$p"
done
log "leftovers killed $(( $(now_ms) - closed )) ms after the later close (KillGraceSec 2000 ms)"
[ $(( $(now_ms) - closed )) -ge 1500 ] || fail "killed before KillGraceSec had passed"
wait_until 3 "the records to be removed" records_are 0

entries=$(grep 'MESSAGE_ID=c6aa9e92fec447a7b65e65958bd80be5' "$WORK/watchdog.log") || fail "no 'closed dead' entry"
[ "$(wc -l <<<"$entries")" = 2 ] || fail "expected two 'closed dead' entries: $entries"
while read -r entry; do
        for f in "USER_ID=$TEST_USER" "CLOSED_BY=sshd" "REMOTE_HOST=$CLI_ADDR" "TIMEOUT_USEC=3600000000"; do
                case "$entry" in *"$f"*) ;; *) fail "entry lacks $f: $entry" ;; esac
        done
        silent=$(sed -n 's/.*SILENT_USEC=\([0-9]*\).*/\1/p' <<<"$entry")
        # sshd gives up after ClientAliveCountMax unanswered probes: 2 s at the least.
        [ "$silent" -ge 2000000 ] || fail "SILENT_USEC=$silent: not the client's silence at the close"
        log "journal: ${entry%% \[MESSAGE_ID=*}"
done <<<"$entries"
watchdog_log_has "Killed [0-9]+ leftover process" || fail "no 'Killed' entry"
"$top_builddir/ctl/sshd-watchdogctl" --state-dir "$STATE" metrics >"$WORK/metrics.txt" || fail "sshd-watchdogctl metrics"
grep -qx 'sshd_watchdog_dead_sessions_closed_total 2' "$WORK/metrics.txt" ||
        fail "metrics do not count the two: $(grep dead_sessions "$WORK/metrics.txt")"
watchdog_log_has 'MESSAGE_ID=ffa2c22415ca4dff88de52a663886246' && fail "the daemon ended a session itself"
pid_alive "$WATCHDOG_PID" || fail "the daemon died"

link_restore
session_open C -- 'nohup sh -c '\''echo $$ >~/down.pid; exec sleep 604'\'' >/dev/null 2>&1 & echo up; exec sleep 605'
wait_until 15 "session C" eval '[ -s "$WORK/home/down.pid" ] && grep -q up "$C_OUT"'
wait_until 5 "C recorded" records_are 1
MONITOR=$(sshd_monitor_pid "$TEST_USER")
JOB=$(cat "$WORK/home/down.pid")
kill_pid "$WATCHDOG_PID"
link_cut
wait_until 30 "sshd to close C while the daemon is down" pid_gone "$MONITOR"
closed=$(now_ms)
records_are 1 || fail "close_session removed the record of a dead client's session"
"$RECORD_DUMP" "$STATE" | grep -q "^CLOSED_BY=sshd$" || fail "the record is not marked closed: $("$RECORD_DUMP" "$STATE")"
watchdog_start
wait_until 3 "C's job to be killed within KillGraceSec + 1 s of the close" pid_gone "$JOB"
log "C: closed while the daemon was down; its job killed $(( $(now_ms) - closed )) ms after the close"
wait_until 3 "C's record to be removed" records_are 0
pid_alive "$SSHD_PID" || fail "the sshd listener was killed"
log "ok"
