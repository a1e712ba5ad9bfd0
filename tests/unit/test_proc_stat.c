/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_proc.h"
#include "proc.h"

/* A real line from a kernel 6.x host, comm "sshd". */
#define STAT_SSHD "4242 (sshd) S 4100 4242 4242 0 -1 4194560 1459 0 0 0 3 1 0 0 20 0 1 0 1234567 14626816 2203 18446744073709551615 1 1 0 0 0 0 0 4096 81926 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n"

static void test_parse_real_line(void **state) {
        ProcStat st;
        assert_int_equal(proc_stat_parse(STAT_SSHD, &st), 0);
        assert_int_equal(st.state, 'S');
        assert_int_equal(st.ppid, 4100);
        assert_int_equal(st.starttime, 1234567);
}

static void test_parse_hostile_comm(void **state) {
        ProcStat st;
        /* comm may hold spaces and parentheses: only the last ')' ends it. */
        assert_int_equal(proc_stat_parse("77 (a) (b) R 1 77 77 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 999 0 0\n", &st), 0);
        assert_int_equal(st.state, 'R');
        assert_int_equal(st.ppid, 1);
        assert_int_equal(st.starttime, 999);
        assert_int_equal(proc_stat_parse("78 (a) S 5 6 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 4242 0 0\n", &st), 0);
        assert_int_equal(st.starttime, 4242);
        assert_int_equal(st.num_threads, 1);
        assert_int_equal(proc_stat_parse("80 (t) S 5 6 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 12 0 4242 0 0\n", &st), 0);
        assert_int_equal(st.num_threads, 12);
        assert_int_equal(proc_stat_parse("81 (t) S 5 6 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 x 0 4242 0 0\n", &st), -EBADMSG);
        /* A comm that fakes the whole line up to field 22. */
        assert_int_equal(proc_stat_parse("79 (x) Z 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 0 0 1 0 1) S 9 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 31337 0\n", &st), 0);
        assert_int_equal(st.state, 'S');
        assert_int_equal(st.ppid, 9);
        assert_int_equal(st.starttime, 31337);
}

static void test_parse_garbage(void **state) {
        ProcStat st;
        assert_int_equal(proc_stat_parse("", &st), -EBADMSG);
        assert_int_equal(proc_stat_parse("12 sshd S 1", &st), -EBADMSG);
        assert_int_equal(proc_stat_parse("12 (sshd) S 1 2 3", &st), -EBADMSG); /* truncated */
        assert_int_equal(proc_stat_parse("12 (sshd)", &st), -EBADMSG);
        assert_int_equal(proc_stat_parse("12 (sshd) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 abc 0\n", &st), -EBADMSG);
        assert_int_equal(proc_stat_parse("12 (sshd) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99999999999999999999999 0\n", &st), -EBADMSG);
        assert_int_equal(proc_stat_parse("12 (sshd) SS 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0\n", &st), -EBADMSG);
        assert_int_equal(proc_stat_parse("12 (sshd)  S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0\n", &st), -EBADMSG);
}

static void test_read_fake_tree(void **state) {
        char *root = tmp_tree_new();
        ProcStat st;

        tmp_tree_write(root, "4242/stat", STAT_SSHD);
        assert_int_equal(proc_stat_read(root, 4242, &st), 0);
        assert_int_equal(st.starttime, 1234567);
        assert_int_equal(proc_stat_read(root, 4243, &st), -ENOENT);
        assert_int_equal(proc_stat_read(root, 0, &st), -EINVAL);
        assert_int_equal(proc_stat_read(root, -1, &st), -EINVAL);

        /* Oversized stat file: refused, not read into a fixed buffer. */
        char *big = malloc(10000);
        assert_non_null(big);
        memset(big, 'x', 9999);
        big[9999] = '\0';
        tmp_tree_write(root, "5/stat", big);
        assert_int_equal(proc_stat_read(root, 5, &st), -EFBIG);
        free(big);

        tmp_tree_remove(root);
        free(root);
}

static void test_read_self(void **state) {
        ProcStat a, b;
        /* The real /proc: our own start time is stable and our parent is real. */
        assert_int_equal(proc_stat_read(NULL, getpid(), &a), 0);
        assert_int_equal(proc_stat_read(NULL, getpid(), &b), 0);
        assert_true(a.starttime > 0);
        assert_int_equal(a.starttime, b.starttime);
        assert_int_equal(a.ppid, getppid());
        assert_int_equal(a.state, 'R');
}

static int stopped_within(pid_t pid, uint64_t starttime, int want) {
        struct timespec ts = { .tv_nsec = 1000000 };
        int r = -1;
        for (int i = 0; i < 2000 && (r = proc_stopped(NULL, pid, starttime)) != want; i++)
                nanosleep(&ts, NULL);
        return r;
}

/* A SIGSTOP is sent at once and takes effect later: proc_stopped() says
 * when it has. */
static void test_stopped(void **state) {
        ProcStat st;
        pid_t pid = fork();

        assert_true(pid >= 0);
        if (pid == 0) {
                for (;;)
                        pause();
        }
        assert_int_equal(proc_stat_read(NULL, pid, &st), 0);
        assert_int_equal(proc_stopped(NULL, pid, st.starttime), 0);
        assert_int_equal(proc_stopped(NULL, pid, st.starttime + 1), -ESRCH); /* another process */
        assert_int_equal(kill(pid, SIGSTOP), 0);
        assert_int_equal(stopped_within(pid, st.starttime, 1), 1);
        assert_int_equal(kill(pid, SIGCONT), 0);
        assert_int_equal(stopped_within(pid, st.starttime, 0), 0);
        assert_int_equal(kill(pid, SIGKILL), 0);
        assert_int_equal(stopped_within(pid, st.starttime, -ESRCH), -ESRCH); /* a zombie */
        assert_int_equal(waitpid(pid, NULL, 0), pid);
        assert_int_equal(proc_stopped(NULL, pid, st.starttime), -ESRCH);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_real_line),
                cmocka_unit_test(test_parse_hostile_comm),
                cmocka_unit_test(test_parse_garbage),
                cmocka_unit_test(test_read_fake_tree),
                cmocka_unit_test(test_read_self),
                cmocka_unit_test(test_stopped),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
