/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kill path's timing, with made-up clocks: when the first kill comes
 * for each kind of ending, how long a kill waits for closes in progress,
 * and what follows a round. No root, no processes, no sleeping. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kill_plan.h"

#define MS UINT64_C(1000)
#define S UINT64_C(1000000)

static void test_first_kill(void **state) {
        uint64_t now = 5000 * S, rt = 1700000000 * S, grace = 2 * S;

        /* Silent: SIGTERM now, the leftovers KillGraceSec later. */
        assert_int_equal(kill_plan_first(ENDING_SILENT, now, grace, 0, rt), now + grace);
        /* Its sshd is gone: nothing will close the session, no grace. */
        assert_int_equal(kill_plan_first(ENDING_SSHD_GONE, now, grace, 0, rt), now);
        assert_int_equal(kill_plan_first(ENDING_IDLE, now, grace, 0, rt), now + grace);
        /* Closed by sshd just now: the whole grace. */
        assert_int_equal(kill_plan_first(ENDING_CLOSED, now, grace, rt, rt), now + grace);
        /* Closed 1.5 s ago (we heard late): what is left of the grace. */
        assert_int_equal(kill_plan_first(ENDING_CLOSED, now, grace, rt - 1500 * MS, rt), now + 500 * MS);
        /* Closed long ago (a daemon restarted since): at once. */
        assert_int_equal(kill_plan_first(ENDING_CLOSED, now, grace, rt - 3600 * S, rt), now);
        /* A close stamped in the future (the realtime clock stepped back):
         * never later than a full grace. */
        assert_int_equal(kill_plan_first(ENDING_CLOSED, now, grace, rt + 60 * S, rt), now + grace);
        /* KillGraceSec=0. */
        assert_int_equal(kill_plan_first(ENDING_SILENT, now, 0, 0, rt), now);
}

static void test_defer(void **state) {
        uint64_t due = 100 * S;

        /* No other session closing: kill now. */
        assert_int_equal(kill_plan_defer(due, due, 0, false, false), 0);
        /* Others closing: look again 50 ms later... */
        assert_int_equal(kill_plan_defer(due, due, 0, false, true), due + KILL_DEFER_STEP_USEC);
        assert_int_equal(kill_plan_defer(due + 500 * MS, due, 0, false, true), due + 550 * MS);
        /* ...never past 1 s after the kill was due... */
        assert_int_equal(kill_plan_defer(due + 980 * MS, due, 0, false, true), due + KILL_DEFER_MAX_USEC);
        assert_int_equal(kill_plan_defer(due + KILL_DEFER_MAX_USEC, due, 0, false, true), 0);
        assert_int_equal(kill_plan_defer(due + 5 * S, due, 0, false, true), 0);
        /* ...and only the first round; never while logind is waited for. */
        assert_int_equal(kill_plan_defer(due, due, 1, false, true), 0);
        assert_int_equal(kill_plan_defer(due, due, 0, true, true), 0);
}

static void test_after_round(void **state) {
        uint64_t now = 200 * S, next = 0;

        /* Everything killed, nothing new: done. */
        assert_int_equal(kill_plan_after_round(false, 0, false, 1, now, &next), KILL_DONE);
        /* New processes still turned up: another round in 1 s... */
        assert_int_equal(kill_plan_after_round(false, 0, true, 1, now, &next), KILL_AGAIN);
        assert_int_equal(next, now + KILL_ROUND_DELAY_USEC);
        assert_int_equal(kill_plan_after_round(false, 0, true, KILL_MAX_ROUNDS - 1, now, &next), KILL_AGAIN);
        /* ...up to KILL_MAX_ROUNDS, then done (the final entry says so). */
        next = 0;
        assert_int_equal(kill_plan_after_round(false, 0, true, KILL_MAX_ROUNDS, now, &next), KILL_DONE);
        assert_int_equal(next, 0);
        /* A logind scope with processes left: logind is asked. */
        assert_int_equal(kill_plan_after_round(true, 3, false, 1, now, &next), KILL_ASK_LOGIND);
        assert_int_equal(kill_plan_after_round(true, 0, true, KILL_MAX_ROUNDS, now, &next), KILL_ASK_LOGIND);
        /* An empty logind scope: systemd and logind clean up unasked. */
        assert_int_equal(kill_plan_after_round(true, 0, false, 1, now, &next), KILL_DONE);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_first_kill),
                cmocka_unit_test(test_defer),
                cmocka_unit_test(test_after_round),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
