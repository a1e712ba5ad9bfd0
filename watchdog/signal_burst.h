/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* A burst of signals without being preempted by their targets, nor by the
 * rest of the machine. A process woken by our SIGTERM (or SIGKILL) runs its
 * cleanup at once, on our CPU, before our next signal: measured, 250-700 us
 * of our time per signal, against 7 us under SCHED_FIFO. And when a thousand
 * sessions end at once their cleanup loads every CPU: a SIGKILL sweep run
 * under Nice=-10 among forty busy processes began 1.4 s late (median; 2.1 s
 * at worst). So a batch of endings, from the first look at its sessions to
 * its last signal, runs real-time (SCHED_FIFO, priority 1, the lowest);
 * batches are bounded (KILL_BATCH_MAX, the sessions due at one deadline), and
 * between them the daemon is back under the service's Nice=. Needs
 * CAP_SYS_NICE; without it the work is done all the same, later. Bursts
 * nest: only the outermost one switches. */

typedef struct SignalBurst {
        bool realtime; /* switched for this burst: switch back at the end */
} SignalBurst;

/* 0 if bursts can be real-time here, else the -errno that refused it. */
int signal_burst_probe(void);
void signal_burst_begin(SignalBurst *b);
void signal_burst_end(SignalBurst *b);
