#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 3: a connected, idle client with ServerAliveInterval=1 is never
# ended: its probes are client input. A second idle client without probes,
# on the same uncut link, is ended: idle input, not a dead link, is what we
# time (the admin chose InputTimeoutSec knowing that).
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
scenario_start "[Watchdog]
InputTimeoutSec=3s
KillGraceSec=1s"

session_open K -o ServerAliveInterval=1 -o ServerAliveCountMax=30 -- 'echo up; cat >/dev/null'
wait_until 15 "the keepalive session" grep -q up "$K_OUT"
K_MONITOR=$(sshd_monitor_pid "$TEST_USER")
session_open Q -- 'echo up; cat >/dev/null'
wait_until 15 "the quiet session" grep -q up "$Q_OUT"
Q_MONITOR=$(sshd_monitor_pids "$TEST_USER" | grep -vx "$K_MONITOR")
[ -n "$Q_MONITOR" ] || fail "no monitor for the quiet session"

sleep 10
pid_alive "$K_MONITOR" || fail "the client with ServerAliveInterval=1 was ended"
pid_alive "$K_PID" || fail "the keepalive client exited"
pid_gone "$Q_MONITOR" || fail "the quiet client was not ended"
! grep 'MESSAGE_ID=ffa2c22415ca4dff88de52a663886246' "$WORK/watchdog.log" | grep -q "SSHD_PID=$K_MONITOR " ||
        fail "an ended entry names the keepalive session"
[ "$(record_count)" = 1 ] || fail "expected the keepalive session's record alone, found $(record_count)"
log "ok: keepalive session alive after 10 s, quiet one ended"
