/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The proofs before each way of killing, on a fake /proc and a fake cgroup
 * tree: every reason to refuse is exercised, and the one case that passes. */
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

#include "fake_proc.h"
#include "proof.h"

#define BOOT "5c3b2a1e-0f9d-4c8b-a7e6-d5c4b3a29180"
#define MONITOR_START 5000

static char *proc, *cg;

/* A process in the fake /proc: its stat, audit session (0: unset) and cgroup. */
static void add_proc(pid_t pid, pid_t ppid, uint64_t starttime, uint32_t audit, const char *cgroup) {
        char rel[64], text[256];

        snprintf(rel, sizeof(rel), "%d/stat", (int) pid);
        snprintf(text, sizeof(text), "%d (p) S %d 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 %llu 0\n", (int) pid, (int) ppid,
                 (unsigned long long) starttime);
        tmp_tree_write(proc, rel, text);
        snprintf(rel, sizeof(rel), "%d/sessionid", (int) pid);
        snprintf(text, sizeof(text), "%u", audit ? audit : 4294967295U);
        tmp_tree_write(proc, rel, text);
        snprintf(rel, sizeof(rel), "%d/cgroup", (int) pid);
        snprintf(text, sizeof(text), "0::%s\n", cgroup);
        tmp_tree_write(proc, rel, text);
}

static uint64_t cg_id(const char *path) {
        char *p;
        struct stat st;
        assert_true(asprintf(&p, "%s%s", cg, path) > 0);
        assert_int_equal(stat(p, &st), 0);
        free(p);
        return (uint64_t) st.st_ino;
}

static SessionRecord record(void) {
        return (SessionRecord) {
                .version = 2,
                .user = (char *) "alice",
                .uid = 1000,
                .remote_host = (char *) "198.51.100.7",
                .service = (char *) "sshd",
                .sshd_pid = 4242,
                .sshd_starttime = MONITOR_START,
                .parent_pid = 700,
                .parent_starttime = 100,
                .boot_id = (char *) BOOT,
                .cgroup = (char *) "/user.slice/session-7.scope",
                .cgroup_id = cg_id("/user.slice/session-7.scope"),
                .session_id = (char *) "7",
                .audit_session = 7,
                .opened_usec = 1,
        };
}

static int setup(void **state) {
        proc = tmp_tree_new();
        cg = tmp_tree_new();
        add_proc(1, 0, 1, 0, "/init.scope");
        add_proc(700, 1, 100, 0, "/system.slice/ssh.service");   /* sshd's listener */
        add_proc(4243, 4242, MONITOR_START + 10, 7, "/user.slice/session-7.scope"); /* the session's shell */
        tmp_tree_write(cg, "user.slice/session-7.scope/cgroup.procs", "4243\n");
        tmp_tree_write(cg, "system.slice/ssh.service/cgroup.procs", "700\n");
        tmp_tree_write(cg, "init.scope/cgroup.procs", "1\n");
        return 0;
}

static int teardown(void **state) {
        tmp_tree_remove(proc);
        tmp_tree_remove(cg);
        free(proc);
        free(cg);
        return 0;
}

static void test_scope(void **state) {
        ProcRef listener = { .pid = 700, .starttime = 100 };
        ProofContext c;
        assert_int_equal(proof_context_init(&c, proc, cg, NULL, &listener, 1), 0);
        SessionRecord rec = record();
        char *why = NULL;

        assert_int_equal(proof_scope(&c, &rec, &why), 1);
        assert_null(why);
        assert_int_equal(proof_logind(&c, &rec, &why), 1);

        /* Not made for this login (the module recorded no id). */
        rec.cgroup_id = 0;
        assert_int_equal(proof_scope(&c, &rec, &why), 0);
        assert_non_null(strstr(why, "not made for this login"));
        free(why);
        /* An older module's record. */
        rec = record();
        rec.version = 1;
        assert_int_equal(proof_scope(&c, &rec, &why), 0);
        free(why);
        /* No cgroup file system. */
        rec = record();
        c.cgroup_mount = NULL;
        assert_int_equal(proof_scope(&c, &rec, &why), 0);
        free(why);
        c.cgroup_mount = cg;
        /* Gone, or another cgroup of the same name now: nothing left of ours. */
        rec.cgroup_id += 1;
        assert_int_equal(proof_scope(&c, &rec, &why), -ENOENT);
        rec = record();
        rec.cgroup = (char *) "/user.slice/session-8.scope";
        assert_int_equal(proof_scope(&c, &rec, &why), -ENOENT);

        /* A logind session id that is not the scope's. */
        rec = record();
        rec.session_id = (char *) "8";
        assert_int_equal(proof_logind(&c, &rec, &why), 0);
        free(why);
        rec.session_id = NULL;
        assert_int_equal(proof_logind(&c, &rec, &why), 0);
        free(why);
        proof_context_done(&c);
}

/* The cgroup holds what it must not: sshd's listener (restarted into it),
 * a process older than the login, or, below it, an older one. */
static void test_scope_refused(void **state) {
        ProcRef listener = { .pid = 700, .starttime = 100 };
        ProofContext c;
        assert_int_equal(proof_context_init(&c, proc, cg, NULL, &listener, 1), 0);
        SessionRecord rec = record();
        char *why = NULL;

        /* What is protected is read when the batch starts. */
        add_proc(700, 1, 100, 0, "/user.slice/session-7.scope");
        proof_context_done(&c);
        assert_int_equal(proof_context_init(&c, proc, cg, NULL, &listener, 1), 0);
        assert_int_equal(proof_scope(&c, &rec, &why), 0);
        assert_non_null(strstr(why, "listener"));
        free(why);
        add_proc(700, 1, 100, 0, "/system.slice/ssh.service");
        proof_context_done(&c);
        assert_int_equal(proof_context_init(&c, proc, cg, NULL, &listener, 1), 0);
        assert_int_equal(proof_scope(&c, &rec, &why), 1);

        /* A parent of PID 1's cgroup. */
        add_proc(1, 0, 1, 0, "/user.slice/session-7.scope/init");
        proof_context_done(&c);
        assert_int_equal(proof_context_init(&c, proc, cg, NULL, &listener, 1), 0);
        assert_int_equal(proof_scope(&c, &rec, &why), 0);
        free(why);
        add_proc(1, 0, 1, 0, "/init.scope");
        proof_context_done(&c);
        assert_int_equal(proof_context_init(&c, proc, cg, NULL, &listener, 1), 0);

        add_proc(4244, 1, MONITOR_START - 1, 0, "/user.slice/session-7.scope");
        tmp_tree_write(cg, "user.slice/session-7.scope/cgroup.procs", "4243\n4244\n");
        assert_int_equal(proof_scope(&c, &rec, &why), 0);
        assert_non_null(strstr(why, "older than the login"));
        free(why);

        tmp_tree_write(cg, "user.slice/session-7.scope/cgroup.procs", "4243\n");
        tmp_tree_write(cg, "user.slice/session-7.scope/sub/cgroup.procs", "4244\n");
        assert_int_equal(proof_scope(&c, &rec, &why), 0);
        free(why);
        tmp_tree_write(cg, "user.slice/session-7.scope/sub/cgroup.procs", "");
        assert_int_equal(proof_scope(&c, &rec, &why), 1);
        proof_context_done(&c);
}

static void test_audit(void **state) {
        ProcRef listener = { .pid = 700, .starttime = 100 };
        ProofContext c;
        assert_int_equal(proof_context_init(&c, proc, cg, NULL, &listener, 1), 0);
        SessionRecord rec = record(), unset = record(), v1 = record();
        AuditProof a[3];

        unset.audit_session = AUDIT_SESSION_UNSET;
        v1.version = 1;
        a[0] = (AuditProof) { .rec = &rec };
        a[1] = (AuditProof) { .rec = &unset };
        a[2] = (AuditProof) { .rec = &v1 };
        assert_int_equal(proof_audit(&c, a, 3), 0);
        assert_true(a[0].proven);
        assert_null(a[0].why);
        assert_false(a[1].proven);
        assert_false(a[2].proven);
        free(a[1].why);
        free(a[2].why);

        /* Carried by PID 1 (a container started from a login), by sshd's
         * listener (started by hand from a login), or by any process older
         * than the monitor: inherited, not the login's. */
        static const struct {
                pid_t pid, ppid;
                uint64_t start;
                const char *says;
        } carriers[] = {
                { 1, 0, 1, "PID 1" },
                { 700, 1, 100, "listener" },
                { 600, 1, 200, "older than the login" },
        };
        for (size_t i = 0; i < sizeof(carriers) / sizeof(carriers[0]); i++) {
                add_proc(carriers[i].pid, carriers[i].ppid, carriers[i].start, 7, "/");
                a[0] = (AuditProof) { .rec = &rec };
                assert_int_equal(proof_audit(&c, a, 1), 0);
                assert_false(a[0].proven);
                if (!strstr(a[0].why, carriers[i].says))
                        fail_msg("carrier %d: \"%s\"", (int) carriers[i].pid, a[0].why);
                free(a[0].why);
                add_proc(carriers[i].pid, carriers[i].ppid, carriers[i].start, 0, "/");
        }
        /* This daemon. */
        add_proc(getpid(), 1, 300, 7, "/");
        a[0] = (AuditProof) { .rec = &rec };
        assert_int_equal(proof_audit(&c, a, 1), 0);
        assert_false(a[0].proven);
        assert_non_null(strstr(a[0].why, "daemon"));
        free(a[0].why);
        add_proc(getpid(), 1, 300, 0, "/");

        /* Two sessions with one id: neither's own. */
        SessionRecord twin = record();
        a[0] = (AuditProof) { .rec = &rec };
        a[1] = (AuditProof) { .rec = &twin };
        assert_int_equal(proof_audit(&c, a, 2), 0);
        assert_false(a[0].proven);
        assert_false(a[1].proven);
        free(a[0].why);
        free(a[1].why);
        proof_context_done(&c);
}

/* A listener no record knows: sshd restarted into the login's recorded
 * cgroup (or audit session) after the login, so younger than it. Found by
 * what it runs and holds: root's, an sshd executable, a listening socket. */
static void fake_listener(pid_t pid, uint32_t audit, const char *cgroup, uid_t uid) {
        char rel[64], text[128];

        add_proc(pid, 1, MONITOR_START + 100, audit, cgroup);
        tmp_tree_write(proc, "bin/sshd", "");
        snprintf(rel, sizeof(rel), "%d/exe", (int) pid);
        snprintf(text, sizeof(text), "%s/bin/sshd", proc);
        tmp_tree_symlink(proc, rel, text);
        snprintf(rel, sizeof(rel), "%d/status", (int) pid);
        snprintf(text, sizeof(text), "Name:\tsshd\nUid:\t%u\t%u\t%u\t%u\n", (unsigned) uid, (unsigned) uid,
                 (unsigned) uid, (unsigned) uid);
        tmp_tree_write(proc, rel, text);
        snprintf(rel, sizeof(rel), "%d/fd/3", (int) pid);
        tmp_tree_symlink(proc, rel, "socket:[777]");
}

static void test_listener_found_now(void **state) {
        SshdListeners l = { .proc_root = proc };
        ProcRef listener = { .pid = 700, .starttime = 100 };
        SessionRecord rec = record();
        char *why = NULL;
        ProofContext c;
        AuditProof a;

        assert_int_equal(id_map_put(&l.listening, 777, 1), 0);
        fake_listener(4300, 7, "/user.slice/session-7.scope", 0);
        tmp_tree_write(cg, "user.slice/session-7.scope/cgroup.procs", "4243\n4300\n");
        assert_int_equal(sshd_listener_is(&l, 4300), 1);
        assert_int_equal(sshd_listener_is(&l, 4243), 0);
        assert_int_equal(sshd_listener_is(&l, 4399), -ESRCH);

        /* Without the kernel's word, the record's parent alone: proven. */
        assert_int_equal(proof_context_init(&c, proc, cg, NULL, &listener, 1), 0);
        assert_int_equal(proof_scope(&c, &rec, &why), 1);
        proof_context_done(&c);
        /* With it: refused, for the cgroup and the audit session alike. */
        assert_int_equal(proof_context_init(&c, proc, cg, &l, &listener, 1), 0);
        assert_int_equal(proof_scope(&c, &rec, &why), 0);
        assert_non_null(strstr(why, "PID 4300, sshd's listener"));
        free(why);
        assert_int_equal(proof_logind(&c, &rec, &why), 0);
        free(why);
        a = (AuditProof) { .rec = &rec };
        assert_int_equal(proof_audit(&c, &a, 1), 0);
        assert_false(a.proven);
        assert_non_null(strstr(a.why, "listener PID 4300"));
        free(a.why);

        /* Not a listener: a user's session process listening for a forward,
         * and an sshd that holds no listening socket (a monitor). */
        fake_listener(4301, 7, "/user.slice/session-7.scope", 1000);
        tmp_tree_write(cg, "user.slice/session-7.scope/cgroup.procs", "4243\n4301\n");
        assert_int_equal(sshd_listener_is(&l, 4301), 0);
        assert_int_equal(proof_scope(&c, &rec, &why), 1);
        id_map_done(&l.listening);
        assert_int_equal(sshd_listener_is(&l, 4300), 0);
        proof_context_done(&c);
        sshd_listeners_done(&l);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_scope, setup, teardown),
                cmocka_unit_test_setup_teardown(test_scope_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_audit, setup, teardown),
                cmocka_unit_test_setup_teardown(test_listener_found_now, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
