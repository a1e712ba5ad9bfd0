#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# sshd-watchdog-exec as ForceCommand on an sshd with UsePAM no: no PAM
# module records anything, the helper registers each session with the
# daemon, which finds the monitor from the kernel alone and writes the
# record. Then the link is cut under an idle shell with a nohup'd job, a
# printing command, an sftp session (internal-sftp in sshd_config: the
# helper runs sftp-server instead), a stalled `scp -t` sink and a shell with
# a -L forward: each is ended at its deadline and every process of it goes.
# A keepalive client on the same link stays. Before the daemon runs, the
# helper still runs the command (exit status kept); a helper started
# outside ssh is refused and still runs its command; a logout removes the
# record and kills nothing.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
EXEC_BIN=${EXEC_BIN:-${top_builddir:-}/exec/sshd-watchdog-exec}

scenario_setup
scenario_exec_setup
mkdir -p -m 0755 "$STATE"
SSHD_USE_PAM=no scenario_sshd "ForceCommand $WORK/sshd-watchdog-exec --state-dir=$STATE"

ssh_in() { # ssh_in [ssh options] -- COMMAND: one command, its output on stdout
        local opts=()
        while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
        shift
        # shellcheck disable=SC2046
        ip netns exec "$NS_CLI" $(ssh_cmd "${opts[@]}" "$TEST_USER@$SRV_ADDR") "$@"
}

# --- no daemon yet: the command runs, its exit status is kept
out=$(ssh_in -- 'echo "cmd:$SSH_ORIGINAL_COMMAND"; exit 7' </dev/null) && st=0 || st=$?
[ "$st" = 7 ] || fail "exit status $st without the daemon (want 7); output: $out"
case "$out" in *'cmd:echo "cmd:$SSH_ORIGINAL_COMMAND"; exit 7'*) ;; *) fail "the command did not run: $out" ;; esac
log "without the daemon: the command ran, exit status 7"

scenario_watchdog "[Watchdog]
InputTimeoutSec=4s
KillGraceSec=1s"

# --- a logout removes the record and kills nothing
out=$(ssh_in -- 'nohup sleep 301 >/dev/null 2>&1 & echo ok-$((6*7))' </dev/null) || fail "ssh with a command failed: $out"
[ "$out" = ok-42 ] || fail "unexpected output: $out"
LOGOUT_JOB=$(own_procs -u "$TEST_USER" -xf 'sleep 301') || fail "no job of the logged-out session"
cleanup_push "kill_pid $LOGOUT_JOB"
wait_until 5 "the registration to be logged" watchdog_log_has "Registered session .* of $TEST_USER from $CLI_ADDR"
wait_until 5 "the logout to remove the record" eval "records_are 0 && watchdog_log_has 'closed \\(sshd PID [0-9]+ exited\\); removing its record'"
pid_alive "$LOGOUT_JOB" || fail "a logout killed the session's nohup'd job"
log "logout: record removed, its nohup'd job left running"

# --- a helper started outside ssh is refused, and runs its command anyway
out=$(setpriv --reuid="$TEST_USER" --regid="$(id -g "$TEST_USER")" --clear-groups \
        "$WORK/sshd-watchdog-exec" --debug --state-dir="$STATE" -- echo ran-anyway 2>&1) || fail "the helper failed: $out"
case "$out" in *"NO "*"not sshd"*) ;; *) fail "a helper outside ssh was not refused: $out" ;; esac
case "$out" in *ran-anyway*) ;; *) fail "the refused helper did not run its command: $out" ;; esac
watchdog_log_has "Refused to register PID [0-9]+ of UID $TEST_UID" || fail "the refusal is not logged"
log "outside ssh: refused ($(grep -o 'Refused to register.*' "$WORK/watchdog.log" | head -1))"

# --- the sessions to be cut
# The real sftp client, its commands from a fifo (a subsystem request:
# SSH_ORIGINAL_COMMAND=internal-sftp, which the helper maps).
sftp_open() {
        mkfifo "$WORK/SFTP.in"
        ip netns exec "$NS_CLI" sftp -b - -F /dev/null -i "$CLIENT_KEY" -o StrictHostKeyChecking=no \
                -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR "$TEST_USER@$SRV_ADDR" \
                <"$WORK/SFTP.in" >"$WORK/SFTP.out" 2>"$WORK/SFTP.err" &
        cleanup_push "kill_pid $!"
        exec {SFTP_FD}>"$WORK/SFTP.in"
        cleanup_push "exec $SFTP_FD>&-"
}
FWD_PORT=2222
# First the keepalive client alone: idle but for its probes, it must
# outlive the limit.
session_open KEEP -tt -o ServerAliveInterval=1 --
wait_until 15 "the keepalive client's record" records_are 1
keep_opened=$(now_ms)
while [ $(( $(now_ms) - keep_opened )) -lt 5500 ]; do sleep 0.2; done
[ "$(watchdog_log_count 'MESSAGE_ID=ffa2c22415ca4dff88de52a663886246')" = 0 ] || fail "the keepalive client was ended"
records_are 1 || fail "the keepalive client's record went"
log "the keepalive client stayed $(( $(now_ms) - keep_opened )) ms idle with a 4 s limit"
session_open IDLE -tt -o ControlMaster=yes -o "ControlPath=$WORK/mux" --
session_open PRINT -- 'while :; do echo tick; sleep 0.2; done'
sftp_open
session_open SCP -- 'scp -t /dev/null'
session_open FWD -tt -L "$FWD_PORT:127.0.0.1:$FWD_PORT" --
wait_until 15 "six registered records" records_are 6
[ "$(grep -l '^REGISTERED=exec$' "$STATE"/sessions/* | wc -l)" = 6 ] || fail "records without REGISTERED=exec"
[ "$(grep -l '^SOCKET_INODE=' "$STATE"/sessions/* | wc -l)" = 6 ] || fail "a record does not name its TCP connection"

session_send IDLE $'nohup sleep 302 >/dev/null 2>&1 &\necho started-$((6*7))\n'
wait_until 5 "the nohup job" grep -q started-42 "$IDLE_OUT"
wait_until 5 "sftp-server" quietly own_procs -u "$TEST_USER" -f /usr/lib/openssh/sftp-server
printf 'pwd\n' >&"$SFTP_FD"
wait_until 5 "sftp to answer" grep -q 'Remote working directory' "$WORK/SFTP.out"
NOHUP=$(own_procs -u "$TEST_USER" -xf 'sleep 302') || fail "no nohup'd sleep"
# A second channel of the idle shell's connection (connection sharing): the
# helper runs again under the same monitor; no second record.
ip netns exec "$NS_CLI" $(ssh_cmd -o ControlMaster=no -o "ControlPath=$WORK/mux" "$TEST_USER@$SRV_ADDR") \
        'sleep 304' </dev/null >/dev/null 2>&1 &
cleanup_push "kill_pid $!"
wait_until 5 "the second channel's command" quietly own_procs -u "$TEST_USER" -xf 'sleep 304'
MUXED=$(own_procs -u "$TEST_USER" -xf 'sleep 304')
sleep 0.3
records_are 6 || fail "$(record_count) records: the second channel was recorded again"
wait_until 5 "the printing session to print" grep -q tick "$WORK/PRINT.out"
[ "$(watchdog_log_count 'MESSAGE_ID=ffa2c22415ca4dff88de52a663886246')" = 0 ] || fail "a session was ended before the cut"

sleep 0.5
link_cut
cut_at=$(now_ms)
wait_until 8 "the six sessions to be ended" eval "[ \$(watchdog_log_count 'MESSAGE_ID=ffa2c22415ca4dff88de52a663886246') -ge 6 ]"
log "six ended $(( $(now_ms) - cut_at )) ms after the cut (InputTimeoutSec=4s from the last input)"
wait_until 4 "every process of the six to be gone" eval "[ -z \"\$(own_live_pids $TEST_USER | grep -vx $LOGOUT_JOB)\" ]"
wait_until 4 "their records to go" records_are 0
[ "$(watchdog_log_count 'MESSAGE_ID=ffa2c22415ca4dff88de52a663886246')" = 6 ] || fail "not exactly six endings"
# Each at its deadline, by the kernel's clock of the silence.
late=$(grep 'MESSAGE_ID=ffa2c22415ca4dff88de52a663886246' "$WORK/watchdog.log" |
        sed -n 's/.*SILENT_USEC=\([0-9]*\) TIMEOUT_USEC=\([0-9]*\).*/\1 \2/p' | awk '{ print int(($1 - $2) / 1000) }' | sort -n | tr '\n' ' ')
log "SIGTERMs after their deadlines (ms): $late"
[ "$(wc -w <<<"$late")" = 6 ] || fail "cannot read the six endings' silences"
for ms in $late; do [ "$ms" -ge 0 ] && [ "$ms" -le 300 ] || fail "an ending $ms ms after its deadline"; done
pid_gone "$NOHUP" || fail "the nohup'd job lives"
pid_gone "$MUXED" || fail "the second channel's command lives"
pid_alive "$LOGOUT_JOB" || fail "the logged-out session's job was killed"
pid_alive "$SSHD_PID" || fail "the sshd listener was killed"
pid_alive "$WATCHDOG_PID" || fail "the daemon died"
log "ok"
