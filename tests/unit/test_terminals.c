/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A connection's terminals as the idle-user policy sees them: counted
 * only when the device is a pty slave of the master's number owned by
 * the user; the atime's estimate kept while the atime stays (a step of
 * the wall clock moves nothing); a monitor that is gone or another
 * process under its PID is -ESRCH; the warning reaches our own pty and
 * nothing that is not the user's. Device nodes are only ever stat()ed;
 * the one written to is a pty this test opened. Root only (mknod). */
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
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_proc.h"
#include "idle_time.h"
#include "proc.h"
#include "terminals.h"

#define S UINT64_C(1000000)
#define START 1234567
#define STAT_LINE(pid, start) #pid " (sshd) S 1 " #pid " " #pid " 0 -1 4194560 1459 0 0 0 3 1 0 0 20 0 1 0 " #start " 14626816 2203 18446744073709551615 1 1 0 0 0 0 0 4096 81926 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
#define FDINFO(n) "pos:\t0\nflags:\t0100002\nmnt_id:\t25\nino:\t2\ntty-index:\t" #n "\n"

static void slave_node(const char *root, const char *rel, unsigned index, uid_t uid, int64_t atime) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", root, rel);
        (void) unlink(path);
        assert_int_equal(mknod(path, S_IFCHR | 0620, makedev(136, index)), 0);
        assert_int_equal(chown(path, uid, 5), 0);
        struct timespec t[2] = { { .tv_sec = atime }, { .tv_nsec = UTIME_OMIT } };
        assert_int_equal(utimensat(AT_FDCWD, path, t, AT_SYMLINK_NOFOLLOW), 0);
}

static void test_look(void **state) {
        char *root = tmp_tree_new();
        ProcRef mon = { .pid = 42, .starttime = START };
        TerminalSeen *seen = NULL;
        size_t n = 0;
        int64_t step = 1700000000;
        uint64_t mono = 9000 * S;

        if (geteuid() != 0)
                skip();
        tmp_tree_write(root, "42/stat", STAT_LINE(42, 1234567));
        tmp_tree_symlink(root, "42/fd/3", "/dev/ptmx");
        tmp_tree_symlink(root, "42/fd/4", "/dev/ptmx");
        tmp_tree_write(root, "42/fdinfo/3", FDINFO(5));
        tmp_tree_write(root, "42/fdinfo/4", FDINFO(6));
        tmp_tree_mkdir(root, "42/root/dev/pts");
        slave_node(root, "42/root/dev/pts/5", 5, 1000, step + 1);
        slave_node(root, "42/root/dev/pts/6", 6, 1000, step - 16);

        assert_int_equal(terminals_look(root, mon, 1000, mono, (uint64_t) (step + 100) * S, &seen, &n), 0);
        assert_int_equal(n, 2);
        const TerminalSeen *t5 = seen[0].index == 5 ? &seen[0] : &seen[1];
        assert_int_equal(t5->index, 5);
        assert_int_equal(t5->atime_sec, step + 1);
        assert_int_equal(t5->active, idle_active_until(step + 1, mono, (uint64_t) (step + 100) * S));

        /* The wall clock jumps an hour ahead; the atimes did not move: the
         * estimates stay, the idle time follows the monotonic clock. */
        uint64_t kept = t5->active;
        assert_int_equal(terminals_look(root, mon, 1000, mono + 5 * S, (uint64_t) (step + 3705) * S, &seen, &n), 0);
        assert_int_equal(n, 2);
        t5 = seen[0].index == 5 ? &seen[0] : &seen[1];
        assert_int_equal(t5->active, kept);

        /* Typing moves the atime: a new estimate. */
        slave_node(root, "42/root/dev/pts/5", 5, 1000, step + 200);
        assert_int_equal(terminals_look(root, mon, 1000, mono + 10 * S, (uint64_t) (step + 202) * S, &seen, &n), 0);
        t5 = seen[0].index == 5 ? &seen[0] : &seen[1];
        assert_int_equal(t5->active, mono + 10 * S + 6 * S); /* the step ends at step + 208 */

        /* Not the user's, or not a pty slave of that number: not counted. */
        slave_node(root, "42/root/dev/pts/6", 6, 1001, step);
        slave_node(root, "42/root/dev/pts/5", 7, 1000, step);
        assert_int_equal(terminals_look(root, mon, 1000, mono, (uint64_t) (step + 100) * S, &seen, &n), 0);
        assert_int_equal(n, 0);
        assert_null(seen);
        char path[512];
        snprintf(path, sizeof(path), "%s/42/root/dev/pts/5", root);
        assert_int_equal(unlink(path), 0);
        tmp_tree_write(root, "42/root/dev/pts/5", "a file");
        assert_int_equal(terminals_look(root, mon, 1000, mono, (uint64_t) (step + 100) * S, &seen, &n), 0);
        assert_int_equal(n, 0);

        /* Another process under the PID, or none. */
        mon.starttime = START + 1;
        assert_int_equal(terminals_look(root, mon, 1000, mono, (uint64_t) (step + 100) * S, &seen, &n), -ESRCH);
        mon.pid = 43;
        assert_int_equal(terminals_look(root, mon, 1000, mono, (uint64_t) (step + 100) * S, &seen, &n), -ESRCH);
        free(seen);
        tmp_tree_remove(root);
        free(root);
}

/* The warning goes through the monitor's own master: here the monitor
 * is this process, holding a pty it opened. */
static void test_write(void **state) {
        char buf[256];
        int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), err;
        const char *step;
        unsigned index;
        struct stat st;
        ProcStat self;

        if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
                skip();
        /* valgrind (3.19) knows no pidfd calls: the write path is tested
         * without it. */
        int probe = (int) syscall(SYS_pidfd_open, getpid(), 0);
        if (probe < 0 && errno == ENOSYS) {
                close(master);
                skip();
        }
        close(probe);
        assert_int_equal(sscanf(ptsname(master), "/dev/pts/%u", &index), 1);
        assert_int_equal(stat(ptsname(master), &st), 0);
        int slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC); /* the session's shell */
        assert_true(slave >= 0);
        /* The monitor: a child holding the same descriptors (the daemon
         * never opens a pidfd of itself). */
        pid_t child = fork();
        assert_true(child >= 0);
        if (child == 0) {
                /* Gone with the test, even when an assertion ends it. */
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (getppid() == 1)
                        _exit(0);
                for (;;)
                        pause();
        }
        assert_int_equal(proc_stat_read(NULL, child, &self), 0);
        ProcRef mon = { .pid = child, .starttime = self.starttime };
        TerminalSeen seen = { .index = index, .master_fd = master };

        assert_int_equal(terminals_write(NULL, mon, st.st_uid, &seen, 1, "idle\r\n", &err, &step), 1);
        assert_int_equal(err, 0);
        ssize_t k = read(master, buf, sizeof(buf) - 1);
        assert_true(k > 0);
        buf[k] = '\0';
        assert_non_null(strstr(buf, "idle"));

        /* Not the owner: nothing written. */
        assert_int_equal(terminals_write(NULL, mon, st.st_uid + 1, &seen, 1, "no\r\n", &err, &step), 0);
        assert_int_equal(err, -EPERM);
        assert_string_equal(step, "not the user's terminal");
        /* The descriptor is no master of that terminal (closed and reused,
         * or another pty, or not open at all): nothing written. */
        seen.master_fd = slave;
        assert_int_equal(terminals_write(NULL, mon, st.st_uid, &seen, 1, "no\r\n", &err, &step), 0);
        seen.master_fd = 1000;
        assert_int_equal(terminals_write(NULL, mon, st.st_uid, &seen, 1, "no\r\n", &err, &step), 0);
        assert_int_equal(err, -EBADF);
        assert_string_equal(step, "pidfd_getfd");
        seen = (TerminalSeen) { .index = index + 1, .master_fd = master };
        assert_int_equal(terminals_write(NULL, mon, st.st_uid, &seen, 1, "no\r\n", &err, &step), 0);
        assert_int_equal(err, -ENOTTY);
        /* Another process under the monitor's PID: nothing at all. */
        seen.index = index;
        mon.starttime++;
        assert_int_equal(terminals_write(NULL, mon, st.st_uid, &seen, 1, "no\r\n", &err, &step), 0);
        assert_int_equal(err, -ESRCH);

        int fl = fcntl(master, F_GETFL);
        assert_int_equal(fcntl(master, F_SETFL, fl | O_NONBLOCK), 0);
        assert_true(read(master, buf, sizeof(buf)) < 0 && errno == EAGAIN);
        assert_int_equal(kill(child, SIGKILL), 0);
        assert_int_equal(waitpid(child, NULL, 0), child);
        close(slave);
        close(master);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_look),
                cmocka_unit_test(test_write),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
