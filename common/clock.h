/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <time.h>

/* The one reading of a clock everything uses, in microseconds. */
uint64_t clock_now_usec(clockid_t clock);

/* CLOCK_MONOTONIC now, as the clock says: sd_event_now() is when the loop
 * woke, which in a long dispatch is long ago. */
static inline uint64_t monotonic_now(void) {
        return clock_now_usec(CLOCK_MONOTONIC);
}

/* CLOCK_REALTIME now: records carry wall-clock times. */
static inline uint64_t realtime_now(void) {
        return clock_now_usec(CLOCK_REALTIME);
}
