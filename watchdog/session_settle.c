/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* From a record to a watched session: the record validated, the limits
 * resolved, the TCP socket whose input is timed found (one socket dump for
 * all the sessions settled at once); sessions whose sshd is gone or whose
 * record is marked closed are handed to endings_begin(). What fails for a
 * reason that may pass (EMFILE, ENOMEM, a failed socket dump, NSS) is
 * tried again after a backoff, never taken for "unwatchable" or "gone". */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "daemon.h"
#include "deadline.h"
#include "ending.h"
#include "id_map.h"
#include "log.h"
#include "macro.h"
#include "monitor_exit.h"
#include "session.h"
#include "session_fields.h"
#include "session_settle.h"
#include "status.h"
#include "time_span.h"

static void trouble_over(Session *s) {
        if (s->trouble_logged)
                log_info("Session %s: working again after %u tries", s->name, s->failures);
        s->failures = 0;
        s->trouble_logged = false;
        free(s->why);
        s->why = NULL;
}

static void watch_started(Session *s, uint64_t now) {
        _cleanup_(fields_free) Fields f = {};
        char t[TIME_SPAN_MAX];

        trouble_over(s);
        s->silence_usec = (uint64_t) s->sock.last_data_recv_ms * USEC_PER_MSEC;
        s->read_at = monotonic_now();
        if (session_timed(s)) {
                session_set_state(s, SESSION_WATCHING);
                session_set_deadline(s, deadline_from_silence(now, s->silence_usec, s->eff.input_timeout_usec));
        } else {
                session_set_state(s, SESSION_UNTIMED);
                session_set_deadline(s, 0);
        }
        idle_watch_update(s, now);
        session_fields(s, &f);
        /* At start-up the records are many and were each logged at login:
         * one line says how many (log_started()), each at debug level. A
         * journal entry per session would cost a restart most of its time,
         * and 10,000 of them reach journald's rate limit (RateLimitBurst=
         * 10000 per 30 s), which would drop the endings that follow. */
        int level = s->daemon->ready ? LOG_INFO : LOG_DEBUG;
        if (session_timed(s))
                log_struct(level, MESSAGE_ID_SESSION_WATCHED, f.v,
                           "Watching %s: ends after %s without input (%s), silent for %s now%s", f.label,
                           time_span_format(t, s->eff.input_timeout_usec, 0), s->eff.source, f.silence,
                           s->eff.dry_run ? " (dry run)" : "");
        else
                log_struct(level, MESSAGE_ID_SESSION_WATCHED, f.v, "Watching %s: never ended (%s)", f.label,
                           s->eff.exempt ? "exempt" : "InputTimeoutSec=0");
}

/* What the socket search found for one session. */
typedef struct Found {
        uint64_t *inodes;     /* socket inodes from /proc/PID/fd */
        size_t n_inodes;
        bool listed;          /* its inodes came from /proc/PID/fd, a proof */
        unsigned candidates;  /* its TCP sockets in the dump; the first goes to its sock */
} Found;

typedef struct Attach {
        Session **list;
        size_t n;
        Found *found;         /* per session */
        IdMap owner;          /* socket inode -> session index */
} Attach;

#define ATTACH_NOBODY (UINT64_MAX - 1) /* an owner map value: claimed, by no one yet */

static int attach_cb(const TcpInput *in, void *userdata) {
        Attach *a = userdata;
        uint64_t k;

        if (!id_map_get(&a->owner, in->inode, &k) || k >= a->n || !a->list[k])
                return 0; /* not ours, claimed by none, or set aside after its inodes went in */
        /* With a recorded inode, the only one looked for; without it, only
         * a monitor with a single TCP connection can be timed: never guess
         * by the order of the dump. Two sockets under one recorded inode
         * (the counter wrapped) are counted, and refused, the same way. */
        if (a->list[k]->rec.socket_inode != 0 && in->inode != a->list[k]->rec.socket_inode)
                return 0;
        if (a->found[k].candidates++ == 0)
                a->list[k]->sock = *in;
        return 0;
}

static bool inode_listed(const uint64_t *v, size_t n, uint64_t inode) {
        for (size_t i = 0; i < n; i++)
                if (v[i] == inode)
                        return true;
        return false;
}

/* Listing the sockets of a session's sshd failed with r: its sshd is gone
 * (into gone[]), the daemon lacks the right (unwatchable), or it is
 * retried. */
static void sshd_sockets_failed(Daemon *d, Session *s, int r, uint64_t now, Session **gone, size_t *n_gone) {
        if ((r == -ENOENT || r == -ESRCH) && session_record_check_process(d->proc_root, &s->rec) == -ESRCH)
                gone[(*n_gone)++] = s;
        else if (r == -EACCES || r == -EPERM)
                session_unwatchable(s, "cannot list the sockets of its sshd (the daemon needs CAP_SYS_PTRACE)");
        else
                session_trouble(s, now, "cannot list the sockets of its sshd", r);
}

/* Lists the sockets of a session's sshd into the owner map. false: the
 * session was set aside (gone[], retried or unwatchable). */
static bool list_sshd_sockets(Daemon *d, Attach *a, size_t i, uint64_t now, Session **gone, size_t *n_gone) {
        Session *s = a->list[i];
        int r = proc_socket_inodes(d->proc_root, s->rec.sshd_pid, &a->found[i].inodes, &a->found[i].n_inodes);

        if (r < 0) {
                sshd_sockets_failed(d, s, r, now, gone, n_gone);
                return false;
        }
        for (size_t j = 0; j < a->found[i].n_inodes; j++) {
                r = id_map_put(&a->owner, a->found[i].inodes[j], i);
                if (r < 0) {
                        session_trouble(s, now, "cannot look for its connection", r);
                        return false;
                }
        }
        a->found[i].listed = true;
        return true;
}

/* Two records name one socket: one is wrong, a record left by an sshd that
 * died while the daemon was down, say, its inode since reused. Unless the
 * first claim is proven already, neither is taken on its word: each has
 * its sshd's descriptors listed, and only a holder gets the socket. */
static void recorded_socket_contested(Daemon *d, Attach *a, size_t i, size_t j, uint64_t now, Session **gone,
                                      size_t *n_gone) {
        if (j < a->n && !a->found[j].listed) {
                int r = id_map_put(&a->owner, a->list[i]->rec.socket_inode, ATTACH_NOBODY);
                if (r < 0) {
                        session_trouble(a->list[i], now, "cannot look for its connection", r);
                        a->list[i] = NULL;
                        return;
                }
                if (a->list[j] && !list_sshd_sockets(d, a, j, now, gone, n_gone))
                        a->list[j] = NULL;
        }
        if (!list_sshd_sockets(d, a, i, now, gone, n_gone))
                a->list[i] = NULL;
}

/* A recorded socket that the dump did not show: gone with its sshd, in
 * another network namespace, or being closed. */
static void recorded_socket_missing(Daemon *d, Session *s, uint64_t now, Session **gone, size_t *n_gone) {
        _cleanup_free_ uint64_t *inodes = NULL;
        size_t n = 0;
        int r = proc_socket_inodes(d->proc_root, s->rec.sshd_pid, &inodes, &n);

        if (r < 0)
                sshd_sockets_failed(d, s, r, now, gone, n_gone);
        else if (inode_listed(inodes, n, s->rec.socket_inode))
                session_unwatchable(s, "its TCP connection is not in this network namespace");
        else if (session_record_check_process(d->proc_root, &s->rec) == -ESRCH)
                gone[(*n_gone)++] = s;
        else {
                /* sshd is closing it: look again later. */
                session_set_state(s, SESSION_CLOSING);
                session_set_deadline(s, now + 5 * USEC_PER_SEC);
        }
}

/* Finds each new session's connection with one socket dump for all of
 * them. Sessions whose sshd is gone are handed back in gone[].
 *
 * A record with SOCKET_INODE names the connection the module found among
 * sshd's own descriptors, inside sshd; the record is root's, in a directory
 * only root can write. Its inode is then looked for in the dump directly:
 * listing /proc/PID/fd again for every session would be most of a
 * start-up's cost, and proves nothing more while the socket lives (sshd holds it to
 * its end). /proc/PID/fd is read only when that socket is not there, to
 * say why, and for records without the inode. */
/* The search is over: watched, or unwatchable, or gone, and why. */
static void attach_result(Daemon *d, Session *s, const Found *f, uint64_t now, Session **gone, size_t *n_gone) {
        char why[160];

        if (f->candidates == 1) {
                watch_started(s, now);
                return;
        }
        s->sock = (TcpInput) {};
        if (s->rec.socket_inode != 0) {
                if (f->candidates == 0)
                        recorded_socket_missing(d, s, now, gone, n_gone);
                else
                        session_unwatchable(s, "more than one TCP connection has the inode its record names");
                return;
        }
        if (f->candidates == 0) {
                session_unwatchable(s, f->n_inodes == 0 ? "its sshd holds no socket"
                                                        : "its sshd holds no TCP connection in this network namespace");
                return;
        }
        snprintf(why, sizeof(why),
                 "its sshd holds %u TCP connections and its record does not say which one is the client's",
                 f->candidates);
        session_unwatchable(s, why);
}

/* Which sockets each session may own: the recorded one, or (older records,
 * registrations without one) every socket its sshd holds. */
static void attach_claim(Daemon *d, Attach *a, uint64_t now, Session **gone, size_t *n_gone) {
        for (size_t i = 0; i < a->n; i++) {
                Session *s = a->list[i];
                uint64_t other;
                int r;

                if (s->rec.socket_inode == 0) {
                        if (!list_sshd_sockets(d, a, i, now, gone, n_gone))
                                a->list[i] = NULL;
                        continue;
                }
                if (id_map_get(&a->owner, s->rec.socket_inode, &other)) {
                        recorded_socket_contested(d, a, i, other, now, gone, n_gone);
                        continue;
                }
                r = id_map_put(&a->owner, s->rec.socket_inode, i);
                if (r < 0) {
                        session_trouble(s, now, "cannot look for its connection", r);
                        a->list[i] = NULL;
                }
        }
}

static void attach_sockets(Daemon *d, Session **list, size_t n, uint64_t now, Session **gone, size_t *n_gone) {
        Attach a = { .list = list, .n = n };
        int r;

        a.found = calloc(n, sizeof(Found));
        if (!a.found) {
                for (size_t i = 0; i < n; i++)
                        session_trouble(list[i], now, "cannot look for its connection", -ENOMEM);
                return;
        }
        attach_claim(d, &a, now, gone, n_gone);
        r = tcp_diag_dump(d->diag_fd, attach_cb, &a);
        for (size_t i = 0; i < n; i++) {
                if (!list[i])
                        continue;
                if (r < 0)
                        /* Nothing learnt: try again shortly, for all of them. */
                        session_trouble(list[i], now, "cannot dump TCP sockets through NETLINK_SOCK_DIAG", r);
                else
                        attach_result(d, list[i], &a.found[i], now, gone, n_gone);
        }
        for (size_t i = 0; i < n; i++)
                free(a.found[i].inodes);
        free(a.found);
        id_map_done(&a.owner);
}

typedef enum Prepared {
        PREPARED_SETTLED,  /* dropped, unwatchable, being ended, or retried later */
        PREPARED_WATCH,    /* wants its socket */
        PREPARED_OVER,     /* its sshd is gone, or close_session marked it closed: to be ended */
} Prepared;

/* Record and limits. */
static Prepared session_prepare(Daemon *d, int dir_fd, Session *s, uint64_t now, AccountCache *accounts) {
        int r;

        if (!s->has_record) {
                r = session_record_read(dir_fd, s->name, &s->rec);
                if (r == -ENOENT) {
                        /* Removed before we could read it: sshd already closed it. */
                        session_drop(d, s);
                        return PREPARED_SETTLED;
                }
                if (r == -EPERM || r == -EBADMSG || r == -E2BIG || r == -EFBIG || r == -EPROTONOSUPPORT ||
                    r == -EINVAL || r == -ENOTDIR) {
                        session_record_done(&s->rec);
                        session_unwatchable(s, r == -EPERM ? "record has the wrong owner, mode or type"
                                               : r == -EPROTONOSUPPORT ? "record has an unknown VERSION"
                                                                       : "record is malformed");
                        return PREPARED_SETTLED;
                }
                if (r < 0) {
                        session_record_done(&s->rec);
                        session_trouble(s, now, "cannot read its record", r);
                        return PREPARED_SETTLED;
                }
                s->has_record = true;
                r = session_record_this_boot(&s->rec, d->boot_id);
                if (r == 0) {
                        /* Its PIDs, audit ids and cgroups name nothing of this
                         * boot, unless its sshd runs: then the boot ids we read
                         * disagree, and the live process is the better proof. */
                        if (session_record_check_process(d->proc_root, &s->rec) == 0)
                                log_warning("Session record %s names another boot id than ours (%s) but its sshd "
                                            "runs: taking it as this boot's",
                                            s->name, d->boot_id);
                        else {
                                log_info("Removing session record %s of a previous boot", s->name);
                                (void) unlinkat(dir_fd, s->name, 0);
                                session_drop(d, s);
                                return PREPARED_SETTLED;
                        }
                }
        }
        if (ending_find(d, s->name)) {
                session_set_state(s, SESSION_ENDING); /* a restart during KillGraceSec */
                session_set_deadline(s, 0);
                return PREPARED_SETTLED;
        }
        if (!s->has_limits) {
                r = session_resolve_limits(d, s, accounts);
                if (r < 0) {
                        session_trouble(s, now, "cannot look up its user's account and groups", r);
                        return PREPARED_SETTLED;
                }
        }
        if (s->rec.closed_usec != 0)
                return PREPARED_OVER;
        /* With a recorded socket, a PID that names no process at all is
         * enough to know sshd is gone. Whether a live PID is still that
         * sshd (its start time) is asked when the socket is missing from
         * the dump, and before anything is sent to it (ending.c): reading
         * /proc/PID/stat for every session was the largest cost of a
         * start-up. */
        if (s->rec.socket_inode != 0 && !d->proc_root) {
                if (kill(s->rec.sshd_pid, 0) < 0 && errno == ESRCH)
                        return PREPARED_OVER;
        } else {
                r = session_record_check_process(d->proc_root, &s->rec);
                if (r == -ESRCH)
                        return PREPARED_OVER;
                if (r < 0) {
                        session_trouble(s, now, "cannot read its sshd's process", r);
                        return PREPARED_SETTLED;
                }
        }
        monitor_exit_watch(s);
        return PREPARED_WATCH;
}

/* Prepares the given sessions, then attaches sockets to those that want
 * one (one dump for all) and ends those that are over. */
static void sessions_settle(Daemon *d, Session **list, size_t n, uint64_t now) {
        _cleanup_free_ Session **want = calloc(n ?: 1, sizeof(Session *));
        _cleanup_free_ Session **gone = calloc(n ?: 1, sizeof(Session *));
        _cleanup_close_ int dir_fd = -1;
        size_t n_want = 0, n_gone = 0;
        AccountCache accounts = {};

        if (!want || !gone) {
                for (size_t i = 0; i < n; i++)
                        session_trouble(list[i], now, "cannot settle", -ENOMEM);
                return;
        }
        dir_fd = session_dir_open(d->state_dir, false);
        if (dir_fd < 0) {
                for (size_t i = 0; i < n; i++)
                        session_trouble(list[i], now, "cannot open the sessions directory", dir_fd);
                return;
        }
        for (size_t i = 0; i < n; i++) {
                Prepared p = session_prepare(d, dir_fd, list[i], now, &accounts);
                if (p == PREPARED_WATCH)
                        want[n_want++] = list[i];
                else if (p == PREPARED_OVER)
                        gone[n_gone++] = list[i];
                status_progress(d);
        }
        account_cache_done(&accounts);
        if (n_want > 0)
                attach_sockets(d, want, n_want, now, gone, &n_gone);
        if (n_gone > 0)
                endings_begin(d, gone, n_gone, now);
}

static int sessions_add_many(Daemon *d, char **names, size_t n) {
        _cleanup_free_ Session **fresh = calloc(n ?: 1, sizeof(Session *));
        size_t k = 0;
        uint64_t now;

        if (!fresh)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                Session *s;
                if (session_find(d, names[i]))
                        continue;
                s = session_new(d, names[i]);
                if (!s)
                        return log_error_errno(-ENOMEM, "Cannot add session %s", names[i]);
                fresh[k++] = s;
        }
        if (k == 0)
                return 0;
        (void) sd_event_now(d->event, CLOCK_MONOTONIC, &now);
        sessions_settle(d, fresh, k, now);
        return 0;
}

int session_add(Daemon *d, const char *name) {
        char *names[] = { (char *) name };
        return sessions_add_many(d, names, 1);
}

int sessions_add_names(Daemon *d, char **names, size_t n) {
        return sessions_add_many(d, names, n);
}

void sessions_retry_due(Daemon *d, uint64_t now) {
        size_t n_due, n = 0;
        _cleanup_free_ Session **due = sessions_due(d, now + DEADLINE_SLACK_USEC, &n_due);

        for (size_t i = 0; i < n_due; i++)
                if (due[i]->state == SESSION_PENDING)
                        due[n++] = due[i];
        if (n > 0)
                sessions_settle(d, due, n, now);
}

int session_replaced(Daemon *d, const char *name) {
        Session *s = session_find(d, name);

        /* close_session marked it closed (the only rewrite of a record):
         * read afresh. An ending in progress keeps its own copy. */
        if (s)
                session_drop(d, s);
        return session_add(d, name);
}
