/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The never-kill guards, on real processes: a PID whose start time does not
 * match is never signalled; PID 1 and ourselves never are; a cgroup that
 * holds (or contains) a protected process is never killed, nor one that is
 * not the cgroup it was (another of the same name). */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "cgroup_kill.h"
#include "fake_proc.h"
#include "proc.h"
#include "process_kill.h"

static pid_t spawn_sleeper(void) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                pause();
                _exit(0);
        }
        return pid;
}

static bool alive(pid_t pid) {
        return waitpid(pid, NULL, WNOHANG) == 0;
}

static void reap(pid_t pid, int *sig) {
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        *sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

static void test_wrong_starttime_not_signalled(void **state) {
        pid_t pid = spawn_sleeper();
        ProcStat st;
        int sig;

        usleep(10000);
        assert_int_equal(proc_stat_read(NULL, pid, &st), 0);

        /* A record naming this PID with another start time: a reused PID. */
        assert_int_equal(process_signal_checked(NULL, pid, st.starttime + 1, SIGKILL), 0);
        assert_int_equal(process_signal_checked(NULL, pid, st.starttime - 1, SIGTERM), 0);
        usleep(20000);
        assert_true(alive(pid));

        /* The right one is signalled. */
        assert_int_equal(process_signal_checked(NULL, pid, st.starttime, SIGTERM), 1);
        reap(pid, &sig);
        assert_int_equal(sig, SIGTERM);

        /* Gone: nothing to signal, no error. */
        assert_int_equal(process_signal_checked(NULL, pid, st.starttime, SIGTERM), 0);
}

static void test_protected_pids(void **state) {
        ProcStat st;

        assert_int_equal(proc_stat_read(NULL, getpid(), &st), 0);
        assert_int_equal(process_signal_checked(NULL, getpid(), st.starttime, SIGKILL), 0);
        assert_int_equal(pidfd_open_checked(NULL, getpid(), st.starttime, NULL), -EPERM);
        assert_int_equal(pidfd_open_checked(NULL, 1, 0, NULL), -EPERM);
        assert_int_equal(pidfd_open_checked(NULL, 0, 0, NULL), -EPERM);
}

static void test_cgroup_guard(void **state) {
        char *protected[] = {
                (char *) "/init.scope",
                (char *) "/system.slice/sshd-watchdog.service",
                (char *) "/system.slice/ssh.service",
        };

        assert_true(cgroup_kill_allowed("/user.slice/user-1000.slice/session-7.scope", protected, 3));
        assert_true(cgroup_kill_allowed("/system.slice/ssh.service-x", protected, 3));
        /* The root, a protected cgroup, or any ancestor of one. */
        assert_false(cgroup_kill_allowed("/", protected, 3));
        assert_false(cgroup_kill_allowed("", protected, 3));
        assert_false(cgroup_kill_allowed(NULL, protected, 3));
        assert_false(cgroup_kill_allowed("/system.slice/ssh.service", protected, 3));
        assert_false(cgroup_kill_allowed("/system.slice", protected, 3));
        assert_false(cgroup_kill_allowed("/init.scope", protected, 3));
        /* Paths that could walk elsewhere. */
        assert_false(cgroup_kill_allowed("/user.slice/../system.slice", protected, 3));
        assert_false(cgroup_kill_allowed("/user.slice/..", protected, 3));
        assert_false(cgroup_kill_allowed("/user.slice/", protected, 3));
        assert_false(cgroup_kill_allowed("relative", protected, 3));
        /* Without systemd every session shares sshd's cgroup. */
        char *shared[] = { (char *) "/", NULL, (char *) "/" };
        assert_false(cgroup_kill_allowed("/", shared, 3));
}

static void test_count_procs(void **state) {
        char *root = tmp_tree_new();

        tmp_tree_write(root, "user.slice/session-7.scope/cgroup.procs", "101\n102\n103\n");
        tmp_tree_write(root, "user.slice/session-8.scope/cgroup.procs", "");
        assert_int_equal(cgroup_count_procs(root, "/user.slice/session-7.scope"), 3);
        assert_int_equal(cgroup_count_procs(root, "/user.slice/session-8.scope"), 0);
        /* Removed by its owner after the last process left. */
        assert_int_equal(cgroup_count_procs(root, "/user.slice/session-9.scope"), -ENOENT);
        tmp_tree_remove(root);
        free(root);
}

/* cgroup.kill goes only to the cgroup with the recorded id: not to a later
 * one of the same name. (A plain directory has no cgroup.kill: -ENOENT is
 * the answer of a kernel without it, too.) */
static void test_cgroup_kill_id(void **state) {
        char *root = tmp_tree_new(), *dir;
        struct stat st;

        tmp_tree_write(root, "session-7.scope/cgroup.procs", "101\n");
        tmp_tree_write(root, "session-7.scope/cgroup.kill", "");
        assert_true(asprintf(&dir, "%s/session-7.scope", root) > 0);
        assert_int_equal(stat(dir, &st), 0);
        assert_int_equal(cgroup_kill(root, "/session-7.scope", (uint64_t) st.st_ino + 1), -ENOENT);
        assert_int_equal(cgroup_kill(root, "/session-7.scope", (uint64_t) st.st_ino), 1);
        assert_int_equal(cgroup_kill(root, "/session-8.scope", (uint64_t) st.st_ino), -ENOENT);
        free(dir);
        tmp_tree_remove(root);
        free(root);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_wrong_starttime_not_signalled),
                cmocka_unit_test(test_protected_pids),
                cmocka_unit_test(test_cgroup_guard),
                cmocka_unit_test(test_count_procs),
                cmocka_unit_test(test_cgroup_kill_id),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
