/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "proc.h"
#include "session_record.h"
#include "sshd_listener.h"

/* Before a way of killing is used for a session, the fact it rests on is
 * checked against the kernel, at that moment (docs/design.md, section 4).
 * Without the proof the way is not used, and *ret_why says
 * why, for the journal (heap, may be NULL on ENOMEM). */

/* What a batch of proofs shares, read once: sshd's listeners that are
 * still alive, and the cgroups no kill may touch (PID 1's, this daemon's,
 * the listeners'). */
typedef struct ProofContext {
        const char *proc_root;     /* NULL: /proc */
        const char *cgroup_mount;  /* the cgroup v2 mount; NULL: none */
        const SshdListeners *sshd; /* sshd's listeners as the kernel shows them now */
        ProcRef *listeners;        /* alive, each once */
        size_t n_listeners;
        char **protected_cgroups;
        size_t n_protected;
} ProofContext;

/* candidates: sshd's listener as the records and endings know it (its PID
 * and start time when the login opened, and when sshd got SIGTERM); sshd:
 * the listeners as the kernel shows them, which no record can outdate. */
int proof_context_init(ProofContext *c, const char *proc_root, const char *cgroup_mount, const SshdListeners *sshd,
                       const ProcRef *candidates, size_t n);
void proof_context_done(ProofContext *c);

/* The cgroup that was made for this login (CGROUP_ID), as cgroup.kill or
 * logind's KillSession would take it: still the same cgroup, holding none
 * of PID 1, this daemon or sshd's listeners (recorded, or found now), and
 * no process older than the login. 1: proven; 0: not; -ENOENT: it is gone,
 * so nothing is left in it. */
int proof_scope(const ProofContext *c, const SessionRecord *rec, char **ret_why);

/* The same, and logind's session of that scope (SESSION_ID). */
int proof_logind(const ProofContext *c, const SessionRecord *rec, char **ret_why);

/* Audit sessions that pam_loginuid gave these logins (AUDIT_SESSION), for
 * a batch, in one pass over /proc: refused when PID 1, this daemon or one of
 * the listeners (recorded, or found now) carries the id, or any process that
 * started before the login's monitor does (an id made for the login cannot be older than it). */
typedef struct AuditProof {
        const SessionRecord *rec;
        bool proven;   /* out */
        char *why;     /* out, when not proven */
} AuditProof;
int proof_audit(const ProofContext *c, AuditProof *v, size_t n);
