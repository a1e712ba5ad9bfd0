/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* KillGraceSec after the SIGTERM, whatever is left of each session is
 * killed: always its process tree (PID and start time, taken before the
 * SIGTERM), and beyond it by the first way whose proof holds now:
 *   - its logind scope, made for this login: logind is asked to kill what
 *     the tree left there (KillSession); if it fails, or has not answered
 *     within LOGIND_PATIENCE_USEC, the daemon kills the scope's processes itself,
 *     by PID, each checked to be in the scope;
 *   - a cgroup made for this login by another manager: cgroup.kill, or by
 *     PID where the cgroup file system is read-only (the shipped unit);
 *   - its audit session, when pam_loginuid made it for this login.
 * A way without proof is not used, and the journal says why. All endings
 * due together share one sweep. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_fs.h"
#include "cgroup_kill.h"
#include "clock.h"
#include "daemon.h"
#include "leftovers.h"
#include "log.h"
#include "logind.h"
#include "macro.h"
#include "proof.h"
#include "sshd_listener.h"
#include "sweep.h"
#include "time_span.h"

/* A sweep that still finds new processes is run again this much later, up
 * to this many rounds in all. */
#define ROUND_DELAY_USEC USEC_PER_SEC
#define MAX_ROUNDS 3
/* logind answers in milliseconds; when a thousand sessions close at once it
 * may take seconds, and the leftovers must not wait for it. */
#define LOGIND_PATIENCE_USEC (250 * USEC_PER_MSEC)

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

/* Next round at once, without logind: the ending's scope is killed by us. */
static void without_logind(Daemon *d, Ending *e) {
        uint64_t now;

        e->logind_pending = false;
        e->logind_procs = -1;
        e->logind_failed = true;
        (void) sd_event_now(d->event, CLOCK_MONOTONIC, &now);
        e->kill_at = now;
        endings_reschedule(d);
}

static void on_logind(Daemon *d, void *userdata, int r, const char *error_name, const char *error_message) {
        Ending *e = userdata;

        e->logind_pending = false;
        if (r == -ENOENT)
                e->logind_procs = 0; /* its last process went meanwhile */
        if (r >= 0 || r == -ENOENT) {
                ending_finish(e);
                return;
        }
        log_warning("logind KillSession(%s) for %s failed: %s; killing what is left in its scope by PID",
                    e->rec.session_id, e->name, error_message ?: error_name ?: strerror(-r));
        ending_note(e, "logind KillSession failed (%s)", error_name ?: strerror(-r));
        without_logind(d, e);
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

void leftovers_kill(Daemon *d, Ending **v, size_t n) {
        _cleanup_free_ SweepTarget *targets = calloc(n, sizeof(SweepTarget));
        _cleanup_free_ AuditProof *audit = calloc(n, sizeof(AuditProof));
        _cleanup_free_ size_t *audit_of = calloc(n, sizeof(size_t));
        _cleanup_free_ ProcRef *listeners = calloc(2 * n, sizeof(ProcRef));
        _cleanup_free_ pid_t *protect = calloc(2 * n, sizeof(pid_t));
        _cleanup_free_ Way *ways = calloc(n, sizeof(Way));
        size_t n_audit = 0, n_listeners = 0;
        IdMap killed = {};
        uint64_t now;
        int r;

        (void) sd_event_now(d->event, CLOCK_MONOTONIC, &now);
        if (!targets || !audit || !audit_of || !listeners || !protect || !ways) {
                log_error_errno(-ENOMEM, "Cannot kill leftovers now; trying again");
                for (size_t i = 0; i < n; i++)
                        v[i]->kill_at = now + ROUND_DELAY_USEC;
                return;
        }

        /* sshd's listener, as each ending knows it: protected, and no way
         * whose cgroup or audit session it shares is taken. */
        for (size_t i = 0; i < n; i++) {
                if (v[i]->rec.parent_pid > 1)
                        listeners[n_listeners++] =
                                (ProcRef) { .pid = v[i]->rec.parent_pid, .starttime = v[i]->rec.parent_starttime };
                if (v[i]->term_parent.pid > 1)
                        listeners[n_listeners++] = v[i]->term_parent;
        }
        for (size_t i = 0; i < n_listeners; i++)
                protect[i] = listeners[i].pid;
        /* And as the kernel shows them now: after a restart of sshd the
         * new listener is in no record. Without that word, nothing is killed. */
        _cleanup_(sshd_listeners_done) SshdListeners sshd = {};
        r = sshd_listeners_load(&sshd, d->proc_root, d->diag_fd);
        if (r < 0) {
                log_error_errno(r, "Cannot find sshd's listeners, so cannot kill leftovers now; trying again");
                for (size_t i = 0; i < n; i++)
                        v[i]->kill_at = now + ROUND_DELAY_USEC;
                return;
        }
        _cleanup_(proof_context_done) ProofContext c = {};
        r = proof_context_init(&c, d->proc_root, d->cgroup_mount, &sshd, listeners, n_listeners);
        if (r < 0) {
                log_error_errno(r, "Cannot kill leftovers now; trying again");
                for (size_t i = 0; i < n; i++)
                        v[i]->kill_at = now + ROUND_DELAY_USEC;
                return;
        }

        for (size_t i = 0; i < n; i++) {
                Ending *e = v[i];

                if (e->logind_pending) {
                        /* Asked, and no answer within LOGIND_PATIENCE. */
                        log_info("%s: logind has not answered in 250ms; killing what is left in its scope by PID",
                                 e->name);
                        ending_note(e, "logind did not answer in time");
                        logind_cancel(d, e);
                        e->logind_pending = false;
                        e->logind_procs = -1;
                        e->logind_failed = true;
                }
                e->rounds++;
                ways[i] = choose_way(e, &c);
                targets[i] = (SweepTarget) { .tree = e->tree, .n_tree = e->n_tree, .audit = AUDIT_SESSION_UNSET,
                                             .uid = e->rec.uid };
                if (ways[i] == WAY_SCOPE && !e->rec.session_id && !e->cgroup_failed) {
                        /* Another manager's cgroup: cgroup.kill takes it at once. */
                        r = cgroup_kill(d->cgroup_mount, e->rec.cgroup, e->rec.cgroup_id);
                        if (r >= 0)
                                e->killed_cgroup += (unsigned) r;
                        else if (r == -ENOENT)
                                ways[i] = WAY_GONE;
                        else {
                                /* Read-only under the unit: by PID below. */
                                log_debug("%s: cannot write cgroup.kill of %s: %s; killing its processes by PID",
                                          e->name, e->rec.cgroup, strerror(-r));
                                e->cgroup_failed = true;
                        }
                }
                if (ways[i] == WAY_SCOPE) {
                        targets[i].cgroup = e->rec.cgroup;
                        targets[i].cgroup_mount = d->cgroup_mount;
                }
                if (ways[i] == WAY_TREE && e->rec.audit_session != AUDIT_SESSION_UNSET) {
                        audit[n_audit] = (AuditProof) { .rec = &e->rec };
                        audit_of[n_audit++] = i;
                }
        }
        if (n_audit > 0) {
                r = proof_audit(&c, audit, n_audit);
                if (r < 0)
                        log_warning_errno(r, "Cannot check audit sessions");
                for (size_t k = 0; k < n_audit; k++) {
                        Ending *e = v[audit_of[k]];
                        if (audit[k].proven)
                                targets[audit_of[k]].audit = e->rec.audit_session;
                        else {
                                char what[64];
                                snprintf(what, sizeof(what), "killing its audit session %u",
                                         (unsigned) e->rec.audit_session);
                                refused(e, what, audit[k].why);
                        }
                }
        }
        for (size_t i = 0; i < n; i++)
                if (ways[i] == WAY_TREE && targets[i].audit == AUDIT_SESSION_UNSET && v[i]->rounds == 1)
                        ending_note(v[i], "by its process tree only: no scope, cgroup or audit session was proven "
                                          "its own");

        uint64_t sweep_start = monotonic_now();
        for (size_t i = 0; i < n; i++)
                if (v[i]->first_sweep == 0)
                        v[i]->first_sweep = sweep_start;
        r = sweep_kill(d->proc_root, targets, n, protect, n_listeners, &sshd, &killed, d->spare_fds);
        if (r < 0)
                log_error_errno(r, "Cannot read /proc to kill leftovers; trying again");

        for (size_t i = 0; i < n; i++) {
                Ending *e = v[i];

                e->killed_tree += targets[i].killed_tree;
                e->killed_cgroup += targets[i].killed_cgroup;
                e->killed_audit += targets[i].killed_audit;
                if (targets[i].spared_listeners > 0) {
                        log_warning("%s: spared %u of sshd's listeners that its process tree or audit session led to",
                                    e->name, targets[i].spared_listeners);
                        ending_note(e, "spared %u of sshd's listeners", targets[i].spared_listeners);
                }
                uint64_t st;
                if (id_map_get(&killed, (uint64_t) e->rec.sshd_pid, &st) && st == e->rec.sshd_starttime)
                        e->monitor_killed = true;
                if (ways[i] == WAY_LOGIND) {
                        /* What the tree left in the scope; with nothing there,
                         * systemd removes the scope and logind the session
                         * without being asked, and a thousand endings at once
                         * cost logind nothing. */
                        int k = scope_left(d, e, &killed);
                        if (k > 0 || targets[i].incomplete) {
                                e->logind_procs = k;
                                r = logind_kill_session(d, e->rec.session_id, on_logind, e);
                                if (r >= 0) {
                                        e->logind_pending = true;
                                        e->kill_at = now + LOGIND_PATIENCE_USEC;
                                        continue;
                                }
                                ending_note(e, "cannot ask logind (%s)", strerror(-r));
                                without_logind(d, e);
                                continue;
                        }
                }
                if (targets[i].incomplete) {
                        if (e->rounds < MAX_ROUNDS) {
                                log_info("%s: processes still turned up or could not be stopped; another round in 1s",
                                         e->name);
                                e->kill_at = now + ROUND_DELAY_USEC;
                                continue;
                        }
                        ending_note(e, "processes still turned up after %u rounds", e->rounds);
                }
                ending_finish(e);
        }
        id_map_done(&killed);
}
