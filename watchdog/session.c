/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The table of recorded sessions: adding one validates its record, resolves
 * its limits and finds the TCP socket whose input we time. */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "deadline.h"
#include "log.h"
#include "proc.h"
#include "session_fields.h"
#include "time_span.h"

Session *session_find(Daemon *d, const char *name) {
        for (size_t i = 0; i < d->n_sessions; i++)
                if (strcmp(d->sessions[i]->name, name) == 0)
                        return d->sessions[i];
        return NULL;
}

void session_free(Session *s) {
        if (!s)
                return;
        sd_event_source_disable_unref(s->kill_timer);
        safe_close(s->pidfd);
        session_record_done(&s->rec);
        free(s->name);
        free(s);
}

/* The names of the user's groups, primary first, for [Group:] and
 * ExemptGroups. A user NSS no longer knows gets none. */
static void user_groups(const char *user, char ***ret, size_t *ret_n) {
        struct passwd *pw = getpwnam(user);
        gid_t *gids = NULL;
        int n = 16;
        char **names = NULL;
        size_t k = 0;

        *ret = NULL;
        *ret_n = 0;
        if (!pw)
                return;
        for (;;) {
                gid_t *p = reallocarray(gids, (size_t) n, sizeof(gid_t));
                if (!p)
                        goto out;
                gids = p;
                int m = n;
                if (getgrouplist(user, pw->pw_gid, gids, &m) >= 0) {
                        n = m;
                        break;
                }
                if (m <= n || m > 65536)
                        goto out;
                n = m;
        }
        names = calloc((size_t) n, sizeof(char *));
        if (!names)
                goto out;
        for (int i = 0; i < n; i++) {
                struct group *gr = getgrgid(gids[i]);
                if (gr && (names[k] = strdup(gr->gr_name)))
                        k++;
        }
        *ret = names;
        *ret_n = k;
out:
        free(gids);
}

void session_resolve_limits(Daemon *d, Session *s) {
        char **groups;
        size_t n;

        user_groups(s->rec.user, &groups, &n);
        config_resolve(&d->config, s->rec.user, groups, n, &s->eff);
        for (size_t i = 0; i < n; i++)
                free(groups[i]);
        free(groups);
}

static bool timed(const Session *s) {
        return !s->eff.exempt && s->eff.input_timeout_usec > 0;
}

static void unwatchable(Session *s, const char *why) {
        s->state = SESSION_UNWATCHABLE;
        s->deadline = 0;
        if (s->rec.user) {
                _cleanup_(fields_free) Fields f = {};
                session_fields(s, &f);
                log_struct(LOG_WARNING, MESSAGE_ID_SESSION_UNWATCHABLE, f.v, "Cannot watch %s: %s", f.label, why);
        } else
                log_struct(LOG_WARNING, MESSAGE_ID_SESSION_UNWATCHABLE, NULL, "Cannot watch session record %s: %s",
                           s->name, why);
}

typedef struct Match {
        Session **list;
        size_t n;
        uint64_t **inodes;   /* per session: socket inodes from /proc/PID/fd */
        size_t *n_inodes;
} Match;

static int match_cb(const TcpInput *in, void *userdata) {
        Match *m = userdata;

        for (size_t i = 0; i < m->n; i++)
                for (size_t j = 0; j < m->n_inodes[i]; j++)
                        if (m->inodes[i][j] == in->inode) {
                                Session *s = m->list[i];
                                /* The monitor holds one connection; if it held two,
                                 * the one from the recorded peer wins. */
                                if (!s->sock.found || in->state == TCP_INPUT_STATE_ESTABLISHED)
                                        s->sock = *in;
                        }
        return 0;
}

/* Finds each new session's connection with one socket dump for all of them:
 * at start-up with many records this is one pass, not one per session. */
static void attach_sockets(Daemon *d, Session **list, size_t n, uint64_t now) {
        Match m = { .list = list, .n = n };
        int r;

        m.inodes = calloc(n, sizeof(uint64_t *));
        m.n_inodes = calloc(n, sizeof(size_t));
        if (!m.inodes || !m.n_inodes) {
                for (size_t i = 0; i < n; i++)
                        unwatchable(list[i], "out of memory");
                goto out;
        }
        for (size_t i = 0; i < n; i++) {
                /* All its sockets: the dump below knows which are TCP, and
                 * /proc/PID/net/tcp would cost a hash walk per session. */
                r = proc_socket_inodes(d->proc_root, list[i]->rec.sshd_pid, &m.inodes[i], &m.n_inodes[i]);
                if (r < 0)
                        log_debug("Cannot list sockets of PID %d: %s", (int) list[i]->rec.sshd_pid, strerror(-r));
        }
        r = tcp_diag_dump(d->diag_fd, match_cb, &m);
        if (r < 0)
                log_error_errno(r, "Cannot dump TCP sockets through NETLINK_SOCK_DIAG");

        for (size_t i = 0; i < n; i++) {
                Session *s = list[i];
                _cleanup_(fields_free) Fields f = {};
                char t[TIME_SPAN_MAX];

                if (!s->sock.found) {
                        unwatchable(s, m.n_inodes[i] == 0 ? "its sshd holds no TCP socket"
                                                          : "its TCP socket is not in this network namespace");
                        continue;
                }
                s->silence_usec = (uint64_t) s->sock.last_data_recv_ms * 1000;
                if (timed(s)) {
                        s->state = SESSION_WATCHING;
                        s->deadline = deadline_from_silence(now, s->silence_usec, s->eff.input_timeout_usec);
                } else {
                        s->state = SESSION_UNTIMED;
                        s->deadline = 0;
                }
                session_fields(s, &f);
                if (timed(s))
                        log_struct(LOG_INFO, MESSAGE_ID_SESSION_WATCHED, f.v,
                                   "Watching %s: ends after %s without input (%s), silent for %s now%s", f.label,
                                   time_span_format(t, s->eff.input_timeout_usec, 0), s->eff.source,
                                   f.silence, s->eff.dry_run ? " (dry run)" : "");
                else
                        log_struct(LOG_INFO, MESSAGE_ID_SESSION_WATCHED, f.v, "Watching %s: never ended (%s)",
                                   f.label, s->eff.exempt ? "exempt" : "InputTimeoutSec=0");
        }
out:
        for (size_t i = 0; m.inodes && i < n; i++)
                free(m.inodes[i]);
        free(m.inodes);
        free(m.n_inodes);
}

/* Reads, validates and resolves one record; the socket comes later. */
static int session_new(Daemon *d, int dir_fd, const char *name, Session **ret) {
        Session *s = calloc(1, sizeof(Session));
        Session **p;
        int r;

        if (!s)
                return -ENOMEM;
        s->daemon = d;
        s->pidfd = -1;
        s->rec = SESSION_RECORD_NULL;
        s->name = strdup(name);
        p = reallocarray(d->sessions, d->n_sessions + 1, sizeof(Session *));
        if (!s->name || !p) {
                session_free(s);
                return -ENOMEM;
        }
        d->sessions = p;
        d->sessions[d->n_sessions++] = s;
        *ret = s;

        r = session_record_read(dir_fd, name, &s->rec);
        if (r < 0) {
                session_record_done(&s->rec);
                unwatchable(s, r == -EPERM ? "record has the wrong owner, mode or type"
                               : r == -EBADMSG || r == -E2BIG || r == -EFBIG ? "record is malformed"
                               : r == -EPROTONOSUPPORT ? "record has an unknown VERSION"
                                                       : strerror(-r));
                return 0;
        }
        r = session_record_check_process(d->proc_root, &s->rec);
        if (r < 0) {
                unwatchable(s, r == -ESRCH ? "its sshd process is gone (or the PID was reused)" : strerror(-r));
                return 0;
        }
        session_resolve_limits(d, s);
        return 1; /* wants a socket */
}

/* Adds every name not in the table yet (one socket dump for all of them). */
static int sessions_add_many(Daemon *d, char **names, size_t n) {
        _cleanup_free_ Session **fresh = calloc(n ? n : 1, sizeof(Session *));
        _cleanup_close_ int dir_fd = -1;
        size_t k = 0;
        uint64_t now;
        int r;

        if (!fresh)
                return -ENOMEM;
        dir_fd = session_dir_open(d->state_dir, false);
        if (dir_fd < 0)
                return log_error_errno(dir_fd, "Cannot open %s", d->sessions_path);
        for (size_t i = 0; i < n; i++) {
                Session *s;
                if (session_find(d, names[i]))
                        continue;
                r = session_new(d, dir_fd, names[i], &s);
                if (r < 0)
                        return log_error_errno(r, "Cannot add session %s", names[i]);
                if (r > 0)
                        fresh[k++] = s;
        }
        if (k == 0)
                return 0;
        (void) sd_event_now(d->event, CLOCK_MONOTONIC, &now);
        attach_sockets(d, fresh, k, now);
        return 0;
}

int session_add(Daemon *d, const char *name) {
        char *names[] = { (char *) name };
        return sessions_add_many(d, names, 1);
}

int sessions_add_names(Daemon *d, char **names, size_t n) {
        return sessions_add_many(d, names, n);
}

void session_remove(Daemon *d, const char *name) {
        Session *s = session_find(d, name);

        if (!s)
                return;
        if (s->state == SESSION_ENDING) {
                /* close_session ran: sshd ended cleanly. The kill timer
                 * still sweeps what the session may have left. */
                s->record_gone = true;
                return;
        }
        log_debug("Session record %s removed", name);
        session_drop(d, s);
}

void session_drop(Daemon *d, Session *s) {
        for (size_t i = 0; i < d->n_sessions; i++)
                if (d->sessions[i] == s) {
                        memmove(d->sessions + i, d->sessions + i + 1, (d->n_sessions - i - 1) * sizeof(Session *));
                        d->n_sessions--;
                        session_free(s);
                        return;
                }
}
