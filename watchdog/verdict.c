/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon's decisions, from facts only: tests/unit/test_verdict.c
 * covers every branch without root, sshd or a clock. */
#include "config.h"

#include <assert.h>

#include "verdict.h"

Verdict verdict_after_reading(const Session *s) {
        assert(s);

        if (s->silence_usec < s->eff.input_timeout_usec)
                return VERDICT_EXTEND;
        if (s->eff.dry_run && s->dry_run_reported && s->dry_run_bytes == s->sock.bytes_received)
                return VERDICT_QUIET;
        return VERDICT_END;
}

Verdict verdict_to_end(const Session *s, bool monitor_alive, EndingReason *ret_reason) {
        EndingReason reason;

        assert(s);
        assert(ret_reason);

        /* A record marked closed says what happened, whether or not its
         * monitor has exited since: sshd or the kernel gave up first. */
        if (s->rec.closed_usec != 0)
                reason = ENDING_CLOSED;
        else if (monitor_alive)
                reason = s->idle && s->idle->ending ? ENDING_IDLE : ENDING_SILENT;
        else if (s->rec.registered)
                return VERDICT_REGISTERED_CLOSED;
        else
                reason = ENDING_SSHD_GONE;
        *ret_reason = reason;

        /* What is over without us is ours to clean up only where we would
         * have ended it ourselves. */
        if (!ending_reason_ours(reason) && (!session_timed(s) || s->eff.dry_run))
                return VERDICT_DROP;
        if (s->eff.dry_run)
                return VERDICT_DRY_RUN;
        return VERDICT_END;
}
