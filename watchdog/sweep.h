/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "proc.h"

/* Kills what is left of ended sessions, for all of a batch in the same
 * passes over /proc. A pass stops (SIGSTOP) each process of a target as it
 * comes by, so that it can no longer fork or exit and hand its children to
 * PID 1; passes repeat until one finds nothing new (a job that forks and
 * exits every few milliseconds is caught too); then every stopped process
 * gets SIGKILL. Each signal goes through a pidfd whose process is checked
 * by PID and start time. */

#define SWEEP_MAX_PASSES 16

typedef struct SweepTarget {
        const ProcRef *tree;   /* processes of the session, and so their descendants */
        size_t n_tree;
        uint32_t audit;        /* and this audit session, proven to be the login's own; AUDIT_SESSION_UNSET: none */
        uid_t uid;             /* in the audit session, another user's process is killed only if in the tree */
        unsigned killed_tree;  /* out: killed as part of the tree */
        unsigned killed_audit; /* out: killed for the audit session alone */
        bool incomplete;       /* out: new processes still turned up in the last pass, or an error stopped one */
} SweepTarget;

/* protect: PIDs never signalled whatever they look like (sshd's listener);
 * PID 1 and the caller never are either. Returns 0 or a negative errno when
 * /proc cannot be read at all. */
int sweep_kill(const char *proc_root, SweepTarget *targets, size_t n, const pid_t *protect, size_t n_protect);
