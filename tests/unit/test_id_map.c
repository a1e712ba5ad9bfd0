/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "id_map.h"

static void test_map(void **state) {
        IdMap m = {};
        uint64_t v = 0;

        assert_false(id_map_get(&m, 1, &v));
        /* 0 is a key like any other (audit ids, PIDs in a fake tree). */
        assert_int_equal(id_map_put(&m, 0, 10), 0);
        assert_true(id_map_get(&m, 0, &v));
        assert_int_equal(v, 10);
        for (uint64_t k = 1; k <= 100000; k++)
                assert_int_equal(id_map_put(&m, k * 7, k), 0);
        assert_int_equal(m.n, 100001);
        for (uint64_t k = 1; k <= 100000; k++) {
                assert_true(id_map_get(&m, k * 7, &v));
                assert_int_equal(v, k);
        }
        assert_false(id_map_get(&m, 8, &v));
        /* Replacing keeps the count. */
        assert_int_equal(id_map_put(&m, 7, 99), 0);
        assert_int_equal(m.n, 100001);
        assert_true(id_map_get(&m, 7, &v));
        assert_int_equal(v, 99);
        assert_int_equal(id_map_put(&m, UINT64_MAX, 1), -ERANGE);
        assert_false(id_map_get(&m, UINT64_MAX, &v));
        id_map_done(&m);
        assert_false(id_map_get(&m, 7, &v));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_map),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
