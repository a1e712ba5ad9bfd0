/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The never-kill guards, on real processes: a PID whose start time does not
 * match is never signalled; PID 1 and ourselves never are; a cgroup that
 * holds (or contains) a protected process is never killed. */
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

/* process_kill_session by process tree: the child and grandchild of a root
 * die, an unrelated process and the protected one do not. */
static void test_kill_tree(void **state) {
        int p[2], sig;
        pid_t root, bystander = spawn_sleeper(), grandchild;

        assert_int_equal(pipe(p), 0);
        root = fork();
        assert_true(root >= 0);
        if (root == 0) {
                pid_t gc = fork();
                if (gc == 0) {
                        pause();
                        _exit(0);
                }
                (void) write(p[1], &gc, sizeof(gc));
                pause();
                _exit(0);
        }
        assert_int_equal(read(p[0], &grandchild, sizeof(grandchild)), (ssize_t) sizeof(grandchild));
        close(p[0]);
        close(p[1]);

        ProcStat rst;
        assert_int_equal(proc_stat_read(NULL, root, &rst), 0);

        /* The root's PID with another start time: sshd's monitor has exited
         * and its PID names someone else's process now. Nothing dies. */
        assert_int_equal(process_kill_session(NULL, AUDIT_SESSION_UNSET, root, rst.starttime + 1, 0), 0);
        assert_true(alive(root));
        assert_int_equal(kill(grandchild, 0), 0);

        int n = process_kill_session(NULL, AUDIT_SESSION_UNSET, root, rst.starttime, 0);
        assert_int_equal(n, 2);
        reap(root, &sig);
        assert_int_equal(sig, SIGKILL);
        usleep(20000);
        /* Reparented and killed: gone, or a zombie if init is slow to reap. */
        ProcStat gst;
        int gr = proc_stat_read(NULL, grandchild, &gst);
        assert_true(gr == -ENOENT || (gr == 0 && (gst.state == 'Z' || gst.state == 'X')));
        assert_true(alive(bystander));

        /* The protected PID survives even as the tree root. */
        ProcStat bst;
        assert_int_equal(proc_stat_read(NULL, bystander, &bst), 0);
        assert_int_equal(process_kill_session(NULL, AUDIT_SESSION_UNSET, bystander, bst.starttime, bystander), 0);
        assert_true(alive(bystander));
        kill(bystander, SIGKILL);
        reap(bystander, &sig);
}

/* By audit session on a fake /proc: only matching, non-protected entries are
 * chosen; the real kill of fake PIDs cannot happen (pidfd_open of numbers
 * that are no live process fails), so this checks selection without risk. */
static void test_audit_selection_fake_proc(void **state) {
        char *root = tmp_tree_new();
        /* PIDs far above pid_max: no live process can have them. */
        tmp_tree_write(root, "4000001/stat", "4000001 (bash) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 0\n");
        tmp_tree_write(root, "4000001/sessionid", "7");
        tmp_tree_write(root, "4000002/stat", "4000002 (sleep) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 101 0\n");
        tmp_tree_write(root, "4000002/sessionid", "8");
        assert_int_equal(process_kill_session(root, 7, 0, 0, 0), 0);
        tmp_tree_remove(root);
        free(root);
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

static void test_mount_point(void **state) {
        char *root = tmp_tree_new(), *path, *mnt = NULL;

        tmp_tree_write(root, "hybrid",
                       "25 30 0:23 / /sys rw - sysfs sysfs rw\n"
                       "35 25 0:30 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
                       "36 25 0:31 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw\n");
        tmp_tree_write(root, "none", "25 30 0:23 / /sys rw - sysfs sysfs rw\n");
        assert_true(asprintf(&path, "%s/hybrid", root) > 0);
        assert_int_equal(cgroup2_mount_point(path, &mnt), 0);
        assert_string_equal(mnt, "/sys/fs/cgroup/unified");
        free(mnt);
        free(path);
        assert_true(asprintf(&path, "%s/none", root) > 0);
        assert_int_equal(cgroup2_mount_point(path, &mnt), -ENOENT);
        free(path);
        tmp_tree_remove(root);
        free(root);
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

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_wrong_starttime_not_signalled),
                cmocka_unit_test(test_protected_pids),
                cmocka_unit_test(test_kill_tree),
                cmocka_unit_test(test_audit_selection_fake_proc),
                cmocka_unit_test(test_cgroup_guard),
                cmocka_unit_test(test_mount_point),
                cmocka_unit_test(test_count_procs),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
