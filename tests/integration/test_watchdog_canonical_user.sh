#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# [User:] and ExemptUsers match the account's own name, not
# the name the client typed. With sssd, "alice@EXAMPLE" or "ALICE" log in as
# alice; the PAM user name is what was typed. The test writes such a name
# into a live session's record (as an older module would have recorded it)
# before the daemon starts; the user is exempt under the account's name.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
scenario_setup
scenario_sshd
session_open A -- 'echo up; cat >/dev/null'
wait_until 15 "the session" grep -q up "$A_OUT"
MONITOR=$(sshd_monitor_pid "$TEST_USER")
wait_until 5 "the record" records_are 1
name=$(ls "$STATE/sessions")
typed="${TEST_USER^^}@EXAMPLE.TEST"
sed "s/^USER=.*/USER=$typed/" "$STATE/sessions/$name" >"$STATE/sessions/.$name.tmp"
chmod 0600 "$STATE/sessions/.$name.tmp"
mv "$STATE/sessions/.$name.tmp" "$STATE/sessions/$name"
"$RECORD_DUMP" "$STATE" | grep -qx "USER=$typed" || fail "setup: the record does not carry the typed name"

scenario_watchdog "[Watchdog]
InputTimeoutSec=2s
KillGraceSec=1s
ExemptUsers=@USER@"
link_cut
sleep 4
pid_alive "$MONITOR" || fail "the session of an exempt user (logged in as $typed) was ended"
watchdog_log_has "never ended \(exempt\).*SSHD_PID=$MONITOR" || fail "the session was not reported exempt"
log "ok"
