/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "deadline.h"
#include "event_timer.h"
#include "log.h"
#include "logind.h"
#include "system_bus.h"
#include "time_span.h"

typedef struct Request Request;
struct Request {
        Request *prev, *next;
        Daemon *daemon;
        char *id;
        logind_cb cb;
        void *userdata;
        unsigned attempts;
        uint64_t not_before;   /* CLOCK_MONOTONIC: a retry waits for its backoff */
        sd_bus_slot *slot;     /* the call in flight, if any */
};

struct LogindQueue {
        Request *head, *tail;
        unsigned in_flight;
        sd_event_source *retry; /* wakes the queue after a backoff */
};

static void dispatch(Daemon *d);

static LogindQueue *queue(Daemon *d) {
        if (!d->logind)
                d->logind = calloc(1, sizeof(LogindQueue));
        return d->logind;
}

static void request_free(Daemon *d, Request *q) {
        LogindQueue *l = d->logind;

        if (q->slot) {
                q->slot = sd_bus_slot_unref(q->slot);
                l->in_flight--;
        }
        if (q->prev)
                q->prev->next = q->next;
        else
                l->head = q->next;
        if (q->next)
                q->next->prev = q->prev;
        else
                l->tail = q->prev;
        free(q->id);
        free(q);
}

/* Delivers the one answer. The request is detached from its owner first:
 * the callback may well cancel what its owner still has queued. */
static void answer(Daemon *d, Request *q, int r, const sd_bus_error *e) {
        logind_cb cb = q->cb;
        void *userdata = q->userdata;

        q->cb = NULL;
        q->userdata = NULL;
        if (cb)
                cb(d, userdata, r, e ? e->name : NULL, e ? e->message : NULL);
}

/* Errors after which the same call may well work: the bus or logind went
 * away for a moment, or the call was never answered. */
static bool transient(const sd_bus_error *e) {
        static const char *const names[] = {
                SD_BUS_ERROR_NO_REPLY,        SD_BUS_ERROR_DISCONNECTED,     SD_BUS_ERROR_TIMEOUT,
                "org.freedesktop.DBus.Error.TimedOut", SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER,
                SD_BUS_ERROR_LIMITS_EXCEEDED, SD_BUS_ERROR_NO_MEMORY,
        };
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                if (sd_bus_error_has_name(e, names[i]))
                        return true;
        return false;
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata) {
        dispatch(userdata);
        return 0;
}

static void arm_retry(Daemon *d, uint64_t when) {
        LogindQueue *l = d->logind;
        uint64_t t = event_timer_when(l->retry);
        int r;

        if (t != 0 && t <= when)
                return; /* an earlier wake-up is armed already */
        r = event_timer_arm(d->event, &l->retry, when, USEC_PER_MSEC, on_retry, d);
        if (r < 0)
                log_error_errno(r, "Cannot arm the logind retry timer");
}

/* After a failure that may pass: back into the queue, or answered with the
 * error once it has had its tries. */
static void retry_or_fail(Daemon *d, Request *q, int r, const sd_bus_error *e) {
        uint64_t now;

        if (++q->attempts >= LOGIND_ATTEMPTS) {
                answer(d, q, r, e);
                request_free(d, q);
                return;
        }
        (void) sd_event_now(d->event, CLOCK_MONOTONIC, &now);
        q->not_before = now + retry_delay_usec(q->attempts + 2); /* 400 ms, 800 ms */
        arm_retry(d, q->not_before);
}

static int reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Request *q = userdata;
        Daemon *d = q->daemon;
        const sd_bus_error *e = sd_bus_message_get_error(m);

        q->slot = sd_bus_slot_unref(q->slot);
        d->logind->in_flight--;

        if (!q->cb) {
                /* Cancelled while in flight: its place is free only now. */
                request_free(d, q);
        } else if (!e) {
                answer(d, q, 0, NULL);
                request_free(d, q);
        } else if (sd_bus_error_has_name(e, "org.freedesktop.login1.NoSuchSession")) {
                /* Its last process exited between our look and the call. */
                answer(d, q, -ENOENT, e);
                request_free(d, q);
        } else if (transient(e)) {
                log_debug("logind KillSession(%s): %s; trying again", q->id, e->message ?: e->name);
                retry_or_fail(d, q, -sd_bus_error_get_errno(e) ?: -EIO, e);
        } else {
                answer(d, q, sd_bus_error_get_errno(e) > 0 ? -sd_bus_error_get_errno(e) : -EIO, e);
                request_free(d, q);
        }
        dispatch(d);
        return 0;
}

static int send_call(Daemon *d, Request *q) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_method_call(d->bus, &m, "org.freedesktop.login1", "/org/freedesktop/login1",
                                           "org.freedesktop.login1.Manager", "KillSession");
        if (r >= 0)
                r = sd_bus_message_append(m, "ssi", q->id, "all", (int32_t) SIGKILL);
        if (r >= 0)
                r = sd_bus_call_async(d->bus, &q->slot, m, reply, q, 10 * USEC_PER_SEC);
        if (r < 0)
                return r;
        d->logind->in_flight++;
        return 0;
}

static void dispatch(Daemon *d) {
        LogindQueue *l = d->logind;
        uint64_t now, wake = 0;
        int r;

        if (!l)
                return;
        (void) sd_event_now(d->event, CLOCK_MONOTONIC, &now);
        for (Request *q = l->head, *next; q && l->in_flight < LOGIND_MAX_IN_FLIGHT; q = next) {
                next = q->next;
                if (q->slot)
                        continue;
                if (q->not_before > now) {
                        wake = wake == 0 || q->not_before < wake ? q->not_before : wake;
                        continue;
                }
                r = system_bus_ready(d);
                if (r >= 0) {
                        r = send_call(d, q);
                        if (r >= 0)
                                continue;
                        /* A bus that closed under us is opened again by
                         * the next system_bus_ready(). */
                }
                log_debug("Cannot call logind for session %s: %s", q->id, strerror(-r));
                /* A missing bus socket (ENOENT) is not logind's "no such
                 * session": that answer would finish the ending with its
                 * scope's leftovers alive. */
                if (r == -ENOENT)
                        r = -ENOTCONN;
                sd_bus_error e = SD_BUS_ERROR_MAKE_CONST(SD_BUS_ERROR_DISCONNECTED, "Cannot reach the system bus");
                retry_or_fail(d, q, r, &e);
        }
        if (wake)
                arm_retry(d, wake);
}

int logind_kill_session(Daemon *d, const char *id, logind_cb cb, void *userdata) {
        LogindQueue *l = queue(d);
        Request *q;

        if (!l)
                return -ENOMEM;
        q = calloc(1, sizeof(Request));
        if (!q || !(q->id = strdup(id))) {
                free(q);
                return -ENOMEM;
        }
        q->daemon = d;
        q->cb = cb;
        q->userdata = userdata;
        q->prev = l->tail;
        if (l->tail)
                l->tail->next = q;
        else
                l->head = q;
        l->tail = q;
        dispatch(d);
        return 0;
}

void logind_cancel(Daemon *d, void *userdata) {
        if (!d->logind)
                return;
        for (Request *q = d->logind->head, *next; q; q = next) {
                next = q->next;
                if (!q->userdata || q->userdata != userdata)
                        continue;
                if (q->slot) {
                        /* In flight: logind and the bus still hold the call.
                         * Sending another in its place would let a logind that
                         * cannot keep up collect calls without bound. */
                        q->cb = NULL;
                        q->userdata = NULL;
                } else
                        request_free(d, q);
        }
}

void logind_queue_free(Daemon *d) {
        if (!d->logind)
                return;
        while (d->logind->head)
                request_free(d, d->logind->head);
        sd_event_source_disable_unref(d->logind->retry);
        free(d->logind);
        d->logind = NULL;
}
