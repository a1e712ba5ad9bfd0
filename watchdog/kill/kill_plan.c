/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <assert.h>

#include "deadline.h"
#include "kill_plan.h"

uint64_t kill_plan_first(EndingReason reason, uint64_t now, uint64_t grace, uint64_t closed_realtime,
                         uint64_t realtime_now) {
        uint64_t since;

        switch (reason) {
        case ENDING_SILENT:
        case ENDING_IDLE:
                return now + grace;
        case ENDING_CLOSED:
                since = realtime_now > closed_realtime ? realtime_now - closed_realtime : 0;
                return now + (since < grace ? grace - since : 0);
        case ENDING_SSHD_GONE:
        default:
                return now;
        }
}

uint64_t kill_plan_defer(uint64_t now, uint64_t kill_due, unsigned rounds, bool logind_pending, bool closing) {
        if (!closing || rounds > 0 || logind_pending || now >= kill_due + KILL_DEFER_MAX_USEC)
                return 0;
        return deadline_min(now + KILL_DEFER_STEP_USEC, kill_due + KILL_DEFER_MAX_USEC);
}

KillOutcome kill_plan_after_round(bool by_logind, int left_in_scope, bool incomplete, unsigned rounds, uint64_t now,
                                  uint64_t *ret_next_at) {
        assert(ret_next_at);

        /* With nothing left in its scope, systemd removes the scope and
         * logind the session without being asked: a thousand endings at
         * once cost logind nothing. */
        if (by_logind && (left_in_scope > 0 || incomplete))
                return KILL_ASK_LOGIND;
        if (incomplete && rounds < KILL_MAX_ROUNDS) {
                *ret_next_at = now + KILL_ROUND_DELAY_USEC;
                return KILL_AGAIN;
        }
        return KILL_DONE;
}
