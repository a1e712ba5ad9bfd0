/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* The idle-user policy's arithmetic, free of clocks and I/O like
 * deadline.h: tests/unit/test_idle_time.c runs it on made-up times. All
 * times are microseconds; "active" and deadlines are CLOCK_MONOTONIC. */

/* The kernel moves a terminal's atime only when a read falls in a new
 * 8-second step of the wall clock (tty_update_time()): reads later in the
 * same step leave it alone. */
#define TTY_ATIME_STEP_SEC 8

/* The latest moment (CLOCK_MONOTONIC) a user may have typed on a terminal
 * whose atime (wall-clock seconds) was read when the clocks said mono_now
 * and real_now: the end of atime's step. Never earlier than the last read,
 * at most 8 s later: the policy may end a session a little late, never
 * early. Computed once per atime value and then kept, so that a step of
 * the wall clock later on moves nothing. Can lie ahead of mono_now. */
uint64_t idle_active_until(int64_t atime_sec, uint64_t mono_now, uint64_t real_now);

typedef enum IdleVerdict {
        IDLE_KEEP, /* typed recently enough: look again at *next */
        IDLE_WARN, /* warn now; look again at *next, the ending */
        IDLE_END,  /* idle for the whole limit, warned (or no warning set): end it */
} IdleVerdict;

typedef struct IdleFacts {
        uint64_t active;        /* latest typing over all its terminals (idle_active_until) */
        uint64_t now;
        uint64_t limit;         /* IdleTimeoutSec, > 0 */
        uint64_t warn;          /* IdleWarnSec, at most limit / 2; 0: no warning */
        uint64_t warned_active; /* `active` when the warning went out; 0: none */
} IdleFacts;

/* What to do with a session with terminals, and when to look again. A
 * warning counts only for the idle spell it was given in: typing starts
 * a new one. A warning that comes more than a second late (the daemon
 * was stopped, or the limit was just lowered) still gives the user the
 * whole IdleWarnSec to answer. */
IdleVerdict idle_verdict(const IdleFacts *f, uint64_t *ret_next);

/* A warning given when the session was last active at warned_active (0:
 * none) still stands at `active`: nobody typed since. */
static inline bool idle_warning_stands(uint64_t active, uint64_t warned_active) {
        return warned_active != 0 && active <= warned_active;
}

/* The idle time at now of a session last active at `active`. */
static inline uint64_t idle_usec(uint64_t active, uint64_t now) {
        return now > active ? now - active : 0;
}
