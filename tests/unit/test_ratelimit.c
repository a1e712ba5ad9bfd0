/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fixed windows on a fake clock. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ratelimit.h"

static void test_windows(void **state) {
        RateLimit rl = RATELIMIT_INIT(1000000, 3);

        assert_int_equal(ratelimit_end(&rl), 0);
        for (int i = 0; i < 3; i++)
                assert_true(ratelimit_below(&rl, 5000000 + (uint64_t) i));
        assert_int_equal(ratelimit_end(&rl), 6000000);
        assert_false(ratelimit_below(&rl, 5500000));
        assert_false(ratelimit_below(&rl, 5999999));
        assert_int_equal(ratelimit_take_suppressed(&rl), 2);
        assert_int_equal(ratelimit_take_suppressed(&rl), 0);
        /* A new window at its end, whatever came before. */
        assert_true(ratelimit_below(&rl, 6000000));
        assert_int_equal(ratelimit_end(&rl), 7000000);
        assert_true(ratelimit_below(&rl, 6000001));
        assert_true(ratelimit_below(&rl, 6000002));
        assert_false(ratelimit_below(&rl, 6000003));
        /* A clock that went back starts one too (and time 0 is a time). */
        assert_true(ratelimit_below(&rl, 0));
        assert_int_equal(ratelimit_end(&rl), 1000001);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_windows),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
