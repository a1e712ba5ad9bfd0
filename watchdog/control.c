/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What sshd-watchdogctl shows: the daemon's own view, not a recomputation.
 * <state_dir>/control.sock (0600, and the peer must be root by
 * SO_PEERCRED); every connection gets one snapshot and then EOF, no
 * request. The snapshot is KEY=VALUE lines like the session records: a
 * block about the daemon, then one block per session and per pending
 * ending, each block after an empty line.
 *
 * The silence of each watched session is read from the kernel for the
 * snapshot (one netlink batch): the daemon looks at a socket only at its
 * deadline, and in between it does not know of input that came. The time
 * left is what the daemon will do with that silence: end the session when
 * it reaches the limit. The answer is written without blocking the loop;
 * a client that does not read it in CONTROL_TIMEOUT_USEC is dropped. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "control.h"
#include "daemon.h"
#include "ending.h"
#include "idle_time.h"
#include "log.h"
#include "macro.h"
#include "terminals.h"
#include "time_span.h"
#include "unix_listen.h"
#include "unrecorded.h"

#define CONTROL_TIMEOUT_USEC (5 * USEC_PER_SEC)
#define CONTROL_CLIENTS_MAX 8

typedef struct ControlClient {
        Daemon *daemon;
        int fd;
        char *buf;
        size_t size, sent;
        sd_event_source *io, *timeout;
        struct ControlClient *next, *prev;
} ControlClient;

static void client_free(ControlClient *c) {
        Daemon *d = c->daemon;

        if (c->prev)
                c->prev->next = c->next;
        else
                d->control_clients = c->next;
        if (c->next)
                c->next->prev = c->prev;
        sd_event_source_disable_unref(c->io);
        sd_event_source_disable_unref(c->timeout);
        safe_close(c->fd);
        free(c->buf);
        free(c);
        d->n_control_clients--;
}

/* Values come from records and the configuration, which hold no control
 * characters; this keeps one block one line per key whatever happens. */
static void put(FILE *f, const char *key, const char *value) {
        fprintf(f, "%s=", key);
        for (const char *p = value ?: ""; *p; p++)
                fputc((unsigned char) *p < 0x20 || *p == 0x7f ? '?' : *p, f);
        fputc('\n', f);
}

static void put_u64(FILE *f, const char *key, uint64_t value) {
        fprintf(f, "%s=%" PRIu64 "\n", key, value);
}

static const char *state_name(const Session *s) {
        switch (s->state) {
        case SESSION_WATCHING:
                return s->eff.dry_run ? CONTROL_STATE_DRY_RUN : CONTROL_STATE_WATCHING;
        case SESSION_UNTIMED:
                return s->eff.exempt ? CONTROL_STATE_EXEMPT : CONTROL_STATE_UNTIMED;
        case SESSION_PENDING:
                return CONTROL_STATE_PENDING;
        case SESSION_UNWATCHABLE:
                return CONTROL_STATE_UNWATCHABLE;
        case SESSION_CLOSING:
                return CONTROL_STATE_CLOSING;
        case SESSION_ENDING:
                return CONTROL_STATE_ENDING;
        case _SESSION_STATE_MAX:
                break;
        }
        return "unknown";
}

static void put_record(FILE *f, const SessionRecord *rec, const char *user) {
        if (rec->session_id)
                put(f, "SESSION_ID", rec->session_id);
        put(f, "USER", user ?: rec->user);
        put_u64(f, "UID", rec->uid);
        put(f, "REMOTE_HOST", rec->remote_host);
        fprintf(f, "SSHD_PID=%d\n", (int) rec->sshd_pid);
        put_u64(f, "OPENED_USEC", rec->opened_usec);
}

static void put_daemon(Daemon *d, FILE *f, uint64_t now) {
        fprintf(f, "VERSION=1\n");
        fprintf(f, "PID=%d\n", (int) getpid());
        put(f, "STATE_DIRECTORY", d->state_dir);
        for (size_t i = 0; i < d->config.n_files; i++)
                put(f, "CONFIG_FILE", d->config.files[i]);
        put_u64(f, "SESSIONS", d->n_sessions);
        put_u64(f, "ENDINGS", d->n_endings);
        put_u64(f, "ENDED_TOTAL", d->ended_total);
        put_u64(f, "CLOSED_DEAD_TOTAL", d->closed_dead_total);
        put_u64(f, "IDLE_ENDED_TOTAL", d->idle_ended_total);
        put_u64(f, "IDLE_WARNED_TOTAL", d->idle_warned_total);
        put_u64(f, "UNRECORDED", unrecorded_count(d));
        put_u64(f, "UPTIME_USEC", now > d->started_at ? now - d->started_at : 0);
}

/* The idle-user policy for one session: whether it applies, and if so
 * the idle time from a fresh look at its terminals (the daemon looks only
 * when a warning or the ending could be due). */
static void put_idle(Daemon *d, FILE *f, const Session *s, uint64_t now) {
        _cleanup_free_ TerminalSeen *seen = NULL;
        const char *why;

        if (!idle_applies(s, &why)) {
                put(f, "IDLE_RULE", why);
                return;
        }
        size_t n = s->idle->n_terminals;
        put_u64(f, "IDLE_LIMIT_USEC", s->eff.idle_timeout_usec);
        put_u64(f, "IDLE_WARN_USEC", s->eff.idle_warn_usec);
        put(f, "IDLE_LIMIT_SOURCE", s->idle->source);
        if (n > 0 && !(seen = calloc(n, sizeof(TerminalSeen))))
                return;
        if (n > 0)
                memcpy(seen, s->idle->terminals, n * sizeof(TerminalSeen));
        if (terminals_look(d->proc_root, session_monitor(s), s->rec.uid, now, realtime_now(), &seen, &n) < 0 || n == 0) {
                put(f, "IDLE_RULE", n == 0 ? "no terminal" : "applies");
                return;
        }
        uint64_t active = terminals_active(seen, n);
        uint64_t idle = idle_usec(active, now), left = idle < s->eff.idle_timeout_usec ? s->eff.idle_timeout_usec - idle : 0;
        bool warned = idle_warning_stands(active, s->idle->warned_active);
        if (warned && queue_entry_queued(&s->idle->due))
                left = s->idle->due.key > now ? s->idle->due.key - now : 0;
        put(f, "IDLE_RULE", "applies");
        put_u64(f, "IDLE_TERMINALS", n);
        put_u64(f, "IDLE_USEC", idle);
        put_u64(f, "IDLE_LEFT_USEC", left);
        if (warned)
                put(f, "IDLE_WARNED", "yes");
}

/* fresh: this session's socket read just now, or NULL: its last reading,
 * aged. */
static void put_session(Daemon *d, FILE *f, const Session *s, const TcpInput *fresh, uint64_t now) {
        /* Its ending, below, says more. */
        if (s->state == SESSION_ENDING && ending_find(d, s->name))
                return;
        fprintf(f, "\n");
        put(f, "SESSION", s->name);
        put(f, "STATE", state_name(s));
        if (!s->has_record) {
                put(f, "WHY", s->why);
                return;
        }
        put_record(f, &s->rec, s->account);
        if (s->state == SESSION_UNWATCHABLE || s->state == SESSION_PENDING)
                put(f, "WHY", s->why);
        if (!s->has_limits)
                return;
        put(f, "LIMIT_SOURCE", s->eff.source);
        put_u64(f, "LIMIT_USEC", s->eff.input_timeout_usec);
        put_u64(f, "KILL_GRACE_USEC", s->eff.kill_grace_usec);
        put_idle(d, f, s, now);
        if (s->state != SESSION_WATCHING)
                return;
        uint64_t silent = fresh ? (uint64_t) fresh->last_data_recv_ms * USEC_PER_MSEC
                                : s->silence_usec + (s->read_at > 0 && now > s->read_at ? now - s->read_at : 0);
        put_u64(f, "SILENT_USEC", silent);
        put_u64(f, "LEFT_USEC", silent < s->eff.input_timeout_usec ? s->eff.input_timeout_usec - silent : 0);
        put_u64(f, "BYTES_RECEIVED", s->sock.bytes_received);
}

static void put_ending(FILE *f, const Ending *e, uint64_t now) {
        fprintf(f, "\n");
        put(f, "SESSION", e->name);
        put(f, "STATE", CONTROL_STATE_ENDING);
        put_record(f, &e->rec, NULL);
        put_u64(f, "SILENT_USEC", e->silence_usec);
        put_u64(f, "LIMIT_USEC", e->timeout_usec);
        put(f, "ENDING_REASON", ending_reason_to_string(e->reason));
        if (e->reason == ENDING_IDLE) {
                put_u64(f, "IDLE_USEC", e->idle_usec);
                put_u64(f, "IDLE_LIMIT_USEC", e->idle_timeout_usec);
        }
        put_u64(f, "KILL_IN_USEC", e->kill_at > now ? e->kill_at - now : 0);
}

static void put_unrecorded(FILE *f, const Unrecorded *u) {
        fprintf(f, "\n");
        put(f, "SESSION", u->name);
        put(f, "STATE", CONTROL_STATE_UNRECORDED);
        if (u->user)
                put(f, "USER", u->user);
        put_u64(f, "UID", u->uid);
        put(f, "REMOTE_HOST", u->remote_host);
        fprintf(f, "SSHD_PID=%d\n", (int) u->monitor.pid);
        put_u64(f, "OPENED_USEC", u->first_seen_realtime);
        put(f, "WHY", u->runs_command ? "no record: a command runs in it" : "no record: forwards only");
}

int control_snapshot(Daemon *d, FILE *f) {
        _cleanup_free_ TcpInput *socks = calloc(d->n_sessions ?: 1, sizeof(TcpInput));
        _cleanup_free_ size_t *of = calloc(d->n_sessions ?: 1, sizeof(size_t));
        size_t n = 0;
        uint64_t now = monotonic_now();
        int r = 0;

        if (!socks || !of)
                return -ENOMEM;
        /* Every watched session's socket, fresh, in one netlink batch. */
        for (size_t i = 0; i < d->n_sessions; i++)
                if (d->sessions[i]->state == SESSION_WATCHING) {
                        of[n] = i;
                        socks[n++] = d->sessions[i]->sock;
                }
        if (n > 0 && (r = tcp_diag_query(d->diag_fd, socks, n)) < 0)
                log_debug("Cannot read tcp_info for the control snapshot: %s", strerror(-r));

        put_daemon(d, f, now);
        for (size_t i = 0, k = 0; i < d->n_sessions; i++) {
                while (k < n && of[k] < i)
                        k++;
                bool fresh = k < n && of[k] == i && r >= 0 && socks[k].found;
                put_session(d, f, d->sessions[i], fresh ? &socks[k] : NULL, now);
        }
        for (size_t i = 0; i < d->n_endings; i++)
                put_ending(f, d->endings[i], now);
        for (size_t i = 0; i < unrecorded_count(d); i++)
                put_unrecorded(f, unrecorded_get(d, i));
        return 0;
}

static int on_client_timeout(sd_event_source *src, uint64_t usec, void *userdata) {
        ControlClient *c = userdata;
        log_debug("Dropping a control client that did not read its answer");
        client_free(c);
        return 0;
}

static int on_client_io(sd_event_source *src, int fd, uint32_t revents, void *userdata) {
        ControlClient *c = userdata;

        while (c->sent < c->size) {
                ssize_t k = send(c->fd, c->buf + c->sent, c->size - c->sent, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (k < 0) {
                        if (errno == EAGAIN || errno == EINTR)
                                return 0;
                        log_debug("Control client went away: %m");
                        break;
                }
                c->sent += (size_t) k;
        }
        client_free(c);
        return 0;
}

static bool peer_is_root(int fd) {
        struct ucred cred;
        socklen_t len = sizeof(cred);

        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
                log_debug("Cannot read the credentials of a control client: %m");
                return false;
        }
        if (cred.uid != 0) {
                log_notice("Refused a control connection from UID %u (PID %d): root only", (unsigned) cred.uid,
                           (int) cred.pid);
                return false;
        }
        return true;
}

static int on_accept(sd_event_source *src, int lfd, uint32_t revents, void *userdata) {
        Daemon *d = userdata;
        _cleanup_close_ int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        ControlClient *c;
        FILE *f;
        int r;

        if (fd < 0) {
                if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
                        log_debug("Cannot accept a control connection: %m");
                return 0;
        }
        if (!peer_is_root(fd))
                return 0;
        if (d->n_control_clients >= CONTROL_CLIENTS_MAX) {
                log_debug("Too many control clients; refusing one");
                return 0;
        }
        c = calloc(1, sizeof(*c));
        if (!c)
                return 0;
        d->n_control_clients++;
        c->next = d->control_clients;
        if (c->next)
                c->next->prev = c;
        d->control_clients = c;
        c->daemon = d;
        c->fd = TAKE_FD(fd);
        f = open_memstream(&c->buf, &c->size);
        if (!f) {
                client_free(c);
                return 0;
        }
        r = control_snapshot(d, f);
        if (fclose(f) != 0 || r < 0) {
                log_error_errno(r < 0 ? r : -ENOMEM, "Cannot answer a control client");
                client_free(c);
                return 0;
        }
        r = sd_event_add_io(d->event, &c->io, c->fd, EPOLLOUT, on_client_io, c);
        if (r >= 0)
                r = sd_event_add_time_relative(d->event, &c->timeout, CLOCK_MONOTONIC, CONTROL_TIMEOUT_USEC, 0,
                                               on_client_timeout, c);
        if (r < 0) {
                log_error_errno(r, "Cannot answer a control client");
                client_free(c);
        }
        return 0;
}

int control_listen(Daemon *d) {
        /* 0600 from birth: root only, and peer_is_root() checks again. */
        return unix_listen(d->event, d->state_dir, CONTROL_SOCKET_NAME, 0600, CONTROL_CLIENTS_MAX, on_accept, d,
                           &d->control);
}

void control_done(Daemon *d) {
        while (d->control_clients)
                client_free(d->control_clients);
        d->control = sd_event_source_disable_unref(d->control);
}
