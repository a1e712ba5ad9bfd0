#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The daemon times sshd's connection, not another one the monitor
# holds. A PAM module before ours keeps a TCP connection open in sshd's
# monitor (as an LDAP or RADIUS module would), over IPv6 loopback to a peer
# that sends a byte every 200 ms; sshd runs with UseDNS yes, so PAM_RHOST is
# the client's host name, not its address. Cutting the ssh link must end the
# session at its deadline whatever the other connection does.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
scenario_setup
PORT=$(( 7000 + $$ % 1000 ))
net_srv "$HELPERS/tcp-talker" ::1 "$PORT" 200 >"$WORK/talker.out" 2>&1 &
cleanup_push "kill_pid $!"
wait_until 5 "the busy peer" grep -q listening "$WORK/talker.out"

printf '127.0.0.1 localhost\n%s client.swd.test\n' "$CLI_ADDR" >"$WORK/hosts"
SSHD_WRAP="$EXEC_IN --bind $WORK/hosts /etc/hosts --"
SCENARIO_PAM="session required pam_loginuid.so
session required $HELPERS/.libs/pam_hold_tcp.so port=$PORT
session optional @MODULE@ statedir=@STATE@" scenario_sshd "UseDNS yes"
scenario_watchdog "[Watchdog]
InputTimeoutSec=3s
KillGraceSec=1s"

session_open A -- 'echo up; cat >/dev/null'
wait_until 15 "the session" grep -q up "$A_OUT"
MONITOR=$(sshd_monitor_pid "$TEST_USER")
"$RECORD_DUMP" "$STATE" >"$WORK/record" || fail "record refused"
grep -qx 'REMOTE_HOST=client.swd.test' "$WORK/record" || fail "setup: UseDNS gave no host name: $(tr '\n' ' ' <"$WORK/record")"
tcp=$(ls -l "/proc/$MONITOR/fd" | grep -c 'socket:')
[ "$tcp" -ge 2 ] || fail "setup: the monitor holds $tcp sockets, want the ssh one and the module's"
net_srv ss -Htn "dst [::1]:$PORT" | grep -q ESTAB || fail "setup: the module's connection is not up"

cut_after_input A "$MONITOR" 3000
[ "$ELAPSED_MS" -le 3600 ] || fail "ended late: $ELAPSED_MS ms"
entry=$(grep 'MESSAGE_ID=ffa2c22415ca4dff88de52a663886246' "$WORK/watchdog.log") || fail "no ended entry"
case $entry in *"REMOTE_HOST=client.swd.test"*) ;; *) fail "ended entry lacks the host name: $entry" ;; esac
log "ok: the ssh connection was timed, not the module's"
