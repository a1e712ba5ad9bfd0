/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sshd-watchdog-exec: for ForceCommand, where sshd does not run our PAM
 * module (UsePAM no, or a Match block). It asks the daemon to record this
 * session (the daemon learns everything it records from the kernel, not
 * from us), then becomes what sshd would have run: the client's command
 * through the user's shell, or a login shell. It restricts nothing.
 *
 * Whatever happens on the way, the user's command runs: a daemon that is
 * down, slow or refusing costs a warning in the log, never a login. The
 * environment, the descriptors sshd gave us, signals and the exit status
 * are the command's own; nothing is printed to the client.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "register_socket.h"
#include "session_record.h"
#include "clock.h"
#include "unix_connect.h"

#define INTERNAL_SFTP "internal-sftp"

static uint64_t now_msec(void) {
        return monotonic_now() / 1000;
}

/* The daemon's one-line answer, or why there is none. */
static int ask_daemon(const char *state_dir, char *answer, size_t size) {
        /* The daemon accepts registrations at a bounded rate: under a
         * flood the connect waits its turn, within the same limit. */
        uint64_t end = now_msec() + REGISTER_TIMEOUT_MSEC;
        _cleanup_close_ int fd = unix_connect(state_dir, REGISTER_SOCKET_NAME, REGISTER_TIMEOUT_MSEC);
        size_t got = 0;
        int r;

        if (fd < 0)
                return fd;

        while (got + 1 < size) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                uint64_t now = now_msec();
                ssize_t n;

                if (now >= end)
                        return -ETIMEDOUT;
                r = poll(&p, 1, (int) (end - now));
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return negative_errno();
                if (r == 0)
                        return -ETIMEDOUT;
                n = recv(fd, answer + got, size - 1 - got, 0);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return negative_errno();
                if (n == 0)
                        break;
                got += (size_t) n;
                if (memchr(answer, '\n', got))
                        break;
        }
        answer[got] = '\0';
        answer[strcspn(answer, "\n")] = '\0';
        return got > 0 ? 0 : -ECONNRESET;
}

static void register_session(const char *state_dir, bool debug) {
        char answer[512];
        int r = ask_daemon(state_dir, answer, sizeof(answer));

        if (r < 0)
                syslog(LOG_WARNING, "session of UID %u not watched by sshd-watchdog: %s%s", (unsigned) getuid(),
                       r == -ENOENT || r == -ECONNREFUSED ? "the daemon is not running: " : "",
                       r == -ETIMEDOUT ? "the daemon did not answer in time" : strerror(-r));
        else if (strncmp(answer, "OK ", 3) != 0)
                syslog(LOG_WARNING, "session of UID %u not watched by sshd-watchdog: %s", (unsigned) getuid(),
                       strncmp(answer, "NO ", 3) == 0 ? answer + 3 : answer);
        else if (debug)
                syslog(LOG_DEBUG, "sshd-watchdog: %s", answer + 3);
        if (debug)
                fprintf(stderr, "sshd-watchdog-exec: %s\n", r < 0 ? strerror(-r) : answer);
}

static const char *base_name(const char *path) {
        const char *s = strrchr(path, '/');
        return s ? s + 1 : path;
}

/* As sshd's do_child() runs things: "-shell" for a login shell, else
 * "shell -c COMMAND", with the account's shell, /bin/sh when it has none. */
static int run(const char *command) {
        _cleanup_free_ char *mapped = NULL, *login = NULL;
        struct passwd *pw;
        const char *shell;

        errno = 0;
        pw = getpwuid(getuid());
        shell = pw && pw->pw_shell && pw->pw_shell[0] ? pw->pw_shell : "/bin/sh";

        if (!command) {
                if (asprintf(&login, "-%s", base_name(shell)) < 0)
                        return -ENOMEM;
                execl(shell, login, (char *) NULL);
                return negative_errno();
        }
        /* sshd serves internal-sftp in its own process; below ForceCommand
         * only the sftp-server program can, with the same options. */
        if (strncmp(command, INTERNAL_SFTP, strlen(INTERNAL_SFTP)) == 0 &&
            (command[strlen(INTERNAL_SFTP)] == '\0' || command[strlen(INTERNAL_SFTP)] == ' ')) {
                if (asprintf(&mapped, "%s%s", SFTP_SERVER_PATH, command + strlen(INTERNAL_SFTP)) < 0)
                        return -ENOMEM;
                command = mapped;
        }
        execl(shell, base_name(shell), "-c", command, (char *) NULL);
        return negative_errno();
}

static void help(void) {
        printf("Usage: sshd-watchdog-exec [--state-dir=DIR] [--debug] [-- COMMAND [ARG...]]\n\n"
               "For sshd_config's ForceCommand: registers this ssh session with sshd-watchdog,\n"
               "then runs $SSH_ORIGINAL_COMMAND through the user's shell (a login shell when the\n"
               "client asked for none), or COMMAND when one is given.\n\n"
               "  --state-dir=DIR  the daemon's state directory (default " SESSION_STATE_DIR_DEFAULT ")\n"
               "  --debug          say the daemon's answer on stderr\n"
               "  --help           print this help and exit\n"
               "  --version        print the version and exit\n");
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "state-dir", required_argument, NULL, 's' },
                { "debug", no_argument, NULL, 'd' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {},
        };
        const char *state_dir = SESSION_STATE_DIR_DEFAULT;
        bool debug = false;
        int c, r;

        /* "+": options end at the first non-option, the command's own.
         * Quiet: getopt's complaints would go to the client. */
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+", options, NULL)) >= 0)
                switch (c) {
                case 's':
                        state_dir = optarg;
                        break;
                case 'd':
                        debug = true;
                        break;
                case 'h':
                        help();
                        return EXIT_SUCCESS;
                case 'V':
                        printf("sshd-watchdog-exec " PACKAGE_VERSION "\n");
                        return EXIT_SUCCESS;
                default:
                        /* A typo in sshd_config must not lock anyone out: go on. */
                        break;
                }

        openlog("sshd-watchdog-exec", LOG_PID, LOG_AUTHPRIV);
        register_session(state_dir, debug);
        closelog();

        if (optind < argc) {
                execvp(argv[optind], argv + optind);
                r = negative_errno();
                fprintf(stderr, "sshd-watchdog-exec: cannot run %s: %s\n", argv[optind], strerror(-r));
                return 127;
        }
        r = run(getenv("SSH_ORIGINAL_COMMAND"));
        fprintf(stderr, "sshd-watchdog-exec: cannot run the shell: %s\n", strerror(-r));
        return 127;
}
