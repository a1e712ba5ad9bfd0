/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "macro.h"
#include "session_fields.h"

static void add(Fields *f, size_t *n, char *s) {
        if (s && *n < sizeof(f->v) / sizeof(f->v[0]) - 1)
                f->v[(*n)++] = s;
        else
                free(s);
}

_printf_(3, 4) static void addf(Fields *f, size_t *n, const char *fmt, ...) {
        char *s = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&s, fmt, ap) < 0)
                s = NULL;
        va_end(ap);
        add(f, n, s);
}

void session_fields_extra(const Session *s, const char *extra, Fields *f) {
        const SessionRecord *r = &s->rec;
        size_t n = 0;

        *f = (Fields) {};
        addf(f, &n, "USER_ID=%s", r->user);
        if (r->session_id)
                addf(f, &n, "SESSION_ID=%s", r->session_id);
        if (r->audit_session != UINT32_MAX)
                addf(f, &n, "AUDIT_SESSION=%" PRIu32, r->audit_session);
        addf(f, &n, "SSHD_PID=%d", (int) r->sshd_pid);
        addf(f, &n, "REMOTE_HOST=%s", r->remote_host);
        addf(f, &n, "SILENT_USEC=%" PRIu64, s->silence_usec);
        addf(f, &n, "TIMEOUT_USEC=%" PRIu64, s->eff.input_timeout_usec);
        if (s->sock.found)
                addf(f, &n, "BYTES_RECEIVED=%" PRIu64, s->sock.bytes_received);
        if (extra)
                addf(f, &n, "%s", extra);
        f->v[n] = NULL;

        if (r->session_id)
                snprintf(f->label, sizeof(f->label), "session %s of %s from %s", r->session_id, r->user,
                         *r->remote_host ? r->remote_host : "unknown host");
        else
                snprintf(f->label, sizeof(f->label), "ssh session of %s from %s (sshd PID %d)", r->user,
                         *r->remote_host ? r->remote_host : "unknown host", (int) r->sshd_pid);
        /* Rounded to ms: the kernel's clock of the silence has no finer grain. */
        time_span_format(f->silence, s->silence_usec, 1000);
        time_span_format(f->timeout, s->eff.input_timeout_usec, 0);
}

void fields_free(Fields *f) {
        for (size_t i = 0; f->v[i]; i++)
                free(f->v[i]);
        f->v[0] = NULL;
}
