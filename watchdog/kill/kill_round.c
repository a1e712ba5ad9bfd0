/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* KillGraceSec after the SIGTERM, whatever is left of each session is
 * killed: always its process tree (PID and start time, taken before the
 * SIGTERM), and beyond it by the first way whose proof holds now:
 *   - its logind scope, made for this login: logind is asked to kill what
 *     the tree left there (KillSession, by ending.c, on KILL_ASK_LOGIND); if
 *     it fails, or is slow, the next round kills the scope's processes
 *     itself, by PID, each checked to be in the scope;
 *   - a cgroup made for this login by another manager: cgroup.kill, or by
 *     PID where the cgroup file system is read-only (the shipped unit);
 *   - its audit session, when pam_loginuid made it for this login.
 * A way without proof is not used, and the journal says why. All endings
 * due together share one sweep. The caller (ending.c) gets an outcome per
 * ending and carries it out: this file neither finishes endings nor talks
 * to logind. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_fs.h"
#include "cgroup_kill.h"
#include "clock.h"
#include "daemon.h"
#include "kill_round.h"
#include "log.h"
#include "macro.h"
#include "proof.h"
#include "sshd_listener.h"
#include "sweep.h"
#include "time_span.h"


typedef enum Way {
        WAY_TREE,    /* the process tree, and the audit session if proven */
        WAY_LOGIND,  /* the tree, then logind for what is left in its scope */
        WAY_SCOPE,   /* the tree and the processes of its proven cgroup, by us */
        WAY_GONE,    /* its scope or cgroup is gone: nothing is left in it */
} Way;

static void refused(Ending *e, const char *what, char *why) {
        log_notice("%s: not %s: %s", e->name, what, why ?: "no proof");
        ending_note(e, "not %s: %s", what, why ?: "no proof");
        free(why);
}

/* How many processes in e's scope are alive and not among those just
 * killed (they are listed until they are reaped). */
static int scope_left(Daemon *d, Ending *e, const IdMap *killed) {
        _cleanup_free_ pid_t *pids = NULL;
        _cleanup_close_ int fd = cgroup_open(d->cgroup_mount, e->rec.cgroup);
        size_t n = 0;
        int left = 0;

        if (fd < 0 || cgroup_read_procs(fd, &pids, &n) < 0)
                return fd == -ENOENT ? 0 : 1; /* cannot tell: ask logind */
        for (size_t i = 0; i < n; i++) {
                ProcStat st;
                uint64_t starttime;
                if (proc_stat_read(d->proc_root, pids[i], &st) < 0 || st.state == 'Z' || st.state == 'X')
                        continue;
                if (id_map_get(killed, (uint64_t) pids[i], &starttime) && starttime == st.starttime)
                        continue;
                left++;
        }
        return left;
}

/* The way for e, proven now; what is refused goes to the journal. */
static Way choose_way(Ending *e, const ProofContext *c) {
        char *why = NULL;
        int r;

        if (e->rec.session_id && !e->logind_failed) {
                r = proof_logind(c, &e->rec, &why);
                if (r == -ENOENT)
                        return WAY_GONE;
                if (r > 0)
                        return WAY_LOGIND;
                refused(e, "asking logind to kill its session", why);
        }
        if (e->rec.cgroup_id != 0) {
                r = proof_scope(c, &e->rec, &why);
                if (r == -ENOENT)
                        return WAY_GONE;
                if (r > 0)
                        return WAY_SCOPE;
                refused(e, "killing its cgroup", why);
        }
        return WAY_TREE;
}

/* sshd's listeners, as the endings know them and as the kernel shows them
 * now (after a restart of sshd the new listener is in no record): what is
 * never signalled, and the context every proof is made in. Without the
 * kernel's word nothing is killed. */
typedef struct Guard {
        ProcRef *listeners;     /* as the records know them */
        pid_t *protect;         /* their PIDs, for the sweep */
        size_t n_listeners;
        SshdListeners sshd;
        ProofContext proofs;
} Guard;

static void guard_done(Guard *g) {
        proof_context_done(&g->proofs);
        sshd_listeners_done(&g->sshd);
        free(g->listeners);
        free(g->protect);
}

static int guard_init(Guard *g, Daemon *d, Ending **v, size_t n) {
        int r;

        *g = (Guard) {};
        g->listeners = calloc(2 * n, sizeof(ProcRef));
        g->protect = calloc(2 * n, sizeof(pid_t));
        if (!g->listeners || !g->protect)
                return log_error_errno(-ENOMEM, "Cannot kill leftovers now; trying again");
        for (size_t i = 0; i < n; i++) {
                if (v[i]->rec.parent_pid > 1)
                        g->listeners[g->n_listeners++] =
                                (ProcRef) { .pid = v[i]->rec.parent_pid, .starttime = v[i]->rec.parent_starttime };
                if (v[i]->term_parent.pid > 1)
                        g->listeners[g->n_listeners++] = v[i]->term_parent;
        }
        for (size_t i = 0; i < g->n_listeners; i++)
                g->protect[i] = g->listeners[i].pid;
        r = sshd_listeners_load(&g->sshd, d->proc_root, d->diag_fd);
        if (r < 0)
                return log_error_errno(r, "Cannot find sshd's listeners, so cannot kill leftovers now; trying again");
        r = proof_context_init(&g->proofs, d->proc_root, d->cgroup_mount, &g->sshd, g->listeners, g->n_listeners);
        if (r < 0)
                return log_error_errno(r, "Cannot kill leftovers now; trying again");
        return 0;
}

/* e's target for this round, by the way proven now. Another manager's
 * cgroup is killed here at once (cgroup.kill); a read-only one, as under
 * the shipped unit, by PID in the sweep. */
static Way target_for(Daemon *d, Ending *e, const ProofContext *c, SweepTarget *t) {
        Way way = choose_way(e, c);
        int r;

        *t = (SweepTarget) { .tree = e->tree, .n_tree = e->n_tree, .audit = AUDIT_SESSION_UNSET, .uid = e->rec.uid };
        if (way == WAY_SCOPE && !e->rec.session_id && !e->cgroup_failed) {
                r = cgroup_kill(d->cgroup_mount, e->rec.cgroup, e->rec.cgroup_id);
                if (r >= 0)
                        e->killed_cgroup += (unsigned) r;
                else if (r == -ENOENT)
                        way = WAY_GONE;
                else {
                        log_debug("%s: cannot write cgroup.kill of %s: %s; killing its processes by PID", e->name,
                                  e->rec.cgroup, strerror(-r));
                        e->cgroup_failed = true;
                }
        }
        if (way == WAY_SCOPE) {
                t->cgroup = e->rec.cgroup;
                t->cgroup_mount = d->cgroup_mount;
        }
        return way;
}

/* The audit sessions of the endings killed by their tree alone, in one
 * pass over /proc for all of them: each added to its target when proven
 * the login's own, refused in the journal when not. */
static void audit_targets(Ending **v, size_t n, const Way *ways, SweepTarget *targets, const ProofContext *c) {
        _cleanup_free_ AuditProof *audit = calloc(n, sizeof(AuditProof));
        _cleanup_free_ size_t *audit_of = calloc(n, sizeof(size_t));
        size_t n_audit = 0;
        int r;

        if (!audit || !audit_of) {
                log_warning_errno(-ENOMEM, "Cannot check audit sessions");
                return;
        }
        for (size_t i = 0; i < n; i++)
                if (ways[i] == WAY_TREE && v[i]->rec.audit_session != AUDIT_SESSION_UNSET) {
                        audit[n_audit] = (AuditProof) { .rec = &v[i]->rec };
                        audit_of[n_audit++] = i;
                }
        if (n_audit == 0)
                return;
        r = proof_audit(c, audit, n_audit);
        if (r < 0)
                log_warning_errno(r, "Cannot check audit sessions");
        for (size_t k = 0; k < n_audit; k++) {
                Ending *e = v[audit_of[k]];
                char what[64];

                if (audit[k].proven) {
                        targets[audit_of[k]].audit = e->rec.audit_session;
                        continue;
                }
                snprintf(what, sizeof(what), "killing its audit session %u", (unsigned) e->rec.audit_session);
                refused(e, what, audit[k].why);
        }
}

/* What the sweep did for e, and what comes next. */
static KillOutcome outcome_of(Daemon *d, Ending *e, Way way, const SweepTarget *t, const IdMap *killed,
                              uint64_t now) {
        uint64_t st;

        e->killed_tree += t->killed_tree;
        e->killed_cgroup += t->killed_cgroup;
        e->killed_audit += t->killed_audit;
        if (t->spared_listeners > 0) {
                log_warning("%s: spared %u of sshd's listeners that its process tree or audit session led to",
                            e->name, t->spared_listeners);
                ending_note(e, "spared %u of sshd's listeners", t->spared_listeners);
        }
        if (id_map_get(killed, (uint64_t) e->rec.sshd_pid, &st) && st == e->rec.sshd_starttime)
                e->monitor_killed = true;
        /* What the tree left in its logind scope. */
        int left = way == WAY_LOGIND ? scope_left(d, e, killed) : 0;
        KillOutcome o = kill_plan_after_round(way == WAY_LOGIND, left, t->incomplete, e->rounds, now, &e->kill_at);
        if (o == KILL_ASK_LOGIND)
                e->logind_procs = left;
        else if (o == KILL_AGAIN)
                log_info("%s: processes still turned up or could not be stopped; another round in 1s", e->name);
        else if (t->incomplete)
                ending_note(e, "processes still turned up after %u rounds", e->rounds);
        return o;
}

static void all_again(Ending **v, size_t n, uint64_t now, KillOutcome *ret) {
        for (size_t i = 0; i < n; i++) {
                v[i]->kill_at = now + KILL_ROUND_DELAY_USEC;
                ret[i] = KILL_AGAIN;
        }
}

void kill_round(Daemon *d, Ending **v, size_t n, KillOutcome *ret) {
        _cleanup_free_ SweepTarget *targets = calloc(n, sizeof(SweepTarget));
        _cleanup_free_ Way *ways = calloc(n, sizeof(Way));
        _cleanup_(guard_done) Guard g = {};
        IdMap killed = {};
        uint64_t now, sweep_start;
        int r;

        (void) sd_event_now(d->event, CLOCK_MONOTONIC, &now);
        if (!targets || !ways) {
                log_error_errno(-ENOMEM, "Cannot kill leftovers now; trying again");
                all_again(v, n, now, ret);
                return;
        }
        if (guard_init(&g, d, v, n) < 0) {
                all_again(v, n, now, ret);
                return;
        }

        for (size_t i = 0; i < n; i++) {
                v[i]->rounds++;
                ways[i] = target_for(d, v[i], &g.proofs, &targets[i]);
        }
        audit_targets(v, n, ways, targets, &g.proofs);
        for (size_t i = 0; i < n; i++)
                if (ways[i] == WAY_TREE && targets[i].audit == AUDIT_SESSION_UNSET && v[i]->rounds == 1)
                        ending_note(v[i], "by its process tree only: no scope, cgroup or audit session was proven "
                                          "its own");

        sweep_start = monotonic_now();
        for (size_t i = 0; i < n; i++)
                if (v[i]->first_sweep == 0)
                        v[i]->first_sweep = sweep_start;
        r = sweep_kill(d->proc_root, targets, n, g.protect, g.n_listeners, &g.sshd, &killed, d->spare_fds);
        if (r < 0)
                log_error_errno(r, "Cannot read /proc to kill leftovers; trying again");
        for (size_t i = 0; i < n; i++)
                ret[i] = outcome_of(d, v[i], ways[i], &targets[i], &killed, now);
        id_map_done(&killed);
}
