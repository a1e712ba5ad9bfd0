/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The cgroup v2 file system, read-only: where it is, what a cgroup holds,
 * and which cgroup a path names. Shared by the PAM module (which proves at
 * open_session that a cgroup was made for the login) and the daemon (which
 * checks that proof before it kills). */

/* The cgroup v2 mount point: /sys/fs/cgroup, or /sys/fs/cgroup/unified on
 * hybrid hosts, found with statfs(); else whatever <proc_root>/self/mountinfo
 * names. -ENOENT on hosts without cgroup v2. */
int cgroup2_mount_find(const char *proc_root, char **ret);

/* The mount point of the first cgroup2 line of mountinfo text; -ENOENT when
 * none; escaped (octal) mount points are not guessed at. */
int mountinfo_find_cgroup2(const char *text, char **ret);

/* Opens <mount><path> as a directory (O_NOFOLLOW). */
int cgroup_open(const char *mount, const char *path);

/* The cgroup's id: its directory's inode number, unique for the boot, so it
 * tells a cgroup from a later one of the same name. */
int cgroup_fd_id(int dir_fd, uint64_t *ret);

/* The PIDs in a cgroup's cgroup.procs (not below it), in file order. */
int cgroup_read_procs(int dir_fd, pid_t **ret, size_t *ret_n);
int cgroup_procs_parse(const char *text, pid_t **ret, size_t *ret_n);

/* Calls cb for every PID in the cgroup and the cgroups below it (at most
 * CGROUP_WALK_MAX_DEPTH levels: -ELOOP beyond). cb returns 0 to go on, and
 * anything else stops the walk with that value. A cgroup removed during
 * the walk is left out. */
#define CGROUP_WALK_MAX_DEPTH 16
typedef int (*cgroup_proc_cb)(pid_t pid, void *userdata);
int cgroup_walk_procs(int dir_fd, cgroup_proc_cb cb, void *userdata);

/* Whether the cgroup is an instance of a template service,
 * "<name>@<instance>.service": what systemd makes for each connection of
 * a socket unit with Accept=yes (sshd@.service, ssh@.service). */
bool cgroup_is_connection_unit(const char *cgroup);
