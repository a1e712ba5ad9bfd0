/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "daemon.h"
#include "ending.h"
#include "event_timer.h"
#include "id_map.h"
#include "log.h"
#include "macro.h"
#include "name_map.h"
#include "passwd_lookup.h"
#include "proc_walk.h"
#include "register.h"
#include "sshd_listener.h"
#include "tcp_input.h"
#include "time_span.h"
#include "unrecorded.h"

typedef struct UnrecordedScan {
        Daemon *daemon;
        sd_event_source *timer;
        Unrecorded **v;
        size_t n;
        NameMap by_name;
        ProcRef *listeners;        /* sshd's, in this network namespace, as last found */
        size_t n_listeners;
        uint64_t listening_sig;    /* of the listening sockets they were found with */
        IdMap not_monitor;         /* PID 1's children that are no sshd monitor: pid -> start time */
} UnrecordedScan;

/* A monitor found past authentication, not yet matched to its connection. */
typedef struct Candidate {
        ProcRef monitor, parent;
        uid_t uid;
        bool runs_command;
        unsigned n_tcp;
        TcpInput tcp;
} Candidate;

static void unrecorded_free(Daemon *d, Unrecorded *u) {
        if (!u)
                return;
        if (u->reported)
                d->n_unrecorded--;
        free(u->name);
        free(u->user);
        free(u->remote_host);
        free(u);
}

size_t unrecorded_count(const Daemon *d) {
        return d->n_unrecorded;
}

const Unrecorded *unrecorded_get(const Daemon *d, size_t i) {
        for (size_t k = 0; d->unrecorded && k < d->unrecorded->n; k++)
                if (d->unrecorded->v[k]->reported && i-- == 0)
                        return d->unrecorded->v[k];
        return NULL;
}

/* The listening sockets, summed up: when they change, so may the listeners. */
static uint64_t listening_signature(const SshdListeners *l) {
        uint64_t sig = l->listening.n;
        for (size_t i = 0; i < l->listening.capacity; i++)
                if (l->listening.keys[i])
                        sig += l->listening.keys[i] * UINT64_C(0x9e3779b97f4a7c15);
        return sig;
}

static bool ref_alive(const char *proc_root, const ProcRef *r) {
        ProcStat st;
        return proc_stat_read(proc_root, r->pid, &st) == 0 && st.starttime == r->starttime && st.state != 'Z';
}

typedef struct ListenerWalk {
        const SshdListeners *l;
        ProcRef *v;
        size_t n;
} ListenerWalk;

static int listener_cb(pid_t pid, const ProcStat *st, void *userdata) {
        ListenerWalk *w = userdata;

        if (sshd_listener_kind(w->l, pid) != SSHD_LISTENER_HERE)
                return 0;
        ProcRef *v = reallocarray(w->v, w->n + 1, sizeof(ProcRef));
        if (!v)
                return -ENOMEM;
        w->v = v;
        w->v[w->n++] = (ProcRef) { .pid = pid, .starttime = st->starttime };
        return 0;
}

/* sshd's listeners: the cached ones while they live and the listening
 * sockets stay the same; else a walk over every process, which reads each
 * one's executable (once, after a start or restart of sshd). */
static int listeners_refresh(UnrecordedScan *s, const SshdListeners *l) {
        const char *proc_root = s->daemon->proc_root;
        uint64_t sig = listening_signature(l);
        bool fresh = s->n_listeners > 0 && sig == s->listening_sig;
        int r;

        for (size_t i = 0; fresh && i < s->n_listeners; i++)
                fresh = ref_alive(proc_root, &s->listeners[i]);
        if (fresh)
                return 0;
        ListenerWalk w = { .l = l };
        r = proc_walk(proc_root, listener_cb, &w);
        if (r < 0) {
                free(w.v);
                return r;
        }
        free(s->listeners);
        s->listeners = w.v;
        s->n_listeners = w.n;
        s->listening_sig = sig;
        return 0;
}

/* Whether the process reads its root directory as "/": sshd's session
 * process after authentication, not the privilege separation child in
 * its chroot. */
static bool root_is_slash(const char *proc_root, pid_t pid) {
        _cleanup_free_ char *path = NULL;
        char buf[8];
        ssize_t n;

        if (proc_pid_path(proc_root, pid, "root", &path) < 0)
                return false;
        n = readlink(path, buf, sizeof(buf));
        return n == 1 && buf[0] == '/';
}

typedef enum MonitorCheck {
        MONITOR_NOT_SSHD,    /* not an sshd executable: nothing to look at while it lives */
        MONITOR_NOT_YET,     /* sshd's, but not a monitor past authentication (yet) */
        MONITOR_LOGGED_IN,   /* a monitor with a session process: *c filled */
} MonitorCheck;

/* Whether pid is a monitor past authentication: root's, an sshd
 * executable, with a session process (the same executable, outside the
 * chroot). -ESRCH when it is gone. */
static int monitor_check(const char *proc_root, pid_t pid, Candidate *c) {
        _cleanup_(proc_exe_done) ProcExe exe = {};
        _cleanup_free_ pid_t *children = NULL;
        size_t n = 0;
        uid_t ruid, euid;
        int r;

        r = proc_exe_read(proc_root, pid, &exe);
        if (r == -ENOENT || r == -ESRCH)
                return -ESRCH;
        if (r < 0)
                return MONITOR_NOT_YET;
        if (!exe_is_sshd(exe.path))
                return MONITOR_NOT_SSHD;
        if (proc_status_uids(proc_root, pid, &ruid, &euid) < 0 || ruid != 0 || euid != 0 ||
            proc_children(proc_root, pid, 0, &children, &n) < 0)
                return MONITOR_NOT_YET;
        for (size_t i = 0; i < n; i++) {
                _cleanup_(proc_exe_done) ProcExe child = {};
                _cleanup_free_ pid_t *grandchildren = NULL;
                size_t k = 0;

                if (proc_exe_read(proc_root, children[i], &child) < 0 || child.dev != exe.dev || child.ino != exe.ino ||
                    !root_is_slash(proc_root, children[i]) ||
                    proc_status_uids(proc_root, children[i], &ruid, &euid) < 0)
                        continue;
                c->uid = ruid;
                c->runs_command = proc_children(proc_root, children[i], 0, &grandchildren, &k) == 0 && k > 0;
                return MONITOR_LOGGED_IN;
        }
        return MONITOR_NOT_YET;
}

typedef struct Match {
        Candidate *v;
        size_t n;
        IdMap owner; /* socket inode -> candidate */
} Match;

static int match_cb(const TcpInput *in, void *userdata) {
        Match *m = userdata;
        uint64_t k;

        if (id_map_get(&m->owner, in->inode, &k) && k < m->n && m->v[k].n_tcp++ == 0)
                m->v[k].tcp = *in;
        return 0;
}

static void remember(UnrecordedScan *s, const Candidate *c, const char *name, uint64_t now) {
        Unrecorded *u = calloc(1, sizeof(Unrecorded));
        PasswdEntry pw;

        if (!u)
                return;
        *u = (Unrecorded) { .monitor = c->monitor, .parent = c->parent, .uid = c->uid, .first_seen = now,
                            .first_seen_realtime = realtime_now(), .runs_command = c->runs_command, .seen = true };
        u->name = strdup(name);
        (void) tcp_input_peer_string(&c->tcp, &u->remote_host);
        if (passwd_lookup(NULL, c->uid, &pw) == 0)
                u->user = pw.name;
        Unrecorded **v = reallocarray(s->v, s->n + 1, sizeof(Unrecorded *));
        if (!u->name || !u->remote_host || !v || name_map_put(&s->by_name, u->name, u) < 0) {
                if (v)
                        s->v = v;
                if (u->name)
                        name_map_remove(&s->by_name, u->name);
                unrecorded_free(s->daemon, u);
                return;
        }
        s->v = v;
        s->v[s->n++] = u;
}

static void report(UnrecordedScan *s, Unrecorded *u) {
        Daemon *d = s->daemon;
        char user[32], pid[32], host[1100], uid[32];
        char *fields[] = { user, uid, pid, host, NULL };

        snprintf(user, sizeof(user), "USER_ID=%s", u->user ?: "");
        snprintf(uid, sizeof(uid), "UID=%u", (unsigned) u->uid);
        snprintf(pid, sizeof(pid), "SSHD_PID=%d", (int) u->monitor.pid);
        snprintf(host, sizeof(host), "REMOTE_HOST=%s", u->remote_host);
        log_struct(LOG_WARNING, MESSAGE_ID_CONNECTION_UNRECORDED, fields,
                   "Connection of %s from %s (sshd PID %d) has no record: neither PAM nor sshd-watchdog-exec "
                   "recorded it (%s); %s",
                   u->user ?: uid + 4, u->remote_host, (int) u->monitor.pid,
                   u->runs_command ? "a command runs in it" : "no command runs in it: forwards only, as ssh -N or -W",
                   d->config.end_unrecorded ? "recording it to watch it (EndUnrecorded=yes)"
                                            : "it is not watched (EndUnrecorded=no)");
        u->reported = true;
        d->n_unrecorded++;
}

/* EndUnrecorded=yes: its record, from the kernel alone, as a registration
 * would write it; the inotify watch then takes it up as a session. 0 when
 * written. */
static int record(UnrecordedScan *s, Unrecorded *u) {
        Daemon *d = s->daemon;
        _cleanup_(session_record_done) SessionRecord rec = SESSION_RECORD_NULL;
        _cleanup_close_ int dir_fd = -1;
        bool sshds_cgroup;
        int r;

        r = register_collect(d, &u->monitor, &u->parent, u->uid, REGISTERED_FOUND, &rec, &sshds_cgroup);
        if (r >= 0 && rec.socket_inode == 0)
                r = -ENOTCONN;
        if (r >= 0)
                r = dir_fd = session_dir_open(d->state_dir, false);
        if (r >= 0)
                r = session_record_write(dir_fd, &rec);
        if (r < 0)
                return log_warning_errno(r, "Cannot record connection %s; trying again at the next scan", u->name);
        return 0;
}

/* The monitors that have a record, by PID: a stat of each would be most
 * of a scan's cost. A PID that died and was reused meanwhile is looked at
 * again at the next scan, when its old record is gone. */
static int recorded_monitors(Daemon *d, IdMap *ret) {
        for (size_t i = 0; i < d->n_sessions; i++)
                if (id_map_put(ret, (uint64_t) d->sessions[i]->rec.sshd_pid, 1) < 0)
                        return -ENOMEM;
        for (size_t i = 0; i < d->n_endings; i++)
                if (id_map_put(ret, (uint64_t) d->endings[i]->rec.sshd_pid, 1) < 0)
                        return -ENOMEM;
        return 0;
}

/* The monitors past authentication among the children of each listener
 * and of PID 1 that no record names and that are not known already. */
static void find_candidates(UnrecordedScan *s, const IdMap *recorded, Candidate **ret, size_t *ret_n) {
        Daemon *d = s->daemon;
        IdMap seen_not_monitor = {};

        for (size_t i = 0; i <= s->n_listeners; i++) {
                _cleanup_free_ pid_t *children = NULL;
                ProcRef parent = i < s->n_listeners ? s->listeners[i] : (ProcRef) { .pid = 1 };
                size_t n = 0;

                if (proc_children(d->proc_root, parent.pid, 0, &children, &n) < 0)
                        continue;
                for (size_t j = 0; j < n; j++) {
                        char name[64];
                        ProcStat st;
                        uint64_t known;
                        Candidate c = { .parent = parent };

                        if (id_map_get(recorded, (uint64_t) children[j], &known) ||
                            proc_stat_read(d->proc_root, children[j], &st) < 0 || st.state == 'Z')
                                continue;
                        snprintf(name, sizeof(name), "%d-%" PRIu64, (int) children[j], st.starttime);
                        if (session_find(d, name) || ending_find(d, name))
                                continue;
                        Unrecorded *u = name_map_get(&s->by_name, name);
                        if (u) {
                                u->seen = true;
                                continue;
                        }
                        if (parent.pid == 1 && id_map_get(&s->not_monitor, (uint64_t) children[j], &known) &&
                            known == st.starttime) {
                                (void) id_map_put(&seen_not_monitor, (uint64_t) children[j], st.starttime);
                                continue;
                        }
                        c.monitor = (ProcRef) { .pid = children[j], .starttime = st.starttime };
                        int r = monitor_check(d->proc_root, children[j], &c);
                        /* PID 1's other children: not looked at again while they live. */
                        if (r == MONITOR_NOT_SSHD && parent.pid == 1)
                                (void) id_map_put(&seen_not_monitor, (uint64_t) children[j], st.starttime);
                        if (r != MONITOR_LOGGED_IN)
                                continue;
                        Candidate *v = reallocarray(*ret, *ret_n + 1, sizeof(Candidate));
                        if (!v)
                                break;
                        *ret = v;
                        v[(*ret_n)++] = c;
                }
        }
        id_map_done(&s->not_monitor);
        s->not_monitor = seen_not_monitor;
}

/* Their connections, from one dump: a candidate with exactly one in this
 * network namespace is remembered. <0 when the dump failed. */
static int match_connections(UnrecordedScan *s, Candidate *v, size_t n, uint64_t now) {
        Match m = { .v = v, .n = n };
        int r;

        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ uint64_t *inodes = NULL;
                size_t k = 0;
                if (proc_socket_inodes(s->daemon->proc_root, v[i].monitor.pid, &inodes, &k) < 0)
                        continue;
                for (size_t j = 0; j < k; j++)
                        (void) id_map_put(&m.owner, inodes[j], i);
        }
        r = tcp_diag_dump(s->daemon->diag_fd, match_cb, &m);
        id_map_done(&m.owner);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                char name[64];
                if (v[i].n_tcp != 1)
                        continue; /* none in this namespace, or more than one to choose from */
                snprintf(name, sizeof(name), "%d-%" PRIu64, (int) v[i].monitor.pid, v[i].monitor.starttime);
                remember(s, &v[i], name, now);
        }
        return 0;
}

/* Gone or recorded since: forgotten. Seen twice: said, and recorded when
 * so configured. */
static void settle(UnrecordedScan *s, uint64_t now) {
        size_t kept = 0;

        for (size_t i = 0; i < s->n; i++) {
                Unrecorded *u = s->v[i];
                if (u->seen && u->first_seen != now) {
                        if (!u->reported)
                                report(s, u);
                        /* Recorded now: a session from here on. */
                        if (s->daemon->config.end_unrecorded && record(s, u) == 0)
                                u->seen = false;
                }
                if (!u->seen) {
                        name_map_remove(&s->by_name, u->name);
                        unrecorded_free(s->daemon, u);
                        continue;
                }
                s->v[kept++] = u;
        }
        s->n = kept;
}

static void scan(UnrecordedScan *s, uint64_t now) {
        _cleanup_(sshd_listeners_done) SshdListeners l = {};
        _cleanup_free_ Candidate *cands = NULL;
        IdMap recorded = {};
        size_t n_cands = 0;
        int r;

        for (size_t i = 0; i < s->n; i++)
                s->v[i]->seen = false;
        r = sshd_listeners_load(&l, s->daemon->proc_root, s->daemon->diag_fd);
        if (r >= 0)
                r = listeners_refresh(s, &l);
        if (r >= 0)
                r = recorded_monitors(s->daemon, &recorded);
        if (r >= 0)
                find_candidates(s, &recorded, &cands, &n_cands);
        id_map_done(&recorded);
        if (r >= 0 && n_cands > 0)
                r = match_connections(s, cands, n_cands, now);
        if (r < 0) {
                /* Nothing learnt: what was known stays, and waits for the next look. */
                log_debug("Cannot look for unrecorded connections now: %s", strerror(-r));
                for (size_t i = 0; i < s->n; i++)
                        s->v[i]->seen = true;
                return;
        }
        settle(s, now);
}

static int on_timer(sd_event_source *src, uint64_t usec, void *userdata) {
        UnrecordedScan *s = userdata;
        Daemon *d = s->daemon;
        uint64_t now = monotonic_now();

        scan(s, now);
        (void) event_timer_arm(d->event, &s->timer, now + d->config.unrecorded_scan_usec, USEC_PER_SEC / 10, on_timer,
                               s);
        return 0;
}

int unrecorded_configure(Daemon *d) {
        UnrecordedScan *s = d->unrecorded;
        uint64_t every = d->config.unrecorded_scan_usec;
        int r;

        if (every == 0) {
                unrecorded_done(d);
                return 0;
        }
        if (!s) {
                s = calloc(1, sizeof(UnrecordedScan));
                if (!s)
                        return log_error_errno(-ENOMEM, "Cannot look for unrecorded connections");
                s->daemon = d;
                d->unrecorded = s;
        }
        r = event_timer_arm(d->event, &s->timer, monotonic_now() + every, USEC_PER_SEC / 10, on_timer, s);
        if (r < 0) {
                unrecorded_done(d);
                return log_error_errno(r, "Cannot look for unrecorded connections");
        }
        return 0;
}

void unrecorded_done(Daemon *d) {
        UnrecordedScan *s = d->unrecorded;

        if (!s)
                return;
        sd_event_source_disable_unref(s->timer);
        for (size_t i = 0; i < s->n; i++)
                unrecorded_free(d, s->v[i]);
        free(s->v);
        name_map_done(&s->by_name);
        id_map_done(&s->not_monitor);
        free(s->listeners);
        free(s);
        d->unrecorded = NULL;
}
