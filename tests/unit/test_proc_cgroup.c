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

#define HYBRID "12:pids:/user.slice/user-1000.slice/session-7.scope\n" \
               "1:name=systemd:/user.slice/user-1000.slice/session-7.scope\n" \
               "0::/user.slice/user-1000.slice/session-7.scope\n"

static void test_parse(void **state) {
        char *cg = NULL;

        assert_int_equal(proc_cgroup_parse("0::/user.slice/user-1000.slice/session-7.scope\n", &cg), 0);
        assert_string_equal(cg, "/user.slice/user-1000.slice/session-7.scope");
        free(cg);

        /* Hybrid host: v1 lines first, and one of them looks close. */
        assert_int_equal(proc_cgroup_parse(HYBRID, &cg), 0);
        assert_string_equal(cg, "/user.slice/user-1000.slice/session-7.scope");
        free(cg);

        assert_int_equal(proc_cgroup_parse("0::/\n", &cg), 0);
        assert_string_equal(cg, "/");
        free(cg);

        /* No trailing newline, and a path with spaces and colons. */
        assert_int_equal(proc_cgroup_parse("0::/a b:c", &cg), 0);
        assert_string_equal(cg, "/a b:c");
        free(cg);
}

static void test_parse_missing_or_bad(void **state) {
        char *cg = (char *) "untouched";

        assert_int_equal(proc_cgroup_parse("", &cg), -ENODATA);
        assert_int_equal(proc_cgroup_parse("1:name=systemd:/x\n2:cpu:/y\n", &cg), -ENODATA);
        assert_int_equal(proc_cgroup_parse("10::/x\n", &cg), -ENODATA);
        assert_int_equal(proc_cgroup_parse("0::\n", &cg), -EBADMSG);
        assert_int_equal(proc_cgroup_parse("0::relative\n", &cg), -EBADMSG);
        assert_string_equal(cg, "untouched");
}

static void test_read(void **state) {
        char *root = tmp_tree_new(), *cg = NULL;

        tmp_tree_write(root, "9/cgroup", HYBRID);
        assert_int_equal(proc_cgroup_read(root, 9, &cg), 0);
        assert_string_equal(cg, "/user.slice/user-1000.slice/session-7.scope");
        free(cg);
        assert_int_equal(proc_cgroup_read(root, 10, &cg), -ENOENT);
        tmp_tree_remove(root);
        free(root);

        /* This host's own view of us: whatever it is, it is absolute. */
        int r = proc_cgroup_read(NULL, getpid(), &cg);
        if (r == -ENODATA)
                return; /* pure cgroup v1 host */
        assert_int_equal(r, 0);
        assert_int_equal(cg[0], '/');
        free(cg);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_parse_missing_or_bad),
                cmocka_unit_test(test_read),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
