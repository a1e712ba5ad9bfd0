#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A logind session the login did not get for itself is never
# killed. sshd runs inside an admin's session scope (started by hand from
# that login, so pam_systemd would say "Already running in a session"), our
# line comes after pam_env user_readenv=1, and the user's ~/.pam_environment
# says XDG_SESSION_ID=5, the admin's session. The kernel agrees that sshd's
# monitor is in session-5.scope: it inherited it. Ending the user's silent
# session must kill its own job and never ask logind to kill session 5.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
. "$top_srcdir/tests/lib/bus.sh"
scenario_setup
cgroup_tree_create
bus_start
fake_logind_start

# The admin's session: a shell, and the sshd started from it.
cgroup_mkdir session-5.scope
"$EXEC_IN" --cgroup "$CGROOT/session-5.scope" -- sleep 3201 &
ADMIN_SHELL=$!
cleanup_push "kill -KILL $ADMIN_SHELL"
printf 'XDG_SESSION_ID DEFAULT=5\n' >"$WORK/home/.pam_environment"
chown "$TEST_USER" "$WORK/home/.pam_environment"
SSHD_WRAP="$EXEC_IN --cgroup $CGROOT/session-5.scope --"
SCENARIO_PAM="session required pam_loginuid.so
session required pam_env.so user_readenv=1 conffile=/dev/null envfile=/dev/null
session optional @MODULE@ statedir=@STATE@" scenario_sshd
WATCHDOG_ENV="DBUS_SYSTEM_BUS_ADDRESS=$BUS_ADDRESS" scenario_watchdog "[Watchdog]
InputTimeoutSec=3s
KillGraceSec=1s"

session_open A -- 'nohup sleep 3202 >/dev/null 2>&1 & echo up; cat >/dev/null'
wait_until 15 "the session" grep -q up "$A_OUT"
MONITOR=$(sshd_monitor_pid "$TEST_USER")
JOB=$(own_procs -u "$TEST_USER" -f '^sleep 3202$') || fail "no nohup'd job"
grep -qx "$MONITOR" <(cgroup_pids session-5.scope) || fail "setup: the monitor is not in the admin's scope"
"$RECORD_DUMP" "$STATE" >"$WORK/record" || fail "record refused"
grep -q '^SESSION_ID=' "$WORK/record" && fail "an inherited logind session was recorded: $(tr '\n' ' ' <"$WORK/record")"

link_cut
wait_until 8 "the session to be ended" pid_gone "$MONITOR"
wait_until 4 "the session's job to be killed" pid_gone "$JOB"
sleep 1
[ "$(logind_calls KillSession 5)" = 0 ] || fail "logind was asked to kill the admin's session 5"
pid_alive "$ADMIN_SHELL" || fail "the admin's shell was killed"
pid_alive "$SSHD_PID" || fail "the sshd listener was killed"
pid_alive "$WATCHDOG_PID" || fail "the daemon died"
log "ok: own job killed, the admin's session left alone"
