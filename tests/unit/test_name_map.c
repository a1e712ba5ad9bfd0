/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "name_map.h"

#define N 5000

static char names[N][32];
static bool in[N];

/* Every name is where it should be, and no other: after removals the
 * backward shift must leave no run broken. */
static void check(const NameMap *m) {
        size_t n = 0;
        for (size_t i = 0; i < N; i++) {
                void *v = name_map_get(m, names[i]);
                if (in[i]) {
                        assert_ptr_equal(v, names[i]);
                        n++;
                } else
                        assert_null(v);
        }
        assert_int_equal(m->n, n);
}

static void test_against_model(void **state) {
        NameMap m = {};

        srand(11);
        /* Names like the records': "<pid>-<start time>". */
        for (size_t i = 0; i < N; i++)
                snprintf(names[i], sizeof(names[i]), "%zu-%zu", 1000 + i, 5000000 + i * 37);
        assert_null(name_map_get(&m, "1-1"));
        name_map_remove(&m, "1-1"); /* an empty map */
        for (int round = 0; round < 40000; round++) {
                size_t i = (size_t) rand() % N;
                if (rand() % 2) {
                        assert_int_equal(name_map_put(&m, names[i], names[i]), 0);
                        in[i] = true;
                } else {
                        name_map_remove(&m, names[i]);
                        in[i] = false;
                }
                if (round % 1000 == 0)
                        check(&m);
        }
        check(&m);
        /* Replacing keeps the count. */
        assert_int_equal(name_map_put(&m, names[0], names[1]), 0);
        assert_ptr_equal(name_map_get(&m, names[0]), names[1]);
        name_map_done(&m);
        assert_null(name_map_get(&m, names[0]));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_against_model),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
