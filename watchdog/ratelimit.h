/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* At most `burst` events per `interval_usec`, counted in fixed windows (as
 * systemd's ratelimit.h): what a user can make the daemon do, or log. */
typedef struct RateLimit {
        uint64_t interval_usec;
        unsigned burst;
        uint64_t begin;      /* the window's start, CLOCK_MONOTONIC usec; 0: none yet */
        unsigned num;        /* events allowed in it */
        uint64_t suppressed; /* events refused since the last ratelimit_take_suppressed() */
} RateLimit;

#define RATELIMIT_INIT(interval, b) ((RateLimit) { .interval_usec = (interval), .burst = (b) })

/* Whether one more event may happen at now; counts it either way. */
bool ratelimit_below(RateLimit *rl, uint64_t now);
/* When the current window ends (0 when none has begun). */
uint64_t ratelimit_end(const RateLimit *rl);
/* The events refused so far, and starts counting anew. */
uint64_t ratelimit_take_suppressed(RateLimit *rl);
