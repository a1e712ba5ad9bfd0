/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The idle-user policy's arithmetic with made-up clocks: the 8-second
 * step of a terminal's atime read so as never to end early, immunity to
 * wall-clock steps, and every verdict (keep, warn, late warning, end,
 * typing after the warning). No terminal, no sleeping. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "idle_time.h"

#define S UINT64_C(1000000)
#define MS UINT64_C(1000)

static void test_active_until(void **state) {
        uint64_t mono = 5000 * S;
        int64_t step = 1700000000; /* a multiple of 8 */

        /* atime at the start of its step, read 100 s later: the user may
         * have typed until the step's end, 8 s after it. */
        assert_int_equal(idle_active_until(step, mono, (uint64_t) (step + 100) * S), mono - 92 * S);
        /* atime late in its step: the step still ends at step + 8. */
        assert_int_equal(idle_active_until(step + 7, mono, (uint64_t) (step + 100) * S), mono - 92 * S);
        /* Read within the step: the user may type on until its end. */
        assert_int_equal(idle_active_until(step + 2, mono, (uint64_t) (step + 3) * S + 500 * MS),
                         mono + 4 * S + 500 * MS);
        /* An atime older than the monotonic clock: idle since boot. */
        assert_int_equal(idle_active_until(step, 10 * S, (uint64_t) (step + 1000) * S), 0);
        /* A wall clock set back (atime in the future): active now or later, never idle. */
        assert_true(idle_active_until(step + 500, mono, (uint64_t) step * S) >= mono);
        assert_int_equal(idle_active_until(-5, mono, 20 * S), mono - 12 * S);
}

static IdleVerdict verdict(uint64_t active, uint64_t now, uint64_t warned_active, uint64_t *next) {
        IdleFacts f = { .active = active, .now = now, .limit = 900 * S, .warn = 60 * S, .warned_active = warned_active };
        return idle_verdict(&f, next);
}

static void test_verdicts(void **state) {
        uint64_t a = 10000 * S, next = 0;

        /* Typed recently: look again when the warning is due. */
        assert_int_equal(verdict(a, a + 100 * S, 0, &next), IDLE_KEEP);
        assert_int_equal(next, a + 840 * S);
        /* The warning, on time: the ending stays at the limit. */
        assert_int_equal(verdict(a, a + 840 * S, 0, &next), IDLE_WARN);
        assert_int_equal(next, a + 900 * S);
        assert_int_equal(verdict(a, a + 840 * S + 900 * MS, 0, &next), IDLE_WARN);
        assert_int_equal(next, a + 900 * S);
        /* Late (a restart, a lowered limit): the whole IdleWarnSec still. */
        assert_int_equal(verdict(a, a + 2000 * S, 0, &next), IDLE_WARN);
        assert_int_equal(next, a + 2060 * S);
        /* Warned, still idle: not yet, then the end. */
        assert_int_equal(verdict(a, a + 899 * S, a, &next), IDLE_KEEP);
        assert_int_equal(next, a + 900 * S);
        assert_int_equal(verdict(a, a + 900 * S, a, &next), IDLE_END);
        /* Typed after the warning: a new idle spell, a new warning later. */
        uint64_t b = a + 850 * S;
        assert_int_equal(verdict(b, a + 900 * S, a, &next), IDLE_KEEP);
        assert_int_equal(next, b + 840 * S);
        /* Active in the future (within the step): keep. */
        assert_int_equal(verdict(a + 5 * S, a, 0, &next), IDLE_KEEP);
        assert_int_equal(next, a + 845 * S);
}

static void test_no_warning(void **state) {
        uint64_t a = 10000 * S, next = 0;
        IdleFacts f = { .active = a, .now = a + 10 * S, .limit = 60 * S, .warn = 0 };

        assert_int_equal(idle_verdict(&f, &next), IDLE_KEEP);
        assert_int_equal(next, a + 60 * S);
        f.now = a + 60 * S;
        assert_int_equal(idle_verdict(&f, &next), IDLE_END);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_active_until),
                cmocka_unit_test(test_verdicts),
                cmocka_unit_test(test_no_warning),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
