/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_proc.h"
#include "proc.h"
#include "process_tree.h"

static void test_parse(void **state) {
        pid_t *v = NULL;
        size_t n = 0, allocated = 0;

        assert_int_equal(proc_children_parse("12 34 ", &v, &n, &allocated), 0);
        assert_int_equal(proc_children_parse("", &v, &n, &allocated), 0);
        assert_int_equal(proc_children_parse("56", &v, &n, &allocated), 0);
        assert_int_equal(n, 3);
        assert_int_equal(v[2], 56);
        assert_int_equal(proc_children_parse("7 x ", &v, &n, &allocated), -EBADMSG);
        assert_int_equal(proc_children_parse("0 ", &v, &n, &allocated), -EBADMSG);
        assert_int_equal(proc_children_parse("99999999999999999999 ", &v, &n, &allocated), -EBADMSG);
        free(v);
}

static void test_real(void **state) {
        pid_t a = fork(), b, *v = NULL;
        size_t n = 0;

        if (a == 0) {
                pause();
                _exit(0);
        }
        b = fork();
        if (b == 0) {
                pause();
                _exit(0);
        }
        ProcStat self;
        assert_int_equal(proc_stat_read(NULL, getpid(), &self), 0);
        assert_int_equal(self.num_threads, 1);
        int r = proc_children(NULL, getpid(), 0, &v, &n);
        if (r == -EOPNOTSUPP) {
                kill(a, SIGKILL);
                kill(b, SIGKILL);
                waitpid(a, NULL, 0);
                waitpid(b, NULL, 0);
                skip();
        }
        assert_int_equal(r, 0);
        bool ha = false, hb = false;
        for (size_t i = 0; i < n; i++) {
                ha = ha || v[i] == a;
                hb = hb || v[i] == b;
        }
        assert_true(ha && hb);
        free(v);
        /* The short way for a single thread finds the same. */
        v = NULL;
        assert_int_equal(proc_children(NULL, getpid(), 1, &v, &n), 0);
        ha = hb = false;
        for (size_t i = 0; i < n; i++) {
                ha = ha || v[i] == a;
                hb = hb || v[i] == b;
        }
        assert_true(ha && hb);
        free(v);
        kill(a, SIGKILL);
        kill(b, SIGKILL);
        waitpid(a, NULL, 0);
        waitpid(b, NULL, 0);
        assert_int_equal(proc_children(NULL, a, 0, &v, &n), -ENOENT);
        assert_int_equal(proc_children(NULL, a, 1, &v, &n), -ENOENT);
}

static void add(const char *root, pid_t pid, pid_t ppid, unsigned long long start, bool children, const char *list) {
        char rel[64], text[200];
        snprintf(rel, sizeof(rel), "%d/stat", (int) pid);
        snprintf(text, sizeof(text), "%d (p) S %d 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 %llu 0\n", (int) pid, (int) ppid, start);
        tmp_tree_write(root, rel, text);
        snprintf(rel, sizeof(rel), "%d/task/%d/%s", (int) pid, (int) pid, children ? "children" : "stat");
        tmp_tree_write(root, rel, children ? list : text);
}

/* The same tree, told by children files or (a kernel without them) found
 * by a walk over all of /proc; a reused PID below is left out either way. */
static void test_tree_both_ways(void **state) {
        for (int way = 0; way < 2; way++) {
                char *root = tmp_tree_new();
                bool ch = way == 0;
                ProcessTree t = { .root = { 4000001, 100 } }, *trees[] = { &t };
                size_t n = 0;

                add(root, 4000001, 1, 100, ch, "4000002 4000003 ");
                add(root, 4000002, 4000001, 110, ch, "4000004 ");
                add(root, 4000003, 4000001, 120, ch, "");
                add(root, 4000004, 4000002, 130, ch, "");
                add(root, 4000005, 4000003, 90, ch, ""); /* "child" older than its parent: a reused PID */
                add(root, 4000006, 1, 140, ch, "");      /* not in the tree */
                if (ch)
                        tmp_tree_write(root, "4000003/task/4000003/children", "4000005 ");
                if (!ch)
                        assert_int_equal(proc_children(root, 4000001, 1, &(pid_t *) { NULL }, &n), -EOPNOTSUPP);
                assert_int_equal(process_tree_snapshot(root, trees, 1), 0);
                assert_int_equal(t.n_procs, 4);
                for (size_t i = 0; i < t.n_procs; i++)
                        assert_true(t.procs[i].pid != 4000005 && t.procs[i].pid != 4000006);
                free(t.procs);
                tmp_tree_remove(root);
                free(root);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_real),
                cmocka_unit_test(test_tree_both_ways),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
