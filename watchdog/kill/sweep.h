/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "id_map.h"
#include "proc.h"
#include "sshd_listener.h"

/* Kills what is left of ended sessions, for all of a batch at once. Each
 * process of a target is stopped (SIGSTOP) as it is found, so that it can
 * no longer fork or exit and hand its children to PID 1; then every stopped
 * process gets SIGKILL. Each signal goes through a pidfd whose process is
 * checked by PID and start time.
 *
 * Trees are followed through /proc/PID/task/TID/children: a process is
 * stopped before its children are read, so nothing escapes, and the cost is
 * what the sessions hold. Audit sessions need every process on the host:
 * passes over /proc, repeated until one finds nothing new (a job that forks
 * and exits every few milliseconds is caught too). */

#define SWEEP_MAX_PASSES 16

typedef struct SweepTarget {
        const ProcRef *tree;   /* processes of the session, and so their descendants */
        size_t n_tree;
        const char *cgroup;    /* and the processes of this cgroup (and below), proven to be the login's own;
                                * NULL: none. Signalled by PID, checked to be in it: nothing is written to
                                * the cgroup, which may be logind's (and read-only under the unit). */
        const char *cgroup_mount;
        uint32_t audit;        /* and this audit session, proven to be the login's own; AUDIT_SESSION_UNSET: none */
        uid_t uid;             /* in the audit session, another user's process is killed only if in the tree */
        unsigned killed_tree;  /* out: killed as part of the tree */
        unsigned killed_cgroup; /* out: killed as part of the cgroup alone */
        unsigned killed_audit; /* out: killed for the audit session alone */
        bool incomplete;       /* out: new processes still turned up in the last pass, or an error stopped one */
        unsigned spared_listeners; /* out: processes of it spared because they are sshd's listeners */
} SweepTarget;

/* protect: PIDs never signalled whatever they look like (sshd's listener,
 * as records know it); PID 1 and the caller never are either, nor any of
 * sshd's listeners as the kernel shows them (sshd, when not NULL). killed, when not NULL, gets the
 * PID (and start time) of every process killed: for a while they are still
 * listed in their cgroups. keep_fds: how many pidfds may stay open from the
 * stop to the kill (the rest are opened again). Returns 0 or a negative
 * errno when /proc cannot be read at all. */
int sweep_kill(const char *proc_root, SweepTarget *targets, size_t n, const pid_t *protect, size_t n_protect,
               const SshdListeners *sshd, IdMap *killed, size_t keep_fds);
