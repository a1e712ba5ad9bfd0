/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kill of what a session left, on real processes: the tree taken before
 * the monitor exits is still killed after it (its children then belong to
 * PID 1); a process whose PID was reused is not; a job that forks all the
 * time is caught; in an audit session of its own, every process of the user
 * is caught and another user's is left alone; with no memory, nothing is
 * signalled and the target is marked to be tried again. The audit cases
 * need root and a writable /proc/self/loginuid, and skip without. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "macro.h"
#include "proc.h"
#include "process_tree.h"
#include "sweep.h"

static void msleep(unsigned ms) {
        struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000 };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* Alive, and not a zombie: killed processes reparented to a slow PID 1 may
 * stay zombies a while. */
static bool running(pid_t pid) {
        ProcStat st;
        return proc_stat_read(NULL, pid, &st) == 0 && st.state != 'Z' && st.state != 'X';
}

static ProcRef ref_of(pid_t pid) {
        ProcStat st;
        assert_int_equal(proc_stat_read(NULL, pid, &st), 0);
        return (ProcRef) { .pid = pid, .starttime = st.starttime };
}

/* The test is the subreaper of what it starts, so that orphans come back to
 * it (and are reaped) rather than to whatever PID 1 this host has. */
static void reap_all(void) {
        while (waitpid(-1, NULL, WNOHANG) > 0)
                ;
}

/* After each test, failed or not: whatever it started and left (a hopper
 * keeps hopping) is killed and reaped here, not left to a PID 1 that may
 * never reap. */
static int kill_leftovers(void **state) {
        for (int i = 0; i < 200; i++) {
                _cleanup_free_ pid_t *v = NULL;
                size_t n = 0;
                reap_all();
                if (proc_children(NULL, getpid(), 1, &v, &n) < 0 || n == 0)
                        return 0;
                for (size_t k = 0; k < n; k++)
                        (void) kill(v[k], SIGKILL);
                msleep(5);
        }
        return -1;
}

static size_t n_children(pid_t pid) {
        _cleanup_free_ pid_t *v = NULL;
        size_t n = 0;
        return proc_children(NULL, pid, 1, &v, &n) < 0 ? 0 : n;
}

static void wait_gone(pid_t pid) {
        for (int i = 0; i < 200 && running(pid); i++) {
                reap_all();
                msleep(5);
        }
        reap_all();
        assert_false(running(pid));
}

/* A root with a child and a grandchild; the pids come back through a pipe. */
static pid_t spawn_family(pid_t *child, pid_t *grandchild) {
        int p[2];
        pid_t root;

        assert_int_equal(pipe(p), 0);
        root = fork();
        assert_true(root >= 0);
        if (root == 0) {
                pid_t c = fork();
                if (c == 0) {
                        pid_t g = fork();
                        if (g == 0) {
                                pause();
                                _exit(0);
                        }
                        (void) write(p[1], &g, sizeof(g));
                        pause();
                        _exit(0);
                }
                (void) write(p[1], &c, sizeof(c));
                pause();
                _exit(0);
        }
        assert_int_equal(read(p[0], child, sizeof(*child)), (ssize_t) sizeof(*child));
        assert_int_equal(read(p[0], grandchild, sizeof(*grandchild)), (ssize_t) sizeof(*grandchild));
        close(p[0]);
        close(p[1]);
        return root;
}

static void test_tree_after_root_exits(void **state) {
        pid_t child, grandchild, root = spawn_family(&child, &grandchild), bystander;
        ProcessTree roots[2] = {}, *trees[] = { &roots[0], &roots[1] };

        bystander = fork();
        if (bystander == 0) {
                pause();
                _exit(0);
        }
        roots[0].root = ref_of(root);
        /* A root whose PID is someone else's now: an empty tree. */
        roots[1].root = (ProcRef) { .pid = bystander, .starttime = ref_of(bystander).starttime + 1 };
        assert_int_equal(process_tree_snapshot(NULL, trees, 2), 0);
        assert_int_equal(roots[0].n_procs, 3);
        assert_int_equal(roots[1].n_procs, 0);

        /* The "monitor" exits; its children belong to whoever reaps orphans. */
        kill(root, SIGKILL);
        assert_int_equal(waitpid(root, NULL, 0), root);
        assert_true(running(child));

        SweepTarget t = { .tree = roots[0].procs, .n_tree = roots[0].n_procs, .audit = AUDIT_SESSION_UNSET, .uid = getuid() };
        assert_int_equal(sweep_kill(NULL, &t, 1, NULL, 0, NULL, NULL, 16), 0);
        assert_int_equal(t.killed_tree, 2);
        assert_int_equal(t.killed_audit, 0);
        assert_false(t.incomplete);
        wait_gone(child);
        wait_gone(grandchild);
        assert_true(running(bystander));
        kill(bystander, SIGKILL);
        waitpid(bystander, NULL, 0);
        free(roots[0].procs);
}

/* The next this many calls of calloc fail (the test binary is linked with
 * --wrap=calloc): memory running out in the middle of a kill. */
static int calloc_failures;
void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size) {
        if (calloc_failures > 0) {
                calloc_failures--;
                errno = ENOMEM;
                return NULL;
        }
        return __real_calloc(n, size);
}

static bool stopped(pid_t pid) {
        ProcStat st;
        return proc_stat_read(NULL, pid, &st) == 0 && st.state == 'T';
}

/* No memory for the sweep's own bookkeeping: nothing is signalled (not
 * even stopped), and the target says it is to be tried again, which the
 * kill round turns into another round. The next sweep kills the tree. */
static void test_out_of_memory_retried(void **state) {
        pid_t child, grandchild, root = spawn_family(&child, &grandchild);
        ProcessTree tr = { .root = ref_of(root) }, *trees[] = { &tr };

        assert_int_equal(process_tree_snapshot(NULL, trees, 1), 0);
        assert_int_equal(tr.n_procs, 3);
        SweepTarget t = { .tree = tr.procs, .n_tree = tr.n_procs, .audit = AUDIT_SESSION_UNSET, .uid = getuid() };

        calloc_failures = 1;
        assert_int_equal(sweep_kill(NULL, &t, 1, NULL, 0, NULL, NULL, 16), -ENOMEM);
        calloc_failures = 0;
        assert_true(t.incomplete);
        assert_int_equal(t.killed_tree, 0);
        assert_true(running(root) && running(child) && running(grandchild));
        assert_false(stopped(root) || stopped(child) || stopped(grandchild));

        assert_int_equal(sweep_kill(NULL, &t, 1, NULL, 0, NULL, NULL, 16), 0);
        assert_false(t.incomplete);
        assert_int_equal(t.killed_tree, 3);
        assert_int_equal(waitpid(root, NULL, 0), root);
        wait_gone(child);
        wait_gone(grandchild);
        free(tr.procs);
}

/* The PID of a tree member names another process now: it is not killed. */
static void test_reused_pid_spared(void **state) {
        pid_t p = fork();
        if (p == 0) {
                pause();
                _exit(0);
        }
        ProcRef stale = ref_of(p);
        stale.starttime += 1;
        SweepTarget t = { .tree = &stale, .n_tree = 1, .audit = AUDIT_SESSION_UNSET, .uid = getuid() };
        assert_int_equal(sweep_kill(NULL, &t, 1, NULL, 0, NULL, NULL, 16), 0);
        assert_int_equal(t.killed_tree, 0);
        msleep(20);
        assert_true(running(p));

        /* Nor a protected one, nor the caller, whatever the tree says. */
        ProcRef me = ref_of(getpid()), good = ref_of(p);
        ProcRef both[] = { me, good };
        t = (SweepTarget) { .tree = both, .n_tree = 2, .audit = AUDIT_SESSION_UNSET, .uid = getuid() };
        assert_int_equal(sweep_kill(NULL, &t, 1, &p, 1, NULL, NULL, 0), 0);
        assert_int_equal(t.killed_tree, 0);
        assert_true(running(p));
        kill(p, SIGKILL);
        waitpid(p, NULL, 0);
}

/* A tree member that forks a child every millisecond: every one of them is
 * caught, the last pass finding nothing new. */
static void test_forker(void **state) {
        pid_t forker = fork();
        if (forker == 0) {
                for (;;) {
                        pid_t c = fork();
                        if (c == 0) {
                                pause();
                                _exit(0);
                        }
                        msleep(1);
                }
        }
        /* At least ten children first, however slow fork() is here. */
        for (int i = 0; i < 400 && n_children(forker) < 10; i++)
                msleep(5);
        ProcRef r = ref_of(forker);
        SweepTarget t = { .tree = &r, .n_tree = 1, .audit = AUDIT_SESSION_UNSET, .uid = getuid() };
        assert_int_equal(sweep_kill(NULL, &t, 1, NULL, 0, NULL, NULL, 16), 0);
        assert_true(t.killed_tree >= 10);
        assert_false(t.incomplete);
        wait_gone(forker);
        /* No child of the forker is left: they come back to us, the
         * subreaper, only to be reaped. */
        int i;
        for (i = 0; i < 200 && !(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD); i++)
                msleep(5);
        assert_true(i < 200);
}

static bool can_audit(void) {
        return geteuid() == 0 && access("/proc/self/loginuid", W_OK) == 0;
}

/* In a new process: a new audit session (as pam_loginuid would give a
 * login), then fn. Returns its pid and, through the pipe, its audit id. */
static pid_t spawn_in_audit_session(void (*fn)(void), uint32_t *ret_id) {
        int p[2];
        pid_t pid;

        assert_int_equal(pipe(p), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                int fd = open("/proc/self/loginuid", O_WRONLY | O_CLOEXEC);
                uint32_t id = 0;
                if (fd < 0 || write(fd, "0", 1) != 1 || proc_sessionid_read(NULL, getpid(), &id) < 0)
                        _exit(1);
                close(fd);
                (void) write(p[1], &id, sizeof(id));
                close(p[1]);
                fn();
                _exit(0);
        }
        assert_int_equal(read(p[0], ret_id, sizeof(*ret_id)), (ssize_t) sizeof(*ret_id));
        close(p[0]);
        close(p[1]);
        return pid;
}

static volatile uint32_t *beat; /* shared: the hopper's heartbeat */

static volatile uint32_t *mmap_shared(void) {
        void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        assert_true(p != MAP_FAILED);
        return p;
}

/* Every 2 ms a new process that starts the next one and exits. */
static void hopper(void) {
        for (;;) {
                pid_t c = fork();
                if (c < 0)
                        _exit(1);
                if (c > 0)
                        _exit(0);
                (*beat)++;
                msleep(2);
        }
}

static bool beating(void) {
        uint32_t a = *beat;
        msleep(100);
        return *beat != a;
}

/* A job that always sits at a PID no single pass listed. */
static void test_audit_hopper(void **state) {
        uint32_t id;
        pid_t start;

        if (!can_audit())
                skip();
        beat = mmap_shared();
        start = spawn_in_audit_session(hopper, &id);
        waitpid(start, NULL, 0);
        assert_true(beating());

        SweepTarget t = { .audit = id, .uid = getuid() };
        assert_int_equal(sweep_kill(NULL, &t, 1, NULL, 0, NULL, NULL, 16), 0);
        assert_true(t.killed_audit >= 1);
        assert_false(t.incomplete);
        assert_false(beating());
        reap_all();
}

/* In the audit session: the user's own process is killed; another user's
 * (sudo, a service started from the session) only if it is in the tree. */
static void other_user(void) {
        pid_t mine = fork();
        if (mine == 0) {
                prctl(PR_SET_NAME, "swd-mine");
                pause();
                _exit(0);
        }
        pid_t other = fork();
        if (other == 0) {
                prctl(PR_SET_NAME, "swd-other");
                if (setresuid(65534, 65534, 65534) < 0)
                        _exit(1);
                pause();
                _exit(0);
        }
        pause();
}

static pid_t find_child_named(pid_t parent, const char *name) {
        for (int i = 0; i < 100; i++) {
                _cleanup_free_ pid_t *v = NULL;
                char path[64], comm[32] = "";
                size_t n = 0;
                if (proc_children(NULL, parent, 1, &v, &n) < 0)
                        n = 0;
                for (size_t k = 0; k < n; k++) {
                        pid_t p = v[k];
                        FILE *f;
                        snprintf(path, sizeof(path), "/proc/%d/comm", (int) p);
                        if (!(f = fopen(path, "re")))
                                continue;
                        if (fgets(comm, sizeof(comm), f))
                                comm[strcspn(comm, "\n")] = '\0';
                        fclose(f);
                        if (strcmp(comm, name) == 0)
                                return p;
                }
                msleep(10);
        }
        return 0;
}

static void test_audit_other_user(void **state) {
        uint32_t id;
        pid_t session, mine, other;

        if (!can_audit())
                skip();
        session = spawn_in_audit_session(other_user, &id);
        mine = find_child_named(session, "swd-mine");
        other = find_child_named(session, "swd-other");
        assert_true(mine > 0 && other > 0);

        /* Not in the tree: the other user's process stays, even as a child
         * of a process of the session. */
        SweepTarget t = { .audit = id, .uid = getuid() };
        assert_int_equal(sweep_kill(NULL, &t, 1, NULL, 0, NULL, NULL, 16), 0);
        assert_int_equal(t.killed_audit, 2); /* session and mine */
        assert_int_equal(t.killed_tree, 0);
        wait_gone(mine);
        assert_true(running(other));

        /* In the tree it is the session's. */
        ProcRef r = ref_of(other);
        t = (SweepTarget) { .tree = &r, .n_tree = 1, .audit = id, .uid = getuid() };
        assert_int_equal(sweep_kill(NULL, &t, 1, NULL, 0, NULL, NULL, 16), 0);
        assert_int_equal(t.killed_tree, 1);
        wait_gone(other);
        reap_all();
}

static int setup(void **state) {
        /* Orphans of the tests come back here, and are reaped here. */
        return prctl(PR_SET_CHILD_SUBREAPER, 1) < 0 ? -1 : 0;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_teardown(test_tree_after_root_exits, kill_leftovers),
                cmocka_unit_test_teardown(test_reused_pid_spared, kill_leftovers),
                cmocka_unit_test_teardown(test_out_of_memory_retried, kill_leftovers),
                cmocka_unit_test_teardown(test_forker, kill_leftovers),
                cmocka_unit_test_teardown(test_audit_hopper, kill_leftovers),
                cmocka_unit_test_teardown(test_audit_other_user, kill_leftovers),
        };
        return cmocka_run_group_tests(tests, setup, NULL);
}
