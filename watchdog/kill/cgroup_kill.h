/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Whether killing cgroup `path` (a cgroup v2 path, "/user.slice/...") could
 * touch anything in `protected` (the cgroups of PID 1, of this daemon and of
 * sshd's listener): never the root, never one of them, never an ancestor of
 * one of them. Without systemd, sessions share sshd's cgroup; this says no. */
bool cgroup_kill_allowed(const char *path, char *const *protected, size_t n_protected);

/* How many processes <mount><path> holds (not below it); -ENOENT once the
 * cgroup is gone (its owner removed it after the last process left). */
int cgroup_count_procs(const char *mount, const char *path);

/* Writes "1" to <mount><path>/cgroup.kill (Linux 5.14+), which SIGKILLs every
 * process in it and below at once, if the cgroup there is still the one with
 * id `id`. Returns how many processes it held, -ENOENT if it is gone (or is
 * another cgroup now), or another negative errno (-EROFS under
 * ProtectControlGroups=, -ENOENT without cgroup.kill). */
int cgroup_kill(const char *mount, const char *path, uint64_t id);
