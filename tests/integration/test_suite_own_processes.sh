#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The test suite touches nothing it did not start. Processes of another
# PID namespace (a container's session, say) run under the UIDs that
# useradd would give the next accounts; a whole daemon scenario runs beside
# them, with its waits for "every process of the user gone" and its
# cleanup. They must all be alive and unsignalled after it, and the
# scenario must pass: its user gets a UID that no process has, and it
# waits for and kills only processes in its own namespaces.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/common.sh"
require_root
require_cmd unshare setpriv useradd ip nft ssh
make_workdir

# What useradd picks next: one above the highest UID in UID_MIN..UID_MAX.
read -r min max < <(awk '$1 == "UID_MIN" { a = $2 } $1 == "UID_MAX" { b = $2 } END { print (a ? a : 1000), (b ? b : 60000) }' /etc/login.defs 2>/dev/null)
next=$(getent passwd | awk -F: -v min="$min" -v max="$max" '$3 >= min && $3 <= max && $3 > m { m = $3 } END { print (m ? m + 1 : min) }')

declare -A FOREIGN
for uid in $next $((next + 1)) $((next + 2)) $((next + 3)); do
        unshare --pid --fork --kill-child --mount-proc setpriv --reuid="$uid" --regid="$uid" --clear-groups \
                sleep 1000 </dev/null >/dev/null 2>&1 &
        outer=$!
        cleanup_push "kill_pid $outer"
        wait_until 5 "the process of UID $uid in its own PID namespace" eval "[ -n \"\$(cat /proc/$outer/task/$outer/children 2>/dev/null)\" ]"
        inner=$(tr -d ' ' </proc/$outer/task/$outer/children)
        FOREIGN[$inner]=$(proc_starttime "$inner")
        # A change of UID clears --kill-child's parent-death signal: by PID.
        cleanup_push "kill_ours $inner ${FOREIGN[$inner]}"
        wait_until 5 "UID $uid to be taken" eval "[ \"\$(awk '/^Uid:/ { print \$2 }' /proc/$inner/status)\" = $uid ]"
done
log "foreign processes (another PID namespace): $(for p in "${!FOREIGN[@]}"; do printf '%s (UID %s) ' "$p" "$(awk '/^Uid:/ { print $2 }' /proc/$p/status)"; done)"

rc=0
bash "$top_srcdir/tests/integration/test_watchdog_output_not_input.sh" >"$WORK/scenario.log" 2>&1 || rc=$?
for p in "${!FOREIGN[@]}"; do
        [ "$(proc_starttime "$p" 2>/dev/null)" = "${FOREIGN[$p]}" ] && pid_alive "$p" ||
                fail "the scenario killed process $p of another PID namespace: $(tail -3 "$WORK/scenario.log")"
        [ "$(awk '/^State:/ { print $2 }' /proc/$p/status)" = S ] || fail "process $p was stopped or signalled"
done
[ "$rc" = 0 ] || fail "the scenario failed beside them: $(tail -5 "$WORK/scenario.log")"
log "ok: the scenario passed beside them, and every one lives on"
