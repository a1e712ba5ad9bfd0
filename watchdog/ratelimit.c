/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ratelimit.h"

bool ratelimit_below(RateLimit *rl, uint64_t now) {
        if (rl->begin == 0 || now >= rl->begin + rl->interval_usec || now < rl->begin) {
                rl->begin = now ?: 1;
                rl->num = 0;
        }
        if (rl->num < rl->burst) {
                rl->num++;
                return true;
        }
        rl->suppressed++;
        return false;
}

uint64_t ratelimit_end(const RateLimit *rl) {
        return rl->begin == 0 ? 0 : rl->begin + rl->interval_usec;
}

uint64_t ratelimit_take_suppressed(RateLimit *rl) {
        uint64_t n = rl->suppressed;
        rl->suppressed = 0;
        return n;
}
