/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The idle-user policy: one timer at the earliest look in its own queue;
 * each due session's terminals are looked at (terminals.c), the verdict
 * comes from idle_time.c, and a session idle for its whole limit, warned,
 * goes to endings_begin() like a silent one. Off (IdleTimeoutSec=0), the
 * queue stays empty and nothing here runs. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "daemon.h"
#include "deadline.h"
#include "ending.h"
#include "event_timer.h"
#include "idle_check.h"
#include "idle_time.h"
#include "log.h"
#include "macro.h"
#include "session_fields.h"
#include "terminals.h"
#include "time_span.h"

/* Looks per wake-up (about 55 us each, measured at 10,000 sessions):
 * when thousands are due at once (start-up, a reload, a limit lowered),
 * the rest wait for the next turn of the loop, and input deadlines, kills
 * and the watchdog ping go in between; the first endings are not held
 * back by the last looks. */
#define LOOKS_PER_WAKEUP 256

bool idle_applies(const Session *s, const char **ret_why) {
        const char *why = NULL;

        if (!s->has_limits)
                why = "not settled";
        else if (s->eff.idle_timeout_usec == 0)
                why = "off";
        else if (s->eff.exempt)
                why = "exempt";
        else if (!s->idle)
                why = "out of memory";
        else if (s->state != SESSION_WATCHING && s->state != SESSION_UNTIMED)
                why = "not watched";
        else if (s->idle->unseen)
                why = s->idle->unseen;
        if (ret_why)
                *ret_why = why;
        return !why;
}

static void set_next(Session *s, uint64_t t) {
        Daemon *d = s->daemon;

        if (!s->idle || deadline_queue_set(&d->idle_deadlines, &s->idle->due, t) < 0)
                log_error("Session %s: out of memory; the idle limit is not applied to it", s->name);
}

static void forget(Session *s) {
        if (!s->idle)
                return;
        deadline_queue_remove(&s->daemon->idle_deadlines, &s->idle->due);
        free(s->idle->terminals);
        s->idle->terminals = NULL;
        s->idle->n_terminals = 0;
        s->idle->active = s->idle->warned_active = s->idle->reported_active = 0;
}

void idle_watch_update(Session *s, uint64_t now) {
        if (s->idle) {
                free(s->idle->unseen);
                s->idle->unseen = NULL;
                s->idle->failures = 0;
        }
        if (idle_applies(s, NULL))
                set_next(s, now);
        else
                forget(s);
}

/* The policy cannot see its terminals (no CAP_SYS_PTRACE, a kernel
 * without tty-index): said once, in the journal and in `list`. */
static void unseen(Session *s, int r) {
        _cleanup_(fields_free) Fields f = {};
        char why[160];

        snprintf(why, sizeof(why), "cannot see its terminals: %s", strerror(-r));
        forget(s);
        free(s->idle->unseen);
        s->idle->unseen = strdup(why);
        session_fields(s, &f);
        log_struct(LOG_WARNING, MESSAGE_ID_SESSION_IDLE_UNSEEN, f.v, "%s: IdleTimeoutSec= cannot apply: %s", f.label,
                   why);
}

static void warn_user(Session *s, uint64_t idle, uint64_t left) {
        _cleanup_(fields_free) Fields f = {};
        char a[TIME_SPAN_MAX], b[TIME_SPAN_MAX], text[2 * TIME_SPAN_MAX + 128];
        size_t told = 0;
        int error = 0;
        const char *step = NULL;

        /* Whole seconds: the kernel's idle clock has no finer grain. Fixed
         * text, no escape sequences; \r\n also ends the line on a
         * terminal in raw mode (an editor). */
        time_span_format(a, idle, USEC_PER_SEC);
        time_span_format(b, (left + USEC_PER_SEC - 1) / USEC_PER_SEC * USEC_PER_SEC, USEC_PER_SEC);
        snprintf(text, sizeof(text),
                 "\r\nsshd-watchdog: idle for %s; this session ends in %s unless you type something\r\n", a, b);
        if (!s->eff.dry_run) {
                s->daemon->idle_warned_total++;
                told = terminals_write(s->daemon->proc_root, session_monitor(s), s->rec.uid, s->idle->terminals,
                                       s->idle->n_terminals, text, &error, &step);
        }
        session_fields(s, &f);
        fields_add(&f, "IDLE_USEC=%" PRIu64, idle);
        fields_add(&f, "IDLE_TIMEOUT_USEC=%" PRIu64, s->eff.idle_timeout_usec);
        fields_add(&f, "TERMINALS=%zu", s->idle->n_terminals);
        if (error < 0)
                fields_add(&f, "WARNING_ERROR=%s: %s", step, strerror(-error));
        if (s->eff.dry_run)
                log_struct(LOG_INFO, MESSAGE_ID_SESSION_IDLE_WARNED, f.v,
                           "Dry run: would warn %s: idle for %s, ending in %s", f.label, a, b);
        else
                log_struct(told < s->idle->n_terminals ? LOG_WARNING : LOG_INFO, MESSAGE_ID_SESSION_IDLE_WARNED, f.v,
                           "Warned %s on %zu of %zu terminals: idle for %s, ending in %s%s%s%s%s", f.label, told,
                           s->idle->n_terminals, a, b, error < 0 ? "; not written: " : "", error < 0 ? step : "",
                           error < 0 ? ": " : "", error < 0 ? strerror(-error) : "");
}

static void report_dry_run(Session *s, uint64_t idle) {
        _cleanup_(fields_free) Fields f = {};
        char a[TIME_SPAN_MAX], b[TIME_SPAN_MAX];

        session_fields(s, &f);
        fields_add(&f, "IDLE_USEC=%" PRIu64, idle);
        fields_add(&f, "IDLE_TIMEOUT_USEC=%" PRIu64, s->eff.idle_timeout_usec);
        log_struct(LOG_NOTICE, MESSAGE_ID_SESSION_DRY_RUN, f.v, "Dry run: would end %s: its user typed nothing for %s (IdleTimeoutSec %s)",
                   f.label, time_span_format(a, idle, USEC_PER_SEC),
                   time_span_format(b, s->eff.idle_timeout_usec, 0));
}

/* One look. true: the session is to be ended now. */
static bool look(Session *s, uint64_t now) {
        Daemon *d = s->daemon;
        uint64_t limit = s->eff.idle_timeout_usec, warn = s->eff.idle_warn_usec, next;
        int r = terminals_look(d->proc_root, session_monitor(s), s->rec.uid, now, realtime_now(), &s->idle->terminals,
                               &s->idle->n_terminals);

        if (r == -ESRCH) {
                /* Its monitor is gone: the input check ends it or lets it go. */
                forget(s);
                return false;
        }
        if (r == -EACCES || r == -EPERM || r == -EOPNOTSUPP) {
                unseen(s, r);
                return false;
        }
        if (r < 0) {
                if (s->idle->failures++ == 0)
                        log_warning_errno(r, "Session %s: cannot look at its terminals; trying again until it works",
                                          s->name);
                set_next(s, now + retry_delay_usec(s->idle->failures));
                return false;
        }
        if (s->idle->failures > 0) {
                log_info("Session %s: its terminals can be looked at again after %u tries", s->name, s->idle->failures);
                s->idle->failures = 0;
        }
        s->idle->active = terminals_active(s->idle->terminals, s->idle->n_terminals);
        if (s->idle->n_terminals == 0) {
                /* Not subject while it has none. A pty opened later (a
                 * ControlMaster session) starts with its atime then, so
                 * its warning cannot be due before this look comes back. */
                s->idle->warned_active = 0;
                set_next(s, now + limit - warn);
                return false;
        }

        IdleFacts facts = { .active = s->idle->active, .now = now, .limit = limit, .warn = warn,
                            .warned_active = s->idle->warned_active };
        switch (idle_verdict(&facts, &next)) {
        case IDLE_KEEP:
                if (s->idle->warned_active != 0 && !idle_warning_stands(s->idle->active, s->idle->warned_active)) {
                        log_info("Session %s: its user typed after the warning; not ending it", s->name);
                        s->idle->warned_active = 0;
                }
                set_next(s, next);
                return false;
        case IDLE_WARN:
                s->idle->warned_active = s->idle->active;
                warn_user(s, idle_usec(s->idle->active, now), next - now);
                set_next(s, next);
                return false;
        case IDLE_END:
                break;
        }
        if (s->eff.dry_run) {
                if (s->idle->reported_active != s->idle->active)
                        report_dry_run(s, idle_usec(s->idle->active, now));
                s->idle->reported_active = s->idle->active;
                set_next(s, now + limit);
                return false;
        }
        return true;
}

static int on_timer(sd_event_source *src, uint64_t usec, void *userdata) {
        Daemon *d = userdata;
        uint64_t now;

        (void) sd_event_now(d->event, CLOCK_MONOTONIC, &now);
        (void) idle_check_due(d, now);
        return 0;
}

void idle_check_reschedule(Daemon *d) {
        QueueEntry *top = deadline_queue_top(&d->idle_deadlines);
        int r;

        if (!top && !d->idle_timer)
                return; /* off: not even a timer */
        /* 10 ms: the terminals' clock has a grain of seconds. */
        r = event_timer_arm(d->event, &d->idle_timer, top ? top->key : 0, 10 * USEC_PER_MSEC, on_timer, d);
        if (r < 0)
                log_error_errno(r, "Cannot arm the idle timer");
}

int idle_check_due(Daemon *d, uint64_t now) {
        _cleanup_free_ QueueEntry **due = NULL;
        _cleanup_free_ Session **end = NULL;
        _cleanup_free_ char **names = NULL;
        ssize_t n = deadline_queue_due(&d->idle_deadlines, now + DEADLINE_SLACK_USEC, LOOKS_PER_WAKEUP, &due);
        size_t n_end = 0;

        if (n <= 0)
                return n < 0 ? log_error_errno((int) n, "Cannot look at idle sessions") : 0;
        end = calloc((size_t) n, sizeof(Session *));
        names = calloc((size_t) n, sizeof(char *));
        if (!end || !names)
                return log_error_errno(-ENOMEM, "Cannot look at idle sessions");
        for (ssize_t i = 0; i < n; i++) {
                Session *s = container_of(due[i], IdleWatch, due)->session;
                if (!idle_applies(s, NULL)) {
                        forget(s);
                        continue;
                }
                if (look(s, now)) {
                        /* By name: endings_begin() may forget a session. */
                        if (!(names[n_end] = strdup(s->name))) {
                                set_next(s, now + retry_delay_usec(1));
                                continue;
                        }
                        deadline_queue_remove(&d->idle_deadlines, &s->idle->due);
                        s->idle->ending = true;
                        end[n_end++] = s;
                }
        }
        if (n_end > 0)
                endings_begin(d, end, n_end, now);
        /* One that could not be ended yet (a failure that may pass) is
         * looked at again soon. */
        for (size_t i = 0; i < n_end; i++) {
                Session *s = session_find(d, names[i]);
                if (s && s->state != SESSION_ENDING && s->idle && s->idle->ending) {
                        s->idle->ending = false;
                        set_next(s, now + retry_delay_usec(1));
                }
                free(names[i]);
        }
        return 0;
}
