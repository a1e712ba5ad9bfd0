/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The table of recorded sessions: by name, by deadline, counted by state.
 * How a record becomes a watched session is session_settle.c. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "deadline.h"
#include "log.h"
#include "macro.h"
#include "session.h"
#include "session_fields.h"

Session *session_find(Daemon *d, const char *name) {
        return name_map_get(&d->by_name, name);
}

static bool has_deadline(SessionState state) {
        return state == SESSION_WATCHING || state == SESSION_PENDING || state == SESSION_CLOSING;
}

/* In the queue exactly when its state looks at the deadline and it has one.
 * Cannot fail: session_new() reserved the room. */
static void requeue(Session *s) {
        DeadlineQueue *q = &s->daemon->deadlines;

        if (has_deadline(s->state) && s->deadline != 0)
                (void) deadline_queue_set(q, &s->due, s->deadline);
        else
                deadline_queue_remove(q, &s->due);
}

void session_set_state(Session *s, SessionState state) {
        s->daemon->n_state[s->state]--;
        s->daemon->n_state[state]++;
        s->state = state;
        requeue(s);
}

void session_set_deadline(Session *s, uint64_t deadline) {
        s->deadline = deadline;
        requeue(s);
}

Session **sessions_due(Daemon *d, uint64_t until, size_t *ret_n) {
        Session **due;
        QueueEntry **entries;
        size_t n;

        *ret_n = 0;
        ssize_t k = deadline_queue_due(&d->deadlines, until, SIZE_MAX, &entries);
        if (k <= 0)
                return NULL;
        n = (size_t) k;
        due = calloc(n, sizeof(Session *));
        if (!due) {
                free(entries);
                return NULL;
        }
        for (size_t i = 0; i < n; i++)
                due[i] = container_of(entries[i], Session, due);
        free(entries);
        *ret_n = n;
        return due;
}

void session_free(Session *s) {
        if (!s)
                return;
        sd_event_source_disable_unref(s->monitor_exit);
        idle_watch_free(s->daemon, s->idle);
        safe_close(s->connection);
        session_record_done(&s->rec);
        free(s->account);
        free(s->name);
        free(s->why);
        free(s);
}

int session_resolve_limits(Daemon *d, Session *s, AccountCache *cache) {
        const Account *a;
        int r;

        r = account_cache_get(cache, s->rec.user, s->rec.uid, &a);
        if (r < 0)
                return r;
        char *name = strdup(a->name);
        if (!name)
                return -ENOMEM;
        free(s->account);
        s->account = name;
        config_resolve(&d->config, s->account, a->groups, a->n_groups, &s->eff);
        s->has_limits = true;
        if (s->eff.idle_timeout_usec == 0 || s->eff.exempt) {
                idle_watch_free(d, s->idle);
                s->idle = NULL;
                return 0;
        }
        if (!s->idle && !(s->idle = idle_watch_new(s)))
                return -ENOMEM;
        config_idle_source(&d->config, s->account, a->groups, a->n_groups, s->idle->source, sizeof(s->idle->source));
        return 0;
}

static void set_why(Session *s, const char *why) {
        char *w = strdup(why);
        if (w) {
                free(s->why);
                s->why = w;
        }
}

void session_unwatchable(Session *s, const char *why) {
        session_set_state(s, SESSION_UNWATCHABLE);
        session_set_deadline(s, 0);
        set_why(s, why);
        if (s->has_record) {
                _cleanup_(fields_free) Fields f = {};
                session_fields(s, &f);
                log_struct(LOG_WARNING, MESSAGE_ID_SESSION_UNWATCHABLE, f.v, "Cannot watch %s: %s", f.label, why);
        } else
                log_struct(LOG_WARNING, MESSAGE_ID_SESSION_UNWATCHABLE, NULL, "Cannot watch session record %s: %s",
                           s->name, why);
}

void session_trouble(Session *s, uint64_t now, const char *what, int error) {
        s->failures++;
        if (s->state != SESSION_WATCHING)
                session_set_state(s, SESSION_PENDING);
        session_set_deadline(s, now + retry_delay_usec(s->failures));
        if (s->trouble_logged)
                return;
        char why[256];
        snprintf(why, sizeof(why), "%s: %s", what, strerror(-error));
        set_why(s, why);
        s->trouble_logged = true;
        log_warning("Session %s: %s: %s; trying again until it works", s->name, what, strerror(-error));
}

Session *session_new(Daemon *d, const char *name) {
        Session *s = calloc(1, sizeof(Session));
        Session **p;

        if (!s)
                return NULL;
        s->daemon = d;
        s->connection = -1;
        s->rec = SESSION_RECORD_NULL;
        s->due = (QueueEntry) QUEUE_ENTRY_INIT;
        s->name = strdup(name);
        p = reallocarray(d->sessions, d->n_sessions + 1, sizeof(Session *));
        if (p)
                d->sessions = p;
        if (!s->name || !p || deadline_queue_reserve(&d->deadlines, d->n_sessions + 1) < 0 ||
            name_map_put(&d->by_name, s->name, s) < 0) {
                session_free(s);
                return NULL;
        }
        s->slot = d->n_sessions;
        d->sessions[d->n_sessions++] = s;
        d->n_state[s->state]++;
        return s;
}

void session_logged_out(Daemon *d, Session *s) {
        _cleanup_close_ int dir_fd = session_dir_open(d->state_dir, false);

        log_info("Session %s of %s closed (sshd PID %d exited); removing its record", s->name, s->rec.user,
                 (int) s->rec.sshd_pid);
        if (dir_fd >= 0 && unlinkat(dir_fd, s->name, 0) < 0 && errno != ENOENT)
                log_warning_errno(-errno, "Cannot remove session record %s", s->name);
        session_drop(d, s);
}

void session_remove(Daemon *d, const char *name) {
        Session *s = session_find(d, name);

        if (!s)
                return;
        /* An ending in progress goes on without it: it has its own copy. */
        log_debug("Session record %s removed", name);
        session_drop(d, s);
}

void session_drop(Daemon *d, Session *s) {
        size_t i = s->slot;

        if (i >= d->n_sessions || d->sessions[i] != s)
                return;
        /* The last one takes its place: O(1), and the order never mattered. */
        d->sessions[i] = d->sessions[--d->n_sessions];
        d->sessions[i]->slot = i;
        name_map_remove(&d->by_name, s->name);
        deadline_queue_remove(&d->deadlines, &s->due);
        d->n_state[s->state]--;
        session_free(s);
}
