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

static void test_uids(void **state) {
        uid_t r = 7, e = 7;

        assert_int_equal(proc_status_parse_uids("Name:\tsleep\nUid:\t1000\t0\t0\t0\nGid:\t1\t1\t1\t1\n", &r, &e), 0);
        assert_int_equal(r, 1000);
        assert_int_equal(e, 0);
        assert_int_equal(proc_status_parse_uids("Uid: 5 6 7 8", &r, &e), 0);
        assert_int_equal(r, 5);
        assert_int_equal(e, 6);
        assert_int_equal(proc_status_parse_uids("Name:\tx\n", &r, &e), -EBADMSG);
        assert_int_equal(proc_status_parse_uids("Uid:\t1000\n", &r, &e), -EBADMSG);
        assert_int_equal(proc_status_parse_uids("Uid:\t-1\t0\n", &r, &e), -EBADMSG);
        assert_int_equal(proc_status_parse_uids("Uid:\t4294967295\t0\n", &r, &e), -EBADMSG);
        assert_int_equal(proc_status_parse_uids("Uid:\t1000x\t0\n", &r, &e), -EBADMSG);
        assert_int_equal(proc_status_parse_uids("", &r, &e), -EBADMSG);
}

static void test_uids_read(void **state) {
        char *root = tmp_tree_new();
        uid_t r, e;

        tmp_tree_write(root, "42/status", "Name:\tbash\nUmask:\t0022\nUid:\t1001\t1001\t1001\t1001\n");
        assert_int_equal(proc_status_uids(root, 42, &r, &e), 0);
        assert_int_equal(r, 1001);
        assert_int_equal(proc_status_uids(root, 43, &r, &e), -ENOENT);
        tmp_tree_remove(root);
        free(root);

        assert_int_equal(proc_status_uids(NULL, getpid(), &r, &e), 0);
        assert_int_equal(r, getuid());
        assert_int_equal(e, geteuid());
}

static void test_boot_id(void **state) {
        char id[BOOT_ID_LENGTH + 1];
        char *root = tmp_tree_new();

        assert_int_equal(boot_id_parse("5c3b2a1e-0f9d-4c8b-a7e6-d5c4b3a29180\n", id), 0);
        assert_string_equal(id, "5c3b2a1e-0f9d-4c8b-a7e6-d5c4b3a29180");
        assert_int_equal(boot_id_parse("5c3b2a1e-0f9d-4c8b-a7e6-d5c4b3a29180", id), 0);
        assert_int_equal(boot_id_parse("5c3b2a1e-0f9d-4c8b-a7e6-d5c4b3a2918\n", id), -EBADMSG);
        assert_int_equal(boot_id_parse("5c3b2a1e-0f9d-4c8b-a7e6-d5c4b3a29180\nx", id), -EBADMSG);
        assert_int_equal(boot_id_parse("5c3b2a1e00f9d-4c8b-a7e6-d5c4b3a29180\n", id), -EBADMSG);
        assert_int_equal(boot_id_parse("5C3B2A1E-0F9D-4C8B-A7E6-D5C4B3A29180\n", id), -EBADMSG);
        assert_int_equal(boot_id_parse("", id), -EBADMSG);

        tmp_tree_write(root, "sys/kernel/random/boot_id", "5c3b2a1e-0f9d-4c8b-a7e6-d5c4b3a29180\n");
        assert_int_equal(proc_boot_id(root, id), 0);
        assert_string_equal(id, "5c3b2a1e-0f9d-4c8b-a7e6-d5c4b3a29180");
        tmp_tree_remove(root);
        free(root);
        assert_int_equal(proc_boot_id(NULL, id), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_uids),
                cmocka_unit_test(test_uids_read),
                cmocka_unit_test(test_boot_id),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
