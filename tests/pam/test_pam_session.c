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
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <libpamtest.h>
#include <security/pam_appl.h>

#include "cgroup_fs.h"
#include "fake_proc.h"
#include "macro.h"
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

        /* SSH_CONNECTION as sshd puts it in the PAM environment; the test
         * writes conn.env before each run. */
        if (asprintf(&stack,
                     "session required %s/pam_set_items.so\n"
                     "session required %s/pam_env.so readenv=1 user_readenv=0 envfile=%s/conn.env conffile=%s/empty.conf\n"
                     "session required %s statedir=%s/state-conn\n",
                     PAM_WRAPPER_MODULES, SYSTEM_SECUREDIR, root, root, MODULE_PATH, root) < 0)
                abort();
        pam_wrap_write_service(services_dir(), "swd-conn", stack);
        free(stack);
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
        /* Recorded only when it is this login's own: set, and not the parent's. */
        uint32_t parent_audit;
        r = proc_sessionid_read(NULL, getpid(), &audit);
        if (r == 0 && (proc_sessionid_read(NULL, getppid(), &parent_audit) < 0 || parent_audit != audit))
                assert_int_equal(rec.audit_session, audit);
        else
                assert_int_equal(rec.audit_session, AUDIT_SESSION_UNSET);

        char boot_id[BOOT_ID_LENGTH + 1];
        ProcStat pst;
        assert_int_equal(rec.version, SESSION_RECORD_VERSION);
        assert_int_equal(rec.parent_pid, getppid());
        assert_int_equal(proc_stat_read(NULL, getppid(), &pst), 0);
        assert_int_equal(rec.parent_starttime, pst.starttime);
        assert_int_equal(proc_boot_id(NULL, boot_id), 0);
        assert_string_equal(rec.boot_id, boot_id);
        /* The test runs in its parent's cgroup, with other processes: not a
         * cgroup made for this login. And it holds no TCP connection. */
        assert_int_equal(rec.cgroup_id, 0);
        assert_int_equal(rec.socket_inode, 0);

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

/* PAM_RHOST with a space (an application may set anything): recorded, not
 * a reason to leave the session unwatched. */
static void test_rhost_with_space(void **state) {
        char *dir = state_dir("state-basic");
        SessionRecord rec = SESSION_RECORD_NULL;

        assert_int_equal(setenv("PAM_RHOST", "a host with spaces", 1), 0);
        run("swd-basic", user, PAMTEST_OPEN_SESSION, PAM_SUCCESS);
        assert_int_equal(read_record(dir, &rec), 0);
        assert_string_equal(rec.remote_host, "a host with spaces");
        session_record_done(&rec);
        run("swd-basic", user, PAMTEST_CLOSE_SESSION, PAM_SUCCESS);
        free(dir);
}

typedef struct Tcp {
        int server, client;
        uint64_t server_inode;
        char ssh_connection[128];
} Tcp;

static void tcp_open(Tcp *t, int family) {
        struct sockaddr_storage ss = {};
        socklen_t len = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
        int l = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in *in = (struct sockaddr_in *) &ss;
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) &ss;
        struct stat st;
        char a[INET6_ADDRSTRLEN];
        unsigned lport, cport;

        ss.ss_family = (sa_family_t) family;
        if (family == AF_INET)
                in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        else
                in6->sin6_addr = in6addr_loopback;
        assert_true(l >= 0);
        assert_int_equal(bind(l, (struct sockaddr *) &ss, len), 0);
        assert_int_equal(listen(l, 1), 0);
        assert_int_equal(getsockname(l, (struct sockaddr *) &ss, &len), 0);
        lport = ntohs(family == AF_INET ? in->sin_port : in6->sin6_port);
        t->client = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_int_equal(connect(t->client, (struct sockaddr *) &ss, len), 0);
        t->server = accept4(l, NULL, NULL, SOCK_CLOEXEC);
        assert_true(t->server >= 0);
        close(l);
        assert_int_equal(getsockname(t->client, (struct sockaddr *) &ss, &len), 0);
        cport = ntohs(family == AF_INET ? in->sin_port : in6->sin6_port);
        assert_int_equal(fstat(t->server, &st), 0);
        t->server_inode = (uint64_t) st.st_ino;
        inet_ntop(family, family == AF_INET ? (void *) &in->sin_addr : (void *) &in6->sin6_addr, a, sizeof(a));
        snprintf(t->ssh_connection, sizeof(t->ssh_connection), "%s %u %s %u", a, cport, a, lport);
}

/* The monitor holds sshd's connection and one of another module's: the
 * record names sshd's, by SSH_CONNECTION checked against the sockets. */
static void test_socket_recorded(void **state) {
        char *dir = state_dir("state-conn"), *env;
        SessionRecord rec = SESSION_RECORD_NULL;
        Tcp ssh, other;

        tcp_open(&other, AF_INET6);
        tcp_open(&ssh, AF_INET);
        assert_true(asprintf(&env, "SSH_CONNECTION=%s\n", ssh.ssh_connection) > 0);
        tmp_tree_write(root, "conn.env", env);
        free(env);
        assert_int_equal(setenv("PAM_RHOST", "127.0.0.1", 1), 0);
        run("swd-conn", user, PAMTEST_OPEN_SESSION, PAM_SUCCESS);
        assert_int_equal(read_record(dir, &rec), 0);
        assert_int_equal(rec.socket_inode, ssh.server_inode);
        session_record_done(&rec);
        run("swd-conn", user, PAMTEST_CLOSE_SESSION, PAM_SUCCESS);

        /* A host name in PAM_RHOST (UseDNS yes) does not stop it. */
        assert_int_equal(setenv("PAM_RHOST", "client.example", 1), 0);
        run("swd-conn", user, PAMTEST_OPEN_SESSION, PAM_SUCCESS);
        assert_int_equal(read_record(dir, &rec), 0);
        assert_int_equal(rec.socket_inode, ssh.server_inode);
        session_record_done(&rec);
        run("swd-conn", user, PAMTEST_CLOSE_SESSION, PAM_SUCCESS);

        /* SSH_CONNECTION pointing at the other connection while PAM_RHOST,
         * which sshd set from the real peer, says otherwise: no socket is
         * recorded, rather than the wrong one. */
        assert_true(asprintf(&env, "SSH_CONNECTION=%s\n", other.ssh_connection) > 0);
        tmp_tree_write(root, "conn.env", env);
        free(env);
        assert_int_equal(setenv("PAM_RHOST", "127.0.0.1", 1), 0);
        run("swd-conn", user, PAMTEST_OPEN_SESSION, PAM_SUCCESS);
        assert_int_equal(read_record(dir, &rec), 0);
        assert_int_equal(rec.socket_inode, 0);
        session_record_done(&rec);
        run("swd-conn", user, PAMTEST_CLOSE_SESSION, PAM_SUCCESS);
        close(ssh.server);
        close(ssh.client);
        close(other.server);
        close(other.client);
        free(dir);
}

/* Runs fn in a child process and fails the test unless it exits 0. Forking
 * lets a test give "the monitor" an audit session or a cgroup that this
 * process must not get. */
static void in_child(int (*fn)(void *), void *arg) {
        int status;
        pid_t pid = fork();

        assert_true(pid >= 0);
        if (pid == 0)
                _exit(fn(arg));
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                fail_msg("child check failed (status 0x%x)", status);
}

/* In the calling process: open a session on service, read its record
 * back, close it. Returns 0 or a line number to report. */
static int open_read_close(const char *service, const char *dir_name, SessionRecord *rec) {
        _cleanup_free_ char *dir = state_dir(dir_name), *name = NULL;
        struct pamtest_conv_data conv = {};
        struct pam_testcase t1[] = { pam_test(PAMTEST_OPEN_SESSION, PAM_SUCCESS) };
        struct pam_testcase t2[] = { pam_test(PAMTEST_CLOSE_SESSION, PAM_SUCCESS) };
        ProcStat st;
        int fd, r;

        if (run_pamtest(service, user, &conv, t1, NULL) != PAMTEST_ERR_OK)
                return __LINE__;
        if (proc_stat_read(NULL, getpid(), &st) < 0 || session_record_name(getpid(), st.starttime, &name) < 0)
                return __LINE__;
        fd = session_dir_open(dir, false);
        if (fd < 0)
                return __LINE__;
        r = session_record_read(fd, name, rec);
        close(fd);
        if (r < 0)
                return __LINE__;
        if (run_pamtest(service, user, &conv, t2, NULL) != PAMTEST_ERR_OK)
                return __LINE__;
        return 0;
}

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed at line %d: %s\n", __LINE__, #c); return 1; } } while (0)

static int start_audit_login(void) {
        int fd = open("/proc/self/loginuid", O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        int ok = write(fd, "0", 1) == 1;
        close(fd);
        return ok ? 0 : -1;
}

static int audit_grandchild(void *arg) {
        SessionRecord rec = SESSION_RECORD_NULL;
        int line = open_read_close("swd-basic", "state-basic", &rec);
        if (line)
                return fprintf(stderr, "grandchild: line %d\n", line), 1;
        /* Inherited from the parent, which started the audit login. */
        CHECK(rec.audit_session == AUDIT_SESSION_UNSET);
        session_record_done(&rec);
        return 0;
}

static int audit_child(void *arg) {
        SessionRecord rec = SESSION_RECORD_NULL;
        uint32_t id;

        CHECK(start_audit_login() == 0);
        CHECK(proc_sessionid_read(NULL, getpid(), &id) == 0);
        int line = open_read_close("swd-basic", "state-basic", &rec);
        if (line)
                return fprintf(stderr, "child: line %d\n", line), 1;
        /* Its own: a new id, not the parent's. */
        CHECK(rec.audit_session == id);
        session_record_done(&rec);

        int status;
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0)
                _exit(audit_grandchild(NULL));
        CHECK(waitpid(pid, &status, 0) == pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        return 0;
}

/* An audit session id is recorded only when pam_loginuid gave
 * it to this login, never when the monitor inherited it. */
/* Whether a child sees this process as sshd by its executable, as the
 * module sees sshd's listener: the proofs rest on it. Under valgrind the
 * parent's /proc/PID/exe names valgrind's tool (valgrind rewrites only a
 * process's view of its own), and there is nothing to test. */
static bool parent_runs_sshd(void) {
        int status;
        pid_t pid = fork();

        assert_true(pid >= 0);
        if (pid == 0) {
                ProcExe e = {};
                int ok = proc_exe_read(NULL, getppid(), &e) == 0 && exe_is_sshd(e.path);
                proc_exe_done(&e);
                _exit(ok ? 0 : 1);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void test_audit_session_own_only(void **state) {
        if (geteuid() != 0 || access("/proc/self/loginuid", W_OK) < 0)
                skip();
        if (!parent_runs_sshd()) {
                fprintf(stderr, "skipped: this process is not seen as sshd by its children (valgrind)\n");
                skip();
        }
        assert_int_equal(setenv("PAM_RHOST", "198.51.100.7", 1), 0);
        in_child(audit_child, NULL);
}

static char *cg_base; /* <cgroup2 mount>/swd-pamtest-<pid> */
static char *cg_rel;  /* the same, as /proc/PID/cgroup names it */

static int move_to(const char *sub) {
        char *path;
        int fd, ok;
        if (asprintf(&path, "%s/%s/cgroup.procs", cg_base, sub) < 0)
                return -1;
        fd = open(path, O_WRONLY | O_CLOEXEC);
        free(path);
        if (fd < 0)
                return -1;
        ok = dprintf(fd, "%d\n", (int) getpid()) > 0;
        close(fd);
        return ok ? 0 : -1;
}

static uint64_t dir_inode(const char *sub) {
        char *path;
        struct stat st;
        if (asprintf(&path, "%s/%s", cg_base, sub) < 0 || stat(path, &st) < 0)
                abort();
        free(path);
        return (uint64_t) st.st_ino;
}

static int cgroup_own_child(void *arg) {
        SessionRecord rec = SESSION_RECORD_NULL;
        const char *sub = arg;
        char *expect;

        CHECK(move_to(sub) == 0);
        int line = open_read_close(strstr(sub, "session-42") ? "swd-xdg" : "swd-basic",
                                   strstr(sub, "session-42") ? "state-xdg" : "state-basic", &rec);
        if (line)
                return fprintf(stderr, "line %d\n", line), 1;
        CHECK(asprintf(&expect, "%s/%s", cg_rel, sub) > 0);
        CHECK(strcmp(rec.cgroup, expect) == 0);
        CHECK(rec.cgroup_id == dir_inode(sub));
        if (strstr(sub, "session-42"))
                CHECK(rec.session_id && strcmp(rec.session_id, "42") == 0);
        session_record_done(&rec);
        free(expect);
        return 0;
}

static int cgroup_not_own_grandchild(void *arg) {
        SessionRecord rec = SESSION_RECORD_NULL;
        int line = open_read_close("swd-xdg", "state-xdg", &rec);
        if (line)
                return fprintf(stderr, "line %d\n", line), 1;
        /* The scope is the parent's: neither the cgroup nor logind's
         * session may be taken for this login's. */
        CHECK(rec.cgroup_id == 0);
        CHECK(rec.session_id == NULL);
        session_record_done(&rec);
        return 0;
}

static int cgroup_inherited_child(void *arg) {
        int status;
        pid_t pid;

        CHECK(move_to("inherited/session-42.scope") == 0);
        pid = fork();
        CHECK(pid >= 0);
        if (pid == 0)
                _exit(cgroup_not_own_grandchild(NULL));
        CHECK(waitpid(pid, &status, 0) == pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        return 0;
}

static int cgroup_shared_child(void *arg) {
        SessionRecord rec = SESSION_RECORD_NULL;
        pid_t other;
        int status;

        /* Another process is in there too: shared, whatever its name. */
        CHECK(move_to("shared") == 0);
        other = fork();
        if (other == 0) {
                pause();
                _exit(0);
        }
        CHECK(other > 0);
        int line = open_read_close("swd-basic", "state-basic", &rec);
        kill(other, SIGKILL);
        waitpid(other, &status, 0);
        if (line)
                return fprintf(stderr, "line %d\n", line), 1;
        CHECK(rec.cgroup_id == 0);
        session_record_done(&rec);
        return 0;
}

/* A cgroup (and a logind scope) is recorded as the
 * login's own only when it was made for it: not its parent's, and holding
 * the monitor alone. */
static void test_cgroup_own_only(void **state) {
        char *mount = NULL, *self = NULL;
        static const char *const subs[] = { "own", "session-42.scope", "shared", "inherited/session-42.scope" };

        if (geteuid() != 0 || cgroup2_mount_find(NULL, &mount) < 0)
                skip();
        if (!parent_runs_sshd()) {
                fprintf(stderr, "skipped: this process is not seen as sshd by its children (valgrind)\n");
                free(mount);
                skip();
        }
        assert_int_equal(proc_cgroup_read(NULL, getpid(), &self), 0);
        assert_true(asprintf(&cg_base, "%s%s/swd-pamtest-%d", mount, strcmp(self, "/") ? self : "", (int) getpid()) > 0);
        assert_true(asprintf(&cg_rel, "%s/swd-pamtest-%d", strcmp(self, "/") ? self : "", (int) getpid()) > 0);
        free(mount);
        free(self);
        if (mkdir(cg_base, 0755) < 0)
                skip();
        for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
                char *p;
                assert_true(asprintf(&p, "%s/%s", cg_base, subs[i]) > 0);
                if (strchr(subs[i], '/')) {
                        char *parent = strdup(p);
                        *strrchr(parent, '/') = '\0';
                        (void) mkdir(parent, 0755);
                        free(parent);
                }
                assert_int_equal(mkdir(p, 0755), 0);
                free(p);
        }
        assert_int_equal(setenv("PAM_RHOST", "198.51.100.7", 1), 0);
        in_child(cgroup_own_child, (void *) "own");
        in_child(cgroup_own_child, (void *) "session-42.scope");
        in_child(cgroup_shared_child, NULL);
        in_child(cgroup_inherited_child, NULL);

        for (size_t i = sizeof(subs) / sizeof(subs[0]); i > 0; i--) {
                char *p;
                assert_true(asprintf(&p, "%s/%s", cg_base, subs[i - 1]) > 0);
                (void) rmdir(p);
                free(p);
        }
        char *p;
        assert_true(asprintf(&p, "%s/inherited", cg_base) > 0);
        (void) rmdir(p);
        free(p);
        assert_int_equal(rmdir(cg_base), 0);
        free(cg_base);
        free(cg_rel);
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
                pam_wrap_reexec(argv, services_dir(), true);
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
                cmocka_unit_test(test_rhost_with_space),
                cmocka_unit_test(test_socket_recorded),
                cmocka_unit_test(test_audit_session_own_only),
                cmocka_unit_test(test_cgroup_own_only),
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
