/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "proc.h"

/* Calls cb for every live process under proc_root (NULL: /proc), in the
 * order the kernel lists them (ascending PIDs), with its stat. Zombies and
 * processes that exit while we look are left out. cb returns <0 to stop the
 * walk with that error. */
typedef int (*proc_walk_cb)(pid_t pid, const ProcStat *st, void *userdata);
int proc_walk(const char *proc_root, proc_walk_cb cb, void *userdata);
/* The same with the zombies (state Z or X) too: what just exited. */
int proc_walk_with_zombies(const char *proc_root, proc_walk_cb cb, void *userdata);
