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

_printf_(3, 0) static void vaddf(Fields *f, size_t *n, const char *fmt, va_list ap) {
        char *s = NULL;
        if (vasprintf(&s, fmt, ap) < 0)
                s = NULL;
        add(f, n, s);
}

_printf_(3, 4) static void addf(Fields *f, size_t *n, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vaddf(f, n, fmt, ap);
        va_end(ap);
}

void fields_fill(const SessionRecord *r, const char *user, uint64_t silence_usec, uint64_t timeout_usec,
                 const uint64_t *bytes, const char *extra, Fields *f) {
        size_t n = 0;

        *f = (Fields) {};
        user = user ?: r->user;
        addf(f, &n, "USER_ID=%s", user);
        if (r->session_id)
                addf(f, &n, "SESSION_ID=%s", r->session_id);
        if (r->audit_session != AUDIT_SESSION_UNSET)
                addf(f, &n, "AUDIT_SESSION=%" PRIu32, r->audit_session);
        addf(f, &n, "SSHD_PID=%d", (int) r->sshd_pid);
        addf(f, &n, "REMOTE_HOST=%s", r->remote_host);
        addf(f, &n, "SILENT_USEC=%" PRIu64, silence_usec);
        addf(f, &n, "TIMEOUT_USEC=%" PRIu64, timeout_usec);
        if (bytes)
                addf(f, &n, "BYTES_RECEIVED=%" PRIu64, *bytes);
        if (extra)
                addf(f, &n, "%s", extra);
        f->v[n] = NULL;

        if (r->session_id)
                snprintf(f->label, sizeof(f->label), "session %s of %s from %s", r->session_id, user,
                         *r->remote_host ? r->remote_host : "unknown host");
        else
                snprintf(f->label, sizeof(f->label), "ssh session of %s from %s (sshd PID %d)", user,
                         *r->remote_host ? r->remote_host : "unknown host", (int) r->sshd_pid);
        /* Rounded to ms: the kernel's clock of the silence has no finer grain. */
        time_span_format(f->silence, silence_usec, 1000);
        time_span_format(f->timeout, timeout_usec, 0);
}

void session_fields_extra(const Session *s, const char *extra, Fields *f) {
        fields_fill(&s->rec, s->account, s->silence_usec, s->eff.input_timeout_usec,
                    s->sock.found ? &s->sock.bytes_received : NULL, extra, f);
}

void ending_fields(const Ending *e, const char *extra, Fields *f) {
        fields_fill(&e->rec, NULL, e->silence_usec, e->timeout_usec,
                    ending_reason_ours(e->reason) ? &e->bytes_received : NULL, extra, f);
}

void fields_add(Fields *f, const char *fmt, ...) {
        size_t n = 0;
        va_list ap;

        while (f->v[n])
                n++;
        va_start(ap, fmt);
        vaddf(f, &n, fmt, ap);
        va_end(ap);
        f->v[n] = NULL;
}

void fields_free(Fields *f) {
        for (size_t i = 0; f->v[i]; i++)
                free(f->v[i]);
        f->v[0] = NULL;
}
