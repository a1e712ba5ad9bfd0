/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* A burst of signals without being preempted by their targets. A process
 * woken by our SIGTERM (or SIGKILL) runs its cleanup at once, on our CPU,
 * before our next signal: measured, 250-700 us of our time per signal,
 * against 7 us under SCHED_FIFO. When a thousand sessions end at once that
 * is the difference between on time and a second late. Only the tight loop
 * that sends the signals runs real-time (SCHED_FIFO, priority 1, the
 * lowest); everything else stays under the service's Nice=. Needs
 * CAP_SYS_NICE; without it the signals go out all the same, slower. */

typedef struct SignalBurst {
        bool realtime; /* switched for this burst: switch back at the end */
} SignalBurst;

/* 0 if bursts can be real-time here, else the -errno that refused it. */
int signal_burst_probe(void);
void signal_burst_begin(SignalBurst *b);
void signal_burst_end(SignalBurst *b);
