/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "deadline.h"
#include "time_span.h"

uint64_t deadline_from_silence(uint64_t now, uint64_t silence, uint64_t timeout) {
        if (silence >= timeout)
                return now;
        uint64_t left = timeout - silence;
        return now > UINT64_MAX - left ? UINT64_MAX : now + left;
}

uint64_t retry_delay_usec(unsigned failures) {
        uint64_t d = 100 * USEC_PER_MSEC;
        for (unsigned i = 1; i < failures && d < 5 * USEC_PER_SEC; i++)
                d *= 2;
        return d < 5 * USEC_PER_SEC ? d : 5 * USEC_PER_SEC;
}
