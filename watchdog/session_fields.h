/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "daemon.h"
#include "time_span.h"

/* The journal fields of a session entry (DESIGN.md section 6) and the words
 * that name it in MESSAGE=. */
typedef struct Fields {
        char *v[12];                 /* "KEY=VALUE", NULL-terminated */
        char label[1500];            /* "session 7 of alice from 198.51.100.7"; fits the longest record values */
        char silence[TIME_SPAN_MAX]; /* "15min 2s" */
        char timeout[TIME_SPAN_MAX];
} Fields;

/* extra: one more "KEY=VALUE" (may be NULL), copied. */
void session_fields_extra(const Session *s, const char *extra, Fields *f);
#define session_fields(s, f) session_fields_extra(s, NULL, f)
void fields_free(Fields *f);
