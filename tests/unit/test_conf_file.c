/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "conf_file.h"
#include "fake_proc.h"
#include "time_span.h"

static void parse_ok(Config *c, const char *text) {
        char *error = NULL;
        config_init(c);
        int r = config_parse_text(c, text, "t.conf", &error);
        if (r < 0)
                fail_msg("unexpected error: %s", error);
}

static void parse_bad(const char *text, const char *want_error) {
        char *error = NULL;
        Config c;
        config_init(&c);
        int r = config_parse_text(&c, text, "t.conf", &error);
        if (r >= 0)
                fail_msg("accepted:\n%s", text);
        if (!error || strncmp(error, want_error, strlen(want_error)) != 0)
                fail_msg("error '%s', want it to start with '%s'", error ?: "(none)", want_error);
        free(error);
        config_done(&c);
}

static void test_defaults(void **state) {
        Config c;
        Effective e;

        config_init(&c);
        config_resolve(&c, "alice", NULL, 0, &e);
        assert_int_equal(e.input_timeout_usec, 15 * USEC_PER_MINUTE);
        assert_int_equal(e.kill_grace_usec, 10 * USEC_PER_SEC);
        assert_false(e.dry_run);
        assert_false(e.exempt);
        assert_string_equal(e.source, "[Watchdog]");
        config_done(&c);
}

static void test_full_file(void **state) {
        Config c;
        Effective e;
        char *alice_groups[] = { (char *) "alice", (char *) "contractors", (char *) "staff" };
        char *bob_groups[] = { (char *) "bob", (char *) "staff", (char *) "contractors" };

        parse_ok(&c, "# comment\n"
                     "; another\n"
                     "\n"
                     "[Watchdog]\n"
                     "InputTimeoutSec = 20min\n"
                     "KillGraceSec=5s\n"
                     "DryRun=yes\n"
                     "ExemptUsers=root backup\n"
                     "ExemptGroups=admins\n"
                     "\n"
                     "[User:alice]\n"
                     "InputTimeoutSec=1h\n"
                     "\n"
                     "[Group:staff]\n"
                     "InputTimeoutSec=30min\n"
                     "KillGraceSec=2s\n"
                     "\n"
                     "[Group:contractors]\n"
                     "InputTimeoutSec=2min ; inline comments take ';'\n");

        /* User beats group, key by key: alice's grace comes from [Group:staff],
         * the first matching group in file order (not in her group order). */
        config_resolve(&c, "alice", alice_groups, 3, &e);
        assert_int_equal(e.input_timeout_usec, USEC_PER_HOUR);
        assert_int_equal(e.kill_grace_usec, 2 * USEC_PER_SEC);
        assert_string_equal(e.source, "[User:alice]");
        assert_true(e.dry_run);

        config_resolve(&c, "bob", bob_groups, 3, &e);
        assert_int_equal(e.input_timeout_usec, 30 * USEC_PER_MINUTE);
        assert_string_equal(e.source, "[Group:staff]");

        char *carol_groups[] = { (char *) "contractors" };
        config_resolve(&c, "carol", carol_groups, 1, &e);
        assert_int_equal(e.input_timeout_usec, 2 * USEC_PER_MINUTE);
        assert_int_equal(e.kill_grace_usec, 5 * USEC_PER_SEC);

        config_resolve(&c, "dave", NULL, 0, &e);
        assert_int_equal(e.input_timeout_usec, 20 * USEC_PER_MINUTE);
        assert_false(e.exempt);

        config_resolve(&c, "backup", NULL, 0, &e);
        assert_true(e.exempt);
        char *admin_groups[] = { (char *) "eve", (char *) "admins" };
        config_resolve(&c, "eve", admin_groups, 2, &e);
        assert_true(e.exempt);
        config_done(&c);
}

static void test_lists_and_overrides(void **state) {
        Config c;
        Effective e;

        /* Later assignments win; an empty list assignment resets the list. */
        parse_ok(&c, "[Watchdog]\nExemptUsers=a b\nExemptUsers=c\nInputTimeoutSec=1min\nInputTimeoutSec=0\n");
        assert_int_equal(c.n_exempt_users, 3);
        config_resolve(&c, "x", NULL, 0, &e);
        assert_int_equal(e.input_timeout_usec, 0);
        char *error = NULL;
        assert_int_equal(config_parse_text(&c, "[Watchdog]\nExemptUsers=\nDryRun=off\n", "u.conf", &error), 0);
        assert_int_equal(c.n_exempt_users, 0);
        assert_false(c.dry_run);
        config_done(&c);

        /* Connections without a record: looked for every 30 s by default,
         * reported only. */
        parse_ok(&c, "[Watchdog]\n");
        assert_int_equal(c.unrecorded_scan_usec, 30 * USEC_PER_SEC);
        assert_false(c.end_unrecorded);
        config_done(&c);
        parse_ok(&c, "[Watchdog]\nUnrecordedScanSec=5s\nEndUnrecorded=yes\n");
        assert_int_equal(c.unrecorded_scan_usec, 5 * USEC_PER_SEC);
        assert_true(c.end_unrecorded);
        config_done(&c);
        parse_ok(&c, "[Watchdog]\nUnrecordedScanSec=0\n");
        assert_int_equal(c.unrecorded_scan_usec, 0);
        config_done(&c);
}

static void test_errors_have_file_and_line(void **state) {
        parse_bad("InputTimeoutSec=5\n", "t.conf:1: assignment outside of a section");
        parse_bad("[Watchdog]\nInputTimeoutSec=5 fortnights\n", "t.conf:2: InputTimeoutSec=: invalid time span");
        parse_bad("[Watchdog]\nInputTimeoutSec=99999999999999999999y\n", "t.conf:2: InputTimeoutSec=: time span");
        parse_bad("[Watchdog]\n\nKillGraceSec=\n", "t.conf:3: KillGraceSec=: invalid time span");
        parse_bad("[Watchdog]\nDryRun=maybe\n", "t.conf:2: DryRun=: expected yes or no");
        parse_bad("[Watchdog]\nInputTimeout=5s\n", "t.conf:2: unknown key 'InputTimeout' in [Watchdog]");
        parse_bad("[Watchdog]\n[Whatchdog]\n", "t.conf:2: unknown section [Whatchdog]");
        parse_bad("[Empty]\n", "t.conf:1: unknown section [Empty]");
        parse_bad("[User:]\nInputTimeoutSec=1\n", "t.conf:1: invalid name in section [User:]");
        parse_bad("[Group:a b]\n", "t.conf:1: invalid name");
        parse_bad("[Watchdog\n", "t.conf:1: section header without ']'");
        parse_bad("[Watchdog] x\n", "t.conf:1: text after section header");
        parse_bad("[Watchdog]\njunk\n", "t.conf:2: syntax error");
        parse_bad("[Watchdog]\nInputTimeoutSec=5s\n  10s\n", "t.conf:3: line starts with white space");
        parse_bad("[User:alice]\nDryRun=yes\n", "t.conf:2: DryRun= is valid only in [Watchdog]");
        parse_bad("[Group:x]\nExemptUsers=bob\n", "t.conf:2: ExemptUsers= is valid only in [Watchdog]");
        parse_bad("[Watchdog]\nExemptUsers=ok bad/name\n", "t.conf:2: ExemptUsers=: invalid name 'bad/name'");
        parse_bad("[Watchdog]\nUnrecordedScanSec=500ms\n", "t.conf:2: UnrecordedScanSec=: at least 1s");
        parse_bad("[Watchdog]\nUnrecordedScanSec=2h\n", "t.conf:2: UnrecordedScanSec=: at most 1h");
        parse_bad("[Watchdog]\nEndUnrecorded=sometimes\n", "t.conf:2: EndUnrecorded=: expected yes or no");
        parse_bad("[User:alice]\nEndUnrecorded=yes\n", "t.conf:2: EndUnrecorded= is valid only in [Watchdog]");

        /* A line longer than inih reads whole is an error, not silently split. */
        char *text = NULL;
        char big[400];
        memset(big, 'a', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        assert_true(asprintf(&text, "[Watchdog]\n\nExemptUsers=%s\n", big) > 0);
        parse_bad(text, "t.conf:3: line too long");
        free(text);
}

/* The kernel counts the silence in a u32 of milliseconds: a limit above
 * 49 days could never be reached. A grace that long means nothing, and
 * now + grace must not wrap. Both are refused with file:line. */
static void test_bounds(void **state) {
        Config c;
        char *error = NULL;

        parse_bad("[Watchdog]\nInputTimeoutSec=50d\n", "t.conf:2: InputTimeoutSec=: at most 49d");
        parse_bad("[User:alice]\nInputTimeoutSec=8w\n", "t.conf:2: InputTimeoutSec=: at most 49d");
        parse_bad("[Group:ops]\nKillGraceSec=2h\n", "t.conf:2: KillGraceSec=: at most 1h");
        parse_bad("[Watchdog]\nKillGraceSec=584542y\n", "t.conf:2: KillGraceSec=");

        config_init(&c);
        assert_int_equal(config_parse_text(&c, "[Watchdog]\nInputTimeoutSec=49d\nKillGraceSec=1h\n", "t.conf", &error), 0);
        assert_int_equal(c.watchdog.input_timeout_usec, 49 * 24 * 3600 * UINT64_C(1000000));
        assert_int_equal(c.watchdog.kill_grace_usec, 3600 * UINT64_C(1000000));
        config_done(&c);
}

/* IdleTimeoutSec= and IdleWarnSec= per section, key by key like the
 * input limit; the warning is cut to half the limit; limits under the
 * kernel's 8 s step of terminal time are refused. */
static void test_idle_limits(void **state) {
        Config c;
        Effective e;
        char *ops[] = { "ops" }, *dev[] = { "dev" }, src[300];

        config_init(&c);
        config_resolve(&c, "x", NULL, 0, &e);
        assert_int_equal(e.idle_timeout_usec, 0);
        assert_int_equal(e.idle_warn_usec, 0);

        parse_ok(&c, "[Watchdog]\nIdleTimeoutSec=15min\n"
                     "[Group:ops]\nIdleTimeoutSec=0\n"
                     "[Group:dev]\nIdleWarnSec=2min\n"
                     "[User:alice]\nIdleTimeoutSec=30s\n");
        config_resolve(&c, "x", NULL, 0, &e);
        assert_int_equal(e.idle_timeout_usec, 15 * USEC_PER_MINUTE);
        assert_int_equal(e.idle_warn_usec, 60 * USEC_PER_SEC);
        config_idle_source(&c, "x", NULL, 0, src, sizeof(src));
        assert_string_equal(src, "[Watchdog]");
        config_resolve(&c, "y", ops, 1, &e);
        assert_int_equal(e.idle_timeout_usec, 0);
        config_idle_source(&c, "y", ops, 1, src, sizeof(src));
        assert_string_equal(src, "[Group:ops]");
        assert_string_equal(e.source, "[Watchdog]");
        config_resolve(&c, "y", dev, 1, &e);
        assert_int_equal(e.idle_timeout_usec, 15 * USEC_PER_MINUTE);
        assert_int_equal(e.idle_warn_usec, 2 * USEC_PER_MINUTE);
        config_resolve(&c, "alice", dev, 1, &e);
        assert_int_equal(e.idle_timeout_usec, 30 * USEC_PER_SEC);
        assert_int_equal(e.idle_warn_usec, 15 * USEC_PER_SEC); /* half the limit */
        config_idle_source(&c, "alice", dev, 1, src, sizeof(src));
        assert_string_equal(src, "[User:alice]");
        config_done(&c);

        parse_bad("[Watchdog]\nIdleTimeoutSec=9s\n", "t.conf:2: IdleTimeoutSec=: at least 10s");
        parse_bad("[User:bob]\nIdleTimeoutSec=50d\n", "t.conf:2: IdleTimeoutSec=: at most 49d");
        parse_bad("[Watchdog]\n\nIdleWarnSec=2d\n", "t.conf:3: IdleWarnSec=: at most 24h");
        parse_bad("[Watchdog]\nIdleWarnSec=soon\n", "t.conf:2: IdleWarnSec=: invalid time span");
}

static void test_load_dropins(void **state) {
        char *root = tmp_tree_new(), *path, *error = NULL;
        Config c;
        Effective e;

        assert_true(asprintf(&path, "%s/watchdog.conf", root) > 0);

        /* No main file: built-in defaults, unless it must exist. */
        assert_int_equal(config_load(path, false, &c, &error), 0);
        assert_int_equal(c.n_files, 0);
        config_done(&c);
        assert_true(config_load(path, true, &c, &error) < 0);
        assert_non_null(strstr(error, "No such file"));
        free(error);
        error = NULL;

        tmp_tree_write(root, "watchdog.conf", "[Watchdog]\nInputTimeoutSec=10min\nKillGraceSec=3s\n");
        tmp_tree_write(root, "watchdog.conf.d/20-late.conf", "[Watchdog]\nInputTimeoutSec=30min\n");
        tmp_tree_write(root, "watchdog.conf.d/10-early.conf", "[Watchdog]\nInputTimeoutSec=20min\n[Group:ops]\nInputTimeoutSec=1min\n");
        tmp_tree_write(root, "watchdog.conf.d/30-ignored.conf.disabled", "garbage\n");
        tmp_tree_write(root, "watchdog.conf.d/.hidden.conf", "garbage\n");
        assert_int_equal(config_load(path, true, &c, &error), 0);
        assert_int_equal(c.n_files, 3);
        assert_non_null(strstr(c.files[1], "10-early.conf"));
        assert_non_null(strstr(c.files[2], "20-late.conf"));
        config_resolve(&c, "x", NULL, 0, &e);
        assert_int_equal(e.input_timeout_usec, 30 * USEC_PER_MINUTE); /* lexical order: 20 after 10 */
        assert_int_equal(e.kill_grace_usec, 3 * USEC_PER_SEC);
        char *ops[] = { (char *) "ops" };
        config_resolve(&c, "y", ops, 1, &e);
        assert_int_equal(e.input_timeout_usec, USEC_PER_MINUTE);

        /* print shows every section. */
        char *out = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&out, &size);
        config_print(&c, f);
        fclose(f);
        assert_non_null(strstr(out, "[Watchdog]\nInputTimeoutSec=30min\nKillGraceSec=3s\n"));
        assert_non_null(strstr(out, "[Group:ops]\nInputTimeoutSec=1min\nKillGraceSec=3s  (inherited)\n"));
        free(out);
        config_done(&c);

        /* An error in a drop-in names the drop-in and its line. */
        tmp_tree_write(root, "watchdog.conf.d/40-bad.conf", "[Watchdog]\nKillGraceSec=soon\n");
        assert_true(config_load(path, true, &c, &error) < 0);
        assert_non_null(strstr(error, "watchdog.conf.d/40-bad.conf:2: KillGraceSec=: invalid time span 'soon'"));
        free(error);

        free(path);
        tmp_tree_remove(root);
        free(root);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_full_file),
                cmocka_unit_test(test_lists_and_overrides),
                cmocka_unit_test(test_errors_have_file_and_line),
                cmocka_unit_test(test_bounds),
                cmocka_unit_test(test_idle_limits),
                cmocka_unit_test(test_load_dropins),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
