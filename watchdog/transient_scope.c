/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "macro.h"
#include "system_bus.h"
#include "time_span.h"
#include "transient_scope.h"

/* Within the wait of register.c (3 s), which is within the helper's (5 s). */
#define SCOPE_CALL_TIMEOUT_USEC (2500 * USEC_PER_MSEC)

typedef struct Call {
        transient_scope_cb cb;
        void *userdata;
} Call;

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Call *c = userdata; /* freed with the slot */
        const sd_bus_error *e = sd_bus_message_get_error(m);

        if (e && sd_bus_error_has_name(e, SD_BUS_ERROR_PROPERTY_READ_ONLY) && e->message &&
            strstr(e->message, "PIDFDs"))
                /* "Cannot set property PIDFDs, or unknown property.": before 253. */
                c->cb(c->userdata, -EPROTONOSUPPORT, e->message);
        else if (e)
                c->cb(c->userdata, -(sd_bus_error_get_errno(e) ?: EIO), e->message ?: e->name);
        else
                c->cb(c->userdata, 0, NULL);
        return 0;
}

static int call(Daemon *d, sd_bus_message *m, transient_scope_cb cb, void *userdata, sd_bus_slot **ret_slot) {
        Call *c = malloc(sizeof(*c));
        int r;

        if (!c)
                return -ENOMEM;
        *c = (Call) { .cb = cb, .userdata = userdata };
        r = sd_bus_call_async(d->bus, ret_slot, m, on_reply, c, SCOPE_CALL_TIMEOUT_USEC);
        if (r < 0) {
                free(c);
                return r;
        }
        /* Freed with the slot, whether the reply came or the call was cancelled. */
        (void) sd_bus_slot_set_destroy_callback(*ret_slot, free);
        return 0;
}

static int new_call(Daemon *d, const char *method, sd_bus_message **ret) {
        int r = system_bus_ready(d);

        if (r < 0)
                return r;
        return sd_bus_message_new_method_call(d->bus, ret, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                              "org.freedesktop.systemd1.Manager", method);
}

int transient_scope_start(Daemon *d, const char *unit, const char *description, pid_t pid, int pidfd,
                          transient_scope_cb cb, void *userdata, sd_bus_slot **ret_slot) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = new_call(d, "StartTransientUnit", &m);
        if (r >= 0)
                r = sd_bus_message_append(m, "ss", unit, "fail");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "(sv)");
        if (r >= 0)
                /* Delegate: systemd moves processes into a running unit
                 * (AttachProcessesToUnit, for a second channel) only when
                 * it is delegated. Without User= the cgroup stays root's:
                 * the user gains nothing from it. */
                r = sd_bus_message_append(m, "(sv)(sv)(sv)", "Description", "s", description, "CollectMode", "s",
                                          "inactive-or-failed", "Delegate", "b", 1);
        if (r >= 0)
                r = pidfd >= 0 && !d->scope_pids_only
                            ? sd_bus_message_append(m, "(sv)", "PIDFDs", "ah", 1, pidfd)
                            : sd_bus_message_append(m, "(sv)", "PIDs", "au", 1, (uint32_t) pid);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_append(m, "a(sa(sv))", 0);
        if (r < 0)
                return r;
        return call(d, m, cb, userdata, ret_slot);
}

int transient_scope_attach(Daemon *d, const char *unit, pid_t pid, transient_scope_cb cb, void *userdata,
                           sd_bus_slot **ret_slot) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = new_call(d, "AttachProcessesToUnit", &m);
        if (r >= 0)
                r = sd_bus_message_append(m, "ssau", unit, "", 1, (uint32_t) pid);
        if (r < 0)
                return r;
        return call(d, m, cb, userdata, ret_slot);
}

int transient_scope_name(const char *record_name, char **ret) {
        return asprintf(ret, "sshd-watchdog-%s.scope", record_name) < 0 ? -ENOMEM : 0;
}
