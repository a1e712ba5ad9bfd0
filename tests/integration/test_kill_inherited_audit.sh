#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# An audit session id the login did not get for itself is no
# proof. sshd is started by hand from an admin's login (it carries that
# login's audit session id), and the PAM stack has no pam_loginuid, so every
# ssh session inherits the admin's id. Started from the same admin login: a
# process of another user and a daemonized root service. Ending the silent
# session must kill its own nohup'd job (its process tree) and nothing else:
# not the bystanders, not the listener.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
scenario_setup
[ -w /proc/self/loginuid ] || skip "needs a writable /proc/self/loginuid (audit)"

# The admin's login: one audit session, from which sshd and two bystanders start.
cat >"$WORK/admin-login" <<'EOF'
#!/bin/sh
setsid setpriv --reuid=nobody --regid=nogroup --clear-groups sleep 3001 </dev/null >/dev/null 2>&1 &
echo $! >"$ADMIN_DIR/other-user.pid"
setsid sleep 3002 </dev/null >/dev/null 2>&1 &
echo $! >"$ADMIN_DIR/service.pid"
exec "$@"
EOF
chmod +x "$WORK/admin-login"
export ADMIN_DIR=$WORK
SSHD_WRAP="$EXEC_IN --loginuid 0 -- $WORK/admin-login"
SCENARIO_PAM="session optional @MODULE@ statedir=@STATE@" scenario_sshd
wait_until 5 "the bystanders" test -s "$WORK/service.pid"
OTHER=$(cat "$WORK/other-user.pid")
SERVICE=$(cat "$WORK/service.pid")
cleanup_push "kill -KILL $OTHER $SERVICE"
ADMIN_AUDIT=$(cat "/proc/$SSHD_PID/sessionid")
[ "$ADMIN_AUDIT" != 4294967295 ] || fail "setup: the admin login has no audit session id"
[ "$(cat "/proc/$OTHER/sessionid")" = "$ADMIN_AUDIT" ] || fail "setup: the other user's process is not in the admin's audit session"

scenario_watchdog "[Watchdog]
InputTimeoutSec=3s
KillGraceSec=1s"

session_open A -- 'nohup sleep 3003 >/dev/null 2>&1 & echo up; cat >/dev/null'
wait_until 15 "the session" grep -q up "$A_OUT"
MONITOR=$(sshd_monitor_pid "$TEST_USER")
JOB=$(own_procs -u "$TEST_USER" -f '^sleep 3003$') || fail "no nohup'd job"
[ "$(cat "/proc/$JOB/sessionid")" = "$ADMIN_AUDIT" ] || fail "setup: the session did not inherit the admin's audit session"
"$RECORD_DUMP" "$STATE" >"$WORK/record" || fail "record refused"
grep -q '^AUDIT_SESSION=' "$WORK/record" && fail "an inherited audit session id was recorded: $(tr '\n' ' ' <"$WORK/record")"

link_cut
wait_until 8 "the session to be ended" pid_gone "$MONITOR"
wait_until 4 "the session's nohup'd job to be killed (process tree)" pid_gone "$JOB"
sleep 1
pid_alive "$OTHER" || fail "another user's process in the admin's audit session was killed"
pid_alive "$SERVICE" || fail "a service started from the admin's login was killed"
pid_alive "$SSHD_PID" || fail "the sshd listener was killed"
pid_alive "$WATCHDOG_PID" || fail "the daemon died"
log "ok: own job killed, bystanders in the inherited audit session left alone"
