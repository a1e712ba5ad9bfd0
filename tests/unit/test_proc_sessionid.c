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

#include "fake_proc.h"
#include "proc.h"

static void test_read(void **state) {
        char *root = tmp_tree_new();
        uint32_t id = 77;

        tmp_tree_write(root, "1/sessionid", "7");
        assert_int_equal(proc_sessionid_read(root, 1, &id), 0);
        assert_int_equal(id, 7);

        tmp_tree_write(root, "2/sessionid", "12\n");
        assert_int_equal(proc_sessionid_read(root, 2, &id), 0);
        assert_int_equal(id, 12);

        id = 77;
        tmp_tree_write(root, "3/sessionid", "4294967295");
        assert_int_equal(proc_sessionid_read(root, 3, &id), -ENODATA);
        tmp_tree_write(root, "4/sessionid", "4294967296");
        assert_int_equal(proc_sessionid_read(root, 4, &id), -EBADMSG);
        tmp_tree_write(root, "5/sessionid", "-1");
        assert_int_equal(proc_sessionid_read(root, 5, &id), -EBADMSG);
        tmp_tree_write(root, "6/sessionid", "");
        assert_int_equal(proc_sessionid_read(root, 6, &id), -EBADMSG);
        tmp_tree_write(root, "7/sessionid", "123456789012345678901234567890123456789");
        assert_int_equal(proc_sessionid_read(root, 7, &id), -EFBIG);
        assert_int_equal(proc_sessionid_read(root, 8, &id), -ENOENT);
        assert_int_equal(id, 77);

        tmp_tree_remove(root);
        free(root);
}

static void test_read_self(void **state) {
        uint32_t id;
        int r = proc_sessionid_read(NULL, getpid(), &id);
        /* Whatever this host says, it is one of the documented answers. */
        assert_true(r == 0 || r == -ENODATA || r == -ENOENT);
        if (r == 0)
                assert_true(id != AUDIT_SESSION_UNSET);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_read),
                cmocka_unit_test(test_read_self),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
