/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The terminals of a connection from its monitor's descriptors: fdinfo
 * parsing, a fake /proc, and a real pty of our own. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_proc.h"
#include "proc.h"

#define PTMX_FDINFO(n) "pos:\t0\nflags:\t0100002\nmnt_id:\t25\nino:\t2\ntty-index:\t" #n "\n"

static void test_fdinfo(void **state) {
        uint32_t v = 99;

        assert_int_equal(proc_fdinfo_tty_index(PTMX_FDINFO(7), &v), 0);
        assert_int_equal(v, 7);
        assert_int_equal(proc_fdinfo_tty_index("tty-index: 4095", &v), 0);
        assert_int_equal(v, 4095);
        /* A kernel without it, a file of another kind. */
        assert_int_equal(proc_fdinfo_tty_index("pos:\t0\nflags:\t02\n", &v), -ENODATA);
        assert_int_equal(proc_fdinfo_tty_index("", &v), -ENODATA);
        assert_int_equal(proc_fdinfo_tty_index("tty-index:\t\n", &v), -EINVAL);
        assert_int_equal(proc_fdinfo_tty_index("tty-index:\t1x\n", &v), -EINVAL);
        assert_int_equal(proc_fdinfo_tty_index("tty-index:\t99999999999999999999\n", &v), -EINVAL);
        assert_int_equal(proc_fdinfo_tty_index("xtty-index:\t3\n", &v), -ENODATA);
        assert_int_equal(v, 4095);
}

static void test_fake_tree(void **state) {
        char *root = tmp_tree_new();
        PtyMaster *v = NULL;
        size_t n = 99;

        tmp_tree_symlink(root, "42/fd/0", "/dev/null");
        tmp_tree_symlink(root, "42/fd/3", "/dev/ptmx");
        tmp_tree_symlink(root, "42/fd/4", "socket:[1234]");
        tmp_tree_symlink(root, "42/fd/7", "/dev/pts/ptmx");
        tmp_tree_symlink(root, "42/fd/8", "/dev/ptmx");   /* the same pty again */
        tmp_tree_symlink(root, "42/fd/9", "/dev/pts/3");  /* a slave is no master */
        tmp_tree_write(root, "42/fdinfo/3", PTMX_FDINFO(0));
        tmp_tree_write(root, "42/fdinfo/7", PTMX_FDINFO(5));
        tmp_tree_write(root, "42/fdinfo/8", PTMX_FDINFO(0));
        assert_int_equal(proc_pty_masters(root, 42, &v, &n), 0);
        assert_int_equal(n, 2);
        assert_true((v[0].index == 0 && v[1].index == 5) || (v[0].index == 5 && v[1].index == 0));
        for (size_t i = 0; i < 2; i++)
                assert_true(v[i].index == 5 ? v[i].fd == 7 : v[i].fd == 3 || v[i].fd == 8);
        free(v);

        /* None: NULL, 0. */
        tmp_tree_symlink(root, "43/fd/0", "/dev/null");
        tmp_tree_mkdir(root, "43/fdinfo");
        assert_int_equal(proc_pty_masters(root, 43, &v, &n), 0);
        assert_null(v);
        assert_int_equal(n, 0);

        /* A master closed between the listing and its fdinfo: left out. */
        tmp_tree_symlink(root, "44/fd/3", "/dev/ptmx");
        tmp_tree_mkdir(root, "44/fdinfo");
        assert_int_equal(proc_pty_masters(root, 44, &v, &n), 0);
        assert_int_equal(n, 0);

        /* A kernel without tty-index: said, never taken for "none". */
        tmp_tree_symlink(root, "45/fd/3", "/dev/ptmx");
        tmp_tree_write(root, "45/fdinfo/3", "pos:\t0\nflags:\t02\n");
        assert_int_equal(proc_pty_masters(root, 45, &v, &n), -EOPNOTSUPP);

        /* A process that is gone. */
        assert_int_equal(proc_pty_masters(root, 46, &v, &n), -ENOENT);
        tmp_tree_remove(root);
        free(root);
}

/* Our own pty, through the real /proc. */
static void test_real_pty(void **state) {
        PtyMaster *v = NULL;
        size_t n = 0;
        int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        unsigned index;

        if (fd < 0)
                skip();
        assert_int_equal(sscanf(ptsname(fd), "/dev/pts/%u", &index), 1);
        assert_int_equal(proc_pty_masters(NULL, getpid(), &v, &n), 0);
        bool found = false;
        for (size_t i = 0; i < n; i++)
                found = found || (v[i].index == index && v[i].fd == fd);
        assert_true(found);
        free(v);
        close(fd);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fdinfo),
                cmocka_unit_test(test_fake_tree),
                cmocka_unit_test(test_real_pty),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
