/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon's decisions, from made-up facts: which sessions are ended,
 * for what reason, and which are only reported, dropped or given a new
 * deadline. No root, no sshd, no clock. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "verdict.h"

#define S UINT64_C(1000000)

/* A timed session: InputTimeoutSec=60s, last read silent for `silence`. */
static Session timed(uint64_t silence) {
        return (Session) { .eff = { .input_timeout_usec = 60 * S }, .silence_usec = silence, .connection = -1 };
}

static void test_after_reading(void **state) {
        Session s = timed(59 * S);

        /* Input came within the limit: a new deadline. */
        assert_int_equal(verdict_after_reading(&s), VERDICT_EXTEND);
        s.silence_usec = 0;
        assert_int_equal(verdict_after_reading(&s), VERDICT_EXTEND);
        /* Silent for exactly the limit, or longer: ended. */
        s.silence_usec = 60 * S;
        assert_int_equal(verdict_after_reading(&s), VERDICT_END);
        s.silence_usec = 3600 * S;
        assert_int_equal(verdict_after_reading(&s), VERDICT_END);
}

static void test_after_reading_dry_run(void **state) {
        Session s = timed(61 * S);

        s.eff.dry_run = true;
        /* First time this silence is seen: reported (the ending decides how). */
        assert_int_equal(verdict_after_reading(&s), VERDICT_END);
        /* Reported, no input since: quiet. */
        s.dry_run_reported = true;
        s.dry_run_bytes = s.sock.bytes_received = 4242;
        assert_int_equal(verdict_after_reading(&s), VERDICT_QUIET);
        /* Input moved but went silent again past the limit: reported again. */
        s.sock.bytes_received = 4343;
        assert_int_equal(verdict_after_reading(&s), VERDICT_END);
        /* Input within the limit always extends, reported or not. */
        s.silence_usec = S;
        assert_int_equal(verdict_after_reading(&s), VERDICT_EXTEND);
}

static void test_to_end_reasons(void **state) {
        Session s = timed(61 * S);
        EndingReason reason = (EndingReason) -1;

        /* Silent, its monitor alive: SIGTERM, then the leftovers. */
        assert_int_equal(verdict_to_end(&s, true, &reason), VERDICT_END);
        assert_int_equal(reason, ENDING_SILENT);
        /* Its monitor died without close_session. */
        assert_int_equal(verdict_to_end(&s, false, &reason), VERDICT_END);
        assert_int_equal(reason, ENDING_SSHD_GONE);
        /* Handed over by the idle-user policy: ended as idle; if its
         * monitor died meanwhile, what is left is cleaned up as usual. */
        IdleWatch w = { .ending = true };
        s.idle = &w;
        assert_int_equal(verdict_to_end(&s, true, &reason), VERDICT_END);
        assert_int_equal(reason, ENDING_IDLE);
        assert_int_equal(verdict_to_end(&s, false, &reason), VERDICT_END);
        assert_int_equal(reason, ENDING_SSHD_GONE);
        s.eff.input_timeout_usec = 0; /* idle limit only: still ours to end */
        assert_int_equal(verdict_to_end(&s, true, &reason), VERDICT_END);
        assert_int_equal(reason, ENDING_IDLE);
        s.eff.input_timeout_usec = 60 * S;
        s.idle = NULL;
        /* close_session marked it closed on a silent client: whoever
         * noticed first, what it left is killed, monitor alive or not. */
        s.rec.closed_usec = 1;
        assert_int_equal(verdict_to_end(&s, true, &reason), VERDICT_END);
        assert_int_equal(reason, ENDING_CLOSED);
        assert_int_equal(verdict_to_end(&s, false, &reason), VERDICT_END);
        assert_int_equal(reason, ENDING_CLOSED);
}

static void test_to_end_registered(void **state) {
        Session s = timed(61 * S);
        EndingReason reason = (EndingReason) -1;

        s.rec.registered = REGISTERED_EXEC;
        /* A registered session's monitor exiting is its logout: no
         * close_session removes its record. Not an ending. */
        assert_int_equal(verdict_to_end(&s, false, &reason), VERDICT_REGISTERED_CLOSED);
        /* Alive and silent: ended like any other. */
        assert_int_equal(verdict_to_end(&s, true, &reason), VERDICT_END);
        assert_int_equal(reason, ENDING_SILENT);
        /* Closed on a silent client (the daemon's own look at the
         * connection said so): its leftovers are killed. */
        s.rec.closed_usec = 1;
        assert_int_equal(verdict_to_end(&s, false, &reason), VERDICT_END);
        assert_int_equal(reason, ENDING_CLOSED);
}

static void test_to_end_not_ours(void **state) {
        Session s = timed(61 * S);
        EndingReason reason = (EndingReason) -1;

        /* Exempt, or InputTimeoutSec=0: what is over without us is
         * dropped, never killed. */
        s.eff.exempt = true;
        assert_int_equal(verdict_to_end(&s, false, &reason), VERDICT_DROP);
        assert_int_equal(reason, ENDING_SSHD_GONE);
        s.rec.closed_usec = 1;
        assert_int_equal(verdict_to_end(&s, true, &reason), VERDICT_DROP);
        assert_int_equal(reason, ENDING_CLOSED);
        s.eff.exempt = false;
        s.eff.input_timeout_usec = 0;
        assert_int_equal(verdict_to_end(&s, false, &reason), VERDICT_DROP);
        assert_int_equal(reason, ENDING_CLOSED);
}

static void test_to_end_dry_run(void **state) {
        Session s = timed(61 * S);
        EndingReason reason = (EndingReason) -1;

        s.eff.dry_run = true;
        /* Silent: reported, looked at again later. */
        assert_int_equal(verdict_to_end(&s, true, &reason), VERDICT_DRY_RUN);
        assert_int_equal(reason, ENDING_SILENT);
        /* Over without us: reported and dropped, nothing killed. */
        assert_int_equal(verdict_to_end(&s, false, &reason), VERDICT_DROP);
        assert_int_equal(reason, ENDING_SSHD_GONE);
        s.rec.closed_usec = 1;
        assert_int_equal(verdict_to_end(&s, true, &reason), VERDICT_DROP);
        assert_int_equal(reason, ENDING_CLOSED);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_after_reading),
                cmocka_unit_test(test_after_reading_dry_run),
                cmocka_unit_test(test_to_end_reasons),
                cmocka_unit_test(test_to_end_registered),
                cmocka_unit_test(test_to_end_not_ours),
                cmocka_unit_test(test_to_end_dry_run),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
