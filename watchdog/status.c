/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon's STATUS= for the service manager, from the counts the
 * session table keeps and the top of the deadline queue: O(1), whatever
 * the number of sessions. Sent at most once a second: sd_notify() blocks
 * once the notify socket is full, and when a thousand sessions end at once
 * the service manager is busy stopping their scopes; a status per event
 * would stall the daemon behind it. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <systemd/sd-daemon.h>

#include "clock.h"
#include "daemon.h"
#include "event_timer.h"
#include "log.h"
#include "status.h"
#include "time_span.h"

#define STATUS_INTERVAL_USEC USEC_PER_SEC

static void send_status(Daemon *d) {
        size_t watching = d->n_state[SESSION_WATCHING] + d->n_state[SESSION_UNTIMED], ending = d->n_endings;
        QueueEntry *top = deadline_queue_top(&d->deadlines);
        uint64_t now, next = top ? top->key : 0;
        char t[TIME_SPAN_MAX];

        size_t unrecorded = d->n_unrecorded;
        char u[64] = "";

        if (unrecorded > 0)
                snprintf(u, sizeof(u), ", %zu connection%s without a record", unrecorded, unrecorded == 1 ? "" : "s");
        (void) sd_event_now(d->event, CLOCK_MONOTONIC, &now);
        (void) sd_notifyf(false, "STATUS=Watching %zu session%s%s%s%s%s%s", watching, watching == 1 ? "" : "s",
                          ending ? ", ending " : "", ending ? (ending == 1 ? "1" : "some") : "", u,
                          next ? ", next deadline in " : "",
                          next ? time_span_format(t, next > now ? next - now : 0, USEC_PER_SEC) : "");
        d->status_sent = now;
}

static int on_status_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        send_status(userdata);
        return 0;
}

void status_progress(Daemon *d) {
        uint64_t now;

        if (d->watchdog_usec == 0)
                return;
        now = monotonic_now();
        if (now < d->progress_sent + d->watchdog_usec / 4)
                return;
        (void) sd_notify(false, "WATCHDOG=1");
        d->progress_sent = now;
}

void status_notify(Daemon *d) {
        uint64_t now;
        int r;

        if (!d->ready)
                return;
        (void) sd_event_now(d->event, CLOCK_MONOTONIC, &now);
        if (now >= d->status_sent + STATUS_INTERVAL_USEC) {
                send_status(d);
                return;
        }
        if (event_timer_when(d->status_timer) != 0)
                return; /* an update is due already */
        r = event_timer_arm(d->event, &d->status_timer, d->status_sent + STATUS_INTERVAL_USEC, 100 * USEC_PER_MSEC,
                            on_status_timer, d);
        if (r < 0)
                log_debug("Cannot arm the status timer: %s", strerror(-r));
}
