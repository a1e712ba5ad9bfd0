/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "cgroup_fs.h"
#include "fake_proc.h"

static void test_mountinfo(void **state) {
        char *mnt = NULL;

        assert_int_equal(mountinfo_find_cgroup2("25 30 0:23 / /sys rw - sysfs sysfs rw\n"
                                                "35 25 0:30 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
                                                "36 25 0:31 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw\n",
                                                &mnt),
                         0);
        assert_string_equal(mnt, "/sys/fs/cgroup/unified");
        free(mnt);
        mnt = NULL;
        /* Optional fields before the separator, no trailing newline. */
        assert_int_equal(mountinfo_find_cgroup2("29 23 0:26 / /sys/fs/cgroup rw shared:4 - cgroup2 cgroup2 rw", &mnt), 0);
        assert_string_equal(mnt, "/sys/fs/cgroup");
        free(mnt);
        assert_int_equal(mountinfo_find_cgroup2("25 30 0:23 / /sys rw - sysfs sysfs rw\n", &mnt), -ENOENT);
        /* An escaped mount point is not guessed at; nor a line cut short. */
        assert_int_equal(mountinfo_find_cgroup2("36 25 0:31 / /sys/fs/c\\040g rw - cgroup2 cgroup2 rw\n", &mnt), -ENOENT);
        assert_int_equal(mountinfo_find_cgroup2("36 25 - cgroup2 cgroup2 rw\n", &mnt), -ENOENT);
        assert_int_equal(mountinfo_find_cgroup2("", &mnt), -ENOENT);
}

static void test_procs(void **state) {
        pid_t *v = NULL;
        size_t n = 0;

        assert_int_equal(cgroup_procs_parse("101\n102\n103\n", &v, &n), 0);
        assert_int_equal(n, 3);
        assert_int_equal(v[0], 101);
        assert_int_equal(v[2], 103);
        free(v);
        v = NULL;
        assert_int_equal(cgroup_procs_parse("", &v, &n), 0);
        assert_int_equal(n, 0);
        free(v);
        assert_int_equal(cgroup_procs_parse("101\n\n", &v, &n), -EBADMSG);
        assert_int_equal(cgroup_procs_parse("0\n", &v, &n), -EBADMSG);
        assert_int_equal(cgroup_procs_parse("12a\n", &v, &n), -EBADMSG);
        assert_int_equal(cgroup_procs_parse("99999999999999999\n", &v, &n), -EBADMSG);
}

/* A cgroup's id is its directory's inode: a new directory of the same name is another cgroup. */
static void test_open_and_id(void **state) {
        char *root = tmp_tree_new(), *dir;
        uint64_t id1, id2;
        pid_t *v = NULL;
        size_t n;
        int fd;

        tmp_tree_write(root, "user.slice/session-7.scope/cgroup.procs", "4242\n");
        fd = cgroup_open(root, "/user.slice/session-7.scope");
        assert_true(fd >= 0);
        assert_int_equal(cgroup_fd_id(fd, &id1), 0);
        assert_int_equal(cgroup_read_procs(fd, &v, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(v[0], 4242);
        free(v);
        close(fd);

        /* The old directory is kept (renamed) so that its inode number is not
         * free for the new one: cgroupfs never reuses ids within a boot,
         * a tmpfs would reuse a freed one at once. */
        assert_true(asprintf(&dir, "%s/user.slice/session-7.scope", root) > 0);
        char *old;
        assert_true(asprintf(&old, "%s/user.slice/old.scope", root) > 0);
        assert_int_equal(rename(dir, old), 0);
        free(old);
        tmp_tree_write(root, "user.slice/session-7.scope/cgroup.procs", "4243\n");
        fd = cgroup_open(root, "/user.slice/session-7.scope");
        assert_true(fd >= 0);
        assert_int_equal(cgroup_fd_id(fd, &id2), 0);
        close(fd);
        assert_true(id1 != id2);

        assert_int_equal(cgroup_open(root, "/user.slice/session-8.scope"), -ENOENT);
        assert_int_equal(cgroup_open(root, "relative"), -EINVAL);
        tmp_tree_symlink(root, "link.scope", dir);
        assert_true(cgroup_open(root, "/link.scope") < 0);
        free(dir);
        tmp_tree_remove(root);
        free(root);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_mountinfo),
                cmocka_unit_test(test_procs),
                cmocka_unit_test(test_open_and_id),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
