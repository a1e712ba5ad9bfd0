/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "time_span.h"

static void assert_span(const char *s, uint64_t want) {
        uint64_t v = UINT64_C(12345);
        int r = time_span_parse(s, &v);
        if (r != 0 || v != want)
                fail_msg("time_span_parse(\"%s\") = %d, %ju; want 0, %ju", s, r, (uintmax_t) v, (uintmax_t) want);
}

static void assert_bad(const char *s, int want_r) {
        uint64_t v = UINT64_C(12345);
        int r = time_span_parse(s, &v);
        if (r != want_r || v != UINT64_C(12345))
                fail_msg("time_span_parse(\"%s\") = %d (value %ju); want %d, untouched", s, r, (uintmax_t) v, want_r);
}

static void test_plain_units(void **state) {
        assert_span("0", 0);
        assert_span("90", 90 * USEC_PER_SEC);
        assert_span("90s", 90 * USEC_PER_SEC);
        assert_span("90 sec", 90 * USEC_PER_SEC);
        assert_span("5min", 5 * USEC_PER_MINUTE);
        assert_span("5m", 5 * USEC_PER_MINUTE);
        assert_span("2h", 2 * USEC_PER_HOUR);
        assert_span("1d", USEC_PER_DAY);
        assert_span("1w", USEC_PER_WEEK);
        assert_span("1M", USEC_PER_MONTH);
        assert_span("1y", USEC_PER_YEAR);
        assert_span("250ms", 250 * USEC_PER_MSEC);
        assert_span("250msec", 250 * USEC_PER_MSEC);
        assert_span("7us", 7);
        assert_span("7usec", 7);
        assert_span("3 minutes", 3 * USEC_PER_MINUTE);
        assert_span("1 hour", USEC_PER_HOUR);
        assert_span("0s", 0);
}

static void test_combined(void **state) {
        assert_span("1h 30min", USEC_PER_HOUR + 30 * USEC_PER_MINUTE);
        assert_span("1h30min", USEC_PER_HOUR + 30 * USEC_PER_MINUTE);
        assert_span("  2min 5s  ", 125 * USEC_PER_SEC);
        assert_span("1min 1min", 2 * USEC_PER_MINUTE);
        assert_span("1s 500ms", 1500 * USEC_PER_MSEC);
}

static void test_fractions(void **state) {
        assert_span("1.5s", 1500 * USEC_PER_MSEC);
        assert_span("1.5h", 90 * USEC_PER_MINUTE);
        assert_span("0.25", 250 * USEC_PER_MSEC);
        assert_span(".5s", 500 * USEC_PER_MSEC);
        assert_span("0.000001s", 1);
        /* Beyond microsecond precision: dropped, never rounded up into garbage. */
        assert_span("0.0000001s", 0);
        assert_span("1.123456789123s", 1123456);
}

static void test_garbage(void **state) {
        assert_bad("", -EINVAL);
        assert_bad("   ", -EINVAL);
        assert_bad("s", -EINVAL);
        assert_bad("-5s", -EINVAL);
        assert_bad("+5s", -EINVAL);
        assert_bad("5x", -EINVAL);
        assert_bad("5 parsecs", -EINVAL);
        assert_bad("5minx", -EINVAL);
        assert_bad("1h 30", -EINVAL); /* a unit may be left out only when alone */
        assert_bad("5s,", -EINVAL);
        assert_bad("1..5s", -EINVAL);
        assert_bad("infinity", -EINVAL);
        assert_bad("0x10", -EINVAL);
        assert_bad(".", -EINVAL);
        assert_bad(NULL, -EINVAL);
}

static void test_overflow(void **state) {
        assert_span("18446744073709551615us", UINT64_MAX);
        assert_bad("18446744073709551616us", -ERANGE);
        assert_bad("99999999999999999999999", -ERANGE);
        assert_bad("18446744073709551615s", -ERANGE);
        assert_bad("584943y", -ERANGE);
        assert_bad("18446744073709551615us 1us", -ERANGE);
        assert_bad("584542.5y", -ERANGE);
}

static void test_format(void **state) {
        char buf[TIME_SPAN_MAX];

        assert_string_equal(time_span_format(buf, 0, 0), "0");
        assert_string_equal(time_span_format(buf, 902 * USEC_PER_SEC, 0), "15min 2s");
        assert_string_equal(time_span_format(buf, 15 * USEC_PER_MINUTE, 0), "15min");
        assert_string_equal(time_span_format(buf, USEC_PER_HOUR + 30 * USEC_PER_MINUTE, 0), "1h 30min");
        assert_string_equal(time_span_format(buf, 250 * USEC_PER_MSEC, 0), "250ms");
        assert_string_equal(time_span_format(buf, 3 * USEC_PER_SEC + 21 * USEC_PER_MSEC + 7, 0), "3s 21ms 7us");
        assert_string_equal(time_span_format(buf, 3 * USEC_PER_SEC + 21 * USEC_PER_MSEC + 7, USEC_PER_MSEC), "3s 21ms");
        assert_string_equal(time_span_format(buf, 999, USEC_PER_MSEC), "0");
        /* The longest value fits. */
        assert_non_null(time_span_format(buf, UINT64_MAX, 0));
        assert_true(strlen(buf) < TIME_SPAN_MAX);
}

static void test_format_parse_roundtrip(void **state) {
        const uint64_t values[] = { 1, 999, USEC_PER_SEC, 902 * USEC_PER_SEC, USEC_PER_DAY + 1,
                                    USEC_PER_YEAR * 3 + USEC_PER_MONTH + 17, UINT64_MAX };
        char buf[TIME_SPAN_MAX];

        for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
                assert_span(time_span_format(buf, values[i], 0), values[i]);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_plain_units),
                cmocka_unit_test(test_combined),
                cmocka_unit_test(test_fractions),
                cmocka_unit_test(test_garbage),
                cmocka_unit_test(test_overflow),
                cmocka_unit_test(test_format),
                cmocka_unit_test(test_format_parse_roundtrip),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
