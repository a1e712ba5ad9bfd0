/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "account.h"
#include "conf_file.h"
#include "deadline_queue.h"
#include "idle_check.h"
#include "proc.h"
#include "session_record.h"
#include "tcp_input.h"

typedef struct Daemon Daemon;

typedef enum SessionState {
        SESSION_PENDING,     /* its record, limits or socket could not be had for a reason that may pass: retried */
        SESSION_WATCHING,    /* timed: has a socket and a deadline */
        SESSION_UNTIMED,     /* exempt, or InputTimeoutSec=0: left alone */
        SESSION_UNWATCHABLE, /* no TCP socket, a bad record: logged once, left alone */
        SESSION_CLOSING,     /* its connection is gone and sshd is closing it: looked at again later */
        SESSION_ENDING,      /* handed to an Ending */
        _SESSION_STATE_MAX,
} SessionState;

/* One recorded login, from its record's arrival until the record goes or
 * the session is handed to an Ending. Owned by the Daemon's session table. */
typedef struct Session {
        Daemon *daemon;
        char *name;               /* record file name, "<pid>-<starttime>" */
        SessionRecord rec;
        bool has_record;          /* rec was read */
        bool has_limits;          /* eff was resolved */
        char *account;            /* the account's own name, for [User:] and ExemptUsers */
        Effective eff;
        SessionState state;       /* set with session_set_state() */
        TcpInput sock;
        uint64_t deadline;        /* CLOCK_MONOTONIC usec: next look (input, retry, closing); 0 = none;
                                   * set with session_set_deadline() */
        QueueEntry due;           /* in Daemon.deadlines while it has a deadline */
        size_t slot;              /* its index in Daemon.sessions */
        uint64_t silence_usec;    /* at the last reading */
        uint64_t read_at;         /* CLOCK_MONOTONIC of that reading, as the clock says (not the loop's "now") */
        unsigned failures;        /* transient failures in a row, for the backoff */
        char *why;                /* why it is not watched (UNWATCHABLE), or what is retried (PENDING) */
        bool trouble_logged;      /* the first of them was logged */
        bool dry_run_reported;    /* this silence was reported once already */
        sd_event_source *monitor_exit; /* registered sessions: a pidfd of the monitor, for its exit */
        int connection;           /* registered sessions: our own descriptor of the monitor's connection,
                                   * to read how it ended when the monitor exits; -1: none */
        uint64_t dry_run_bytes;
        IdleWatch *idle;          /* the idle-user policy's view; NULL unless its limits have one */
} Session;

Session *session_find(Daemon *d, const char *name);
/* A new session in the table, PENDING, not yet settled (session_settle.h). */
Session *session_new(Daemon *d, const char *name);
/* The record is gone: forget the session. */
void session_remove(Daemon *d, const char *name);
/* A session with no close_session (registered) whose client closed it:
 * its monitor exited, nothing is killed; the record goes, the session is
 * forgotten. */
void session_logged_out(Daemon *d, Session *s);
void session_drop(Daemon *d, Session *s);
void session_free(Session *s);
/* Resolves the limits again (reload); <0 when the user's groups cannot be read now. */
int session_resolve_limits(Daemon *d, Session *s, AccountCache *cache);
/* A transient failure: look again after the backoff; logged once. */
void session_trouble(Session *s, uint64_t now, const char *what, int error);
void session_unwatchable(Session *s, const char *why);
/* Has a limit: neither exempt nor InputTimeoutSec=0. */
static inline bool session_timed(const Session *s) {
        return !s->eff.exempt && s->eff.input_timeout_usec > 0;
}
/* The record's sshd monitor, as proven at registration. */
static inline ProcRef session_monitor(const Session *s) {
        return (ProcRef) { .pid = s->rec.sshd_pid, .starttime = s->rec.sshd_starttime };
}
/* The only ways to change a session's state and deadline: they keep the
 * deadline queue and the state counts true. */
void session_set_state(Session *s, SessionState state);
void session_set_deadline(Session *s, uint64_t deadline);
/* Sessions whose deadline is at most `until`, into a new array (NULL, 0
 * when none or out of memory). */
Session **sessions_due(Daemon *d, uint64_t until, size_t *ret_n);
