/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "account.h"

/* Against this machine's own NSS ("files"): root is UID 0 everywhere. */
static void test_cache(void **state) {
        AccountCache c = {};
        const Account *a, *b;

        assert_int_equal(account_cache_get(&c, "root", 0, &a), 0);
        assert_string_equal(a->name, "root");
        /* Its primary group first. */
        assert_true(a->n_groups >= 1);
        assert_string_equal(a->groups[0], "root");
        /* Asked again in the same batch: remembered, not looked up. */
        assert_int_equal(account_cache_get(&c, "root", 0, &b), 0);
        assert_ptr_equal(a, b);
        /* What the client typed, for UID 0: the account's own name. */
        assert_int_equal(account_cache_get(&c, "ROOT-typed", 0, &b), 0);
        assert_ptr_not_equal(a, b);
        assert_string_equal(b->name, "root");
        /* The name of another UID is not that account. */
        assert_int_equal(account_cache_get(&c, "root", 3999999, &b), 0);
        assert_string_equal(b->name, "root");
        assert_int_equal(b->n_groups, 0);
        /* An account NSS does not know: its recorded name, no groups. */
        assert_int_equal(account_cache_get(&c, "no-such-user-swd", 3999998, &b), 0);
        assert_string_equal(b->name, "no-such-user-swd");
        assert_int_equal(b->n_groups, 0);
        assert_int_equal(c.map.n, 4);
        account_cache_done(&c);
        assert_int_equal(c.map.n, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cache),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
