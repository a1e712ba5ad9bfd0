#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A session whose sshd died without closing it (no
# close_session: its record stays) is ended like a silent one, and its
# record goes. A: sshd's monitor is SIGKILLed while the daemon runs. B: it
# is SIGKILLed while the daemon is down; the daemon finds it at start. Both
# leave a nohup'd job in the session's own audit session. C: the sessions
# directory is removed under the daemon: it exits non-zero, so that systemd
# restarts it, rather than run blind.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
scenario_start "[Watchdog]
InputTimeoutSec=3s
KillGraceSec=1s"

# crash NAME TAG -> CRASHED_JOB: a session with a nohup'd job whose monitor is SIGKILLed.
crash() {
        local monitor
        session_open "$1" -- "nohup sleep $2 >/dev/null 2>&1 & echo up; cat >/dev/null"
        wait_until 15 "session $1" grep -q up "$WORK/$1.out"
        monitor=$(sshd_monitor_pids "$TEST_USER" | tail -1)
        CRASHED_JOB=$(own_procs -u "$TEST_USER" -f "^sleep $2\$") || fail "no job in session $1"
        wait_until 5 "the record of $1" records_are 1
        kill -KILL "$monitor"
        wait_until 5 "the session's sshd to be gone" pid_gone "$monitor"
        sleep 0.5
        pid_alive "$CRASHED_JOB" || fail "setup: the job died with sshd"
        records_are 1 || fail "setup: the record went with the crash"
}

crash A 3501
crashed_at=$(now_ms)
wait_until 8 "A's job to be killed" pid_gone "$CRASHED_JOB"
log "A: job killed $(( $(now_ms) - crashed_at )) ms after the crash (InputTimeoutSec 3000 ms)"
wait_until 2 "A's record to be removed" records_are 0
watchdog_log_has 'MESSAGE_ID=ffa2c22415ca4dff88de52a663886246.*' || fail "no ended entry for A"
watchdog_log_has 'sshd.*(exited|gone|crashed).*without closing' || fail "the journal does not say why A was ended"

kill_pid "$WATCHDOG_PID"
crash B 3502
watchdog_start
wait_until 4 "B's job to be killed at start-up" pid_gone "$CRASHED_JOB"
wait_until 2 "B's record to be removed" records_are 0

rm -rf "$STATE/sessions"
wait_until 5 "the daemon to exit" pid_gone "$WATCHDOG_PID"
rc=0
wait "$WATCHDOG_PID" || rc=$?
[ "$rc" != 0 ] || fail "the daemon exited 0 after losing its sessions directory"
watchdog_log_has "sessions.*(removed|moved)" || fail "the daemon did not say why it exited"
log "ok"
