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

#include <fcntl.h>

#include "fake_proc.h"
#include "file_read.h"

static void test_sizes(void **state) {
        char *root = tmp_tree_new(), *buf = NULL, *content;
        size_t size = 0;
        int dfd;

        dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);

        tmp_tree_write(root, "empty", "");
        assert_int_equal(read_file_at(dfd, "empty", 10, &buf, &size), 0);
        assert_int_equal(size, 0);
        assert_string_equal(buf, "");
        free(buf);

        content = malloc(5001);
        assert_non_null(content);
        memset(content, 'a', 5000);
        content[5000] = '\0';
        tmp_tree_write(root, "big", content);
        /* Exactly the limit is fine; one byte less is not. */
        assert_int_equal(read_file_at(dfd, "big", 5000, &buf, &size), 0);
        assert_int_equal(size, 5000);
        assert_int_equal(strlen(buf), 5000);
        free(buf);
        buf = NULL;
        assert_int_equal(read_file_at(dfd, "big", 4999, &buf, &size), -EFBIG);
        assert_null(buf);
        assert_int_equal(read_file_at(dfd, "big", 1, &buf, &size), -EFBIG);
        assert_int_equal(read_file_at(dfd, "big", 0, &buf, &size), -EFBIG);
        free(content);

        /* Symlinks are never followed. */
        tmp_tree_symlink(root, "link", "big");
        assert_int_equal(read_file_at(dfd, "link", 10000, &buf, &size), -ELOOP);
        assert_int_equal(read_file_at(dfd, "missing", 10, &buf, &size), -ENOENT);

        /* A /proc file: fstat says 0 bytes, the content is there. */
        assert_int_equal(read_file_at(AT_FDCWD, "/proc/self/stat", 4096, &buf, &size), 0);
        assert_true(size > 20);
        assert_int_equal(strlen(buf), size);
        free(buf);

        close(dfd);
        tmp_tree_remove(root);
        free(root);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sizes),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
