/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pending endings on disk: written and read back whole; refused when
 * damaged, foreign, or not the file of the name it has. */
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
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "ending_store.h"
#include "fake_proc.h"

#define BOOT "5c3b2a1e-0f9d-4c8b-a7e6-d5c4b3a29180"

static ProcRef tree[] = { { 4242, 5000 }, { 4243, 5010 }, { 4300, 6000 } };

static Ending sample(void) {
        return (Ending) {
                .name = (char *) "4242-5000",
                .rec = {
                        .version = 2, .user = (char *) "alice", .uid = 1000, .remote_host = (char *) "198.51.100.7",
                        .service = (char *) "sshd", .sshd_pid = 4242, .sshd_starttime = 5000, .parent_pid = 700,
                        .parent_starttime = 100, .boot_id = (char *) BOOT, .cgroup = (char *) "/user.slice/session-7.scope",
                        .cgroup_id = 99, .session_id = (char *) "7", .audit_session = 7, .socket_inode = 1234,
                        .opened_usec = 1,
                },
                .reason = ENDING_SILENT,
                .kill_at = 123456789,
                .silence_usec = 3000000,
                .timeout_usec = 3000000,
                .grace_usec = 1000000,
                .bytes_received = 4242,
                .term_parent = { 700, 100 },
                .tree = tree,
                .n_tree = 3,
        };
}

static void test_roundtrip(void **state) {
        char *root = tmp_tree_new(), *dir;
        char boot[BOOT_ID_LENGTH + 1];
        Ending e = sample(), back = { .name = (char *) "4242-5000", .rec = SESSION_RECORD_NULL };
        int fd;
        struct stat st;

        assert_true(asprintf(&dir, "%s/state", root) > 0);
        fd = state_subdir_open(dir, ENDING_DIR_NAME, true);
        assert_true(fd >= 0);
        assert_int_equal(ending_store_write(fd, &e, BOOT), 0);
        assert_int_equal(fstatat(fd, "4242-5000", &st, 0), 0);
        assert_int_equal(st.st_mode & 07777, 0600);

        assert_int_equal(ending_store_read(fd, &back, boot), 0);
        assert_string_equal(boot, BOOT);
        assert_string_equal(back.rec.user, "alice");
        assert_int_equal(back.rec.audit_session, 7);
        assert_int_equal(back.reason, ENDING_SILENT);
        assert_int_equal(back.kill_at, 123456789);
        assert_int_equal(back.grace_usec, 1000000);
        assert_int_equal(back.term_parent.pid, 700);
        assert_int_equal(back.n_tree, 3);
        assert_int_equal(back.tree[2].pid, 4300);
        assert_int_equal(back.tree[2].starttime, 6000);
        session_record_done(&back.rec);
        free(back.tree);

        /* Closed by sshd when the client died: the record's mark goes with it. */
        e.reason = ENDING_CLOSED;
        e.rec.closed_usec = 77;
        e.rec.closed_silence_usec = 6000000;
        e.rec.closed_by = CONNECTION_END_SSHD;
        assert_int_equal(ending_store_write(fd, &e, BOOT), 0);
        back = (Ending) { .name = (char *) "4242-5000", .rec = SESSION_RECORD_NULL };
        assert_int_equal(ending_store_read(fd, &back, boot), 0);
        assert_int_equal(back.reason, ENDING_CLOSED);
        assert_int_equal(back.rec.closed_usec, 77);
        assert_int_equal(back.rec.closed_by, CONNECTION_END_SSHD);
        session_record_done(&back.rec);
        free(back.tree);
        /* Ended idle: its idle time and limit come back with it. */
        e.reason = ENDING_IDLE;
        e.rec.closed_usec = 0;
        e.idle_usec = 901000000;
        e.idle_timeout_usec = 900000000;
        assert_int_equal(ending_store_write(fd, &e, BOOT), 0);
        back = (Ending) { .name = (char *) "4242-5000", .rec = SESSION_RECORD_NULL };
        assert_int_equal(ending_store_read(fd, &back, boot), 0);
        assert_int_equal(back.reason, ENDING_IDLE);
        assert_int_equal(back.idle_usec, 901000000);
        assert_int_equal(back.idle_timeout_usec, 900000000);
        session_record_done(&back.rec);
        free(back.tree);
        e.reason = ENDING_CLOSED;
        e.rec.closed_usec = 77;
        /* "closed" without the record's mark is not believed. */
        e.rec.closed_usec = 0;
        assert_int_equal(ending_store_write(fd, &e, BOOT), 0);
        back = (Ending) { .name = (char *) "4242-5000", .rec = SESSION_RECORD_NULL };
        assert_int_equal(ending_store_read(fd, &back, boot), -EBADMSG);
        e = sample();
        assert_int_equal(ending_store_write(fd, &e, BOOT), 0);

        /* Under another name it is not this session's. */
        assert_int_equal(renameat(fd, "4242-5000", fd, "4242-5001"), 0);
        back = (Ending) { .name = (char *) "4242-5001", .rec = SESSION_RECORD_NULL };
        assert_int_equal(ending_store_read(fd, &back, boot), -EBADMSG);
        /* Not ours, or open to others: refused. */
        assert_int_equal(fchmodat(fd, "4242-5001", 0644, 0), 0);
        assert_int_equal(ending_store_read(fd, &back, boot), -EPERM);
        assert_int_equal(ending_store_remove(fd, "4242-5001"), 0);
        assert_int_equal(ending_store_remove(fd, "4242-5001"), -ENOENT);
        close(fd);
        free(dir);
        tmp_tree_remove(root);
        free(root);
}

static int parse(const char *text) {
        char boot[BOOT_ID_LENGTH + 1];
        Ending e = { .rec = SESSION_RECORD_NULL };
        int r = ending_store_parse(text, strlen(text), &e, boot);
        session_record_done(&e.rec);
        free(e.tree);
        return r;
}

static void test_parse_refuses(void **state) {
        char *good = NULL, *text;
        Ending e = sample();
        char *root = tmp_tree_new(), *path;
        int fd;

        fd = state_subdir_open(root, ENDING_DIR_NAME, true);
        assert_true(fd >= 0);
        assert_int_equal(ending_store_write(fd, &e, BOOT), 0);
        assert_true(asprintf(&path, "%s/" ENDING_DIR_NAME "/4242-5000", root) > 0);
        FILE *f = fopen(path, "re");
        assert_non_null(f);
        size_t n = 0;
        assert_true(getdelim(&good, &n, '\0', f) > 0);
        fclose(f);
        close(fd);
        assert_int_equal(parse(good), 0);

        static const char *const bad[] = {
                "ENDING_REASON=maybe\n", "ENDING_REASON=silent\n", "KILL_AT_USEC=x\n", "PROCESS=1\n",
                "PROCESS=0 5\n", "PROCESS=a b\n", "TERM_PARENT=700 100\n", "UNKNOWN=1\n", "ENDING_BOOT_ID=abc\n",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                assert_true(asprintf(&text, "%s%s", good, bad[i]) > 0);
                if (parse(text) >= 0)
                        fail_msg("accepted an extra \"%s\"", bad[i]);
                free(text);
        }
        /* A required key missing. */
        text = strdup(good);
        char *k = strstr(text, "GRACE_USEC=");
        assert_non_null(k);
        k[0] = 'X';
        assert_true(parse(text) < 0);
        free(text);

        free(path);
        free(good);
        tmp_tree_remove(root);
        free(root);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_roundtrip),
                cmocka_unit_test(test_parse_refuses),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
