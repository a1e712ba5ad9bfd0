/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Drives the built pam_sshd_watchdog.so through real Linux-PAM under
 * pam_wrapper, with libpamtest running the stack. Every service file names the
 * module by its absolute path in the build tree.
 */
#include "config.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <libpamtest.h>
#include <security/pam_appl.h>

#include "fake_proc.h"
#include "pam_wrap.h"
#include "proc.h"
#include "session_record.h"

static char *root;        /* scratch tree: services/, state dirs, env files */
static char *user;        /* the user we run as: it exists */
static char *record_name; /* <our pid>-<our start time> */

static const char *services_dir(void) {
        static char *p;
        if (!p && asprintf(&p, "%s/services", root) < 0)
                abort();
        return p;
}

static char *state_dir(const char *name) {
        char *p;
        if (asprintf(&p, "%s/%s", root, name) < 0)
                abort();
        return p;
}

/* Every stack sets PAM_RHOST from the environment first, as sshd would. */
static void write_services(void) {
        static const struct {
                const char *name, *dir, *extra;
        } svc[] = {
                { "swd-basic", "state-basic", "" },
                { "swd-debug", "state-debug", " debug" },
                { "swd-newdir", "state-new", "" },
                { "swd-notdir", "not-a-dir", "" },
                { "swd-notdir-strict", "not-a-dir", " strict" },
                { "swd-worldwritable", "state-ww", "" },
                { "swd-worldwritable-strict", "state-ww", " strict" },
                { "swd-unknown-args", "state-args", " bogus frobnicate=yes statedir=relative" },
                { "swd-strict", "state-strict", " strict" },
                { "swd-fds", "state-fds", "" },
        };
        char *stack;

        tmp_tree_mkdir(root, "services");
        for (size_t i = 0; i < sizeof(svc) / sizeof(svc[0]); i++) {
                if (asprintf(&stack, "session required %s/pam_set_items.so\n"
                                     "session required %s statedir=%s/%s%s\n",
                             PAM_WRAPPER_MODULES, MODULE_PATH, root, svc[i].dir, svc[i].extra) < 0)
                        abort();
                pam_wrap_write_service(services_dir(), svc[i].name, stack);
                free(stack);
        }

        /* XDG_SESSION_ID set in the PAM environment before our module runs,
         * by the real pam_env (as user_readenv would, from a user's file). */
        tmp_tree_write(root, "xdg.env", "XDG_SESSION_ID=42\n");
        tmp_tree_write(root, "empty.conf", "");
        if (asprintf(&stack,
                     "session required %s/pam_set_items.so\n"
                     "session required %s/pam_env.so readenv=1 user_readenv=0 envfile=%s/xdg.env conffile=%s/empty.conf\n"
                     "session required %s statedir=%s/state-xdg\n",
                     PAM_WRAPPER_MODULES, SYSTEM_SECUREDIR, root, root, MODULE_PATH, root) < 0)
                abort();
        pam_wrap_write_service(services_dir(), "swd-xdg", stack);
        free(stack);

        tmp_tree_write(root, "not-a-dir", "a file where the state dir should be\n");
}

static void run(const char *service, const char *as_user, enum pamtest_ops op, int expected) {
        struct pamtest_conv_data conv = {};
        struct pam_testcase tests[] = {
                pam_test(op, expected),
        };
        enum pamtest_err perr = run_pamtest(service, as_user, &conv, tests, NULL);
        if (perr != PAMTEST_ERR_OK)
                fail_msg("%s: %s: got PAM %d (%s), want %d", service, pamtest_strerror(perr),
                         tests[0].op_rv, pam_strerror(NULL, tests[0].op_rv), expected);
}

static int read_record(const char *dir, SessionRecord *rec) {
        int fd = session_dir_open(dir, false);
        if (fd < 0)
                return fd;
        int r = session_record_read(fd, record_name, rec);
        close(fd);
        return r;
}

static bool record_exists(const char *dir) {
        SessionRecord rec = SESSION_RECORD_NULL;
        int r = read_record(dir, &rec);
        session_record_done(&rec);
        return r == 0;
}

static void test_open_writes_record_close_removes(void **state) {
        char *dir = state_dir("state-basic");
        SessionRecord rec = SESSION_RECORD_NULL;
        struct passwd *pw = getpwnam(user);
        struct timespec before, after;
        char *cgroup = NULL;
        ProcStat st;
        uint32_t audit;
        int r;

        assert_non_null(pw);
        assert_int_equal(setenv("PAM_RHOST", "198.51.100.7", 1), 0);
        assert_int_equal(clock_gettime(CLOCK_REALTIME, &before), 0);
        run("swd-basic", user, PAMTEST_OPEN_SESSION, PAM_SUCCESS);
        assert_int_equal(clock_gettime(CLOCK_REALTIME, &after), 0);

        assert_int_equal(read_record(dir, &rec), 0);
        assert_string_equal(rec.user, user);
        assert_int_equal(rec.uid, pw->pw_uid);
        assert_string_equal(rec.remote_host, "198.51.100.7");
        assert_string_equal(rec.service, "swd-basic");
        assert_int_equal(rec.sshd_pid, getpid());
        assert_int_equal(proc_stat_read(NULL, getpid(), &st), 0);
        assert_int_equal(rec.sshd_starttime, st.starttime);

        r = proc_cgroup_read(NULL, getpid(), &cgroup);
        if (r == 0)
                assert_string_equal(rec.cgroup, cgroup);
        else
                assert_string_equal(rec.cgroup, "");
        free(cgroup);

        assert_null(rec.session_id); /* no pam_systemd in this stack */
        r = proc_sessionid_read(NULL, getpid(), &audit);
        if (r == 0)
                assert_int_equal(rec.audit_session, audit);
        else
                assert_int_equal(rec.audit_session, AUDIT_SESSION_UNSET);

        uint64_t lo = (uint64_t) before.tv_sec * 1000000 + (uint64_t) before.tv_nsec / 1000;
        uint64_t hi = (uint64_t) after.tv_sec * 1000000 + (uint64_t) after.tv_nsec / 1000;
        assert_true(rec.opened_usec >= lo && rec.opened_usec <= hi);
        session_record_done(&rec);

        run("swd-basic", user, PAMTEST_CLOSE_SESSION, PAM_SUCCESS);
        assert_int_equal(read_record(dir, &rec), -ENOENT);

        /* A second close finds nothing and still succeeds. */
        run("swd-basic", user, PAMTEST_CLOSE_SESSION, PAM_SUCCESS);
        free(dir);
}

static void test_no_rhost(void **state) {
        char *dir = state_dir("state-debug");
        SessionRecord rec = SESSION_RECORD_NULL;

        assert_int_equal(unsetenv("PAM_RHOST"), 0);
        run("swd-debug", user, PAMTEST_OPEN_SESSION, PAM_SUCCESS);
        assert_int_equal(read_record(dir, &rec), 0);
        assert_string_equal(rec.remote_host, "");
        session_record_done(&rec);
        run("swd-debug", user, PAMTEST_CLOSE_SESSION, PAM_SUCCESS);
        assert_false(record_exists(dir));
        free(dir);
}

/* XDG_SESSION_ID in the PAM environment (set here by the real pam_env, as a
 * user's ~/.pam_environment could) while the kernel says we are in no
 * session-42.scope: not recorded, so the daemon can never be pointed at
 * another user's logind session. The matching case needs logind's scopes:
 * the booted-container suite covers it. */
static void test_xdg_session_id_not_trusted(void **state) {
        char *dir = state_dir("state-xdg");
        SessionRecord rec = SESSION_RECORD_NULL;

        assert_int_equal(setenv("PAM_RHOST", "fd00::2", 1), 0);
        run("swd-xdg", user, PAMTEST_OPEN_SESSION, PAM_SUCCESS);
        assert_int_equal(read_record(dir, &rec), 0);
        assert_null(rec.session_id);
        assert_string_equal(rec.remote_host, "fd00::2");
        session_record_done(&rec);
        run("swd-xdg", user, PAMTEST_CLOSE_SESSION, PAM_SUCCESS);
        assert_false(record_exists(dir));
        free(dir);
}

static void test_missing_dir_created(void **state) {
        char *dir = state_dir("state-new"), *sessions;
        struct stat st;

        assert_int_equal(stat(dir, &st), -1);
        run("swd-newdir", user, PAMTEST_OPEN_SESSION, PAM_SUCCESS);
        assert_true(asprintf(&sessions, "%s/" SESSION_DIR_NAME, dir) > 0);
        assert_int_equal(lstat(sessions, &st), 0);
        assert_true(S_ISDIR(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 0700);
        assert_true(record_exists(dir));
        run("swd-newdir", user, PAMTEST_CLOSE_SESSION, PAM_SUCCESS);
        assert_false(record_exists(dir));
        free(sessions);
        free(dir);
}

static void test_unwritable_dir(void **state) {
        /* The state dir is a regular file: the login goes on... */
        run("swd-notdir", user, PAMTEST_OPEN_SESSION, PAM_SUCCESS);
        run("swd-notdir", user, PAMTEST_CLOSE_SESSION, PAM_SUCCESS);
        /* ...unless the admin asked for strict. */
        run("swd-notdir-strict", user, PAMTEST_OPEN_SESSION, PAM_SESSION_ERR);
        run("swd-notdir-strict", user, PAMTEST_CLOSE_SESSION, PAM_SESSION_ERR);
}

static void test_world_writable_dir_refused(void **state) {
        char *dir = state_dir("state-ww"), *sessions;
        DIR *d;
        struct dirent *de;
        unsigned entries = 0;

        assert_true(asprintf(&sessions, "%s/" SESSION_DIR_NAME, dir) > 0);
        tmp_tree_mkdir(root, "state-ww/" SESSION_DIR_NAME);
        assert_int_equal(chmod(sessions, 0777), 0);

        run("swd-worldwritable", user, PAMTEST_OPEN_SESSION, PAM_SUCCESS);
        run("swd-worldwritable-strict", user, PAMTEST_OPEN_SESSION, PAM_SESSION_ERR);

        /* Nothing was written into a directory anyone could have planted. */
        d = opendir(sessions);
        assert_non_null(d);
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        entries++;
        closedir(d);
        assert_int_equal(entries, 0);
        free(sessions);
        free(dir);
}

static void test_unknown_args_tolerated(void **state) {
        char *dir = state_dir("state-args");

        run("swd-unknown-args", user, PAMTEST_OPEN_SESSION, PAM_SUCCESS);
        /* The relative statedir= was ignored, the valid one kept. */
        assert_true(record_exists(dir));
        run("swd-unknown-args", user, PAMTEST_CLOSE_SESSION, PAM_SUCCESS);
        assert_false(record_exists(dir));
        free(dir);
}

static void test_unknown_user(void **state) {
        char *dir = state_dir("state-strict");

        run("swd-basic", "swd-no-such-user-x7", PAMTEST_OPEN_SESSION, PAM_SUCCESS);
        run("swd-strict", "swd-no-such-user-x7", PAMTEST_OPEN_SESSION, PAM_SESSION_ERR);
        assert_false(record_exists(dir));

        /* strict with a good user is an ordinary success. */
        run("swd-strict", user, PAMTEST_OPEN_SESSION, PAM_SUCCESS);
        assert_true(record_exists(dir));
        run("swd-strict", user, PAMTEST_CLOSE_SESSION, PAM_SUCCESS);
        assert_false(record_exists(dir));
        free(dir);
}

static unsigned count_fds(void) {
        DIR *d = opendir("/proc/self/fd");
        struct dirent *de;
        unsigned n = 0;

        assert_non_null(d);
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        n++;
        closedir(d);
        return n;
}

/* The module lives inside sshd: it must leave no descriptor behind. */
static void test_no_fd_leak(void **state) {
        unsigned before, after;

        /* Warm up: PAM loads the modules (and nss) on first use. */
        run("swd-fds", user, PAMTEST_OPEN_SESSION, PAM_SUCCESS);
        run("swd-fds", user, PAMTEST_CLOSE_SESSION, PAM_SUCCESS);
        before = count_fds();
        for (int i = 0; i < 20; i++) {
                run("swd-fds", user, PAMTEST_OPEN_SESSION, PAM_SUCCESS);
                run("swd-fds", user, PAMTEST_CLOSE_SESSION, PAM_SUCCESS);
        }
        after = count_fds();
        assert_int_equal(before, after);
}

int main(int argc, char **argv) {
        const char *wrapped_dir = getenv("PAM_WRAPPER_SERVICE_DIR");
        struct passwd *pw;
        ProcStat st;
        int r;

        (void) argc;
        if (!getenv("PAM_WRAPPER")) {
                root = tmp_tree_new();
                write_services();
                pam_wrap_reexec(argv, services_dir());
        }
        pam_wrap_at_exit();
        /* Re-executed: the scratch tree is the parent of the service dir. */
        if (!wrapped_dir || strncmp(wrapped_dir, "/tmp/swd-test.", 14) != 0) {
                fprintf(stderr, "PAM_WRAPPER is set but PAM_WRAPPER_SERVICE_DIR is not ours\n");
                return 1;
        }
        root = strdup(wrapped_dir);
        if (!root)
                abort();
        *strrchr(root, '/') = '\0';

        pw = getpwuid(geteuid());
        if (!pw || !(user = strdup(pw->pw_name)))
                abort();
        if (proc_stat_read(NULL, getpid(), &st) < 0 || session_record_name(getpid(), st.starttime, &record_name) < 0)
                abort();

        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_open_writes_record_close_removes),
                cmocka_unit_test(test_no_rhost),
                cmocka_unit_test(test_xdg_session_id_not_trusted),
                cmocka_unit_test(test_missing_dir_created),
                cmocka_unit_test(test_unwritable_dir),
                cmocka_unit_test(test_world_writable_dir_refused),
                cmocka_unit_test(test_unknown_args_tolerated),
                cmocka_unit_test(test_unknown_user),
                cmocka_unit_test(test_no_fd_leak),
        };
        r = cmocka_run_group_tests(tests, NULL, NULL);
        tmp_tree_remove(root);
        free(root);
        free(user);
        free(record_name);
        return r;
}
