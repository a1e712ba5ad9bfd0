/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who may register a session: the walk from a helper's PID up to its sshd
 * monitor, on a fake /proc. Every reason to refuse is exercised, and the
 * trees that pass (OpenSSH 9.2's sshd, 9.8+'s sshd-session, a shell in
 * between or not). */
#include "config.h"

#include <errno.h>
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
#include "peer_monitor.h"

#define USER 1000

static char *root, *proc;

/* A process: parent, start time, real and effective UID, executable (a
 * file under the fake tree: "bin/sshd-session"). */
static void add(pid_t pid, pid_t ppid, uint64_t start, uid_t ruid, uid_t euid, const char *exe) {
        char rel[64], text[256], *target;

        snprintf(rel, sizeof(rel), "%d/stat", (int) pid);
        snprintf(text, sizeof(text), "%d (p) S %d 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 %llu 0 0\n", (int) pid,
                 (int) ppid, (unsigned long long) start);
        tmp_tree_write(proc, rel, text);
        snprintf(rel, sizeof(rel), "%d/status", (int) pid);
        snprintf(text, sizeof(text), "Name:\tp\nUid:\t%u\t%u\t%u\t%u\n", (unsigned) ruid, (unsigned) euid,
                 (unsigned) euid, (unsigned) euid);
        tmp_tree_write(proc, rel, text);
        snprintf(rel, sizeof(rel), "%d/exe", (int) pid);
        assert_true(asprintf(&target, "%s/%s", root, exe) > 0);
        tmp_tree_symlink(proc, rel, target);
        free(target);
}

static int setup(void **state) {
        root = tmp_tree_new();
        assert_true(asprintf(&proc, "%s/proc", root) > 0);
        tmp_tree_write(root, "bin/sshd", "listener and 9.2's monitor");
        tmp_tree_write(root, "bin/sshd-session", "9.8+'s monitor");
        tmp_tree_write(root, "other/sshd-session", "a copy: same name, another file");
        tmp_tree_write(root, "bin/sh", "shell");
        tmp_tree_write(root, "bin/helper", "sshd-watchdog-exec");
        tmp_tree_write(root, "bin/cron", "cron");
        /* The listener, and a 9.8+ connection: monitor 100, its child 101,
         * the shell 102, the helper 103. */
        add(50, 1, 10, 0, 0, "bin/sshd");
        add(100, 50, 500, 0, 0, "bin/sshd-session");
        add(101, 100, 510, USER, USER, "bin/sshd-session");
        add(102, 101, 520, USER, USER, "bin/sh");
        add(103, 102, 530, USER, USER, "bin/helper");
        return 0;
}

static int teardown(void **state) {
        tmp_tree_remove(root);
        free(proc);
        free(root);
        return 0;
}

static void expect_refused(pid_t pid, uid_t uid, const char *reason) {
        PeerMonitor pm;
        char *why = NULL;

        assert_int_equal(peer_monitor_find(proc, pid, uid, &pm, &why), -EPERM);
        assert_non_null(why);
        if (!strstr(why, reason))
                fail_msg("refused for \"%s\", expected \"%s\"", why, reason);
        free(why);
}

static void test_found(void **state) {
        PeerMonitor pm;
        char *why = NULL;

        assert_int_equal(peer_monitor_find(proc, 103, USER, &pm, &why), 0);
        assert_null(why);
        assert_int_equal(pm.monitor.pid, 100);
        assert_int_equal(pm.monitor.starttime, 500);
        assert_int_equal(pm.parent.pid, 50);
        assert_int_equal(pm.parent.starttime, 10);
        assert_int_equal(pm.session.pid, 101);
        assert_int_equal(pm.peer.pid, 103);
        assert_int_equal(pm.peer.starttime, 530);

        /* bash -c execs a lone command: the helper right below sshd's child. */
        add(104, 101, 540, USER, USER, "bin/helper");
        assert_int_equal(peer_monitor_find(proc, 104, USER, &pm, &why), 0);
        assert_int_equal(pm.monitor.pid, 100);

        /* OpenSSH 9.2: monitor and child run sshd itself. */
        add(200, 50, 600, 0, 0, "bin/sshd");
        add(201, 200, 610, USER, USER, "bin/sshd");
        add(202, 201, 620, USER, USER, "bin/helper");
        assert_int_equal(peer_monitor_find(proc, 202, USER, &pm, &why), 0);
        assert_int_equal(pm.monitor.pid, 200);
        assert_int_equal(pm.session.pid, 201);

        /* Socket activation (sshd@.service), or a listener restarted since:
         * the monitor's parent is PID 1. */
        add(1, 0, 1, 0, 0, "bin/cron");
        add(210, 1, 650, 0, 0, "bin/sshd-session");
        add(211, 210, 660, USER, USER, "bin/sshd-session");
        add(212, 211, 670, USER, USER, "bin/helper");
        assert_int_equal(peer_monitor_find(proc, 212, USER, &pm, &why), 0);
        assert_int_equal(pm.monitor.pid, 210);
        assert_int_equal(pm.parent.pid, 1);
        assert_int_equal(pm.parent.starttime, 1);
}

static void test_refused(void **state) {
        PeerMonitor pm;
        char *why = NULL;

        expect_refused(103, 0, "runs as root");
        /* SO_PEERCRED's UID is not the one the process runs as now. */
        expect_refused(103, 2000, "no longer runs as UID 2000");

        /* Reparented to PID 1 (a double fork, the session gone). */
        add(300, 1, 700, USER, USER, "bin/helper");
        expect_refused(300, USER, "its parent is PID 1");

        /* Another user's process in between. */
        add(310, 101, 710, 2000, 2000, "bin/sh");
        add(311, 310, 720, USER, USER, "bin/helper");
        expect_refused(311, USER, "neither the user nor root");
        /* A setuid parent: real UID the user's, effective root. */
        add(320, 101, 730, USER, 0, "bin/sh");
        add(321, 320, 740, USER, USER, "bin/helper");
        expect_refused(321, USER, "neither the user nor root");

        /* A root process that is not sshd (cron, a root shell's setpriv). */
        add(400, 1, 800, 0, 0, "bin/cron");
        add(401, 400, 810, USER, USER, "bin/cron");
        add(402, 401, 820, USER, USER, "bin/helper");
        expect_refused(402, USER, "not sshd");

        /* Named sshd-session, but another file than the monitor's: not the
         * child sshd forked. */
        add(500, 50, 900, 0, 0, "bin/sshd-session");
        add(501, 500, 910, USER, USER, "other/sshd-session");
        add(502, 501, 920, USER, USER, "bin/helper");
        expect_refused(502, USER, "not sshd's own session process");
        /* The user's own process right under the monitor, running something else. */
        add(510, 500, 930, USER, USER, "bin/sh");
        add(511, 510, 940, USER, USER, "bin/helper");
        expect_refused(511, USER, "not sshd's own session process");

        /* A chain deeper than the bound. */
        pid_t prev = 101;
        for (pid_t p = 600; p < 600 + PEER_MONITOR_MAX_DEPTH + 2; p++) {
                add(p, prev, 1000 + (uint64_t) p, USER, USER, "bin/sh");
                prev = p;
        }
        expect_refused(prev, USER, "more than");

        /* Gone, or a zombie: not refused, vanished. */
        assert_int_equal(peer_monitor_find(proc, 999, USER, &pm, &why), -ESRCH);
        tmp_tree_write(proc, "700/stat", "700 (p) Z 102 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1500 0 0\n");
        tmp_tree_write(proc, "700/status", "Uid:\t1000\t1000\t1000\t1000\n");
        assert_int_equal(peer_monitor_find(proc, 700, USER, &pm, &why), -ESRCH);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_found, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
