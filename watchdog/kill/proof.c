/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup_fs.h"
#include "cgroup_kill.h"
#include "id_map.h"
#include "macro.h"
#include "proc_walk.h"
#include "proof.h"

_printf_(2, 3) static int why(char **ret, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(ret, fmt, ap) < 0)
                *ret = NULL;
        va_end(ap);
        return 0;
}

static bool alive(const char *proc_root, const ProcRef *p) {
        ProcStat st;
        return p->pid > 0 && proc_stat_read(proc_root, p->pid, &st) == 0 && st.starttime == p->starttime &&
               st.state != 'Z';
}

typedef struct CgroupCheck {
        const ProofContext *c;
        uint64_t monitor_starttime;
        pid_t pid;        /* out: the process that refutes the proof */
        bool listener;    /* out: it is sshd's listener (else: older than the login) */
} CgroupCheck;

/* A process older than the login, or sshd's listener, in the cgroup or
 * below it: the cgroup was not made for this login, whatever the record
 * says. */
static int refuting_cb(pid_t pid, void *userdata) {
        CgroupCheck *k = userdata;
        ProcStat st;

        if (proc_stat_read(k->c->proc_root, pid, &st) == 0 && st.starttime < k->monitor_starttime) {
                k->pid = pid;
                return 1;
        }
        if (k->c->sshd && sshd_listener_is(k->c->sshd, pid) > 0) {
                k->pid = pid;
                k->listener = true;
                return 1;
        }
        return 0;
}

int proof_context_init(ProofContext *c, const char *proc_root, const char *cgroup_mount, const SshdListeners *sshd,
                       const ProcRef *candidates, size_t n) {
        pid_t fixed[2] = { 1, getpid() };

        *c = (ProofContext) { .proc_root = proc_root, .cgroup_mount = cgroup_mount, .sshd = sshd };
        c->listeners = calloc(n ?: 1, sizeof(ProcRef));
        c->protected_cgroups = calloc(n + 2, sizeof(char *));
        if (!c->listeners || !c->protected_cgroups) {
                proof_context_done(c);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                bool dup = false;
                for (size_t j = 0; j < c->n_listeners && !dup; j++)
                        dup = c->listeners[j].pid == candidates[i].pid &&
                              c->listeners[j].starttime == candidates[i].starttime;
                if (!dup && candidates[i].pid > 1 && alive(proc_root, &candidates[i]))
                        c->listeners[c->n_listeners++] = candidates[i];
        }
        for (size_t i = 0; i < 2 + c->n_listeners; i++) {
                pid_t pid = i < 2 ? fixed[i] : c->listeners[i - 2].pid;
                char *cg = NULL;
                /* Unreadable: nothing to compare, and cgroup_kill_allowed()
                 * refuses the root, which every cgroup is below. */
                if (proc_cgroup_read(proc_root, pid, &cg) >= 0)
                        c->protected_cgroups[c->n_protected++] = cg;
        }
        return 0;
}

void proof_context_done(ProofContext *c) {
        for (size_t i = 0; i < c->n_protected; i++)
                free(c->protected_cgroups[i]);
        free(c->protected_cgroups);
        free(c->listeners);
        *c = (ProofContext) {};
}

int proof_scope(const ProofContext *c, const SessionRecord *rec, char **ret_why) {
        _cleanup_close_ int fd = -1;
        uint64_t id;
        int r;

        *ret_why = NULL;
        if (rec->version < 2)
                return why(ret_why, "its record is from an older module, which did not prove its cgroup its own");
        if (rec->cgroup_id == 0)
                return why(ret_why, "its cgroup %s was not made for this login (sshd's own, or inherited)",
                           rec->cgroup[0] ? rec->cgroup : "(none)");
        if (!c->cgroup_mount)
                return why(ret_why, "no cgroup v2 file system is mounted");
        fd = cgroup_open(c->cgroup_mount, rec->cgroup);
        if (fd == -ENOENT)
                return -ENOENT;
        if (fd < 0)
                return why(ret_why, "cannot open cgroup %s: %s", rec->cgroup, strerror(-fd));
        r = cgroup_fd_id(fd, &id);
        if (r < 0)
                return why(ret_why, "cannot read cgroup %s: %s", rec->cgroup, strerror(-r));
        if (id != rec->cgroup_id)
                return -ENOENT; /* the login's cgroup is gone; a new one took its name */

        /* Never one that holds, or is above, PID 1, us or sshd's listener. */
        if (!cgroup_kill_allowed(rec->cgroup, c->protected_cgroups, c->n_protected))
                return why(ret_why, "cgroup %s holds PID 1, this daemon or sshd's listener", rec->cgroup);

        CgroupCheck k = { .c = c, .monitor_starttime = rec->sshd_starttime };
        r = cgroup_walk_procs(fd, refuting_cb, &k);
        if (r > 0 && k.listener)
                return why(ret_why, "cgroup %s holds PID %d, sshd's listener", rec->cgroup, (int) k.pid);
        if (r > 0)
                return why(ret_why, "cgroup %s holds PID %d, which is older than the login", rec->cgroup, (int) k.pid);
        if (r < 0)
                return why(ret_why, "cannot list cgroup %s: %s", rec->cgroup, strerror(-r));
        return 1;
}

int proof_logind(const ProofContext *c, const SessionRecord *rec, char **ret_why) {
        *ret_why = NULL;
        if (!rec->session_id)
                return why(ret_why, "no logind session was made for this login");
        if (!session_id_matches_cgroup(rec->session_id, rec->cgroup))
                return why(ret_why, "logind session %s is not the one of cgroup %s", rec->session_id, rec->cgroup);
        return proof_scope(c, rec, ret_why);
}

typedef struct AuditWalk {
        AuditProof *v;
        IdMap by_id;   /* audit id -> index */
        const char *proc_root;
        const SshdListeners *sshd;
} AuditWalk;

static int audit_walk_cb(pid_t pid, const ProcStat *st, void *userdata) {
        AuditWalk *w = userdata;
        uint32_t id;
        uint64_t k;

        if (proc_sessionid_read(w->proc_root, pid, &id) < 0 || !id_map_get(&w->by_id, id, &k))
                return 0;
        AuditProof *a = &w->v[k];
        if (a->proven && st->starttime < a->rec->sshd_starttime) {
                a->proven = false;
                why(&a->why, "PID %d, older than the login, is in audit session %" PRIu32 " too", (int) pid, id);
        } else if (a->proven && w->sshd && sshd_listener_is(w->sshd, pid) > 0) {
                a->proven = false;
                why(&a->why, "sshd's listener PID %d is in audit session %" PRIu32 " too", (int) pid, id);
        }
        return 0;
}

int proof_audit(const ProofContext *c, AuditProof *v, size_t n) {
        AuditWalk w = { .v = v, .proc_root = c->proc_root, .sshd = c->sshd };
        size_t candidates = 0;
        int r = 0;

        for (size_t i = 0; i < n; i++) {
                const SessionRecord *rec = v[i].rec;
                ProcRef self = { .pid = getpid() };
                uint32_t id;

                v[i].proven = false;
                v[i].why = NULL;
                if (rec->audit_session == AUDIT_SESSION_UNSET) {
                        why(&v[i].why, "no audit session of its own was recorded");
                        continue;
                }
                if (rec->version < 2) {
                        why(&v[i].why, "its record is from an older module, which did not prove audit session %" PRIu32
                                       " its own", rec->audit_session);
                        continue;
                }
                if (proc_sessionid_read(c->proc_root, 1, &id) == 0 && id == rec->audit_session) {
                        why(&v[i].why, "PID 1 is in audit session %" PRIu32 " too", id);
                        continue;
                }
                if (proc_sessionid_read(c->proc_root, self.pid, &id) == 0 && id == rec->audit_session) {
                        why(&v[i].why, "this daemon is in audit session %" PRIu32 " too", id);
                        continue;
                }
                bool listener = false;
                for (size_t j = 0; j < c->n_listeners && !listener; j++)
                        listener = proc_sessionid_read(c->proc_root, c->listeners[j].pid, &id) == 0 &&
                                   id == rec->audit_session;
                if (listener) {
                        why(&v[i].why, "sshd's listener is in audit session %" PRIu32 " too", rec->audit_session);
                        continue;
                }
                uint64_t other;
                if (id_map_get(&w.by_id, rec->audit_session, &other)) {
                        /* Two logins, one id: it is neither's own. */
                        v[other].proven = false;
                        why(&v[other].why, "another session has audit session %" PRIu32 " too", rec->audit_session);
                        why(&v[i].why, "another session has audit session %" PRIu32 " too", rec->audit_session);
                        continue;
                }
                v[i].proven = true;
                r = id_map_put(&w.by_id, rec->audit_session, i);
                if (r < 0)
                        goto out;
                candidates++;
        }
        if (candidates > 0) {
                r = proc_walk(c->proc_root, audit_walk_cb, &w);
                if (r < 0)
                        for (size_t i = 0; i < n; i++)
                                if (v[i].proven) {
                                        v[i].proven = false;
                                        why(&v[i].why, "cannot read /proc: %s", strerror(-r));
                                }
        }
out:
        id_map_done(&w.by_id);
        return r;
}
