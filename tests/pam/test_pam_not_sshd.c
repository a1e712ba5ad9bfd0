/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pam-auth-update puts the module in common-session, which su, login, cron
 * and sudo run too. Anywhere but in sshd it must do nothing and say
 * PAM_IGNORE: this test runs under pam_wrapper as itself (a file not named
 * sshd), with the module "required" before pam_permit: PAM_IGNORE makes
 * the stack succeed, where a module that acted would leave a record and
 * one that failed to load would fail the stack.
 */
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

#include <libpamtest.h>
#include <pwd.h>
#include <security/pam_appl.h>

#include "fake_proc.h"
#include "pam_wrap.h"

static char *root, *user;

static char *path_in(const char *rel) {
        char *p;
        if (asprintf(&p, "%s/%s", root, rel) < 0)
                abort();
        return p;
}

static void test_ignored_outside_sshd(void **state) {
        struct pamtest_conv_data conv = {};
        struct pam_testcase tests[] = {
                pam_test(PAMTEST_OPEN_SESSION, PAM_SUCCESS),
                pam_test(PAMTEST_CLOSE_SESSION, PAM_SUCCESS),
        };
        enum pamtest_err perr = run_pamtest("swd-su", user, &conv, tests, NULL);
        char *state_dir = path_in("state");
        struct stat st;

        if (perr != PAMTEST_ERR_OK)
                fail_msg("swd-su: %s: open %d, close %d", pamtest_strerror(perr), tests[0].op_rv, tests[1].op_rv);
        /* Not even the state directory was made. */
        assert_int_equal(stat(state_dir, &st), -1);
        assert_int_equal(errno, ENOENT);
        free(state_dir);
}

int main(int argc, char **argv) {
        const char *wrapped_dir = getenv("PAM_WRAPPER_SERVICE_DIR");
        struct passwd *pw;

        (void) argc;
        if (!getenv("PAM_WRAPPER")) {
                char *services, *stack;
                root = tmp_tree_new();
                services = path_in("services");
                tmp_tree_mkdir(root, "services");
                if (asprintf(&stack,
                             "session required %s statedir=%s/state debug\n"
                             "session required %s/pam_permit.so\n",
                             MODULE_PATH, root, SYSTEM_SECUREDIR) < 0)
                        abort();
                pam_wrap_write_service(services, "swd-su", stack);
                pam_wrap_reexec(argv, services, false);
        }
        pam_wrap_at_exit();
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

        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ignored_outside_sshd),
        };
        int failed = cmocka_run_group_tests(tests, NULL, NULL);
        tmp_tree_remove(root);
        return failed;
}
