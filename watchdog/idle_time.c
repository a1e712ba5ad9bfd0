/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <assert.h>

#include "idle_time.h"
#include "time_span.h"

/* How late a warning may be and still count as on time. */
#define WARN_LATE_USEC USEC_PER_SEC

uint64_t idle_active_until(int64_t atime_sec, uint64_t mono_now, uint64_t real_now) {
        if (atime_sec < 0)
                atime_sec = 0;
        uint64_t step_end = ((uint64_t) atime_sec / TTY_ATIME_STEP_SEC + 1) * TTY_ATIME_STEP_SEC * USEC_PER_SEC;

        if (step_end >= real_now)
                return mono_now + (step_end - real_now);
        return mono_now > real_now - step_end ? mono_now - (real_now - step_end) : 0;
}

IdleVerdict idle_verdict(const IdleFacts *f, uint64_t *ret_next) {
        assert(f);
        assert(ret_next);
        assert(f->limit > 0);

        uint64_t idle = idle_usec(f->active, f->now);
        uint64_t end_at = f->active + f->limit;
        if (f->warn == 0 || idle_warning_stands(f->active, f->warned_active)) {
                if (idle >= f->limit)
                        return IDLE_END;
                *ret_next = end_at;
                return IDLE_KEEP;
        }
        if (idle + f->warn < f->limit) {
                *ret_next = end_at - f->warn;
                return IDLE_KEEP;
        }
        /* The warning is due: on time, the ending stays at the limit. */
        *ret_next = idle + f->warn <= f->limit + WARN_LATE_USEC ? end_at : f->now + f->warn;
        if (*ret_next < f->now)
                *ret_next = f->now;
        return IDLE_WARN;
}
