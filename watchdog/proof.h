/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "proc.h"
#include "session_record.h"

/* Before a way of killing is used for a session, the fact it rests on is
 * checked against the kernel, at that moment (DESIGN.md section 4, "Proof
 * before a kill"). Without the proof the way is not used, and *ret_why says
 * why, for the journal (heap, may be NULL on ENOMEM). */

typedef struct ProofContext {
        const char *proc_root;     /* NULL: /proc */
        const char *cgroup_mount;  /* the cgroup v2 mount; NULL: none */
        const ProcRef *listeners;  /* sshd's listener as the record and the ending know it */
        size_t n_listeners;
} ProofContext;

/* The cgroup that was made for this login (CGROUP_ID), as cgroup.kill or
 * logind's KillSession would take it: still the same cgroup, holding none
 * of PID 1, this daemon or sshd's listener, and no process older than the
 * login. 1: proven; 0: not; -ENOENT: it is gone, so nothing is left in it. */
int proof_scope(const ProofContext *c, const SessionRecord *rec, char **ret_why);

/* The same, and logind's session of that scope (SESSION_ID). */
int proof_logind(const ProofContext *c, const SessionRecord *rec, char **ret_why);

/* Audit sessions that pam_loginuid gave these logins (AUDIT_SESSION), for
 * a batch, in one pass over /proc: refused when PID 1, this daemon or one of
 * the listeners carries the id, or any process that started before the
 * login's monitor does (an id made for the login cannot be older than it). */
typedef struct AuditProof {
        const SessionRecord *rec;
        bool proven;   /* out */
        char *why;     /* out, when not proven */
} AuditProof;
int proof_audit(const ProofContext *c, AuditProof *v, size_t n);
