/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one-shot timer every part of the daemon uses: created on first use,
 * moved after, off with 0, and what it says of itself. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>

#include "event_timer.h"

static unsigned fired;

static int on_fire(sd_event_source *s, uint64_t usec, void *userdata) {
        fired++;
        return 0;
}

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

static void test_arm_move_off(void **state) {
        sd_event *e = NULL;
        sd_event_source *s = NULL;
        uint64_t t = now_usec();

        assert_int_equal(sd_event_new(&e), 0);
        assert_int_equal(event_timer_when(s), 0);
        /* Off without ever being made: nothing to do. */
        assert_int_equal(event_timer_arm(e, &s, 0, 1000, on_fire, NULL), 0);
        assert_null(s);
        /* Made, far away; moved near; it fires once. */
        assert_int_equal(event_timer_arm(e, &s, t + 3600000000ULL, 1000, on_fire, NULL), 0);
        assert_non_null(s);
        assert_int_equal(event_timer_when(s), t + 3600000000ULL);
        assert_int_equal(event_timer_arm(e, &s, t + 1000, 1000, on_fire, NULL), 0);
        assert_int_equal(event_timer_when(s), t + 1000);
        for (int i = 0; i < 100 && fired == 0; i++)
                assert_true(sd_event_run(e, 10000) >= 0);
        assert_int_equal(fired, 1);
        /* One shot: off after it fired, and armed again by the same call. */
        assert_int_equal(event_timer_when(s), 0);
        assert_int_equal(event_timer_arm(e, &s, now_usec() + 1000, 1000, on_fire, NULL), 0);
        assert_true(event_timer_when(s) != 0);
        /* Off: it does not fire. */
        assert_int_equal(event_timer_arm(e, &s, 0, 1000, on_fire, NULL), 0);
        assert_int_equal(event_timer_when(s), 0);
        assert_true(sd_event_run(e, 20000) >= 0);
        assert_int_equal(fired, 1);
        sd_event_source_unref(s);
        sd_event_unref(e);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_arm_move_off),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
