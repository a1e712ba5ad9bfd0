/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bursts are real-time while they last, nest without dropping out early,
 * and always end back under SCHED_OTHER with the nice value kept. */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <cmocka.h>

#include "signal_burst.h"

static int policy(void) {
        return sched_getscheduler(0) & ~SCHED_RESET_ON_FORK;
}

static void test_nesting(void **state) {
        SignalBurst outer, inner;
        int nice_before = getpriority(PRIO_PROCESS, 0);

        if (signal_burst_probe() < 0)
                skip(); /* no CAP_SYS_NICE here: nothing to switch */
        assert_int_equal(policy(), SCHED_OTHER);

        signal_burst_begin(&outer);
        assert_int_equal(policy(), SCHED_FIFO);
        signal_burst_begin(&inner);
        signal_burst_end(&inner);
        /* The batch's own signal loop ended; the batch goes on real-time. */
        assert_int_equal(policy(), SCHED_FIFO);
        signal_burst_end(&outer);
        assert_int_equal(policy(), SCHED_OTHER);
        assert_int_equal(getpriority(PRIO_PROCESS, 0), nice_before);

        /* And again: the depth went back to zero. */
        signal_burst_begin(&outer);
        assert_int_equal(policy(), SCHED_FIFO);
        signal_burst_end(&outer);
        assert_int_equal(policy(), SCHED_OTHER);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_nesting),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
