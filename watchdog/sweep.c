/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "id_map.h"
#include "macro.h"
#include "proc_walk.h"
#include "process_kill.h"
#include "sweep.h"

typedef struct Member {
        pid_t pid;
        uint64_t starttime;
        size_t target;
        bool audit_only; /* in the audit session, not (known to be) in the tree */
} Member;

typedef struct Sweep {
        const char *proc_root;
        SweepTarget *targets;
        size_t n_targets;
        const pid_t *protect;
        size_t n_protect;
        IdMap tree;       /* PID -> index into tree_refs, the processes named from the start */
        const ProcRef **tree_refs;
        size_t *tree_target;
        IdMap audit;      /* audit session id -> target */
        IdMap stopped;    /* PID -> index into members */
        Member *members;
        size_t n_members, allocated;
        bool *found_new;  /* per target, in this pass */
        bool *failed;     /* per target: a process could not be stopped for a reason that may pass */
} Sweep;

static bool protected(const Sweep *s, pid_t pid) {
        if (pid <= 1 || pid == getpid())
                return true;
        for (size_t i = 0; i < s->n_protect; i++)
                if (s->protect[i] == pid)
                        return true;
        return false;
}

static int add_member(Sweep *s, Member m) {
        if (s->n_members == s->allocated) {
                size_t n = s->allocated ? s->allocated * 2 : 64;
                Member *p = reallocarray(s->members, n, sizeof(Member));
                if (!p)
                        return -ENOMEM;
                s->members = p;
                s->allocated = n;
        }
        s->members[s->n_members] = m;
        return id_map_put(&s->stopped, (uint64_t) m.pid, s->n_members++);
}

static bool same_user(const Sweep *s, pid_t pid, size_t target) {
        uid_t ruid, euid;
        return proc_status_uids(s->proc_root, pid, &ruid, &euid) == 0 && ruid == s->targets[target].uid &&
               euid == s->targets[target].uid;
}

/* Which target a process belongs to, or -1. */
static ssize_t target_of(Sweep *s, pid_t pid, const ProcStat *st, bool *ret_audit_only) {
        uint64_t k;

        *ret_audit_only = false;
        if (id_map_get(&s->tree, (uint64_t) pid, &k) && s->tree_refs[k]->starttime == st->starttime)
                return (ssize_t) s->tree_target[k];
        /* A child of a stopped member: the member is alive (stopped), so its
         * PID still names it; its start time says so. It belongs as its
         * parent does: to the tree, or to the audit session only. */
        if (id_map_get(&s->stopped, (uint64_t) st->ppid, &k)) {
                ProcStat parent;
                const Member *m = &s->members[k];
                if (proc_stat_read(s->proc_root, st->ppid, &parent) == 0 && parent.starttime == m->starttime &&
                    (!m->audit_only || same_user(s, pid, m->target))) {
                        *ret_audit_only = m->audit_only;
                        return (ssize_t) m->target;
                }
        }
        if (s->audit.n > 0) {
                uint32_t id;
                if (proc_sessionid_read(s->proc_root, pid, &id) < 0 || !id_map_get(&s->audit, id, &k))
                        return -1;
                /* Another user's process in the session (sudo, a setuid
                 * program) is the session's only if it is in its tree, which
                 * was checked above: it may be a service started from it. */
                if (!same_user(s, pid, k))
                        return -1;
                *ret_audit_only = true;
                return (ssize_t) k;
        }
        return -1;
}

static int pass_cb(pid_t pid, const ProcStat *st, void *userdata) {
        Sweep *s = userdata;
        bool audit_only;
        ssize_t t;
        uint64_t k;
        int fd, r;

        if (protected(s, pid))
                return 0;
        if (id_map_get(&s->stopped, (uint64_t) pid, &k) && s->members[k].starttime == st->starttime)
                return 0;
        t = target_of(s, pid, st, &audit_only);
        if (t < 0)
                return 0;

        fd = pidfd_open_checked(s->proc_root, pid, st->starttime, NULL);
        if (fd == -ESRCH || fd == -EPERM)
                return 0;
        if (fd < 0) {
                s->failed[t] = true; /* EMFILE, ENOMEM: the next round retries */
                return 0;
        }
        if (audit_only) {
                uint32_t id;
                /* The pidfd pins the process its start time proved; its audit
                 * session cannot change (unprivileged), but check once more. */
                if (proc_sessionid_read(s->proc_root, pid, &id) < 0 || id != s->targets[t].audit) {
                        safe_close(fd);
                        return 0;
                }
        }
        r = (int) syscall(SYS_pidfd_send_signal, fd, SIGSTOP, NULL, 0);
        safe_close(fd);
        if (r < 0)
                return 0;
        s->found_new[t] = true;
        return add_member(s, (Member) { .pid = pid, .starttime = st->starttime, .target = (size_t) t,
                                        .audit_only = audit_only });
}

int sweep_kill(const char *proc_root, SweepTarget *targets, size_t n, const pid_t *protect, size_t n_protect) {
        Sweep s = { .proc_root = proc_root, .targets = targets, .n_targets = n, .protect = protect,
                    .n_protect = n_protect };
        size_t n_refs = 0, k = 0;
        bool any_new = true;
        int r = 0;

        if (n == 0)
                return 0;
        for (size_t i = 0; i < n; i++) {
                targets[i].killed_tree = targets[i].killed_audit = 0;
                targets[i].incomplete = false;
                n_refs += targets[i].n_tree;
        }
        s.tree_refs = calloc(n_refs ?: 1, sizeof(ProcRef *));
        s.tree_target = calloc(n_refs ?: 1, sizeof(size_t));
        s.found_new = calloc(n, sizeof(bool));
        s.failed = calloc(n, sizeof(bool));
        if (!s.tree_refs || !s.tree_target || !s.found_new || !s.failed) {
                r = -ENOMEM;
                goto out;
        }
        for (size_t i = 0; i < n; i++) {
                for (size_t j = 0; j < targets[i].n_tree; j++, k++) {
                        s.tree_refs[k] = &targets[i].tree[j];
                        s.tree_target[k] = i;
                        r = id_map_put(&s.tree, (uint64_t) targets[i].tree[j].pid, k);
                        if (r < 0)
                                goto out;
                }
                if (targets[i].audit != AUDIT_SESSION_UNSET) {
                        r = id_map_put(&s.audit, targets[i].audit, i);
                        if (r < 0)
                                goto out;
                }
        }

        for (unsigned pass = 0; pass < SWEEP_MAX_PASSES && any_new; pass++) {
                for (size_t i = 0; i < n; i++)
                        s.found_new[i] = false;
                r = proc_walk(proc_root, pass_cb, &s);
                if (r < 0)
                        goto kill;
                any_new = false;
                for (size_t i = 0; i < n; i++)
                        any_new = any_new || s.found_new[i];
        }
kill:
        /* Stopped, they can no longer fork: now all of them, for good. */
        for (size_t i = 0; i < s.n_members; i++) {
                const Member *m = &s.members[i];
                int fd = pidfd_open_checked(proc_root, m->pid, m->starttime, NULL);
                if (fd < 0) {
                        if (fd != -ESRCH && fd != -EPERM)
                                s.failed[m->target] = true;
                        continue;
                }
                if (syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) >= 0) {
                        if (m->audit_only)
                                targets[m->target].killed_audit++;
                        else
                                targets[m->target].killed_tree++;
                }
                safe_close(fd);
        }
        for (size_t i = 0; i < n; i++)
                targets[i].incomplete = r < 0 || s.failed[i] || (any_new && s.found_new[i]);
out:
        id_map_done(&s.tree);
        id_map_done(&s.audit);
        id_map_done(&s.stopped);
        free(s.tree_refs);
        free(s.tree_target);
        free(s.members);
        free(s.found_new);
        free(s.failed);
        return r;
}
