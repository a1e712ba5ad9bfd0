#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The scope a registered session gets on a systemd host whose sshd runs all
# sessions in its own cgroup (UsePAM no), against a fake systemd on a
# private bus that moves PIDs into real cgroups, or fails as the real one
# only does when things go wrong:
#  ok       the helper (named by its pidfd), everything it starts (a
#           setsid'd job that leaves sshd's process tree) and a second
#           channel of the connection are in the scope; the cut ends the
#           session and kills the job through the scope's cgroup.
#  pids     systemd 252 refuses PIDFDs=: asked again by PID, the scope
#           checked to hold the helper alone, and used as above.
#  crowd    the scope holds another process beside the helper: no proof,
#           recorded without a scope.
#  fail     systemd refuses: the session is recorded without a cgroup of its
#           own (logged), still ended by its process tree, and the escaped
#           job, which nothing proves to be the session's, is left alive and
#           the journal says why.
#  silent   systemd never answers; no-move: it answers but moves nothing.
#           Either way the command runs within the helper's wait and the
#           record claims no scope.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
. "$top_srcdir/tests/lib/bus.sh"
EXEC_BIN=${EXEC_BIN:-${top_builddir:-}/exec/sshd-watchdog-exec}
require_cmd dbus-daemon

scenario_setup
cgroup_tree_create
scenario_exec_setup
mkdir -p -m 0755 "$STATE"
bus_start
fake_systemd_start --cgroot "$CGROOT" --mode ok
SSHD_USE_PAM=no scenario_sshd "ForceCommand $WORK/sshd-watchdog-exec --debug --state-dir=$STATE"
WATCHDOG_ENV="DBUS_SYSTEM_BUS_ADDRESS=$BUS_ADDRESS" WATCHDOG_ARGS="--transient-scopes=yes" scenario_watchdog "[Watchdog]
InputTimeoutSec=3s
KillGraceSec=1s"

record_of() { grep -l "^SSHD_PID=$1\$" "$STATE"/sessions/* 2>/dev/null | head -1; }
field() { sed -n "s/^$2=//p" "$1"; }
# open_with_job NAME TAG: a shell session that left a setsid'd job.
open_with_job() {
        session_open "$1" -tt -o ControlMaster=yes -o "ControlPath=$WORK/$1.mux" --
        wait_until 15 "session $1" grep -q '\$' "$WORK/$1.out"
        session_send "$1" "setsid sleep $2 </dev/null >/dev/null 2>&1 &"$'\n'"echo job-\$((6*7))"$'\n'
        wait_until 5 "the job of $1" grep -q job-42 "$WORK/$1.out"
}
# ---------------------------------------------------------------- ok
open_with_job A 3501
rec=$(ls -t "$STATE"/sessions/* | head -1)
A_MONITOR=$(field "$rec" SSHD_PID)
grep -q 'OK watched' "$WORK/A.out" || fail "helper A was not answered 'OK watched': $(tr -d '\r' <"$WORK/A.out" | head -3)"
unit="sshd-watchdog-$(basename "$rec").scope"
[ "$(field "$rec" CGROUP)" = "${CGROOT#"$(cgroup2_mount)"}/$unit" ] || fail "record A names cgroup $(field "$rec" CGROUP), not the scope $unit"
[ "$(field "$rec" CGROUP_ID)" = "$(stat -c %i "$CGROOT/$unit")" ] || fail "record A's CGROUP_ID is not the scope's inode"
A_JOB=$(own_procs -u "$TEST_USER" -xf 'sleep 3501') || fail "no job in A"
grep -qx "$A_JOB" "$CGROOT/$unit/cgroup.procs" || fail "A's job is not in the scope"
# A second channel joins the scope.
ip netns exec "$NS_CLI" $(ssh_cmd -o ControlMaster=no -o "ControlPath=$WORK/A.mux" "$TEST_USER@$SRV_ADDR") \
        'sleep 3502' </dev/null >"$WORK/A2.out" 2>&1 &
cleanup_push "kill_pid $!"
wait_until 5 "A's second channel" quietly own_procs -u "$TEST_USER" -xf 'sleep 3502'
A2=$(own_procs -u "$TEST_USER" -xf 'sleep 3502')
wait_until 4 "the second channel in the scope" grep -qx "$A2" "$CGROOT/$unit/cgroup.procs"
grep -q "^call AttachProcessesToUnit $unit " "$WORK/systemd.log" || fail "no AttachProcessesToUnit for the second channel"
[ "$(ls "$STATE"/sessions | wc -l)" = 1 ] || fail "the second channel was recorded again"
link_cut "$(client_port "$A_PID")"
wait_until 6 "session A to be ended" pid_gone "$A_MONITOR"
wait_until 3 "A's job and second channel to be killed" eval "pid_gone $A_JOB && pid_gone $A2"
wait_until 3 "A's record to go" records_are 0
watchdog_log_has "Killed [0-9]+ leftover process.*sshd PID $A_MONITOR.*in its cgroup" ||
        fail "A's leftovers were not killed through its scope: $(grep -i leftover "$WORK/watchdog.log" | tail -2)"
link_restore
grep -q "^call StartTransientUnit $unit pids=1 first=[0-9]* pidfds=1 " "$WORK/systemd.log" ||
        fail "the scope was not asked for by pidfd: $(grep StartTransientUnit "$WORK/systemd.log")"
log "ok: a scope of its own (the helper named by pidfd), joined by a second channel, killed as a unit"

# ---------------------------------------------------------------- pids
# systemd 252 takes no PIDFDs=: the daemon asks again by PID, and checks
# that the scope holds the helper alone.
kill_pid "$SYSTEMD_PID"
fake_systemd_start --cgroot "$CGROOT" --mode ok --pidfds no
open_with_job P 3521
rec=$(ls -t "$STATE"/sessions/* | head -1)
P_MONITOR=$(field "$rec" SSHD_PID)
unit="sshd-watchdog-$(basename "$rec").scope"
grep -q '^call StartTransientUnit refused PIDFDs' "$WORK/systemd.log" || fail "PIDFDs= was not tried first"
grep -q "^call StartTransientUnit $unit pids=1 first=[0-9]* pidfds=0 " "$WORK/systemd.log" ||
        fail "no second start by PID: $(grep StartTransientUnit "$WORK/systemd.log" | tail -2)"
[ "$(field "$rec" CGROUP_ID)" = "$(stat -c %i "$CGROOT/$unit")" ] || fail "record P does not claim its scope"
watchdog_log_has "systemd takes no PIDFDs=" || fail "the fallback is not said"
P_JOB=$(own_procs -u "$TEST_USER" -xf 'sleep 3521') || fail "no job in P"
link_cut "$(client_port "$P_PID")"
wait_until 6 "session P to be ended" pid_gone "$P_MONITOR"
wait_until 3 "P's job to be killed through its scope" pid_gone "$P_JOB"
wait_until 3 "P's record to go" records_are 0
link_restore
log "pids: a systemd without PIDFDs= got the helper by PID, and the scope was checked"

# ---------------------------------------------------------------- crowd
# The scope holds another process beside the helper: no proof.
kill_pid "$SYSTEMD_PID"
fake_systemd_start --cgroot "$CGROOT" --mode crowd --pidfds no
session_open Q -o ServerAliveInterval=1 -- 'echo up; cat >/dev/null'
wait_until 15 "session Q" grep -q up "$WORK/Q.out"
rec=$(ls -t "$STATE"/sessions/* | head -1)
grep -q '^CGROUP_ID=' "$rec" && fail "record Q claims a scope that holds another process"
watchdog_log_has "No scope of its own for session $(basename "$rec") .*holds other processes than the helper" ||
        fail "the crowded scope is not said"
kill_pid "$Q_PID"
wait_until 5 "Q to close" records_are 0
log "crowd: a scope that holds more than the helper is no proof"

# ---------------------------------------------------------------- fail
kill_pid "$SYSTEMD_PID"
fake_systemd_start --cgroot "$CGROOT" --mode fail
open_with_job B 3511
rec=$(ls -t "$STATE"/sessions/* | head -1)
B_MONITOR=$(field "$rec" SSHD_PID)
grep -q 'OK watched' "$WORK/B.out" || fail "helper B was not answered 'OK watched'"
grep -q '^CGROUP_ID=' "$rec" && fail "record B claims a cgroup of its own though systemd refused"
watchdog_log_has "No scope of its own for session $(basename "$rec") .*refused \\(injected\\)" || fail "the refusal is not logged"
B_JOB=$(own_procs -u "$TEST_USER" -xf 'sleep 3511') || fail "no job in B"
link_cut "$(client_port "$B_PID")"
wait_until 6 "session B to be ended" pid_gone "$B_MONITOR"
wait_until 3 "B's record to go" records_are 0
wait_until 3 "the final entry of B" watchdog_log_has "sshd PID $B_MONITOR.*by its process tree only"
pid_alive "$B_JOB" || fail "B's escaped job was killed though nothing proved it B's"
kill -KILL "$B_JOB"
link_restore
log "fail: recorded without a scope, ended by its process tree, the unproven job left (and said)"

# ---------------------------------------------------------------- silent, no-move
# These logins wait up to 3 s for systemd: longer than the 3 s limit.
watchdog_config "[Watchdog]
InputTimeoutSec=60s"
kill -HUP "$WATCHDOG_PID"
wait_until 5 "the reload" watchdog_log_has "InputTimeoutSec=1min"
warned=2 # the crowd and fail rounds

for mode in silent no-move; do
        warned=$((warned + 1))
        kill_pid "$SYSTEMD_PID"
        fake_systemd_start --cgroot "$CGROOT" --mode "$mode"
        t0=$(now_ms)
        out=$(ip netns exec "$NS_CLI" $(ssh_cmd "$TEST_USER@$SRV_ADDR") 'echo ran-$((6*7))' </dev/null 2>&1) ||
                fail "$mode: the command failed: $out"
        took=$(( $(now_ms) - t0 ))
        case "$out" in *ran-42*) ;; *) fail "$mode: the command did not run: $out" ;; esac
        case "$out" in *"OK watched"*) ;; *) fail "$mode: the helper was not answered: $out" ;; esac
        [ "$took" -lt 5000 ] || fail "$mode: the login took $took ms"
        n=$(watchdog_log_count 'No scope of its own for session')
        [ "$n" = "$warned" ] || fail "$mode: $n warnings of a session without a scope, want $warned"
        log "$mode: the command ran after $took ms, recorded without a scope"
done
wait_until 5 "the logouts to remove the records" records_are 0
pid_alive "$WATCHDOG_PID" || fail "the daemon died"
log "ok"
