/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Deadline arithmetic with a made-up clock: no sleeping. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "deadline.h"

#define S UINT64_C(1000000)

static void test_from_silence(void **state) {
        uint64_t now = 1000 * S;

        /* Just heard from the client: a whole timeout ahead. */
        assert_int_equal(deadline_from_silence(now, 0, 3 * S), now + 3 * S);
        /* Silent for 2 s of 3: 1 s left. */
        assert_int_equal(deadline_from_silence(now, 2 * S, 3 * S), now + S);
        /* A restarted daemon that finds 10 min of silence against a 15 min limit. */
        assert_int_equal(deadline_from_silence(now, 600 * S, 900 * S), now + 300 * S);
        /* Silent at or past the limit: due now, never in the past. */
        assert_int_equal(deadline_from_silence(now, 3 * S, 3 * S), now);
        assert_int_equal(deadline_from_silence(now, 50 * S, 3 * S), now);
        /* No overflow near the end of time. */
        assert_int_equal(deadline_from_silence(UINT64_MAX - 5, 0, 100), UINT64_MAX);
}

static void test_due(void **state) {
        uint64_t now = 1000 * S;

        assert_false(deadline_due(0, now)); /* none */
        assert_true(deadline_due(now, now));
        assert_true(deadline_due(now - S, now));
        assert_true(deadline_due(now + DEADLINE_SLACK_USEC, now));
        assert_false(deadline_due(now + DEADLINE_SLACK_USEC + 1, now));
}

static void test_min(void **state) {
        assert_int_equal(deadline_min(0, 0), 0);
        assert_int_equal(deadline_min(0, 5), 5);
        assert_int_equal(deadline_min(5, 0), 5);
        assert_int_equal(deadline_min(7, 5), 5);
}

/* A session's life on a fake clock: input at t=0, checked at its deadline,
 * input again (the client typed), then silence to the end. */
static void test_timeline(void **state) {
        const uint64_t timeout = 3 * S;
        uint64_t t = 100 * S, last_input = t, deadline;

        deadline = deadline_from_silence(t, t - last_input, timeout);
        assert_int_equal(deadline, 103 * S);

        /* At t=102 the client typed; at the deadline the kernel says 1 s of silence. */
        last_input = 102 * S;
        t = deadline;
        assert_true(t - last_input < timeout);
        deadline = deadline_from_silence(t, t - last_input, timeout);
        assert_int_equal(deadline, 105 * S);

        /* Nothing since: at the new deadline the silence equals the timeout. */
        t = deadline;
        assert_true(t - last_input >= timeout);
        assert_int_equal(deadline_from_silence(t, t - last_input, timeout), t);
}

/* Errors that may pass: retried soon, then less often, never slower than
 * every 5 s. */
static void test_retry_delay(void **state) {
        assert_int_equal(retry_delay_usec(0), S / 10);
        assert_int_equal(retry_delay_usec(1), S / 10);
        assert_int_equal(retry_delay_usec(2), S / 5);
        assert_int_equal(retry_delay_usec(3), 2 * S / 5);
        assert_int_equal(retry_delay_usec(6), 32 * S / 10);
        assert_int_equal(retry_delay_usec(7), 5 * S);
        assert_int_equal(retry_delay_usec(1000000), 5 * S);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_from_silence),
                cmocka_unit_test(test_due),
                cmocka_unit_test(test_min),
                cmocka_unit_test(test_timeline),
                cmocka_unit_test(test_retry_delay),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
