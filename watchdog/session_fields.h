/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ending.h"
#include "macro.h"
#include "session.h"
#include "time_span.h"

/* The journal fields of a session entry (docs/design.md, section 9) and the words
 * that name it in MESSAGE=. */
typedef struct Fields {
        char *v[14];                 /* "KEY=VALUE", NULL-terminated */
        char label[1500];            /* "session 7 of alice from 198.51.100.7"; fits the longest record values */
        char silence[TIME_SPAN_MAX]; /* "15min 2s" */
        char timeout[TIME_SPAN_MAX];
} Fields;

/* user: the account's own name when known, else NULL for the record's.
 * bytes: BYTES_RECEIVED, or NULL. extra: one more "KEY=VALUE" (may be NULL). */
void fields_fill(const SessionRecord *rec, const char *user, uint64_t silence_usec, uint64_t timeout_usec,
                 const uint64_t *bytes, const char *extra, Fields *f);
void session_fields_extra(const Session *s, const char *extra, Fields *f);
#define session_fields(s, f) session_fields_extra(s, NULL, f)
void ending_fields(const Ending *e, const char *extra, Fields *f);
/* One more "KEY=VALUE" after the fill; dropped if there is no room. */
_printf_(2, 3) void fields_add(Fields *f, const char *fmt, ...);
void fields_free(Fields *f);
