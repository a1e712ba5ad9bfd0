# SPDX-License-Identifier: LGPL-2.1-or-later
# A private system bus (dbus-daemon on a socket in $WORK) with a fake logind
# on it, for the daemon's logind path and its failures. The daemon reaches it
# through DBUS_SYSTEM_BUS_ADDRESS, which sd-bus honours. Needs common.sh,
# scenario.sh (HELPERS) and cgroup.sh (CGROOT).
#
#   bus_start                      -> BUS_ADDRESS, BUS_PID
#   bus_restart                    the bus goes away and comes back on the same socket
#   fake_logind_start [ARGS...]    -> LOGIND_PID; its log is $WORK/logind.log;
#                                  its scopes are in LOGIND_CGROOT (default $CGROOT)
#   fake_systemd_start [ARGS...]   -> SYSTEMD_PID; its log is $WORK/systemd.log
#   logind_calls METHOD ID         how many times METHOD(ID) was called
#   logind_called METHOD ID        predicate: at least once

bus_start() {
        require_cmd dbus-daemon
        cat >"$WORK/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$WORK/bus.sock</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow send_type="method_call"/>
    <allow send_type="method_return"/>
    <allow send_type="error"/>
    <allow send_type="signal"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
  </policy>
</busconfig>
EOF
        BUS_ADDRESS="unix:path=$WORK/bus.sock"
        bus_launch
}

bus_launch() {
        rm -f "$WORK/bus.sock"
        dbus-daemon --config-file="$WORK/bus.conf" --nofork --nopidfile --nosyslog 2>>"$WORK/bus.log" &
        BUS_PID=$!
        cleanup_push "kill_pid $BUS_PID"
        wait_until 5 "the private bus" test -S "$WORK/bus.sock"
}

bus_restart() {
        kill -TERM "$BUS_PID"
        wait_until 5 "the bus to exit" pid_gone "$BUS_PID"
        bus_launch
}

fake_logind_start() {
        local n
        n=$(count_lines '^ready' "$WORK/logind.log")
        DBUS_SYSTEM_BUS_ADDRESS=$BUS_ADDRESS "$HELPERS/fake-logind" --cgroot "${LOGIND_CGROOT:-$CGROOT}" --log "$WORK/logind.log" "$@" \
                2>>"$WORK/logind.err" &
        LOGIND_PID=$!
        cleanup_push "kill_pid $LOGIND_PID"
        wait_until 5 "the fake logind" logind_ready "$((n + 1))"
}

logind_ready() { [ "$(count_lines '^ready' "$WORK/logind.log")" -ge "$1" ]; }

logind_calls() { count_lines "^call $1 $2 " "$WORK/logind.log"; }
logind_called() { [ "$(logind_calls "$1" "$2")" -ge 1 ]; }

fake_systemd_start() {
        local n
        n=$(count_lines '^ready' "$WORK/systemd.log")
        DBUS_SYSTEM_BUS_ADDRESS=$BUS_ADDRESS "$HELPERS/fake-systemd" --log "$WORK/systemd.log" "$@" \
                2>>"$WORK/systemd.err" &
        SYSTEMD_PID=$!
        cleanup_push "kill_pid $SYSTEMD_PID"
        wait_until 5 "the fake systemd" eval "[ \$(count_lines '^ready' '$WORK/systemd.log') -ge $((n + 1)) ]"
}
