/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_proc.h"
#include "proc.h"
#include "session_record.h"

#define BOOT "5c3b2a1e-0f9d-4c8b-a7e6-d5c4b3a29180"

#define GOOD_TEXT                                                  \
        "VERSION=2\n"                                              \
        "USER=alice\n"                                             \
        "UID=1000\n"                                               \
        "REMOTE_HOST=198.51.100.7\n"                               \
        "SERVICE=sshd\n"                                           \
        "SSHD_PID=4242\n"                                          \
        "SSHD_STARTTIME=1234567\n"                                 \
        "PARENT_PID=700\n"                                         \
        "PARENT_STARTTIME=1500\n"                                  \
        "BOOT_ID=" BOOT "\n"                                        \
        "CGROUP=/user.slice/user-1000.slice/session-7.scope\n"     \
        "CGROUP_ID=9876\n"                                         \
        "SESSION_ID=7\n"                                           \
        "AUDIT_SESSION=7\n"                                        \
        "SOCKET_INODE=55555\n"                                     \
        "OPENED_USEC=1763700000000000\n"

/* What the module of version 1 wrote: still read, proves less. */
#define V1_TEXT                                                    \
        "VERSION=1\n"                                              \
        "USER=alice\n"                                             \
        "UID=1000\n"                                               \
        "REMOTE_HOST=198.51.100.7\n"                               \
        "SERVICE=sshd\n"                                           \
        "SSHD_PID=4242\n"                                          \
        "SSHD_STARTTIME=1234567\n"                                 \
        "CGROUP=/user.slice/user-1000.slice/session-7.scope\n"     \
        "SESSION_ID=7\n"                                           \
        "AUDIT_SESSION=7\n"                                        \
        "OPENED_USEC=1763700000000000\n"

static SessionRecord sample(void) {
        return (SessionRecord) {
                .version = 2,
                .user = (char *) "alice",
                .uid = 1000,
                .remote_host = (char *) "198.51.100.7",
                .service = (char *) "sshd",
                .sshd_pid = 4242,
                .sshd_starttime = 1234567,
                .parent_pid = 700,
                .parent_starttime = 1500,
                .boot_id = (char *) BOOT,
                .cgroup = (char *) "/user.slice/user-1000.slice/session-7.scope",
                .cgroup_id = 9876,
                .session_id = (char *) "7",
                .audit_session = 7,
                .socket_inode = 55555,
                .opened_usec = UINT64_C(1763700000000000),
        };
}

static int parse(const char *text, unsigned *line) {
        SessionRecord rec = SESSION_RECORD_NULL;
        int r = session_record_parse(text, strlen(text), &rec, line);
        session_record_done(&rec);
        return r;
}

/* ---- names */

static void test_name(void **state) {
        char *name = NULL;
        pid_t pid;
        uint64_t st;

        assert_int_equal(session_record_name(4242, 1234567, &name), 0);
        assert_string_equal(name, "4242-1234567");
        assert_int_equal(session_record_parse_name(name, &pid, &st), 0);
        assert_int_equal(pid, 4242);
        assert_int_equal(st, 1234567);
        free(name);

        assert_int_equal(session_record_name(0, 1, &name), -EINVAL);
        assert_int_equal(session_record_parse_name(".4242-1234567.tmp", &pid, &st), -EINVAL);
        assert_int_equal(session_record_parse_name("4242-1234567.tmp", &pid, &st), -EINVAL);
        assert_int_equal(session_record_parse_name("4242", &pid, &st), -EINVAL);
        assert_int_equal(session_record_parse_name("-5", &pid, &st), -EINVAL);
        assert_int_equal(session_record_parse_name("0-5", &pid, &st), -EINVAL);
        assert_int_equal(session_record_parse_name("99999999999-5", &pid, &st), -EINVAL);
        assert_int_equal(session_record_parse_name("5-", &pid, &st), -EINVAL);
        assert_int_equal(session_record_parse_name("5-1-2", &pid, &st), -EINVAL);
}

/* ---- text format */

static void test_format_exact(void **state) {
        SessionRecord rec = sample();
        char *text = NULL;

        assert_int_equal(session_record_format(&rec, &text), 0);
        assert_string_equal(text, GOOD_TEXT);
        free(text);

        /* Optional keys are left out, not written empty. */
        rec.session_id = NULL;
        rec.audit_session = AUDIT_SESSION_UNSET;
        rec.cgroup = (char *) "";
        rec.cgroup_id = 0;
        rec.socket_inode = 0;
        rec.remote_host = (char *) "";
        assert_int_equal(session_record_format(&rec, &text), 0);
        assert_null(strstr(text, "SESSION_ID"));
        assert_null(strstr(text, "AUDIT_SESSION"));
        assert_null(strstr(text, "CGROUP_ID"));
        assert_null(strstr(text, "SOCKET_INODE"));
        assert_non_null(strstr(text, "\nCGROUP=\n"));
        assert_non_null(strstr(text, "\nREMOTE_HOST=\n"));
        free(text);
}

static void test_roundtrip(void **state) {
        SessionRecord rec = sample(), back = SESSION_RECORD_NULL;
        char *text = NULL;

        assert_int_equal(session_record_format(&rec, &text), 0);
        assert_int_equal(session_record_parse(text, strlen(text), &back, NULL), 0);
        assert_string_equal(back.user, "alice");
        assert_int_equal(back.uid, 1000);
        assert_string_equal(back.remote_host, "198.51.100.7");
        assert_string_equal(back.service, "sshd");
        assert_int_equal(back.sshd_pid, 4242);
        assert_int_equal(back.sshd_starttime, 1234567);
        assert_string_equal(back.cgroup, "/user.slice/user-1000.slice/session-7.scope");
        assert_string_equal(back.session_id, "7");
        assert_int_equal(back.audit_session, 7);
        assert_int_equal(back.version, 2);
        assert_int_equal(back.parent_pid, 700);
        assert_int_equal(back.parent_starttime, 1500);
        assert_string_equal(back.boot_id, BOOT);
        assert_int_equal(back.cgroup_id, 9876);
        assert_int_equal(back.socket_inode, 55555);
        assert_int_equal(back.opened_usec, UINT64_C(1763700000000000));
        assert_int_equal(back.registered, REGISTERED_NO);
        session_record_done(&back);
        free(text);

        /* Written by the daemon for sshd-watchdog-exec. */
        rec.registered = REGISTERED_EXEC;
        assert_int_equal(session_record_format(&rec, &text), 0);
        assert_non_null(strstr(text, "\nREGISTERED=exec\n"));
        assert_int_equal(session_record_parse(text, strlen(text), &back, NULL), 0);
        assert_int_equal(back.registered, REGISTERED_EXEC);
        session_record_done(&back);
        free(text);
        /* Written by the daemon for a connection it found without a record. */
        rec.registered = REGISTERED_FOUND;
        assert_int_equal(session_record_format(&rec, &text), 0);
        assert_non_null(strstr(text, "\nREGISTERED=found\n"));
        assert_int_equal(session_record_parse(text, strlen(text), &back, NULL), 0);
        assert_int_equal(back.registered, REGISTERED_FOUND);
        session_record_done(&back);
        free(text);
        rec.registered = REGISTERED_NO;

        /* Marked closed by close_session: the client had died. */
        rec.closed_usec = UINT64_C(1763700060000000);
        rec.closed_silence_usec = 6008000;
        rec.closed_by = CONNECTION_END_KERNEL;
        assert_int_equal(session_record_format(&rec, &text), 0);
        assert_non_null(strstr(text, "\nCLOSED_USEC=1763700060000000\nCLOSED_SILENCE_USEC=6008000\nCLOSED_BY=kernel\n"));
        assert_int_equal(session_record_parse(text, strlen(text), &back, NULL), 0);
        assert_int_equal(back.closed_usec, rec.closed_usec);
        assert_int_equal(back.closed_silence_usec, 6008000);
        assert_int_equal(back.closed_by, CONNECTION_END_KERNEL);
        session_record_done(&back);
        free(text);
        /* Closed, but not by anyone who gave up on the client: refused. */
        rec.closed_by = CONNECTION_END_CLIENT;
        assert_int_equal(session_record_format(&rec, &text), -EINVAL);
        rec.closed_usec = rec.closed_silence_usec = 0;

        /* Spaces in the user name and the host: kept, not a reason to leave
         * the session unwatched. */
        rec.user = (char *) "John Smith";
        rec.remote_host = (char *) "a host with spaces";
        assert_int_equal(session_record_format(&rec, &text), 0);
        assert_int_equal(session_record_parse(text, strlen(text), &back, NULL), 0);
        assert_string_equal(back.user, "John Smith");
        assert_string_equal(back.remote_host, "a host with spaces");
        session_record_done(&back);
        free(text);
        rec = sample();

        /* Without the optional keys, and an IPv6 peer. */
        rec.session_id = NULL;
        rec.audit_session = AUDIT_SESSION_UNSET;
        rec.remote_host = (char *) "fd00::2";
        assert_int_equal(session_record_format(&rec, &text), 0);
        assert_int_equal(session_record_parse(text, strlen(text), &back, NULL), 0);
        assert_null(back.session_id);
        assert_int_equal(back.audit_session, AUDIT_SESSION_UNSET);
        assert_string_equal(back.remote_host, "fd00::2");
        session_record_done(&back);
        free(text);
}

static void test_format_refuses_bad_values(void **state) {
        char *text = NULL;
        SessionRecord rec;

#define REFUSE(field, value)                                                   \
        do {                                                                   \
                rec = sample();                                                \
                rec.field = value;                                             \
                assert_int_equal(session_record_format(&rec, &text), -EINVAL); \
        } while (0)

        REFUSE(user, (char *) "ali\nce");
        REFUSE(user, (char *) "");
        REFUSE(user, NULL);
        REFUSE(user, (char *) "a\tb");
        REFUSE(remote_host, (char *) "host\nUID=0");
        REFUSE(remote_host, NULL);
        REFUSE(service, (char *) "../sshd");
        REFUSE(cgroup, (char *) "relative/path");
        REFUSE(cgroup, (char *) "/a\tb");
        REFUSE(cgroup, (char *) "/user.slice/../system.slice");
        REFUSE(cgroup, (char *) "/user.slice/..");
        REFUSE(cgroup, (char *) "/./x");
        REFUSE(cgroup, (char *) "//x");
        REFUSE(boot_id, NULL);
        REFUSE(boot_id, (char *) "5c3b2a1e0f9d4c8ba7e6d5c4b3a29180");
        REFUSE(boot_id, (char *) "5C3B2A1E-0F9D-4C8B-A7E6-D5C4B3A29180");
        REFUSE(parent_pid, 0);
        REFUSE(version, 3);
        REFUSE(session_id, (char *) "7/../8");
        REFUSE(session_id, (char *) "");
        REFUSE(sshd_pid, 0);
        REFUSE(uid, (uid_t) -1);
        REFUSE(opened_usec, 0);
#undef REFUSE
        assert_null(text);

        char *long_user = malloc(300);
        assert_non_null(long_user);
        memset(long_user, 'u', 299);
        long_user[299] = '\0';
        rec = sample();
        rec.user = long_user;
        assert_int_equal(session_record_format(&rec, &text), -EINVAL);
        free(long_user);
}

static char *replace_line(const char *key, const char *line) {
        /* GOOD_TEXT with the line of `key` replaced by `line` (no newline). */
        const char *start = strstr(GOOD_TEXT, key), *end = strchr(start, '\n');
        char *out;
        assert_true(asprintf(&out, "%.*s%s%s", (int) (start - GOOD_TEXT), GOOD_TEXT, line, end) > 0);
        return out;
}

static void test_parse_hostile(void **state) {
        unsigned line = 99;

        assert_int_equal(parse(GOOD_TEXT, &line), 0);

        /* Truncated: the last line lost its newline, or half the file is gone. */
        assert_int_equal(parse("VERSION=2\nUSER=alice\nUID=1000", &line), -EBADMSG);
        assert_int_equal(line, 3);
        assert_int_equal(parse("VERSION=2\nUSER=alice\n", &line), -EBADMSG);
        assert_int_equal(line, 0);
        assert_int_equal(parse("", &line), -EPROTONOSUPPORT);

        /* Unknown VERSION, or none. */
        assert_int_equal(parse("VERSION=3\n", &line), -EPROTONOSUPPORT);
        assert_int_equal(line, 1);
        assert_int_equal(parse("VERSION=0\n", &line), -EPROTONOSUPPORT);
        assert_int_equal(parse(GOOD_TEXT + strlen("VERSION=2\n"), &line), -EPROTONOSUPPORT);

        /* Version 1 is read; it cannot carry version 2's proofs, and version
         * 2 cannot leave them out. */
        assert_int_equal(parse(V1_TEXT, &line), 0);
        assert_int_equal(parse(V1_TEXT "CGROUP_ID=5\n", &line), -EBADMSG);
        assert_int_equal(parse(V1_TEXT "SOCKET_INODE=5\n", &line), -EBADMSG);
        assert_int_equal(parse(V1_TEXT "REGISTERED=exec\n", &line), -EBADMSG);
        assert_int_equal(parse(GOOD_TEXT "REGISTERED=pam\n", &line), -EBADMSG);
        assert_int_equal(parse(GOOD_TEXT "REGISTERED=\n", &line), -EBADMSG);
        assert_int_equal(parse(GOOD_TEXT "REGISTERED=exec\n", &line), 0);
        /* The close: all three keys, or none; a known closer; version 2. */
        assert_int_equal(parse(GOOD_TEXT "CLOSED_USEC=5\nCLOSED_SILENCE_USEC=0\nCLOSED_BY=sshd\n", &line), 0);
        assert_int_equal(parse(GOOD_TEXT "CLOSED_USEC=5\nCLOSED_SILENCE_USEC=0\n", &line), -EBADMSG);
        assert_int_equal(parse(GOOD_TEXT "CLOSED_BY=sshd\n", &line), -EBADMSG);
        assert_int_equal(parse(GOOD_TEXT "CLOSED_USEC=0\nCLOSED_SILENCE_USEC=0\nCLOSED_BY=sshd\n", &line), -EBADMSG);
        assert_int_equal(parse(GOOD_TEXT "CLOSED_USEC=5\nCLOSED_SILENCE_USEC=0\nCLOSED_BY=client\n", &line), -EBADMSG);
        assert_int_equal(parse(V1_TEXT "CLOSED_USEC=5\nCLOSED_SILENCE_USEC=0\nCLOSED_BY=sshd\n", &line), -EBADMSG);
        assert_int_equal(parse(V1_TEXT "BOOT_ID=" BOOT "\n", &line), -EBADMSG);
        char *no_boot = replace_line("BOOT_ID=", "PARENT_STARTTIME2=1");
        assert_int_equal(parse(no_boot, &line), -EBADMSG);
        free(no_boot);

        /* Duplicate and unknown keys, missing '=', blank lines, comments. */
        assert_int_equal(parse(GOOD_TEXT "UID=0\n", &line), -EBADMSG);
        assert_int_equal(line, 17);
        assert_int_equal(parse(GOOD_TEXT "EXTRA=1\n", &line), -EBADMSG);
        assert_int_equal(parse(GOOD_TEXT "JUNK\n", &line), -EBADMSG);
        assert_int_equal(parse(GOOD_TEXT "\n", &line), -EBADMSG);
        assert_int_equal(parse("# comment\n" GOOD_TEXT, &line), -EBADMSG);
        assert_int_equal(line, 1);
        assert_int_equal(parse("version=1\n", &line), -EBADMSG);

        /* A NUL hidden in the middle. */
        static const char nul[] = "VERSION=1\nUSER=al\0ice\n";
        SessionRecord rec = SESSION_RECORD_NULL;
        assert_int_equal(session_record_parse(nul, sizeof(nul) - 1, &rec, NULL), -EBADMSG);
}

static void test_parse_bad_values(void **state) {
        static const struct {
                const char *key, *line;
        } bad[] = {
                { "UID=", "UID=abc" },
                { "UID=", "UID=-1" },
                { "UID=", "UID=4294967295" },
                { "UID=", "UID=4294967296" },
                { "UID=", "UID=99999999999999999999999999999" },
                { "UID=", "UID=" },
                { "UID=", "UID= 1000" },
                { "SSHD_PID=", "SSHD_PID=0" },
                { "SSHD_PID=", "SSHD_PID=2147483648" },
                { "SSHD_PID=", "SSHD_PID=12x" },
                { "SSHD_STARTTIME=", "SSHD_STARTTIME=18446744073709551616" },
                { "SSHD_STARTTIME=", "SSHD_STARTTIME=" },
                { "AUDIT_SESSION=", "AUDIT_SESSION=4294967295" },
                { "AUDIT_SESSION=", "AUDIT_SESSION=x" },
                { "OPENED_USEC=", "OPENED_USEC=0" },
                { "OPENED_USEC=", "OPENED_USEC=1.5" },
                { "USER=", "USER=" },
                { "USER=", "USER=a\tb" },
                { "USER=", "USER=a\rb" },
                { "SERVICE=", "SERVICE=" },
                { "SERVICE=", "SERVICE=a/b" },
                { "CGROUP=", "CGROUP=user.slice" },
                { "SESSION_ID=", "SESSION_ID=" },
                { "SESSION_ID=", "SESSION_ID=7 8" },
                { "SESSION_ID=", "SESSION_ID=../7" },
                { "PARENT_PID=", "PARENT_PID=0" },
                { "PARENT_STARTTIME=", "PARENT_STARTTIME=x" },
                { "BOOT_ID=", "BOOT_ID=abc" },
                { "BOOT_ID=", "BOOT_ID=" },
                { "CGROUP_ID=", "CGROUP_ID=0" },
                { "CGROUP_ID=", "CGROUP_ID=" },
                { "SOCKET_INODE=", "SOCKET_INODE=0" },
                { "SOCKET_INODE=", "SOCKET_INODE=-3" },
                { "CGROUP=", "CGROUP=/a/../b" },
        };

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char *text = replace_line(bad[i].key, bad[i].line);
                unsigned line = 0;
                int r = parse(text, &line);
                if (r != -EBADMSG || line == 0)
                        fail_msg("\"%s\": got %d at line %u, want -EBADMSG at its line", bad[i].line, r, line);
                free(text);
        }

        /* Empty values allowed where documented. */
        char *text = replace_line("CGROUP=", "CGROUP=");
        assert_int_equal(parse(text, NULL), 0);
        free(text);
        text = replace_line("REMOTE_HOST=", "REMOTE_HOST=");
        assert_int_equal(parse(text, NULL), 0);
        free(text);
}

static void test_parse_oversized(void **state) {
        size_t big = SESSION_RECORD_MAX_SIZE + 100;
        char *text = malloc(big + 1), *line;
        unsigned n = 0;

        /* A file above the size limit. */
        assert_non_null(text);
        memset(text, 'x', big);
        text[big] = '\0';
        assert_int_equal(parse(text, &n), -EFBIG);

        /* A single line above the line limit. */
        line = malloc(SESSION_RECORD_MAX_LINE + 20);
        assert_non_null(line);
        strcpy(line, "CGROUP=/");
        memset(line + 8, 'c', SESSION_RECORD_MAX_LINE);
        line[8 + SESSION_RECORD_MAX_LINE] = '\0';
        free(text);
        text = replace_line("CGROUP=", line);
        assert_int_equal(parse(text, &n), -E2BIG);
        assert_int_equal(n, 11);
        free(text);

        /* A cgroup path one byte over PATH_MAX but within the line limit. */
        line[8 + 4096] = '\0';
        text = replace_line("CGROUP=", line);
        assert_int_equal(parse(text, &n), -EBADMSG);
        free(text);
        free(line);
}

/* ---- files */

typedef struct Fixture {
        char *root;
        char *state_dir;
        int dir_fd;
} Fixture;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof(Fixture));
        assert_non_null(f);
        f->root = tmp_tree_new();
        assert_true(asprintf(&f->state_dir, "%s/state", f->root) > 0);
        f->dir_fd = session_dir_open(f->state_dir, true);
        assert_true(f->dir_fd >= 0);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;
        close(f->dir_fd);
        tmp_tree_remove(f->root);
        free(f->root);
        free(f->state_dir);
        free(f);
        return 0;
}

static void write_raw(Fixture *f, const char *name, const char *text, mode_t mode) {
        int fd = openat(f->dir_fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
        assert_int_equal(fchmod(fd, mode), 0);
        close(fd);
}

static void test_dir_created_private(void **state) {
        Fixture *f = *state;
        struct stat st;
        char *path;

        assert_true(asprintf(&path, "%s/" SESSION_DIR_NAME, f->state_dir) > 0);
        assert_int_equal(lstat(path, &st), 0);
        assert_true(S_ISDIR(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 0700);
        assert_int_equal(st.st_uid, geteuid());
        free(path);

        /* Relative state dirs are refused; a missing one without create too. */
        assert_int_equal(session_dir_open("relative", true), -EINVAL);
        assert_true(asprintf(&path, "%s/missing", f->root) > 0);
        assert_int_equal(session_dir_open(path, false), -ENOENT);
        free(path);
}

static void test_dir_umask(void **state) {
        Fixture *f = *state;
        char *dir;
        struct stat st;
        mode_t old = umask(0777);
        int fd;

        assert_true(asprintf(&dir, "%s/umasked", f->root) > 0);
        fd = session_dir_open(dir, true);
        umask(old);
        assert_true(fd >= 0);
        assert_int_equal(fstat(fd, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0700);
        close(fd);
        free(dir);
}

static void test_dir_refused(void **state) {
        Fixture *f = *state;
        char *dir, *sessions;

        /* World-writable sessions dir: refused, not fixed behind the admin's back. */
        assert_true(asprintf(&dir, "%s/ww", f->root) > 0);
        assert_true(asprintf(&sessions, "%s/" SESSION_DIR_NAME, dir) > 0);
        assert_int_equal(mkdir(dir, 0755), 0);
        assert_int_equal(mkdir(sessions, 0700), 0);
        assert_int_equal(chmod(sessions, 0777), 0);
        assert_int_equal(session_dir_open(dir, true), -EPERM);
        assert_int_equal(chmod(sessions, 0750), 0);
        assert_int_equal(session_dir_open(dir, false), -EPERM);
        free(sessions);
        free(dir);

        /* sessions as a symlink to a good directory: refused. */
        assert_true(asprintf(&dir, "%s/sl", f->root) > 0);
        assert_true(asprintf(&sessions, "%s/" SESSION_DIR_NAME, dir) > 0);
        assert_int_equal(mkdir(dir, 0755), 0);
        assert_int_equal(symlink(f->state_dir, sessions), 0);
        assert_int_equal(session_dir_open(dir, true), -EPERM);
        free(sessions);
        free(dir);

        /* sessions as a regular file. */
        assert_true(asprintf(&dir, "%s/file", f->root) > 0);
        tmp_tree_write(f->root, "file/" SESSION_DIR_NAME, "x");
        assert_int_equal(session_dir_open(dir, true), -ENOTDIR);
        free(dir);

        /* State dir below a regular file. */
        assert_true(asprintf(&dir, "%s/file/" SESSION_DIR_NAME "/below", f->root) > 0);
        assert_int_equal(session_dir_open(dir, true), -ENOTDIR);
        free(dir);
}

static void test_write_read_remove(void **state) {
        Fixture *f = *state;
        SessionRecord rec = sample(), back = SESSION_RECORD_NULL;
        struct stat st;
        mode_t old;

        /* The umask must not leak into the record's mode. */
        old = umask(0);
        assert_int_equal(session_record_write(f->dir_fd, &rec), 0);
        umask(old);
        assert_int_equal(fstatat(f->dir_fd, "4242-1234567", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        assert_true(S_ISREG(st.st_mode));
        /* No temp file left behind. */
        assert_int_equal(fstatat(f->dir_fd, ".4242-1234567.tmp", &st, AT_SYMLINK_NOFOLLOW), -1);
        assert_int_equal(errno, ENOENT);

        assert_int_equal(session_record_read(f->dir_fd, "4242-1234567", &back), 0);
        assert_string_equal(back.user, "alice");
        assert_string_equal(back.session_id, "7");
        session_record_done(&back);

        /* Rewrite replaces the content atomically. */
        rec.remote_host = (char *) "fd00::9";
        assert_int_equal(session_record_write(f->dir_fd, &rec), 0);
        assert_int_equal(session_record_read(f->dir_fd, "4242-1234567", &back), 0);
        assert_string_equal(back.remote_host, "fd00::9");
        session_record_done(&back);

        assert_int_equal(session_record_remove(f->dir_fd, 4242, 1234567), 0);
        assert_int_equal(session_record_remove(f->dir_fd, 4242, 1234567), -ENOENT);
        assert_int_equal(session_record_read(f->dir_fd, "4242-1234567", &back), -ENOENT);
}

static void test_write_over_stale_temp(void **state) {
        Fixture *f = *state;
        SessionRecord rec = sample(), back = SESSION_RECORD_NULL;

        write_raw(f, ".4242-1234567.tmp", "half a rec", 0600);
        assert_int_equal(session_record_write(f->dir_fd, &rec), 0);
        assert_int_equal(session_record_read(f->dir_fd, "4242-1234567", &back), 0);
        session_record_done(&back);
}

static void test_read_refuses_files(void **state) {
        Fixture *f = *state;
        SessionRecord back = SESSION_RECORD_NULL;

        /* Symlink to a perfectly good record. */
        write_raw(f, "target", GOOD_TEXT, 0600);
        assert_int_equal(symlinkat("target", f->dir_fd, "4242-1234567"), 0);
        assert_int_equal(session_record_read(f->dir_fd, "4242-1234567", &back), -EPERM);
        assert_int_equal(unlinkat(f->dir_fd, "4242-1234567", 0), 0);

        /* Readable by others, or writable by the group. */
        write_raw(f, "4242-1234567", GOOD_TEXT, 0644);
        assert_int_equal(session_record_read(f->dir_fd, "4242-1234567", &back), -EPERM);
        write_raw(f, "4242-1234567", GOOD_TEXT, 0620);
        assert_int_equal(session_record_read(f->dir_fd, "4242-1234567", &back), -EPERM);
        write_raw(f, "4242-1234567", GOOD_TEXT, 0400);
        assert_int_equal(session_record_read(f->dir_fd, "4242-1234567", &back), -EPERM);
        write_raw(f, "4242-1234567", GOOD_TEXT, 0600);
        assert_int_equal(session_record_read(f->dir_fd, "4242-1234567", &back), 0);
        session_record_done(&back);

        /* Content naming another process than the file name. */
        write_raw(f, "4243-1234567", GOOD_TEXT, 0600);
        assert_int_equal(session_record_read(f->dir_fd, "4243-1234567", &back), -EBADMSG);
        write_raw(f, "4242-1234568", GOOD_TEXT, 0600);
        assert_int_equal(session_record_read(f->dir_fd, "4242-1234568", &back), -EBADMSG);

        /* Not a record name at all. */
        assert_int_equal(session_record_read(f->dir_fd, "target", &back), -EINVAL);

        /* A FIFO under a record name: refused at once, not read (it would block). */
        assert_int_equal(mkfifoat(f->dir_fd, "4244-1", 0600), 0);
        assert_int_equal(session_record_read(f->dir_fd, "4244-1", &back), -EPERM);

        /* A directory under a record name. */
        assert_int_equal(mkdirat(f->dir_fd, "4245-1", 0700), 0);
        assert_int_equal(session_record_read(f->dir_fd, "4245-1", &back), -EPERM);

        /* Truncated and oversized files. */
        write_raw(f, "4242-1234567", "VERSION=1\nUSER=alice\nUID=10", 0600);
        assert_int_equal(session_record_read(f->dir_fd, "4242-1234567", &back), -EBADMSG);
        {
                size_t n = SESSION_RECORD_MAX_SIZE * 2;
                char *huge = malloc(n + 1);
                assert_non_null(huge);
                memset(huge, '\n', n);
                huge[n] = '\0';
                write_raw(f, "4242-1234567", huge, 0600);
                free(huge);
                assert_int_equal(session_record_read(f->dir_fd, "4242-1234567", &back), -EFBIG);
        }
}

static void test_read_refuses_foreign_owner(void **state) {
        Fixture *f = *state;
        SessionRecord back = SESSION_RECORD_NULL;

        if (geteuid() != 0)
                skip(); /* only root can give a file away */

        write_raw(f, "4242-1234567", GOOD_TEXT, 0600);
        assert_int_equal(fchownat(f->dir_fd, "4242-1234567", 65534, 65534, 0), 0);
        assert_int_equal(session_record_read(f->dir_fd, "4242-1234567", &back), -EPERM);
}

static void test_check_process(void **state) {
        SessionRecord rec = sample();
        ProcStat st;
        pid_t child;
        int status;

        assert_int_equal(proc_stat_read(NULL, getpid(), &st), 0);
        rec.sshd_pid = getpid();
        rec.sshd_starttime = st.starttime;
        assert_int_equal(session_record_check_process(NULL, &rec), 0);

        /* Same PID, other start time: a reused PID, never acted on. */
        rec.sshd_starttime = st.starttime + 1;
        assert_int_equal(session_record_check_process(NULL, &rec), -ESRCH);

        /* A process that has exited. */
        child = fork();
        assert_true(child >= 0);
        if (child == 0)
                _exit(0);
        assert_int_equal(waitpid(child, &status, 0), child);
        rec.sshd_pid = child;
        assert_int_equal(session_record_check_process(NULL, &rec), -ESRCH);

        /* Fake tree: a zombie with the right start time is no session. */
        char *root = tmp_tree_new();
        tmp_tree_write(root, "4242/stat", "4242 (sshd) Z 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1234567 0\n");
        rec = sample();
        assert_int_equal(session_record_check_process(root, &rec), -ESRCH);
        tmp_tree_write(root, "4242/stat", "4242 (sshd) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1234567 0\n");
        assert_int_equal(session_record_check_process(root, &rec), 0);
        tmp_tree_remove(root);
        free(root);
}

static void test_session_id_matches_cgroup(void **state) {
        assert_true(session_id_matches_cgroup("7", "/user.slice/user-1000.slice/session-7.scope"));
        assert_true(session_id_matches_cgroup("c2", "/user.slice/user-0.slice/session-c2.scope"));
        /* Another session's id, a prefix of it, or no scope at all. */
        assert_false(session_id_matches_cgroup("8", "/user.slice/user-1000.slice/session-7.scope"));
        assert_false(session_id_matches_cgroup("7", "/user.slice/user-1000.slice/session-77.scope"));
        assert_false(session_id_matches_cgroup("77", "/user.slice/user-1000.slice/session-7.scope"));
        assert_false(session_id_matches_cgroup("7", "/user.slice/user-1000.slice/session-7.scope/sub"));
        assert_false(session_id_matches_cgroup("7", "/system.slice/ssh.service"));
        assert_false(session_id_matches_cgroup("7", "/"));
        assert_false(session_id_matches_cgroup("7", ""));
        assert_false(session_id_matches_cgroup("7", NULL));
        assert_false(session_id_matches_cgroup(NULL, "/user.slice/session-7.scope"));
        assert_false(session_id_matches_cgroup("", "/user.slice/session-.scope"));
        assert_false(session_id_matches_cgroup("7/../8", "/user.slice/session-7/../8.scope"));
}

typedef struct Extra {
        unsigned processes;
        bool kill_at;
} Extra;

static int extra_cb(const char *key, const char *value, void *userdata) {
        Extra *e = userdata;
        if (strcmp(key, "PROCESS") == 0 && *value) {
                e->processes++;
                return 0;
        }
        if (strcmp(key, "KILL_AT") == 0 && !e->kill_at) {
                e->kill_at = true;
                return 0;
        }
        return -EBADMSG;
}

/* The daemon's pending endings are a record plus keys of their own. */
static void test_parse_extra(void **state) {
        SessionRecord rec = SESSION_RECORD_NULL;
        Extra e = {};
        const char *text = GOOD_TEXT "KILL_AT=5\nPROCESS=1 2\nPROCESS=3 4\n";

        assert_int_equal(session_record_parse_extra(text, strlen(text), 64 * 1024, &rec, NULL, extra_cb, &e), 0);
        assert_int_equal(e.processes, 2);
        assert_true(e.kill_at);
        assert_string_equal(rec.user, "alice");
        session_record_done(&rec);

        /* What the callback refuses fails the whole text; without one, an
         * unknown key is an error as ever. */
        e = (Extra) {};
        text = GOOD_TEXT "KILL_AT=5\nKILL_AT=6\n";
        assert_int_equal(session_record_parse_extra(text, strlen(text), 64 * 1024, &rec, NULL, extra_cb, &e),
                         -EBADMSG);
        text = GOOD_TEXT "KILL_AT=5\n";
        assert_int_equal(session_record_parse(text, strlen(text), &rec, NULL), -EBADMSG);
        /* The record's own keys still cannot repeat. */
        e = (Extra) {};
        text = GOOD_TEXT "USER=mallory\n";
        assert_int_equal(session_record_parse_extra(text, strlen(text), 64 * 1024, &rec, NULL, extra_cb, &e),
                         -EBADMSG);
        /* The size limit is the caller's. */
        assert_int_equal(session_record_parse_extra(GOOD_TEXT, strlen(GOOD_TEXT), 100, &rec, NULL, extra_cb, &e),
                         -EFBIG);
}

static void test_this_boot(void **state) {
        SessionRecord rec = sample();

        assert_int_equal(session_record_this_boot(&rec, BOOT), 1);
        assert_int_equal(session_record_this_boot(&rec, "00000000-0f9d-4c8b-a7e6-d5c4b3a29180"), 0);
        assert_true(session_record_this_boot(&rec, NULL) < 0);
        /* Version 1 has no boot id: taken as this boot's, as it always was. */
        rec.boot_id = NULL;
        assert_int_equal(session_record_this_boot(&rec, BOOT), 1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_name),
                cmocka_unit_test(test_parse_extra),
                cmocka_unit_test(test_this_boot),
                cmocka_unit_test(test_format_exact),
                cmocka_unit_test(test_roundtrip),
                cmocka_unit_test(test_format_refuses_bad_values),
                cmocka_unit_test(test_parse_hostile),
                cmocka_unit_test(test_parse_bad_values),
                cmocka_unit_test(test_parse_oversized),
                cmocka_unit_test_setup_teardown(test_dir_created_private, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dir_umask, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dir_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_write_read_remove, setup, teardown),
                cmocka_unit_test_setup_teardown(test_write_over_stale_temp, setup, teardown),
                cmocka_unit_test_setup_teardown(test_read_refuses_files, setup, teardown),
                cmocka_unit_test_setup_teardown(test_read_refuses_foreign_owner, setup, teardown),
                cmocka_unit_test(test_check_process),
                cmocka_unit_test(test_session_id_matches_cgroup),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
