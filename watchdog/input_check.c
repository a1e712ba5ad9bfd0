/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One timer at the earliest deadline; when it fires, the due sessions are
 * re-read in one netlink batch and the ones still silent are ended. The cost
 * follows the number of sessions due, not a polling rate. The same timer
 * wakes sessions whose setup is retried, and those whose connection is gone
 * while sshd is closing them. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "daemon.h"
#include "deadline.h"
#include "ending.h"
#include "event_timer.h"
#include "input_check.h"
#include "log.h"
#include "macro.h"
#include "session_settle.h"
#include "time_span.h"
#include "verdict.h"

/* How often a session whose connection is gone, but whose sshd lives on, is
 * looked at again: sshd closes within milliseconds, or has hung. */
#define CLOSING_RECHECK_USEC (5 * USEC_PER_SEC)

/* When the timer fires for one session, the input of every session due
 * within this much is read too, in the same netlink batch. Reading early
 * costs nothing in precision: a session still silent gets its exact
 * deadline back and is read again then. With keepalives every 5 s on
 * 10,000 sessions this turns 2,000 wake-ups a second into 10. */
#define READ_AHEAD_USEC (100 * USEC_PER_MSEC)

static int on_timer(sd_event_source *src, uint64_t usec, void *userdata) {
        Daemon *d = userdata;
        uint64_t now;

        (void) sd_event_now(d->event, CLOCK_MONOTONIC, &now);
        sessions_retry_due(d, now);
        (void) input_check_due(d, now);
        return 0;
}

void input_check_reschedule(Daemon *d) {
        QueueEntry *top = deadline_queue_top(&d->deadlines);
        uint64_t t = top ? top->key : 0;
        bool created = !d->timer;
        int r;

        /* 1 ms accuracy: the kernel's silence clock has no finer grain, and
         * a coarser one would show in every ending's timing. */
        r = event_timer_arm(d->event, &d->timer, t, USEC_PER_MSEC, on_timer, d);
        if (r < 0)
                log_error_errno(r, "Cannot arm the deadline timer");
        else if (created && d->timer)
                /* Deadlines first: when both are due, a SIGTERM promised
                 * within a second goes before kills promised within the
                 * grace. */
                (void) sd_event_source_set_priority(d->timer, SD_EVENT_PRIORITY_IMPORTANT);
}

/* Its connection is gone: sshd is closing the session (close_session will
 * remove the record), or died without doing so. */
static bool connection_gone(Daemon *d, Session *s, uint64_t now) {
        int r = session_record_check_process(d->proc_root, &s->rec);

        if (r == -ESRCH)
                return true;
        if (r < 0)
                session_trouble(s, now, "cannot read its sshd's process", r);
        else {
                log_debug("Connection of session %s is gone; leaving it to sshd", s->name);
                session_set_state(s, SESSION_CLOSING);
                session_set_deadline(s, now + CLOSING_RECHECK_USEC);
        }
        return false;
}

int input_check_due(Daemon *d, uint64_t now) {
        _cleanup_free_ Session **due = NULL, **end = NULL;
        _cleanup_free_ TcpInput *socks = NULL;
        size_t n = 0, n_end = 0, n_due;
        int r;

        due = sessions_due(d, now + READ_AHEAD_USEC, &n_due);
        if (n_due == 0)
                return 0;
        end = calloc(n_due, sizeof(Session *));
        socks = calloc(n_due, sizeof(TcpInput));
        if (!end || !socks)
                return log_error_errno(-ENOMEM, "Cannot check sessions");
        /* due[] is compacted in place to the watched ones. */
        for (size_t i = 0; i < n_due; i++) {
                Session *s = due[i];
                if (s->state == SESSION_WATCHING) {
                        due[n] = s;
                        socks[n++] = s->sock;
                } else if (s->state == SESSION_CLOSING && deadline_due(s->deadline, now) &&
                           connection_gone(d, s, now))
                        end[n_end++] = s;
        }

        uint64_t read_at = 0;
        if (n > 0) {
                r = tcp_diag_query(d->diag_fd, socks, n);
                read_at = monotonic_now();
                if (r < 0) {
                        /* Try again shortly rather than act on no data. */
                        for (size_t i = 0; i < n; i++)
                                session_trouble(due[i], now, "cannot read tcp_info", r);
                        n = 0;
                }
        }
        for (size_t i = 0; i < n; i++) {
                Session *s = due[i];

                if (socks[i].error == -ENOENT) {
                        if (connection_gone(d, s, now))
                                end[n_end++] = s;
                        continue;
                }
                if (!socks[i].found) {
                        session_trouble(s, now, "cannot read tcp_info", socks[i].error ?: -EIO);
                        continue;
                }
                if (s->failures > 0) {
                        log_info("Session %s: tcp_info readable again after %u tries", s->name, s->failures);
                        s->failures = 0;
                        s->trouble_logged = false;
                }
                s->sock = socks[i];
                s->silence_usec = (uint64_t) socks[i].last_data_recv_ms * USEC_PER_MSEC;
                s->read_at = read_at;
                switch (verdict_after_reading(s)) {
                case VERDICT_EXTEND:
                        session_set_deadline(s, deadline_from_silence(now, s->silence_usec, s->eff.input_timeout_usec));
                        s->dry_run_reported = false;
                        break;
                case VERDICT_QUIET:
                        session_set_deadline(s, now + s->eff.input_timeout_usec);
                        break;
                default:
                        end[n_end++] = s;
                        break;
                }
        }
        if (n_end > 0)
                endings_begin(d, end, n_end, now);
        return 0;
}
