/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <sched.h>

#include "log.h"
#include "signal_burst.h"

static int unavailable; /* -errno once refused (no CAP_SYS_NICE, RestrictRealtime=): not tried again */
static unsigned depth;   /* bursts begun and not ended */

int signal_burst_probe(void) {
        SignalBurst b;

        signal_burst_begin(&b);
        signal_burst_end(&b);
        return unavailable;
}

void signal_burst_begin(SignalBurst *b) {
        struct sched_param p = { .sched_priority = 1 };

        b->realtime = false;
        if (depth++ > 0 || unavailable)
                return;
        if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &p) < 0) {
                unavailable = -errno;
                return;
        }
        b->realtime = true;
}

void signal_burst_end(SignalBurst *b) {
        struct sched_param p = { .sched_priority = 0 };

        if (depth > 0)
                depth--;
        /* Back to SCHED_OTHER; the nice value is kept. */
        if (b->realtime && sched_setscheduler(0, SCHED_OTHER, &p) < 0)
                log_error("Cannot leave the real-time burst: %m");
        b->realtime = false;
}
