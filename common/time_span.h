/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define USEC_PER_MSEC UINT64_C(1000)
#define USEC_PER_SEC  UINT64_C(1000000)
#define USEC_PER_MINUTE (60 * USEC_PER_SEC)
#define USEC_PER_HOUR (60 * USEC_PER_MINUTE)
#define USEC_PER_DAY (24 * USEC_PER_HOUR)
#define USEC_PER_WEEK (7 * USEC_PER_DAY)
#define USEC_PER_MONTH UINT64_C(2629800000000) /* 30.44 days, as systemd */
#define USEC_PER_YEAR UINT64_C(31557600000000) /* 365.25 days, as systemd */

/* Parses a time span in systemd's syntax ("90", "90s", "5min", "1h 30min",
 * "1.5h", "0") into microseconds. A bare number is seconds. Rejects empty
 * strings, signs, unknown units, and values that overflow 64 bits.
 * Returns 0 or -EINVAL / -ERANGE. */
int time_span_parse(const char *s, uint64_t *ret_usec);

/* Big enough for any uint64_t microsecond value in format_time_span(). */
#define TIME_SPAN_MAX 96

/* "15min 2s", "1h 30min", "250ms", "0": the largest units first, rounded down
 * to `accuracy` microseconds (0 means exact). Returns buf. */
char *time_span_format(char buf[static TIME_SPAN_MAX], uint64_t usec, uint64_t accuracy);
