# SPDX-License-Identifier: LGPL-2.1-or-later
# A server and a client network namespace joined by one veth pair, with
# link-local addresses of our own. Nothing here can reach any other host.
#
#   netns_pair_create  -> NS_SRV, NS_CLI, SRV_ADDR, CLI_ADDR
#   in_srv CMD... / in_cli CMD...
#   link_cut / link_restore: drop everything between the two in the client
#   namespace (nft), so the server sees a silent, not a closed, connection.
#   own_procs PGREP-ARGS...: pgrep among the test's own processes only
#   own_live_pids USER: the user's live processes among them
#
# A test's own processes are those in its namespaces: sshd and every
# session run in the server's, clients in the client's. A UID or a name
# alone would reach processes of other tests, containers and users.

SRV_ADDR=169.254.77.1
CLI_ADDR=169.254.77.2

netns_pair_create() {
        local tag="swd$$"
        NS_SRV="$tag-srv"
        NS_CLI="$tag-cli"

        ip netns add "$NS_SRV"
        cleanup_push "netns_kill_all '$NS_SRV'; ip netns del '$NS_SRV'"
        ip netns add "$NS_CLI"
        cleanup_push "netns_kill_all '$NS_CLI'; ip netns del '$NS_CLI'"

        ip link add "v$tag-s" netns "$NS_SRV" type veth peer name "v$tag-c" netns "$NS_CLI"
        ip -n "$NS_SRV" link set lo up
        ip -n "$NS_CLI" link set lo up
        ip -n "$NS_SRV" addr add "$SRV_ADDR/24" dev "v$tag-s"
        ip -n "$NS_CLI" addr add "$CLI_ADDR/24" dev "v$tag-c"
        ip -n "$NS_SRV" link set "v$tag-s" up
        ip -n "$NS_CLI" link set "v$tag-c" up
        wait_until 5 "veth carrier" veth_up "$NS_CLI" "v$tag-c"
        wait_until 5 "veth carrier" veth_up "$NS_SRV" "v$tag-s"
}

veth_up() {
        ip -n "$1" -o link show dev "$2" | grep -q 'LOWER_UP'

}

# Kills, by PID, whatever is still running inside a namespace of ours.
netns_kill_all() {
        local pid
        for pid in $(ip netns pids "$1" 2>/dev/null); do
                kill -KILL "$pid" 2>/dev/null || true
        done
}

# Every process in the test's namespaces.
ns_pids() {
        [ -n "${NS_SRV:-}" ] && ip netns pids "$NS_SRV" 2>/dev/null
        [ -n "${NS_CLI:-}" ] && ip netns pids "$NS_CLI" 2>/dev/null
        return 0
}

own_procs() { pgrep "$@" | grep -Fxf <(ns_pids); }

own_live_pids() {
        local uid pid k r _
        uid=$(id -u "$1") || return 1
        for pid in $(ns_pids); do
                pid_alive "$pid" || continue
                while read -r k r _; do
                        [ "$k" = Uid: ] || continue
                        [ "$r" = "$uid" ] && echo "$pid"
                        break
                done 2>/dev/null <"/proc/$pid/status"
        done
}

in_srv() { ip netns exec "$NS_SRV" "$@"; }
# Only the network namespace, not the mount namespace that `ip netns exec`
# makes: its fresh /sys has no cgroup file system, which the module and the
# daemon must see as they would on the host.
net_srv() { nsenter --net="/run/netns/$NS_SRV" -- "$@"; }
in_cli() { ip netns exec "$NS_CLI" "$@"; }

# link_cut [PORT]: the client namespace drops all traffic to and from the
# server (to one client port only, when given): a dead link, not a reset.
link_cut() {
        local match=""
        [ $# -gt 0 ] && match="tcp sport $1"
        ip netns exec "$NS_CLI" nft -f - <<NFT
table inet swd_cut {
        chain out { type filter hook output priority 0; ip daddr $SRV_ADDR $match drop; }
        chain in { type filter hook input priority 0; ip saddr $SRV_ADDR ${match/sport/dport} drop; }
}
NFT
}

link_restore() {
        ip netns exec "$NS_CLI" nft delete table inet swd_cut 2>/dev/null || true
}
