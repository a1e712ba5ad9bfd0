/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Deadline arithmetic, free of clocks and I/O so that it can be tested with
 * made-up times. All values are microseconds; deadlines are CLOCK_MONOTONIC.
 * The kernel's tcpi_last_data_recv already counts the silence, so a deadline
 * needs no history: a restarted daemon computes the same one. */

/* The delay before the next try after `failures` transient failures in a
 * row: 100 ms doubling to 5 s, so that errors that pass are retried soon
 * and errors that last cost little. */
uint64_t retry_delay_usec(unsigned failures);

/* When silence (measured at now) reaches timeout. Never before now. */
uint64_t deadline_from_silence(uint64_t now, uint64_t silence, uint64_t timeout);

/* A deadline within this much of now is handled now: waking up 1 ms early
 * only to sleep 1 ms more costs more than it gains. */
#define DEADLINE_SLACK_USEC UINT64_C(1000)

static inline bool deadline_due(uint64_t deadline, uint64_t now) {
        return deadline != 0 && deadline <= now + DEADLINE_SLACK_USEC;
}

/* The earlier of two deadlines, 0 meaning none. */
static inline uint64_t deadline_min(uint64_t a, uint64_t b) {
        if (a == 0)
                return b;
        if (b == 0)
                return a;
        return a < b ? a : b;
}
