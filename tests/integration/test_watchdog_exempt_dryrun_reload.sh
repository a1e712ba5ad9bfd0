#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 4: an exempt user stays; in DryRun the session stays and the
# dry-run entry is written once. Switching between the two is a SIGHUP
# reload, and a broken config on reload is logged with file:line while the
# running one is kept.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
scenario_start "[Watchdog]
InputTimeoutSec=2s
KillGraceSec=1s
ExemptUsers=@USER@"

session_open E -- 'echo up; cat >/dev/null'
wait_until 15 "the session" grep -q up "$E_OUT"
MONITOR=$(sshd_monitor_pid "$TEST_USER")
wait_until 5 "the exempt entry" watchdog_log_has "never ended \(exempt\).*SSHD_PID=$MONITOR"
link_cut
sleep 4
pid_alive "$MONITOR" || fail "an exempt user's session was ended"

# DryRun for everyone, by reload.
watchdog_config "[Watchdog]
InputTimeoutSec=2s
KillGraceSec=1s
DryRun=yes"
kill -HUP "$WATCHDOG_PID"
wait_until 5 "the dry-run entry" watchdog_log_has "MESSAGE_ID=d212121192f942389023d3017b40cde0.*SSHD_PID=$MONITOR"
sleep 5
pid_alive "$MONITOR" || fail "DryRun ended a session"
n=$(watchdog_log_count "MESSAGE_ID=d212121192f942389023d3017b40cde0")
[ "$n" = 1 ] || fail "the dry-run entry was written $n times for one silence"
watchdog_log_has "MESSAGE_ID=ffa2c22415ca4dff88de52a663886246" && fail "DryRun wrote an ended entry"

# A broken config on reload: file:line in the log, the old one kept (still dry run).
watchdog_config "[Watchdog]
InputTimeoutSec=2s
DryRun=perhaps"
kill -HUP "$WATCHDOG_PID"
wait_until 5 "the reload error" watchdog_log_has "watchdog.conf:3: DryRun=: expected yes or no"
watchdog_log_has "Keeping the running configuration" || fail "no word that the old config is kept"
sleep 3
pid_alive "$MONITOR" || fail "a broken reload dropped DryRun"
pid_alive "$WATCHDOG_PID" || fail "the daemon died on a broken reload"

# And --check-config says the same, with exit status 1.
if "$WATCHDOG_BIN" --check-config --config "$WORK/watchdog.conf" 2>"$WORK/check.err"; then
        fail "--check-config accepted a broken file"
fi
grep -q "watchdog.conf:3: DryRun=" "$WORK/check.err" || fail "--check-config said: $(cat "$WORK/check.err")"
log "ok"
