/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cgroup_fs.h"
#include "clock.h"
#include "id_map.h"
#include "macro.h"
#include "proc_walk.h"
#include "process_kill.h"
#include "sweep.h"

typedef enum Why {
        WHY_TREE,    /* in the tree, or below a member that is */
        WHY_CGROUP,  /* in the proven cgroup, not known to be in the tree */
        WHY_AUDIT,   /* in the audit session only */
} Why;

typedef struct Member {
        pid_t pid;
        uint64_t starttime;
        uint32_t num_threads;
        int pidfd;      /* kept from the SIGSTOP to the SIGKILL, up to keep_fds of them; else -1 */
        size_t target;
        Why why;
        bool halted;    /* seen stopped (or exited) since its SIGSTOP: it can fork no more */
} Member;

/* A SIGSTOP takes effect when its process next runs; this is how long a
 * sweep waits for it. A process in uninterruptible sleep may not stop in
 * time: its target is then incomplete, and the next round looks again. */
#define STOP_WAIT_USEC 200000


typedef struct Sweep {
        const char *proc_root;
        SweepTarget *targets;
        size_t n_targets;
        const pid_t *protect;
        size_t n_protect;
        const SshdListeners *sshd;
        IdMap tree;       /* PID -> index into tree_refs, the processes named from the start */
        const ProcRef **tree_refs;
        size_t *tree_target;
        IdMap audit;      /* audit session id -> target */
        IdMap stopped;    /* PID -> index into members */
        Member *members;
        size_t n_members, allocated;
        bool *found_new;  /* per target, in this pass */
        bool *failed;     /* per target: a process could not be stopped for a reason that may pass */
        bool raced;       /* this pass, a process went before it could be told whose it was */
        IdMap zombies;    /* PID -> start time: the exited processes of audit sessions seen so far */
        IdMap spared;     /* PID -> start time: sshd's listeners met, each counted once */
        size_t keep_fds;  /* pidfds kept from stop to kill: it saves opening (and checking) each twice */
} Sweep;

static bool protected(const Sweep *s, pid_t pid) {
        if (pid <= 1 || pid == getpid())
                return true;
        for (size_t i = 0; i < s->n_protect; i++)
                if (s->protect[i] == pid)
                        return true;
        return false;
}

static bool audit_only(const Member *m) {
        return m->why == WHY_AUDIT;
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
static ssize_t target_of(Sweep *s, pid_t pid, const ProcStat *st, Why *ret_why) {
        uint64_t k;

        *ret_why = WHY_TREE;
        if (id_map_get(&s->tree, (uint64_t) pid, &k) && s->tree_refs[k]->starttime == st->starttime)
                return (ssize_t) s->tree_target[k];
        /* A child of a stopped member: the member is alive (stopped), so its
         * PID still names it; its start time says so. It belongs as its
         * parent does: to the tree, or to the audit session only. */
        if (id_map_get(&s->stopped, (uint64_t) st->ppid, &k)) {
                ProcStat parent;
                const Member *m = &s->members[k];
                if (proc_stat_read(s->proc_root, st->ppid, &parent) == 0 && parent.starttime == m->starttime &&
                    (!audit_only(m) || same_user(s, pid, m->target))) {
                        *ret_why = m->why;
                        return (ssize_t) m->target;
                }
        }
        if (s->audit.n > 0) {
                uid_t ruid, euid;
                uint32_t id;
                int r = proc_sessionid_read(s->proc_root, pid, &id);
                if (r == -ENOENT || r == -ESRCH)
                        s->raced = true;
                if (r < 0 || !id_map_get(&s->audit, id, &k))
                        return -1;
                /* Another user's process in the session (sudo, a setuid
                 * program) is the session's only if it is in its tree, which
                 * was checked above: it may be a service started from it. */
                r = proc_status_uids(s->proc_root, pid, &ruid, &euid);
                if (r == -ENOENT || r == -ESRCH)
                        s->raced = true;
                if (r < 0 || ruid != s->targets[k].uid || euid != s->targets[k].uid)
                        return -1;
                *ret_why = WHY_AUDIT;
                return (ssize_t) k;
        }
        return -1;
}

/* Whether PID is in target t's cgroup, or below it. */
static bool in_cgroup(const Sweep *s, pid_t pid, size_t t) {
        _cleanup_free_ char *path = NULL;
        const char *c = s->targets[t].cgroup;
        size_t len = strlen(c);

        return proc_cgroup_read(s->proc_root, pid, &path) == 0 && strncmp(path, c, len) == 0 &&
               (path[len] == '\0' || path[len] == '/');
}

static int stop_one(Sweep *s, pid_t pid, uint64_t starttime, size_t t, Why why);

/* The processes of a cgroup and of the cgroups below it (bounded depth). */
static int stop_cgroup_at(Sweep *s, size_t t, int dfd, unsigned depth) {
        _cleanup_free_ pid_t *pids = NULL;
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        size_t n = 0;
        int r, dup_fd;

        r = cgroup_read_procs(dfd, &pids, &n);
        if (r == -ENOENT || r == -ENODEV)
                return 0; /* removed as its last process left */
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                ProcStat st;
                if (proc_stat_read(s->proc_root, pids[i], &st) < 0 || st.state == 'Z' || st.state == 'X')
                        continue;
                r = stop_one(s, pids[i], st.starttime, t, WHY_CGROUP);
                if (r < 0)
                        return r;
        }
        if (depth >= 16)
                return 0;
        struct stat dst;
        if (fstat(dfd, &dst) == 0 && dst.st_nlink <= 2)
                return 0; /* no subdirectory: nothing below */
        dup_fd = dup(dfd);
        if (dup_fd < 0 || !(d = fdopendir(dup_fd))) {
                safe_close(dup_fd);
                return 0;
        }
        while ((de = readdir(d))) {
                _cleanup_close_ int sub = -1;
                if (de->d_type != DT_DIR || de->d_name[0] == '.')
                        continue;
                sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (sub >= 0 && (r = stop_cgroup_at(s, t, sub, depth + 1)) < 0)
                        return r;
        }
        return 0;
}

static int stop_cgroup(Sweep *s, size_t t) {
        _cleanup_close_ int dfd = cgroup_open(s->targets[t].cgroup_mount, s->targets[t].cgroup);

        if (dfd == -ENOENT)
                return 0; /* gone: nothing left in it */
        if (dfd < 0) {
                s->failed[t] = true;
                return 0;
        }
        return stop_cgroup_at(s, t, dfd, 0);
}

/* Stops one process of target t, through a pidfd that proves it is the
 * process with that start time, and adds it to the members. */
static int stop_one(Sweep *s, pid_t pid, uint64_t starttime, size_t t, Why why) {
        uint64_t k;
        int fd, r;

        if (protected(s, pid) || (id_map_get(&s->stopped, (uint64_t) pid, &k) && s->members[k].starttime == starttime))
                return 0;
        ProcStat st;
        fd = pidfd_open_checked(s->proc_root, pid, starttime, &st);
        if (fd == -ESRCH) {
                /* Listed a moment ago, gone now: what it forked meanwhile
                 * may be missing from the listing, so one more pass. */
                s->found_new[t] = true;
                return 0;
        }
        if (fd == -EPERM)
                return 0;
        if (fd < 0) {
                s->failed[t] = true; /* EMFILE, ENOMEM: the next round retries */
                return 0;
        }
        if (why == WHY_AUDIT) {
                uint32_t id;
                /* The pidfd pins the process its start time proved; its audit
                 * session cannot change (unprivileged), but check once more. */
                if (proc_sessionid_read(s->proc_root, pid, &id) < 0 || id != s->targets[t].audit) {
                        safe_close(fd);
                        return 0;
                }
        } else if (why == WHY_CGROUP && !in_cgroup(s, pid, t)) {
                /* Pinned, it is still in the cgroup: not a PID reused elsewhere. */
                safe_close(fd);
                return 0;
        }
        if (s->sshd && sshd_listener_is(s->sshd, pid) != 0) {
                /* Pinned, and sshd's listener (or gone): whatever led here,
                 * it is not the session's. */
                safe_close(fd);
                if (!id_map_get(&s->spared, (uint64_t) pid, &k)) {
                        (void) id_map_put(&s->spared, (uint64_t) pid, starttime);
                        s->targets[t].spared_listeners++;
                }
                return 0;
        }
        r = (int) syscall(SYS_pidfd_send_signal, fd, SIGSTOP, NULL, 0);
        if (r < 0) {
                safe_close(fd);
                return 0;
        }
        if (s->n_members >= s->keep_fds)
                fd = safe_close(fd);
        s->found_new[t] = true;
        r = add_member(s, (Member) { .pid = pid, .starttime = starttime, .num_threads = st.num_threads, .pidfd = fd,
                                     .target = t, .why = why });
        if (r < 0)
                safe_close(fd);
        return r < 0 ? r : 1;
}

/* Until every member from `from` on has stopped or exited: only then does
 * what it can have forked show (in its children file, or in /proc). The
 * wait sleeps, so that the processes get the CPU to stop. */
static void wait_halted(Sweep *s, size_t from) {
        uint64_t deadline = monotonic_now() + STOP_WAIT_USEC;
        useconds_t nap = 20;

        for (;;) {
                bool all = true;
                for (size_t i = from; i < s->n_members; i++) {
                        Member *m = &s->members[i];
                        if (m->halted)
                                continue;
                        int r = proc_stopped(s->proc_root, m->pid, m->starttime);
                        if (r != 0 && r != -ENOMEM && r != -EMFILE && r != -ENFILE)
                                m->halted = true; /* stopped, exited, or not ours to wait for (EPERM) */
                        else
                                all = false;
                }
                if (all || monotonic_now() >= deadline)
                        break;
                (void) usleep(nap);
                nap = nap < 2000 ? nap * 2 : 2000;
        }
        for (size_t i = from; i < s->n_members; i++)
                if (!s->members[i].halted)
                        s->failed[s->members[i].target] = true;
}

static int pass_cb(pid_t pid, const ProcStat *st, void *userdata) {
        Sweep *s = userdata;
        uint64_t seen;
        Why why;
        ssize_t t;

        t = target_of(s, pid, st, &why);
        if (t < 0)
                return 0;
        if (st->state == 'Z' || st->state == 'X') {
                /* It exited after the last pass began, and may have forked
                 * first, after this pass's listing: one more pass. Seen
                 * once, an unreaped zombie is not news again. */
                if (why == WHY_AUDIT && !(id_map_get(&s->zombies, (uint64_t) pid, &seen) && seen == st->starttime)) {
                        s->raced = true;
                        return id_map_put(&s->zombies, (uint64_t) pid, st->starttime) < 0 ? -ENOMEM : 0;
                }
                return 0;
        }
        int r = stop_one(s, pid, st->starttime, (size_t) t, why);
        return r < 0 ? r : 0;
}

/* The trees, through the children files, which cost what the sessions
 * hold rather than a walk over every process: each process is seen stopped
 * before its children are read, so the list is final. -EOPNOTSUPP without
 * the files. */
static int stop_trees(Sweep *s) {
        int r;

        for (size_t t = 0; t < s->n_targets; t++)
                for (size_t j = 0; j < s->targets[t].n_tree; j++) {
                        r = stop_one(s, s->targets[t].tree[j].pid, s->targets[t].tree[j].starttime, t, WHY_TREE);
                        if (r < 0)
                                return r;
                }
        for (size_t t = 0; t < s->n_targets; t++)
                if (s->targets[t].cgroup) {
                        r = stop_cgroup(s, t);
                        if (r < 0)
                                return r;
                }
        /* In waves: the members stopped so far are waited for, then their
         * children are read and stopped, and so on. */
        for (size_t i = 0, waited = 0; i < s->n_members; i++) {
                _cleanup_free_ pid_t *children = NULL;
                size_t k = 0;

                if (i == waited) {
                        wait_halted(s, i);
                        waited = s->n_members;
                }
                Member m = s->members[i];

                r = proc_children(s->proc_root, m.pid, m.num_threads, &children, &k);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return r;
                for (size_t j = 0; j < k; j++) {
                        ProcStat st;
                        if (proc_stat_read(s->proc_root, children[j], &st) < 0 || st.ppid != m.pid ||
                            st.starttime < m.starttime || st.state == 'Z')
                                continue;
                        if (audit_only(&m) && !same_user(s, children[j], m.target))
                                continue;
                        r = stop_one(s, children[j], st.starttime, m.target, m.why);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* The targets' tree processes and audit sessions, indexed for the look-ups
 * of every pass. */
static int sweep_index(Sweep *s) {
        size_t n_refs = 0, k = 0;
        int r;

        for (size_t i = 0; i < s->n_targets; i++)
                n_refs += s->targets[i].n_tree;
        s->tree_refs = calloc(n_refs ?: 1, sizeof(ProcRef *));
        s->tree_target = calloc(n_refs ?: 1, sizeof(size_t));
        s->found_new = calloc(s->n_targets, sizeof(bool));
        s->failed = calloc(s->n_targets, sizeof(bool));
        if (!s->tree_refs || !s->tree_target || !s->found_new || !s->failed)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_targets; i++) {
                SweepTarget *t = &s->targets[i];

                for (size_t j = 0; j < t->n_tree; j++, k++) {
                        s->tree_refs[k] = &t->tree[j];
                        s->tree_target[k] = i;
                        r = id_map_put(&s->tree, (uint64_t) t->tree[j].pid, k);
                        if (r < 0)
                                return r;
                }
                if (t->audit != AUDIT_SESSION_UNSET) {
                        r = id_map_put(&s->audit, t->audit, i);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* Audit sessions (or no children files): passes over every process on the
 * host until one finds nothing new. *any_new: the last pass found some. */
static int sweep_passes(Sweep *s, bool *any_new) {
        int r = 0;

        for (unsigned pass = 0; pass < SWEEP_MAX_PASSES && *any_new; pass++) {
                /* A pass that finds nothing new is final only if what it
                 * had stopped had really stopped before it began. */
                wait_halted(s, 0);
                for (size_t i = 0; i < s->n_targets; i++)
                        s->found_new[i] = false;
                s->raced = false;
                r = proc_walk_with_zombies(s->proc_root, pass_cb, s);
                if (r < 0)
                        return r;
                /* A process went between its listing and our look: it may
                 * have forked first, so every audit session looks again. */
                for (size_t i = 0; s->raced && i < s->n_targets; i++)
                        if (s->targets[i].audit != AUDIT_SESSION_UNSET)
                                s->found_new[i] = true;
                *any_new = false;
                for (size_t i = 0; i < s->n_targets; i++)
                        *any_new = *any_new || s->found_new[i];
        }
        return r;
}

/* Stopped, they can no longer fork: now all of them, for good. */
static void sweep_kill_stopped(Sweep *s, IdMap *killed) {
        for (size_t i = 0; i < s->n_members; i++) {
                Member *m = &s->members[i];
                SweepTarget *t = &s->targets[m->target];
                /* Stopped, the process it pins cannot have exited by itself. */
                int fd = m->pidfd >= 0 ? TAKE_FD(m->pidfd)
                                       : pidfd_open_checked(s->proc_root, m->pid, m->starttime, NULL);

                if (fd < 0) {
                        if (fd != -ESRCH && fd != -EPERM)
                                s->failed[m->target] = true;
                        continue;
                }
                if (syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) >= 0) {
                        if (m->why == WHY_AUDIT)
                                t->killed_audit++;
                        else if (m->why == WHY_CGROUP)
                                t->killed_cgroup++;
                        else
                                t->killed_tree++;
                        if (killed && id_map_put(killed, (uint64_t) m->pid, m->starttime) < 0)
                                s->failed[m->target] = true;
                }
                safe_close(fd);
        }
}

static void sweep_done(Sweep *s) {
        for (size_t i = 0; i < s->n_members; i++)
                safe_close(s->members[i].pidfd);
        id_map_done(&s->tree);
        id_map_done(&s->audit);
        id_map_done(&s->zombies);
        id_map_done(&s->spared);
        id_map_done(&s->stopped);
        free(s->tree_refs);
        free(s->tree_target);
        free(s->members);
        free(s->found_new);
        free(s->failed);
}

int sweep_kill(const char *proc_root, SweepTarget *targets, size_t n, const pid_t *protect, size_t n_protect,
               const SshdListeners *sshd, IdMap *killed, size_t keep_fds) {
        Sweep s = { .proc_root = proc_root, .targets = targets, .n_targets = n, .protect = protect,
                    .n_protect = n_protect, .sshd = sshd, .keep_fds = keep_fds };
        bool any_new = true;
        int r;

        for (size_t i = 0; i < n; i++) {
                targets[i].killed_tree = targets[i].killed_cgroup = targets[i].killed_audit = 0;
                targets[i].spared_listeners = 0;
                targets[i].incomplete = false;
        }
        if (n == 0)
                return 0;
        r = sweep_index(&s);
        if (r < 0) {
                /* Nothing was looked at: every target is to be tried again. */
                for (size_t i = 0; i < n; i++)
                        targets[i].incomplete = true;
                sweep_done(&s);
                return r;
        }
        r = stop_trees(&s);
        if (r == -EOPNOTSUPP)
                r = 0; /* the passes below find the trees too */
        else if (r >= 0 && s.audit.n == 0)
                any_new = false; /* every tree is stopped whole: no pass over /proc is needed */
        if (r >= 0 && any_new)
                r = sweep_passes(&s, &any_new);
        sweep_kill_stopped(&s, killed);
        for (size_t i = 0; i < n; i++)
                targets[i].incomplete = r < 0 || s.failed[i] || (any_new && s.found_new[i]);
        sweep_done(&s);
        return r;
}
