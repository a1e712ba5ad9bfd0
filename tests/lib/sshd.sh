# SPDX-License-Identifier: LGPL-2.1-or-later
# A real OpenSSH sshd in the server namespace with a PAM stack of our own.
#
# sshd names its PAM service after basename(argv[0]), so it runs through a
# symlink called SSHD_SERVICE and /etc/pam.d/SSHD_SERVICE holds our stack;
# /etc/pam.d/sshd is never touched. Needs common.sh and netns.sh.
#
#   test_user_create             -> TEST_USER, TEST_UID, CLIENT_KEY
#   sshd_start "PAM SESSION LINES" [extra sshd_config lines]
#                                -> SSHD_PID (the listener), SSHD_SERVICE
#                                SSHD_WRAP: words put before the command that
#                                starts it (a cgroup, an audit login of its own)
#   sshd_restart                 a new listener with the same config, the old
#                                one stopped as Debian's KillMode=process does:
#                                its sessions live on, children of PID 1
#   ssh_cmd ARGS...              the ssh client command line, for the client ns
#   sshd_monitor_pid USER        the monitor of a logged-in connection of USER
#                                (by process relationships, not by title)
#   sshd_monitor_pids USER       all of them

SSHD_BIN=${SSHD_BIN:-/usr/sbin/sshd}

test_user_create() {
        local i uid
        TEST_USER="swdt$$"
        # A UID that no account and no process has: never one a container
        # or another namespace uses, so that nothing of theirs is ours.
        for ((i = 0, uid = 30000 + $$ % 20000; i < 200; i++, uid++)); do
                getent passwd "$uid" >/dev/null && continue
                uid_in_use "$uid" && continue
                # Parallel tests contend for the passwd lock and for UIDs.
                useradd -M -N -u "$uid" -d "$WORK/home" -s /bin/sh "$TEST_USER" 2>/dev/null || continue
                uid_in_use "$uid" || break
                userdel "$TEST_USER" 2>/dev/null || true
        done
        id "$TEST_USER" >/dev/null 2>&1 || fail "cannot create test user $TEST_USER with a UID no process has"
        cleanup_push "test_user_delete '$TEST_USER'"
        TEST_UID=$(id -u "$TEST_USER")
        mkdir -p "$WORK/home" "$WORK/authorized_keys"
        chown "$TEST_USER" "$WORK/home"

        CLIENT_KEY="$WORK/client_key"
        ssh-keygen -q -t ed25519 -N '' -f "$CLIENT_KEY"
        cp "$CLIENT_KEY.pub" "$WORK/authorized_keys/$TEST_USER"
}

# The user's processes in the test's namespaces, then the account. Its UID
# was no one else's, and what the test started elsewhere as the user it
# stops itself, by PID.
test_user_delete() {
        local i pid
        for pid in $(own_live_pids "$1"); do
                kill -KILL "$pid" 2>/dev/null || true
        done
        for ((i = 0; i < 50; i++)); do
                userdel "$1" 2>/dev/null && return 0
                id "$1" >/dev/null 2>&1 || return 0
                sleep 0.1
        done
}

sshd_start() {
        local pam_session=$1 extra=${2:-}
        SSHD_SERVICE="sshd-swdtest-$$"

        ssh-keygen -q -t ed25519 -N '' -f "$WORK/host_key"
        ln -s "$SSHD_BIN" "$WORK/$SSHD_SERVICE"
        cat >"$WORK/sshd_config" <<CONF
ListenAddress $SRV_ADDR
Port 22
HostKey $WORK/host_key
PidFile none
UsePAM ${SSHD_USE_PAM:-yes}
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile $WORK/authorized_keys/%u
StrictModes no
PermitRootLogin no
AllowUsers $TEST_USER
PrintMotd no
PrintLastLog no
LogLevel VERBOSE
Subsystem sftp internal-sftp
$extra
CONF
        [ -e "/etc/pam.d/$SSHD_SERVICE" ] && fail "/etc/pam.d/$SSHD_SERVICE exists already"
        cat >"/etc/pam.d/$SSHD_SERVICE" <<PAM
# sshd-watchdog test service, removed when the test ends
auth     required pam_permit.so
account  required pam_permit.so
password required pam_deny.so
$pam_session
PAM
        cleanup_push "rm -f '/etc/pam.d/$SSHD_SERVICE'"

        # sshd's standard privilege separation directory (openssh-server's
        # unit creates it at boot). Made when missing and deliberately left:
        # tests run in parallel, and removing it under another test's sshd
        # would break that test's logins.
        mkdir -p -m 0755 /run/sshd

        "$SSHD_BIN" -t -f "$WORK/sshd_config" || fail "sshd -t rejected the test config"
        sshd_launch
}

sshd_launch() {
        # shellcheck disable=SC2086
        ${SSHD_WRAP:-} nsenter --net="/run/netns/$NS_SRV" -- "$WORK/$SSHD_SERVICE" -D -e -f "$WORK/sshd_config" 2>>"$WORK/sshd.log" &
        SSHD_PID=$!
        cleanup_push "kill_pid $SSHD_PID"
        wait_until 10 "sshd listening on $SRV_ADDR:22" sshd_listening
}

sshd_restart() {
        local old=$SSHD_PID
        kill -TERM "$old"
        wait_until 5 "the old sshd listener to exit" pid_gone "$old"
        wait_until 5 "port 22 to be free" sshd_not_listening
        sshd_launch
}

sshd_not_listening() { ! ip netns exec "$NS_SRV" ss -Hltn "src $SRV_ADDR:22" | grep -q LISTEN; }

sshd_listening() {
        pid_alive "$SSHD_PID" || fail "sshd exited: $(tail -5 "$WORK/sshd.log")"
        ip netns exec "$NS_SRV" ss -Hltn "src $SRV_ADDR:22" | grep -q LISTEN
}

# The client command line; run it with `ip netns exec "$NS_CLI"`.
ssh_cmd() {
        echo ssh -F /dev/null -i "$CLIENT_KEY" \
                -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
                -o BatchMode=yes -o ConnectTimeout=5 -o LogLevel=ERROR \
                "$@"
}

# Every monitor of the user's logged-in connections under the current
# listener, one PID a line: the listener's children that run as root and
# have a child running as the user (sshd's session process). By process
# relationships and UIDs only, never by title: titles differ between
# releases ("sshd: USER [priv]" on 9.2, "sshd-session: USER [priv]" from
# 9.8, "[postauth]" from 10.5) and before login the monitor has no child of
# the user's.
sshd_monitor_pids() {
        local uid pid puid
        uid=$(id -u "$1") || return 1
        while read -r pid puid; do
                [ "$puid" = 0 ] || continue
                if ps --ppid "$pid" -o uid= | awk -v u="$uid" '$1 == u { found = 1 } END { exit !found }'; then
                        echo "$pid"
                fi
        done < <(ps --ppid "$SSHD_PID" -o pid=,uid=)
}

# The first of them; fails when there is none.
sshd_monitor_pid() {
        local pid
        pid=$(sshd_monitor_pids "$1" | head -1)
        [ -n "$pid" ] && echo "$pid"
}
