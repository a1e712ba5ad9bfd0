/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The system bus, shared by logind.c (KillSession) and transient_scope.c
 * (scopes for registered sessions): opened on first use, not at start, so
 * that a daemon on a host without a bus runs all the same; opened again
 * whenever it closed. */
#include "config.h"

#include "daemon.h"
#include "log.h"
#include "system_bus.h"

/* A bus that is no longer open may still be closing: sd-bus then answers
 * each call in flight with an error, from the event loop. So only our
 * reference goes; the calls' slots keep it until their answers are in.
 * sd_bus_flush_close_unref() would take it off the loop and lose those
 * answers: their requests would never be answered, and would hold their
 * places among LOGIND_MAX_IN_FLIGHT for good. */
int system_bus_ready(Daemon *d) {
        int r;

        if (d->bus && sd_bus_is_open(d->bus) > 0)
                return 0;
        if (d->bus) {
                log_info("The system bus connection closed; connecting again");
                d->bus = sd_bus_unref(d->bus);
        }
        r = sd_bus_open_system(&d->bus);
        if (r < 0) {
                d->bus = NULL;
                return r;
        }
        r = sd_bus_attach_event(d->bus, d->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0) {
                d->bus = sd_bus_flush_close_unref(d->bus);
                return r;
        }
        return 0;
}
