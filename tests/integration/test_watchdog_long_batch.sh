#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# With WatchdogSec= in the unit, a start-up batch longer than the
# watchdog period must not get the daemon aborted by the service manager.
# sd-event pings only between events; within a batch the daemon pings
# itself (status_progress()). Here 40 records each take 25 ms to open (a
# slow disk or NSS, made by the fault injector), a 1 s batch, under a
# 400 ms watchdog: every gap between two WATCHDOG=1 must stay under it, and
# the pings must come during the batch, before READY=1.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/lib/scenario.sh"
scenario_setup
FAULT_LIB="$HELPERS/.libs/libfault-inject.so"
N=40
WATCHDOG_MS=400

# Records of live processes that hold no socket: each is read (slowly),
# then found unwatchable.
mkdir -p -m 0700 "$STATE/sessions"
boot_id=$(cat /proc/sys/kernel/random/boot_id)
self_start=$(awk '{ print $22 }' /proc/$$/stat)
for i in $(seq "$N"); do
        sleep 1000 &
        pid=$!
        cleanup_push "kill_pid $pid"
        start=$(awk '{ print $22 }' "/proc/$pid/stat")
        printf '%s\n' VERSION=2 "USER=$TEST_USER" "UID=$(id -u "$TEST_USER")" REMOTE_HOST=169.254.0.2 SERVICE=sshd \
                "SSHD_PID=$pid" "SSHD_STARTTIME=$start" "PARENT_PID=$$" "PARENT_STARTTIME=$self_start" \
                "BOOT_ID=$boot_id" CGROUP= "OPENED_USEC=$(date +%s%6N)" >"$WORK/record"
        install -m 0600 "$WORK/record" "$STATE/sessions/$pid-$start"
done
"$RECORD_DUMP" "$STATE" >/dev/null || fail "setup: the records are refused"

"$HELPERS/notify-log" "$WORK/notify" >"$WORK/notify.log" &
cleanup_push "kill_pid $!"
wait_until 5 "the notify listener" grep -q listening "$WORK/notify.log"
watchdog_config "[Watchdog]
InputTimeoutSec=3s"
WATCHDOG_ENV="LD_PRELOAD=$FAULT_LIB SWD_SLOW_RECORD_MS=25 NOTIFY_SOCKET=$WORK/notify WATCHDOG_USEC=$(( WATCHDOG_MS * 1000 ))" \
        watchdog_start
wait_until 5 "READY=1" grep -q 'READY=1' "$WORK/notify.log"
sleep 1
[ "$(watchdog_log_count 'holds no socket')" = "$N" ] || fail "want $N sessions read and found unwatchable: $(tail -3 "$WORK/watchdog.log")"

awk -v limit="$WATCHDOG_MS" '
        / READY=1/ { ready = 1 }
        / WATCHDOG=1/ {
                if (!ready) before++
                if (last && $1 - last > max) max = $1 - last
                last = $1; pings++
        }
        END {
                printf "%d pings, %d before READY=1, the longest gap %d ms (WatchdogSec %d ms)\n", pings, before, max, limit
                exit !(before >= 3 && max < limit)
        }' "$WORK/notify.log" >"$WORK/gaps" || fail "$(cat "$WORK/gaps")"
log "$(cat "$WORK/gaps")"
log "ok"
