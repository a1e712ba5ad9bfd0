/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "logind.h"

static int bus_get(Daemon *d) {
        int r;

        if (d->bus)
                return 0;
        r = sd_bus_open_system(&d->bus);
        if (r < 0)
                return r;
        r = sd_bus_attach_event(d->bus, d->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0) {
                d->bus = sd_bus_flush_close_unref(d->bus);
                return r;
        }
        return 0;
}

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        char *what = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(m);

        if (e && sd_bus_error_has_name(e, "org.freedesktop.login1.NoSuchSession"))
                /* Its last process exited between our look and the call. */
                log_debug("logind %s: the session is already gone", what);
        else if (e)
                log_warning("logind %s failed: %s", what, e->message ?: e->name);
        else
                log_debug("logind %s done", what);
        free(what);
        return 0;
}

static int call(Daemon *d, const char *method, const char *id, const char *types, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        char *what = NULL;
        va_list ap;
        int r;

        r = sd_bus_message_new_method_call(d->bus, &m, "org.freedesktop.login1", "/org/freedesktop/login1",
                                           "org.freedesktop.login1.Manager", method);
        if (r < 0)
                return r;
        va_start(ap, types);
        r = sd_bus_message_appendv(m, types, ap);
        va_end(ap);
        if (r < 0)
                return r;
        if (asprintf(&what, "%s(%s)", method, id) < 0)
                return -ENOMEM;
        r = sd_bus_call_async(d->bus, NULL, m, on_reply, what, 5 * 1000 * 1000);
        if (r < 0)
                free(what);
        return r;
}

int logind_kill_session(Daemon *d, const char *id) {
        int r;

        r = bus_get(d);
        if (r < 0)
                return log_warning_errno(r, "Cannot connect to the system bus");
        r = call(d, "KillSession", id, "ssi", id, "all", (int32_t) SIGKILL);
        if (r < 0)
                return log_warning_errno(r, "Cannot ask logind to kill session %s", id);
        r = call(d, "TerminateSession", id, "s", id);
        if (r < 0)
                log_warning_errno(r, "Cannot ask logind to terminate session %s", id);
        return 0;
}
