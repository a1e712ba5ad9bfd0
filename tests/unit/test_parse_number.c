/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "proc.h"

static void test_u64(void **state) {
        uint64_t v = 5;
        assert_int_equal(parse_u64("0", &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(parse_u64("18446744073709551615", &v), 0);
        assert_int_equal(v, UINT64_MAX);
        v = 5;
        assert_int_equal(parse_u64("18446744073709551616", &v), -ERANGE);
        assert_int_equal(parse_u64("99999999999999999999999999", &v), -ERANGE);
        assert_int_equal(parse_u64("", &v), -EINVAL);
        assert_int_equal(parse_u64(NULL, &v), -EINVAL);
        assert_int_equal(parse_u64("-1", &v), -EINVAL);
        assert_int_equal(parse_u64("+1", &v), -EINVAL);
        assert_int_equal(parse_u64(" 1", &v), -EINVAL);
        assert_int_equal(parse_u64("1 ", &v), -EINVAL);
        assert_int_equal(parse_u64("1\n", &v), -EINVAL);
        assert_int_equal(parse_u64("01", &v), -EINVAL);
        assert_int_equal(parse_u64("0x1", &v), -EINVAL);
        assert_int_equal(v, 5);
}

static void test_u32(void **state) {
        uint32_t v = 5;
        assert_int_equal(parse_u32("4294967295", &v), 0);
        assert_int_equal(v, UINT32_MAX);
        assert_int_equal(parse_u32("4294967296", &v), -ERANGE);
        assert_int_equal(parse_u32("abc", &v), -EINVAL);
}

static void test_pid(void **state) {
        pid_t p = 5;
        assert_int_equal(parse_pid("1", &p), 0);
        assert_int_equal(p, 1);
        assert_int_equal(parse_pid("2147483647", &p), 0);
        assert_int_equal(p, 2147483647);
        assert_int_equal(parse_pid("2147483648", &p), -ERANGE);
        assert_int_equal(parse_pid("0", &p), -ERANGE);
        assert_int_equal(parse_pid("-5", &p), -EINVAL);
        assert_int_equal(p, 2147483647);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_u64),
                cmocka_unit_test(test_u32),
                cmocka_unit_test(test_pid),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
