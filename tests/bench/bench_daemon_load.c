/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_daemon_load DAEMON N SECONDS TIMEOUT_SEC KEEPALIVE_SEC (as root)
 *
 * N fake sessions, each a process that holds the server end of a real
 * loopback TCP connection and has its record written by the real
 * pam_sshd_watchdog.so through Linux-PAM (pam_start_confdir with a service
 * file of our own), so getpid() in the module is that process. pam_wrapper
 * cannot serve here: it keeps a directory per live process, from a set of
 * about 62 names.
 * The bench keeps the client ends and, when KEEPALIVE_SEC > 0, sends one
 * byte on each, spread evenly, every KEEPALIVE_SEC: client input, so every
 * session stays alive. Then it starts DAEMON with InputTimeoutSec=TIMEOUT_SEC
 * and reports its CPU time and memory over SECONDS once all N are watched.
 * Everything it starts is killed by PID at the end.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>


static pid_t *children;
static size_t n_children;
static pid_t daemon_pid;

static uint64_t now_us(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

static int conv(int n, const struct pam_message **m, struct pam_response **r, void *d) {
        (void) n, (void) m, (void) r, (void) d;
        return PAM_CONV_ERR;
}

/* The fake sshd monitor: record the session, say how it went on the
 * pipe, hold the socket, wait. */
static const char *service_dir;

static void child_main(int server_fd, int report_fd) {
        struct pam_conv c = { conv, NULL };
        pam_handle_t *pamh = NULL;
        int r;

        /* Out of the way first: either may already sit on 3 or 4. */
        int s = fcntl(server_fd, F_DUPFD, 100), rep = fcntl(report_fd, F_DUPFD, 100);
        if (s < 0 || rep < 0 || dup2(s, 3) < 0 || dup2(rep, 4) < 0) {
                perror("child: dup");
                _exit(1);
        }
        (void) close_range(5, ~0U, 0);
        r = pam_start_confdir("swd-load", "root", &c, service_dir, &pamh);
        if (r == PAM_SUCCESS) {
                (void) pam_set_item(pamh, PAM_RHOST, "127.0.0.1");
                r = pam_open_session(pamh, 0);
        }
        unsigned char b = (unsigned char) r;
        (void) write(4, &b, 1);
        close(4);
        if (r != PAM_SUCCESS)
                _exit(3);
        for (;;)
                pause();
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st, (void) flag, (void) ftw;
        (void) remove(path);
        return 0;
}

static void cleanup(void) {
        if (daemon_pid > 0) {
                kill(daemon_pid, SIGTERM);
                waitpid(daemon_pid, NULL, 0);
        }
        for (size_t i = 0; i < n_children; i++)
                kill(children[i], SIGKILL);
        for (size_t i = 0; i < n_children; i++)
                waitpid(children[i], NULL, 0);
}

static int proc_cpu_ms(pid_t pid, uint64_t *ret) {
        char path[64], buf[2048];
        unsigned long ut, st;
        FILE *f;
        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        if (!(f = fopen(path, "re")))
                return -1;
        if (!fgets(buf, sizeof(buf), f)) {
                fclose(f);
                return -1;
        }
        fclose(f);
        char *p = strrchr(buf, ')');
        if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
                return -1;
        *ret = (uint64_t) (ut + st) * 1000 / (uint64_t) sysconf(_SC_CLK_TCK);
        return 0;
}

static long proc_status_kb(pid_t pid, const char *key) {
        char path[64], line[256];
        long v = -1;
        FILE *f;
        snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
        if (!(f = fopen(path, "re")))
                return -1;
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, key, strlen(key)) == 0)
                        v = strtol(line + strlen(key) + 1, NULL, 10);
        fclose(f);
        return v;
}

static size_t count_lines(const char *path, const char *needle) {
        char *line = NULL;
        size_t n = 0, len = 0;
        FILE *f = fopen(path, "re");
        if (!f)
                return 0;
        while (getline(&line, &len, f) >= 0)
                n += strstr(line, needle) != NULL;
        free(line);
        fclose(f);
        return n;
}

int main(int argc, char **argv) {
        char root[256], path[512], state[300], conf[300], logf[300];
        unsigned long n, seconds, timeout, keepalive;
        struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t alen = sizeof(addr);
        int lfd, *clients;

        if (argc != 6 || geteuid() != 0) {
                fprintf(stderr, "usage (as root): %s DAEMON N SECONDS TIMEOUT_SEC KEEPALIVE_SEC\n", argv[0]);
                return 2;
        }
        n = strtoul(argv[2], NULL, 10);
        seconds = strtoul(argv[3], NULL, 10);
        timeout = strtoul(argv[4], NULL, 10);
        keepalive = strtoul(argv[5], NULL, 10);

        {
                char tmpl[] = "/tmp/swd-bench.XXXXXX";
                FILE *f;
                if (!mkdtemp(tmpl))
                        return 1;
                snprintf(root, sizeof(root), "%s", tmpl);
                snprintf(path, sizeof(path), "%s/services", root);
                mkdir(path, 0700);
                service_dir = strdup(path);
                snprintf(path, sizeof(path), "%s/services/swd-load", root);
                if (!(f = fopen(path, "we")))
                        return 1;
                fprintf(f, "session required %s statedir=%s/state\n", MODULE_PATH, root);
                fclose(f);
        }
        snprintf(state, sizeof(state), "%s/state", root);
        snprintf(conf, sizeof(conf), "%s/watchdog.conf", root);
        snprintf(logf, sizeof(logf), "%s/watchdog.log", root);

        struct rlimit rl;
        getrlimit(RLIMIT_NOFILE, &rl);
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);

        children = calloc(n, sizeof(pid_t));
        clients = calloc(n, sizeof(int));
        lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (lfd < 0 || bind(lfd, (struct sockaddr *) &addr, sizeof(addr)) < 0 || listen(lfd, 128) < 0 ||
            getsockname(lfd, (struct sockaddr *) &addr, &alen) < 0) {
                perror("listener");
                return 1;
        }

        uint64_t t0 = now_us();
        for (size_t i = 0; i < n; i++) {
                int sfd;
                clients[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (clients[i] < 0 || connect(clients[i], (struct sockaddr *) &addr, sizeof(addr)) < 0 ||
                    (sfd = accept4(lfd, NULL, NULL, 0)) < 0) {
                        perror("connection");
                        cleanup();
                        return 1;
                }
                int report[2];
                unsigned char b = 255;
                if (pipe2(report, O_CLOEXEC) < 0) {
                        perror("pipe");
                        cleanup();
                        return 1;
                }
                pid_t pid = fork();
                if (pid < 0) {
                        perror("fork");
                        cleanup();
                        return 1;
                }
                if (pid == 0)
                        child_main(sfd, report[1]);
                children[n_children++] = pid;
                close(sfd);
                close(report[1]);
                /* One at a time: the record is on disk before the next fork. */
                if (read(report[0], &b, 1) != 1 || b != PAM_SUCCESS) {
                        int status = 0;
                        if (b == 255)
                                waitpid(pid, &status, 0);
                        fprintf(stderr, "session %zu: pam_open_session: %s (status 0x%x)\n", i,
                                b == 255 ? "child died" : pam_strerror(NULL, b), status);
                        close(report[0]);
                        cleanup();
                        return 1;
                }
                close(report[0]);
        }
        printf("sessions: %lu recorded through pam_sshd_watchdog.so in %.1f s\n", n, (now_us() - t0) / 1e6);

        FILE *f = fopen(conf, "we");
        fprintf(f, "[Watchdog]\nInputTimeoutSec=%lus\nKillGraceSec=1s\n", timeout);
        fclose(f);
        daemon_pid = fork();
        if (daemon_pid == 0) {
                int fd = open(logf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
                dup2(fd, 2);
                setenv("SSHD_WATCHDOG_LOG", "stderr", 1);
                execl(argv[1], argv[1], "--config", conf, "--state-dir", state, (char *) NULL);
                _exit(127);
        }
        t0 = now_us();
        while (count_lines(logf, "MESSAGE_ID=4c2ba311") < n) {
                if (now_us() - t0 > 120 * 1000000ULL) {
                        fprintf(stderr, "daemon watches only %zu of %lu sessions\n",
                                count_lines(logf, "MESSAGE_ID=4c2ba311"), n);
                        cleanup();
                        return 1;
                }
                usleep(20000);
        }
        uint64_t cpu0, cpu1;
        proc_cpu_ms(daemon_pid, &cpu0);
        printf("startup: all %lu watched %.2f s after exec, %llu ms CPU, RSS %ld kB\n", n, (now_us() - t0) / 1e6,
               (unsigned long long) cpu0, proc_status_kb(daemon_pid, "VmRSS:"));

        /* Steady state: keepalive bytes spread evenly over each period. */
        uint64_t start = now_us(), end = start + seconds * 1000000ULL, sent = 0;
        size_t next = 0;
        while (now_us() < end) {
                if (keepalive > 0) {
                        uint64_t due = (now_us() - start) * n / (keepalive * 1000000ULL);
                        while (sent < due) {
                                if (write(clients[next], "k", 1) != 1)
                                        perror("keepalive");
                                next = (next + 1) % n;
                                sent++;
                        }
                }
                usleep(10000);
        }
        proc_cpu_ms(daemon_pid, &cpu1);
        size_t ended = count_lines(logf, "MESSAGE_ID=ffa2c224");
        printf("steady %lus (InputTimeoutSec=%lus, keepalive every %lus): CPU %llu ms (%.3f%% of one core), "
               "RSS %ld kB, peak RSS %ld kB, %llu keepalive bytes, %zu sessions ended\n",
               seconds, timeout, keepalive, (unsigned long long) (cpu1 - cpu0),
               (double) (cpu1 - cpu0) / (seconds * 10.0), proc_status_kb(daemon_pid, "VmRSS:"),
               proc_status_kb(daemon_pid, "VmHWM:"), (unsigned long long) sent, ended);

        cleanup();
        (void) nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
        return ended == 0 ? 0 : 1;
}
