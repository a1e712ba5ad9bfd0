/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "proc.h"

/* The process tree of each root (the root and every descendant), by PID and
 * start time, from one pass over /proc for all of them. Taken when sshd's
 * monitor is sent SIGTERM: once it has exited, its children belong to PID 1
 * and nothing else ties them to the session. A root that is gone (or whose
 * PID names another process now) gets an empty tree. ret[i] is heap-allocated
 * (NULL when empty), with ret_n[i] entries. */
int process_tree_snapshot(const char *proc_root, const ProcRef *roots, size_t n_roots, ProcRef **ret,
                          size_t *ret_n);
/* The same, with each root's stat as the caller just read it (saves a read
 * per root when a thousand sessions end at once). */
int process_tree_snapshot_stat(const char *proc_root, const ProcRef *roots, const ProcStat *root_stats,
                               size_t n_roots, ProcRef **ret, size_t *ret_n);
