/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a login may claim as its own, on a fake /proc and cgroup tree: the
 * module's proofs at open_session and the registration's later, after sshd
 * was restarted under its sessions too. */
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
#include "login_proof.h"

#define SSHD_UNIT "/system.slice/ssh.service"
#define SCOPE "/user.slice/user-1000.slice/session-7.scope"
#define CONN_UNIT "/system.slice/system-sshd.slice/sshd@3-169.254.77.1:22-169.254.77.2:50022.service"

static char *proc, *cg;

/* A process: its parent, cgroup, audit session (0: unset) and executable. */
static void add_proc(pid_t pid, pid_t ppid, const char *cgroup, uint32_t audit, const char *exe) {
        char rel[64], text[256];

        snprintf(rel, sizeof(rel), "%d/stat", (int) pid);
        snprintf(text, sizeof(text), "%d (p) S %d 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 %d 0\n", (int) pid, (int) ppid,
                 (int) pid);
        tmp_tree_write(proc, rel, text);
        snprintf(rel, sizeof(rel), "%d/cgroup", (int) pid);
        snprintf(text, sizeof(text), "0::%s\n", cgroup);
        tmp_tree_write(proc, rel, text);
        snprintf(rel, sizeof(rel), "%d/sessionid", (int) pid);
        snprintf(text, sizeof(text), "%u", audit ? audit : 4294967295U);
        tmp_tree_write(proc, rel, text);
        snprintf(rel, sizeof(rel), "bin/%s", exe);
        tmp_tree_write(proc, rel, "");
        snprintf(text, sizeof(text), "%s/%d/exe", proc, (int) pid);
        (void) unlink(text); /* added again, as another process */
        snprintf(rel, sizeof(rel), "%d/exe", (int) pid);
        snprintf(text, sizeof(text), "%s/bin/%s", proc, exe);
        tmp_tree_symlink(proc, rel, text);
}

static void cgroup_holds(const char *cgroup, const char *pids) {
        char rel[256];
        snprintf(rel, sizeof(rel), "%s/cgroup.procs", cgroup + 1);
        tmp_tree_write(cg, rel, pids);
}

static uint64_t cg_id(const char *cgroup) {
        char *p;
        struct stat st;
        assert_true(asprintf(&p, "%s%s", cg, cgroup) > 0);
        assert_int_equal(stat(p, &st), 0);
        free(p);
        return (uint64_t) st.st_ino;
}

static int setup(void **state) {
        proc = tmp_tree_new();
        cg = tmp_tree_new();
        add_proc(1, 0, "/init.scope", 0, "systemd");
        add_proc(700, 1, SSHD_UNIT, 0, "sshd");                  /* the listener */
        add_proc(800, 1, "/user.slice/other.scope", 0, "tini"); /* a subreaper */
        cgroup_holds("/init.scope", "1\n");
        cgroup_holds(SSHD_UNIT, "700\n");
        return 0;
}

static int teardown(void **state) {
        tmp_tree_remove(proc);
        tmp_tree_remove(cg);
        free(proc);
        free(cg);
        return 0;
}

static int cgroup_proof(const char *cgroup, pid_t parent, bool alone, uint64_t *id, const char **why) {
        return login_cgroup_proof(proc, cg, cgroup, 4242, parent, alone, id, why);
}

static void test_cgroup(void **state) {
        const char *why;
        uint64_t id;

        /* pam_systemd's scope, the monitor alone in it, its listener alive. */
        add_proc(4242, 700, SCOPE, 7, "sshd");
        cgroup_holds(SCOPE, "4242\n");
        assert_int_equal(cgroup_proof(SCOPE, 700, true, &id, &why), 1);
        assert_int_equal(id, cg_id(SCOPE));
        /* Later, with the session's processes below the monitor. */
        add_proc(4243, 4242, SCOPE, 7, "sshd");
        add_proc(4250, 4243, SCOPE, 7, "bash");
        cgroup_holds(SCOPE, "4242\n4243\n4250\n");
        assert_int_equal(cgroup_proof(SCOPE, 700, false, &id, &why), 1);
        assert_int_equal(cgroup_proof(SCOPE, 700, true, &id, &why), 0);
        assert_non_null(strstr(why, "not the login's"));
        /* A process of another login, or reparented away, in it. */
        add_proc(4300, 1, SCOPE, 0, "sleep");
        cgroup_holds(SCOPE, "4242\n4300\n");
        assert_int_equal(cgroup_proof(SCOPE, 700, false, &id, &why), 0);
        assert_int_equal(id, 0);
        /* Below it, too. */
        cgroup_holds(SCOPE, "4242\n");
        tmp_tree_write(cg, "user.slice/user-1000.slice/session-7.scope/sub/cgroup.procs", "4300\n");
        assert_int_equal(cgroup_proof(SCOPE, 700, false, &id, &why), 0);
        tmp_tree_write(cg, "user.slice/user-1000.slice/session-7.scope/sub/cgroup.procs", "");
        assert_int_equal(cgroup_proof(SCOPE, 700, false, &id, &why), 1);

        /* sshd's own cgroup, shared with every session. */
        add_proc(4242, 700, SSHD_UNIT, 0, "sshd");
        cgroup_holds(SSHD_UNIT, "700\n4242\n");
        assert_int_equal(cgroup_proof(SSHD_UNIT, 700, true, &id, &why), 0);
        assert_non_null(strstr(why, "sshd's own"));
        /* The same after sshd was restarted (KillMode=process): the old
         * monitor is PID 1's, or a subreaper's, and alone in sshd's cgroup
         * until the new listener comes. Not its own. */
        add_proc(4242, 1, SSHD_UNIT, 0, "sshd");
        cgroup_holds(SSHD_UNIT, "4242\n");
        assert_int_equal(cgroup_proof(SSHD_UNIT, 1, false, &id, &why), 0);
        assert_non_null(strstr(why, "not sshd's listener"));
        assert_int_equal(cgroup_proof(SSHD_UNIT, 800, false, &id, &why), 0);
        assert_non_null(strstr(why, "not sshd's listener"));
        /* A socket unit's connection (Accept=yes): PID 1 is its parent. */
        add_proc(4242, 1, CONN_UNIT, 0, "sshd");
        cgroup_holds(CONN_UNIT, "4242\n");
        assert_int_equal(cgroup_proof(CONN_UNIT, 1, true, &id, &why), 1);
        assert_int_equal(id, cg_id(CONN_UNIT));
        /* The root, or none. */
        assert_int_equal(cgroup_proof("/", 700, true, &id, &why), 0);
        assert_int_equal(cgroup_proof("", 700, true, &id, &why), 0);
        /* No such cgroup: no proof, and an error to say so. */
        add_proc(4242, 700, "/user.slice/gone.scope", 0, "sshd");
        assert_true(cgroup_proof("/user.slice/gone.scope", 700, true, &id, &why) < 0);
}

static void test_audit(void **state) {
        const char *why;
        uint32_t id;

        /* pam_loginuid gave the login its own id. */
        add_proc(4242, 700, SCOPE, 7, "sshd");
        assert_int_equal(login_audit_proof(proc, SCOPE, 4242, 700, &id, &why), 1);
        assert_int_equal(id, 7);
        /* None set. */
        add_proc(4242, 700, SCOPE, 0, "sshd");
        assert_int_equal(login_audit_proof(proc, SCOPE, 4242, 700, &id, &why), 0);
        /* The listener's, inherited: sshd started from an admin's login. */
        add_proc(700, 1, SSHD_UNIT, 9, "sshd");
        add_proc(4242, 700, SCOPE, 9, "sshd");
        assert_int_equal(login_audit_proof(proc, SCOPE, 4242, 700, &id, &why), 0);
        assert_non_null(strstr(why, "inherited"));
        /* The same id after sshd's restart: PID 1 has none, which proves
         * nothing, since PID 1 did not start the monitor. */
        add_proc(4242, 1, SSHD_UNIT, 9, "sshd");
        assert_int_equal(login_audit_proof(proc, SSHD_UNIT, 4242, 1, &id, &why), 0);
        assert_non_null(strstr(why, "not sshd's listener"));
        /* A socket unit's connection, with pam_loginuid. */
        add_proc(4242, 1, CONN_UNIT, 11, "sshd");
        assert_int_equal(login_audit_proof(proc, CONN_UNIT, 4242, 1, &id, &why), 1);
        assert_int_equal(id, 11);
}

static void test_connection_unit(void **state) {
        assert_true(cgroup_is_connection_unit(CONN_UNIT));
        assert_true(cgroup_is_connection_unit("/system.slice/ssh@0-1.2.3.4:22-5.6.7.8:9.service"));
        assert_false(cgroup_is_connection_unit(SSHD_UNIT));
        assert_false(cgroup_is_connection_unit("/system.slice/sshd@.service"));
        assert_false(cgroup_is_connection_unit("/system.slice/@x.service"));
        assert_false(cgroup_is_connection_unit("/user.slice/user-1000.slice/user@1000.service/app.slice"));
        assert_false(cgroup_is_connection_unit("/system.slice/sshd@x.scope"));
        assert_false(cgroup_is_connection_unit(""));
        assert_false(cgroup_is_connection_unit(NULL));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_cgroup, setup, teardown),
                cmocka_unit_test_setup_teardown(test_audit, setup, teardown),
                cmocka_unit_test(test_connection_unit),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
