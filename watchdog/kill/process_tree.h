/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "proc.h"

#include <stdbool.h>

/* A root and, once taken, its tree: the root and every descendant, by PID
 * and start time. */
typedef struct ProcessTree {
        ProcRef root;           /* pid 0: none, left empty */
        ProcStat root_stat;     /* the root's stat as the caller just read it, when has_root_stat:
                                 * saves a read per root when a thousand sessions end at once */
        bool has_root_stat;
        ProcRef *procs;         /* heap-allocated; NULL when empty */
        size_t n_procs;
} ProcessTree;

/* The tree of each root, from one pass over /proc for all of them. Taken
 * when sshd's monitor is sent SIGTERM: once it has exited, its children
 * belong to PID 1 and nothing else ties them to the session. A root that
 * is gone (or whose PID names another process now) gets an empty tree. */
int process_tree_snapshot(const char *proc_root, ProcessTree *const *trees, size_t n);
