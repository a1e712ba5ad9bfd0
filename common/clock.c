/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "clock.h"

uint64_t clock_now_usec(clockid_t clock) {
        struct timespec ts;

        /* Fails only for a clock that does not exist. */
        if (clock_gettime(clock, &ts) < 0)
                return 0;
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}
