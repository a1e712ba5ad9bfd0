# SPDX-License-Identifier: LGPL-2.1-or-later
# A cgroup v2 subtree of the test's own, for scenarios that need per-login
# or shared cgroups without systemd. Needs common.sh.
#
#   cgroup_tree_create        -> CGROOT: <v2 mount>/swd-it-<pid>, removed at
#                                exit after every process in it is killed
#   cgroup_mkdir REL          makes $CGROOT/REL (and parents)
#   cgroup_pids REL           the PIDs in $CGROOT/REL (not below it)

# The cgroup v2 mount: /sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid hosts.
cgroup2_mount() {
        local c
        for c in /sys/fs/cgroup /sys/fs/cgroup/unified; do
                [ "$(stat -fc %T "$c" 2>/dev/null)" = cgroup2fs ] && { echo "$c"; return 0; }
        done
        return 1
}

cgroup_tree_create() {
        local mnt
        mnt=$(cgroup2_mount) || skip "needs a cgroup v2 hierarchy"
        CGROOT="$mnt/swd-it-$$"
        mkdir "$CGROOT" || fail "cannot create $CGROOT"
        cleanup_push "cgroup_tree_remove '$CGROOT'"
        [ -w "$CGROOT/cgroup.procs" ] || skip "cannot move processes into $CGROOT"
}

# Kills whatever is still in the tree (cgroup.kill: at once, so that even a
# job that forks and exits all the time is caught; then by PID where the
# kernel has no cgroup.kill), then removes it bottom up.
cgroup_tree_remove() {
        local dir=$1 pid i
        [ -d "$dir" ] || return 0
        [ -e "$dir/cgroup.kill" ] && echo 1 >"$dir/cgroup.kill" 2>/dev/null
        for ((i = 0; i < 50; i++)); do
                local any=0
                while read -r pid; do
                        [ -n "$pid" ] || continue
                        any=1
                        kill -KILL "$pid" 2>/dev/null || true
                done < <(find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null)
                [ "$any" = 0 ] && break
                sleep 0.05
        done
        find "$dir" -depth -type d -exec rmdir {} \; 2>/dev/null || true
}

cgroup_mkdir() { mkdir -p "$CGROOT/$1"; }

cgroup_pids() { cat "$CGROOT/$1/cgroup.procs" 2>/dev/null; }
