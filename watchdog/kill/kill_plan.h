/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "ending.h"

/* When an ending's kill comes, and what comes after a round: the timing
 * rules of the kill path, as pure functions of times and facts
 * (tests/unit/test_kill_plan.c). Times are CLOCK_MONOTONIC usec unless
 * said otherwise. */

/* A kill round that still finds new processes runs again this much later,
 * up to this many rounds in all. */
#define KILL_ROUND_DELAY_USEC UINT64_C(1000000)
#define KILL_MAX_ROUNDS 3
/* When many sessions end at once, sshd is still closing the later ones
 * (close_session, pam_systemd's release, wtmp) when the first kills fall
 * due, and those kills make systemd and logind tear scopes down, which
 * every close waits for. Kills wait while other sessions we ended are
 * still being closed, at most this long past their time... */
#define KILL_DEFER_MAX_USEC UINT64_C(1000000)
/* ...looking again this often. */
#define KILL_DEFER_STEP_USEC UINT64_C(50000)

/* What comes next for an ending after a kill round. */
typedef enum KillOutcome {
        KILL_DONE,       /* nothing of it is left, or nothing more can be done: finish it */
        KILL_AGAIN,      /* another round at e->kill_at */
        KILL_ASK_LOGIND, /* what is left is in its logind scope: ask logind (e->logind_procs of them) */
} KillOutcome;

/* The first kill of an ending begun now: KillGraceSec (grace) after the
 * SIGTERM for a silent session; for one that sshd or the kernel closed,
 * grace after that close (closed_realtime, CLOCK_REALTIME, against
 * realtime_now: it may be long past, a daemon restarted since); at once
 * when its sshd is gone, as nothing will close the session. */
uint64_t kill_plan_first(EndingReason reason, uint64_t now, uint64_t grace, uint64_t closed_realtime,
                         uint64_t realtime_now);

/* A first round that is due while other sessions we ended are still being
 * closed (closing) waits, up to KILL_DEFER_MAX_USEC past kill_due, unless
 * logind is being waited for. Returns the new kill time, or 0: kill now. */
uint64_t kill_plan_defer(uint64_t now, uint64_t kill_due, unsigned rounds, bool logind_pending, bool closing);

/* After a round: by_logind, its scope is logind's and left_in_scope
 * processes of it are still there; incomplete, the sweep still found new
 * processes or could not stop one; rounds, the rounds so far (this one
 * included). *ret_next_at gets the next round's time for KILL_AGAIN. */
KillOutcome kill_plan_after_round(bool by_logind, int left_in_scope, bool incomplete, unsigned rounds, uint64_t now,
                                  uint64_t *ret_next_at);
