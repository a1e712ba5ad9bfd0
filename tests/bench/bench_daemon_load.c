/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_daemon_load DAEMON N SECONDS TIMEOUT_SEC KEEPALIVE_SEC   (as root)
 * bench_daemon_load --scale DAEMON N SECONDS                     (as root)
 *
 * N fake sessions, each a process that holds the server end of a real
 * loopback TCP connection and has its record written by the real
 * pam_sshd_watchdog.so through Linux-PAM (pam_start_confdir with a service
 * file of our own), so getpid() in the module is that process; the bench
 * runs as a hard link of itself named sshd, since the module acts only in
 * sshd. pam_wrapper cannot serve here: it keeps a directory per live
 * process, from a set of about 62 names.
 * The bench keeps the client ends and sends one byte on each, round robin,
 * every keepalive period: client input. Keepalives run from the first
 * session on, so that the first ones stay alive while the last are set up.
 *
 * The first form starts DAEMON with InputTimeoutSec=TIMEOUT_SEC once all are
 * recorded and prints its start-up (`startup:`) and its CPU and memory over
 * SECONDS (`steady ...:`).
 *
 * --scale runs the scenarios of a bastion on one set of N sessions, the
 * daemon under its unit's limits (LimitNOFILE=524288, Nice=-10,
 * WatchdogSec=30s: WATCHDOG_USEC and a NOTIFY_SOCKET of ours, every ping
 * timed):
 *   idle (InputTimeoutSec=15min, no keepalive), keepalive every 60 s
 *   (15min), the baseline (a shell loop running `ss -tin` once a second over
 *   the same connections, the alternative an admin writes), keepalive
 *   every 5 s (InputTimeoutSec=10s, after a reload), a restart with N
 *   records, and all N going silent at once (each must be ended within
 *   KillGraceSec + 1 s of its own deadline).
 *
 * With SWD_BENCH_IDLE=1 (make bench-scale BENCH_IDLE=1) every fake sshd
 * also holds the master of a pty of its own, as sshd's monitor does, and
 * the configuration adds IdleTimeoutSec=15min: the same scenarios with the
 * idle-user policy on; its baseline is a shell loop that stats every
 * pty's atime once a second (what `w` reads); and the last scenario is
 * all N idle at once (IdleTimeoutSec=20s, IdleWarnSec=10s after a reload,
 * keepalives going on: warned, then ended 10 s later). N ptys need
 * kernel.pty.max above N: the bench raises it and puts it back at exit.
 *
 * The fake sshds are made by a small spawner process started before the
 * bench opens its N client sockets, with clone(CLONE_PARENT): they are the
 * bench's children (reaped by it), but their file descriptor tables are as
 * small as a real sshd-session's. Forked from the bench itself, session i
 * would carry a table sized for the bench's 2i descriptors, and listing
 * /proc/PID/fd would cost the daemon time no real host spends.
 *
 * Everything runs in a mount namespace of its own with a tmpfs on /tmp:
 * the state directory and the records vanish with the last process of the
 * bench, however it ends. Every process it starts dies with it
 * (PR_SET_PDEATHSIG) and is killed and reaped by PID on every exit.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "as_sshd.h"

#define MSG_WATCHED "MESSAGE_ID=4c2ba311"
#define MSG_ENDED "MESSAGE_ID=ffa2c224"
#define MSG_STARTED "MESSAGE_ID=a21ecc70"
#define MSG_IDLE_WARNED "MESSAGE_ID=6a7dd862"
#define MSG_IDLE_ENDED "MESSAGE_ID=396f0c16"
#define UNIT_NOFILE 524288
#define UNIT_NICE (-10)
#define UNIT_WATCHDOG_USEC 30000000ULL
#define GRACE_SEC 1

typedef struct Session {
        pid_t pid;
        int client;
        uint64_t last_sent;  /* usec, CLOCK_MONOTONIC */
        uint64_t exited;     /* usec; 0: alive */
} Session;

static Session *sessions;
static size_t n_sessions, n_exited;
static pid_t daemon_pid, baseline_pid, spawner_pid;
static const char *daemon_path, *service_dir;
static char root[64], state[128], conf[128], log_path[128], notify_path[100];
static int notify_fd = -1, listen_fd = -1, spawner_fd = -1;

/* The keepalive pump: round robin, one byte per session per period. */
static unsigned keepalive_sec;
/* SWD_BENCH_IDLE: each fake sshd holds a pty; the idle limit is on. */
static bool with_pty;
static long pty_max_saved = -1;
static uint64_t pump_at, pump_sent;
static double pump_credit;
static size_t pump_next;

/* The daemon's notifications */
static uint64_t daemon_exec_at, last_ping, max_ping_gap, pings, ready_at;

static uint64_t now_us(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

static void reap(void);

static void stop_pid(pid_t *pid, int sig) {
        if (*pid <= 0)
                return;
        kill(*pid, sig);
        waitpid(*pid, NULL, 0);
        *pid = 0;
}

static void cleanup(void) {
        if (baseline_pid > 0)
                kill(-baseline_pid, SIGKILL);
        stop_pid(&baseline_pid, SIGKILL);
        stop_pid(&daemon_pid, SIGTERM);
        stop_pid(&spawner_pid, SIGKILL);
        for (size_t i = 0; i < n_sessions; i++)
                if (!sessions[i].exited)
                        kill(sessions[i].pid, SIGKILL);
        for (size_t i = 0; i < n_sessions; i++)
                if (!sessions[i].exited)
                        waitpid(sessions[i].pid, NULL, 0);
        n_sessions = 0;
        if (pty_max_saved >= 0) {
                FILE *f = fopen("/proc/sys/kernel/pty/max", "we");
                if (!f || fprintf(f, "%ld\n", pty_max_saved) < 0 || fclose(f) != 0)
                        fprintf(stderr, "cannot put kernel.pty.max back to %ld\n", pty_max_saved);
                pty_max_saved = -1;
        }
        /* The tmpfs and what is in it go with our mount namespace. */
}

static void on_signal(int sig) {
        cleanup();
        signal(sig, SIG_DFL);
        raise(sig);
}

static _Noreturn __attribute__((format(printf, 1, 2))) void die(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        cleanup();
        exit(1);
}

static int conv(int n, const struct pam_message **m, struct pam_response **r, void *d) {
        (void) n, (void) m, (void) r, (void) d;
        return PAM_CONV_ERR;
}

/* The fake sshd monitor: record the session, say how it went on the
 * pipe, hold the socket, wait. */
static void child_main(int server_fd, int report_fd) {
        struct pam_conv c = { conv, NULL };
        pam_handle_t *pamh = NULL;
        int r;

        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        /* Out of the way first: either may already sit on 3 or 4. */
        int s = fcntl(server_fd, F_DUPFD, 5), rep = fcntl(report_fd, F_DUPFD, 5);
        if (s < 0 || rep < 0 || dup2(s, 3) < 0 || dup2(rep, 4) < 0) {
                perror("child: dup");
                _exit(1);
        }
        (void) close_range(5, ~0U, 0);
        /* Like sshd's monitor, which keeps the master of each pty it
         * allocated; the slave is root's, as the record's user is. */
        if (with_pty) {
                int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
                if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0) {
                        perror("child: pty");
                        _exit(1);
                }
        }
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

/* CPU time of a process in microseconds: its scheduler runtime when the
 * kernel keeps it (ns), else utime + stime (ticks); with children, what
 * it has reaped of theirs too. */
static uint64_t proc_cpu_us(pid_t pid, bool with_children) {
        char path[64], buf[2048];
        unsigned long long ut, st, cut, cst, run_ns;
        FILE *f;

        if (!with_children) {
                snprintf(path, sizeof(path), "/proc/%d/schedstat", (int) pid);
                if ((f = fopen(path, "re"))) {
                        int ok = fscanf(f, "%llu", &run_ns) == 1;
                        fclose(f);
                        if (ok)
                                return run_ns / 1000;
                }
        }
        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        if (!(f = fopen(path, "re")))
                return 0;
        if (!fgets(buf, sizeof(buf), f)) {
                fclose(f);
                return 0;
        }
        fclose(f);
        char *p = strrchr(buf, ')');
        if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %llu %llu", &ut, &st,
                         &cut, &cst) != 4)
                return 0;
        return (ut + st + (with_children ? cut + cst : 0)) * 1000000ULL / (uint64_t) sysconf(_SC_CLK_TCK);
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

/* The daemon's log, read as it grows: lines with MSG_WATCHED and MSG_ENDED. */
static struct {
        off_t at;
        size_t watched, ended, idle_warned, idle_ended;
        char part[4096];
        size_t n_part;
} tail;

static void tail_read(void) {
        char buf[65536];
        int fd = open(log_path, O_RDONLY | O_CLOEXEC);
        ssize_t k;

        if (fd < 0)
                return;
        while ((k = pread(fd, buf, sizeof(buf), tail.at)) > 0) {
                tail.at += k;
                for (ssize_t i = 0; i < k; i++) {
                        if (buf[i] != '\n') {
                                if (tail.n_part < sizeof(tail.part) - 1)
                                        tail.part[tail.n_part++] = buf[i];
                                continue;
                        }
                        tail.part[tail.n_part] = '\0';
                        tail.watched += strstr(tail.part, MSG_WATCHED) != NULL;
                        /* At start-up one entry counts the sessions found open. */
                        const char *timed = strstr(tail.part, " SESSIONS_TIMED=");
                        if (timed && strstr(tail.part, MSG_STARTED) && strstr(tail.part, ">Started: "))
                                tail.watched += strtoul(timed + strlen(" SESSIONS_TIMED="), NULL, 10);
                        tail.ended += strstr(tail.part, MSG_ENDED) != NULL;
                        tail.idle_warned += strstr(tail.part, MSG_IDLE_WARNED) != NULL;
                        tail.idle_ended += strstr(tail.part, MSG_IDLE_ENDED) != NULL;
                        tail.n_part = 0;
                }
        }
        close(fd);
}

static void notify_read(void) {
        char buf[4096];
        ssize_t k;

        while ((k = recv(notify_fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
                buf[k] = '\0';
                if (strstr(buf, "READY=1"))
                        ready_at = now_us();
                if (strstr(buf, "WATCHDOG=1")) {
                        uint64_t t = now_us(), since = last_ping ? last_ping : daemon_exec_at;
                        if (t - since > max_ping_gap)
                                max_ping_gap = t - since;
                        last_ping = t;
                        pings++;
                }
        }
}

static void pump_set(unsigned period_sec) {
        keepalive_sec = period_sec;
        pump_at = now_us();
        pump_credit = 0;
}

/* One step of everything that runs in the background: keepalives due,
 * exited sessions reaped, the daemon's pings and log read. */
static void tick(void) {
        uint64_t t = now_us();

        if (keepalive_sec > 0 && n_sessions > 0) {
                pump_credit += (double) (t - pump_at) * (double) n_sessions / (keepalive_sec * 1e6);
                for (size_t tries = 0; pump_credit >= 1 && tries < n_sessions; tries++) {
                        Session *s = &sessions[pump_next];
                        pump_next = (pump_next + 1) % n_sessions;
                        if (s->exited)
                                continue;
                        if (write(s->client, "k", 1) != 1 && errno != EPIPE && errno != ECONNRESET)
                                perror("keepalive");
                        s->last_sent = t;
                        pump_sent++;
                        pump_credit -= 1;
                }
                if (pump_credit > n_sessions)
                        pump_credit = 0;
        }
        pump_at = t;
        reap();
        notify_read();
        tail_read();
}

static int cmp_pid(const void *a, const void *b) {
        pid_t x = ((const Session *) a)->pid, y = ((const Session *) b)->pid;
        return (x > y) - (x < y);
}

static Session *session_of(pid_t pid) {
        Session key = { .pid = pid };
        return bsearch(&key, sessions, n_sessions, sizeof(Session), cmp_pid);
}

static bool sorted;

static void reap(void) {
        pid_t pid;
        while ((pid = waitpid(-1, NULL, WNOHANG)) > 0) {
                Session *s = sorted ? session_of(pid) : NULL;
                if (!sorted)
                        for (size_t i = 0; i < n_sessions && !s; i++)
                                if (sessions[i].pid == pid)
                                        s = &sessions[i];
                if (s && !s->exited) {
                        s->exited = now_us();
                        n_exited++;
                }
                else if (pid == daemon_pid) {
                        daemon_pid = 0;
                        fprintf(stderr, "the daemon exited\n");
                }
        }
}

static void wait_for(double seconds) {
        uint64_t end = now_us() + (uint64_t) (seconds * 1e6);
        while (now_us() < end) {
                tick();
                usleep(10000);
        }
}

static void write_conf_idle(unsigned timeout_sec, unsigned idle_sec, unsigned warn_sec) {
        FILE *f = fopen(conf, "we");
        if (!f || fprintf(f, "[Watchdog]\nInputTimeoutSec=%us\nKillGraceSec=%us\n", timeout_sec, GRACE_SEC) < 0 ||
            (idle_sec > 0 && fprintf(f, "IdleTimeoutSec=%us\nIdleWarnSec=%us\n", idle_sec, warn_sec) < 0) ||
            fclose(f) != 0)
                die("cannot write %s", conf);
}

static void write_conf(unsigned timeout_sec) {
        write_conf_idle(timeout_sec, with_pty ? 900 : 0, 60);
}

/* N ptys, and some for the machine's own use. */
static void raise_pty_max(unsigned long n) {
        long max = -1, nr = -1;
        FILE *f = fopen("/proc/sys/kernel/pty/max", "re"), *g = fopen("/proc/sys/kernel/pty/nr", "re");

        if (!f || !g || fscanf(f, "%ld", &max) != 1 || fscanf(g, "%ld", &nr) != 1)
                die("%s", "cannot read kernel.pty.max and kernel.pty.nr");
        fclose(f);
        fclose(g);
        if ((unsigned long) max >= (unsigned long) nr + n + 256)
                return;
        if (!(f = fopen("/proc/sys/kernel/pty/max", "we")) || fprintf(f, "%lu\n", (unsigned long) nr + n + 256) < 0 ||
            fclose(f) != 0)
                die("cannot raise kernel.pty.max from %ld", max);
        pty_max_saved = max;
        printf("kernel.pty.max raised from %ld to %lu for the bench (put back at exit)\n", max,
               (unsigned long) nr + n + 256);
}

static size_t alive_sessions(void) {
        return n_sessions - n_exited;
}

/* Receives (server socket, report pipe) pairs and starts a fake sshd for
 * each, as a sibling: the pid goes back on the socket. */
static _Noreturn void spawner_main(int sock) {
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
        for (;;) {
                char data, cbuf[CMSG_SPACE(2 * sizeof(int))];
                struct iovec iov = { &data, 1 };
                struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                                     .msg_controllen = sizeof(cbuf) };
                struct cmsghdr *c;
                int fds[2];
                ssize_t k = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);

                if (k <= 0)
                        _exit(k == 0 ? 0 : 1);
                c = CMSG_FIRSTHDR(&mh);
                if (!c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(2 * sizeof(int)))
                        _exit(1);
                memcpy(fds, CMSG_DATA(c), sizeof(fds));
                /* A fork whose parent is ours: the bench reaps it. */
                pid_t pid = (pid_t) syscall(SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, 0);
                if (pid == 0)
                        child_main(fds[0], fds[1]);
                close(fds[0]);
                close(fds[1]);
                if (write(sock, &pid, sizeof(pid)) != sizeof(pid))
                        _exit(1);
        }
}

static void spawner_start(void) {
        int sp[2];

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
                die("socketpair: %s", strerror(errno));
        spawner_pid = fork();
        if (spawner_pid < 0)
                die("fork: %s", strerror(errno));
        if (spawner_pid == 0) {
                close(sp[0]);
                spawner_main(sp[1]);
        }
        close(sp[1]);
        spawner_fd = sp[0];
}

static pid_t spawn_session(int server_fd, int report_fd) {
        int fds[2] = { server_fd, report_fd };
        char data = 0, cbuf[CMSG_SPACE(sizeof(fds))] = {};
        struct iovec iov = { &data, 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        pid_t pid;

        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(fds));
        memcpy(CMSG_DATA(c), fds, sizeof(fds));
        if (sendmsg(spawner_fd, &mh, MSG_NOSIGNAL) != 1 || read(spawner_fd, &pid, sizeof(pid)) != sizeof(pid))
                die("the spawner: %s", strerror(errno));
        if (pid < 0)
                die("%s", "the spawner cannot clone");
        return pid;
}

static void make_sessions(size_t n) {
        struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t alen = sizeof(addr);
        uint64_t t0 = now_us();

        spawner_start();
        sessions = calloc(n, sizeof(Session));
        listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (!sessions || listen_fd < 0 || bind(listen_fd, (struct sockaddr *) &addr, sizeof(addr)) < 0 ||
            listen(listen_fd, 128) < 0 || getsockname(listen_fd, (struct sockaddr *) &addr, &alen) < 0)
                die("listener: %s", strerror(errno));
        for (size_t i = 0; i < n; i++) {
                int sfd, report[2];
                unsigned char b = 255;
                Session *s = &sessions[n_sessions];

                s->client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (s->client < 0 || connect(s->client, (struct sockaddr *) &addr, sizeof(addr)) < 0 ||
                    (sfd = accept4(listen_fd, NULL, NULL, 0)) < 0)
                        die("connection: %s", strerror(errno));
                if (pipe2(report, O_CLOEXEC) < 0)
                        die("pipe: %s", strerror(errno));
                s->pid = spawn_session(sfd, report[1]);
                s->last_sent = now_us();
                n_sessions++;
                close(sfd);
                close(report[1]);
                /* One at a time: the record is on disk before the next fork. */
                if (read(report[0], &b, 1) != 1 || b != PAM_SUCCESS) {
                        fprintf(stderr, "session %zu: pam_open_session: %s\n", i,
                                b == 255 ? "the child died" : pam_strerror(NULL, b));
                        die("%s", "cannot set up the sessions");
                }
                close(report[0]);
                if (i % 64 == 63)
                        tick();
        }
        qsort(sessions, n_sessions, sizeof(Session), cmp_pid);
        sorted = true;
        pump_next = 0;
        printf("sessions: %zu recorded through pam_sshd_watchdog.so in %.1f s\n", n, (now_us() - t0) / 1e6);
        fflush(stdout);
}

static void daemon_start(bool unit_limits) {
        tail_read();
        daemon_exec_at = now_us();
        last_ping = 0;
        daemon_pid = fork();
        if (daemon_pid < 0)
                die("fork: %s", strerror(errno));
        if (daemon_pid == 0) {
                int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                signal(SIGTERM, SIG_DFL);
                signal(SIGINT, SIG_DFL);
                if (fd < 0 || dup2(fd, 2) < 0)
                        _exit(126);
                setenv("SSHD_WATCHDOG_LOG", "stderr", 1);
                if (unit_limits) {
                        /* As much of it as we may: the hard limit may be lower here. */
                        struct rlimit rl = { UNIT_NOFILE, UNIT_NOFILE };
                        char v[32];
                        if (setrlimit(RLIMIT_NOFILE, &rl) < 0 && (getrlimit(RLIMIT_NOFILE, &rl) < 0 ||
                                                                  (rl.rlim_cur = rl.rlim_max,
                                                                   setrlimit(RLIMIT_NOFILE, &rl) < 0)))
                                _exit(126);
                        if (setpriority(PRIO_PROCESS, 0, UNIT_NICE) < 0)
                                _exit(126);
                        snprintf(v, sizeof(v), "%llu", UNIT_WATCHDOG_USEC);
                        setenv("WATCHDOG_USEC", v, 1);
                        setenv("NOTIFY_SOCKET", notify_path, 1);
                }
                execl(daemon_path, daemon_path, "--config", conf, "--state-dir", state, (char *) NULL);
                _exit(127);
        }
}

/* Waits until the daemon (started at daemon_exec_at) watches every live
 * session, and prints LABEL's line. */
static void startup_report(const char *label, size_t watched_before) {
        size_t want = alive_sessions();

        while (tail.watched - watched_before < want) {
                if (now_us() - daemon_exec_at > 300 * 1000000ULL || daemon_pid == 0) {
                        fprintf(stderr, "the daemon watches only %zu of %zu sessions\n", tail.watched - watched_before,
                                want);
                        die("%s", "start-up failed");
                }
                tick();
                usleep(5000);
        }
        printf("%s: all %zu watched %.2f s after exec, %llu ms CPU, RSS %ld kB\n", label, want,
               (now_us() - daemon_exec_at) / 1e6, (unsigned long long) proc_cpu_us(daemon_pid, false) / 1000,
               proc_status_kb(daemon_pid, "VmRSS:"));
        printf("  peak RSS: %ld kB\n", proc_status_kb(daemon_pid, "VmHWM:"));
        fflush(stdout);
}

/* SECONDS with keepalives every `period` (0: none): the daemon's CPU, in
 * microseconds per second. The `steady` line is read by other checks: its
 * words stay as they are. */
static double steady(unsigned seconds, unsigned timeout, unsigned period) {
        size_t ended0 = tail.ended;
        uint64_t cpu0, cpu1, sent0 = pump_sent, t0;

        pump_set(period);
        cpu0 = proc_cpu_us(daemon_pid, false);
        t0 = now_us();
        while (now_us() - t0 < seconds * 1000000ULL) {
                tick();
                usleep(10000);
        }
        cpu1 = proc_cpu_us(daemon_pid, false);
        printf("steady %us (InputTimeoutSec=%us, keepalive every %us): CPU %llu ms (%.3f%% of one core), "
               "RSS %ld kB, peak RSS %ld kB, %llu keepalive bytes, %zu sessions ended\n",
               seconds, timeout, period, (unsigned long long) (cpu1 - cpu0) / 1000,
               (double) (cpu1 - cpu0) / (seconds * 1e6) * 100.0, proc_status_kb(daemon_pid, "VmRSS:"),
               proc_status_kb(daemon_pid, "VmHWM:"), (unsigned long long) (pump_sent - sent0), tail.ended - ended0);
        printf("  per minute: %.1f ms CPU\n", (cpu1 - cpu0) / 1000.0 * 60 / seconds);
        fflush(stdout);
        return (double) (cpu1 - cpu0) / seconds;
}

/* What an admin writes instead: once a second, ss over the same
 * connections, and the ones silent for longer than the limit picked out.
 * Its CPU (the shell and what it reaped: ss, awk, sleep) per second. */
static double baseline(unsigned seconds, unsigned timeout, unsigned period, int port) {
        char script[1024];
        uint64_t t0;

        if (with_pty)
                /* The idle policy's alternative: every terminal's atime,
                 * once a second, the stale ones counted. */
                snprintf(script, sizeof(script),
                         "while :; do now=$(date +%%s); stat -c %%X /dev/pts/[0-9]* | "
                         "awk -v now=$now -v lim=%u '$1 + lim < now { n++ } END { print n + 0 }' >/dev/null; "
                         "sleep 1; done",
                         900);
        else
                snprintf(script, sizeof(script),
                         "while :; do ss -Htin state established '( sport = :%d )' | "
                         "awk -v lim=%u '/lastrcv:/ { if (match($0, /lastrcv:[0-9]+/) && "
                         "substr($0, RSTART + 8, RLENGTH - 8) + 0 > lim) n++ } END { print n + 0 }' >/dev/null; "
                         "sleep 1; done",
                         port, timeout * 1000);
        pump_set(period);
        baseline_pid = fork();
        if (baseline_pid < 0)
                die("fork: %s", strerror(errno));
        if (baseline_pid == 0) {
                (void) setpgid(0, 0);
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                execl("/bin/sh", "sh", "-c", script, (char *) NULL);
                _exit(127);
        }
        t0 = now_us();
        while (now_us() - t0 < seconds * 1000000ULL) {
                tick();
                usleep(10000);
        }
        uint64_t cpu = proc_cpu_us(baseline_pid, true);
        kill(-baseline_pid, SIGKILL);
        stop_pid(&baseline_pid, SIGKILL);
        printf("baseline %us (a shell loop: %s once a second, InputTimeoutSec=%us): CPU %.1f ms (%.3f%% of "
               "one core, %.1f ms per minute)\n",
               seconds, with_pty ? "stat of every pty's atime" : "ss -tin", timeout, cpu / 1000.0, (double) cpu / (seconds * 1e6) * 100.0, cpu / 1000.0 * 60 / seconds);
        fflush(stdout);
        return (double) cpu / seconds;
}

static void ratio(const char *what, double daemon_us_per_s, double base_us_per_s) {
        if (daemon_us_per_s < 1)
                printf("ratio (%s): the baseline costs %.0f us per second, the daemon under 1 us: more than %.0fx "
                       "cheaper\n",
                       what, base_us_per_s, base_us_per_s);
        else
                printf("ratio (%s): the daemon is %.0fx cheaper than the baseline\n", what,
                       base_us_per_s / daemon_us_per_s);
        fflush(stdout);
}

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return (x > y) - (x < y);
}

/* All keepalives stop at once; every session must be ended (its process
 * gone: SIGTERM kills it) within KillGraceSec + 1 s of its own deadline. */
static bool silent_at_once(unsigned timeout) {
        size_t n = alive_sessions(), k = 0, late = 0, early = 0;
        uint64_t *lateness = calloc(n ?: 1, sizeof(uint64_t)), limit = (GRACE_SEC + 1) * 1000000ULL;
        uint64_t t0 = now_us(), cpu0 = proc_cpu_us(daemon_pid, false);

        if (!lateness)
                die("%s", "out of memory");
        pump_set(0);
        while (alive_sessions() > 0 && now_us() - t0 < (timeout + GRACE_SEC + 30) * 1000000ULL) {
                tick();
                usleep(2000);
        }
        for (size_t i = 0; i < n_sessions; i++) {
                Session *s = &sessions[i];
                uint64_t deadline = s->last_sent + timeout * 1000000ULL;
                if (!s->exited)
                        continue;
                /* Our clock read before the byte went: the kernel's is later. */
                early += s->exited + 5000 < deadline;
                lateness[k] = s->exited > deadline ? s->exited - deadline : 0;
                late += lateness[k] > limit;
                k++;
        }
        qsort(lateness, k, sizeof(uint64_t), cmp_u64);
        printf("silent at once: %zu sessions, InputTimeoutSec=%us KillGraceSec=%us: %zu ended, %zu still alive; "
               "after its deadline: median %llu ms, p99 %llu ms, max %llu ms; %zu later than %llu ms, %zu before it; "
               "daemon CPU %llu ms, peak RSS %ld kB\n",
               n, timeout, GRACE_SEC, k, alive_sessions(), k ? (unsigned long long) lateness[k / 2] / 1000 : 0,
               k ? (unsigned long long) lateness[k * 99 / 100] / 1000 : 0,
               k ? (unsigned long long) lateness[k - 1] / 1000 : 0, late, (unsigned long long) limit / 1000, early,
               (unsigned long long) (proc_cpu_us(daemon_pid, false) - cpu0) / 1000,
               proc_status_kb(daemon_pid, "VmHWM:"));
        fflush(stdout);
        free(lateness);
        return k == n && late == 0 && early == 0;
}

/* IdleTimeoutSec=20s, IdleWarnSec=10s by a reload, keepalives going on:
 * every pty is older than that, so all are warned at the reload (a late
 * warning: the whole 10 s to answer) and ended 10 s later. Each must be
 * ended (its process gone) within KillGraceSec + 1 s of that. */
static bool idle_at_once(void) {
        size_t n = alive_sessions(), k = 0, late = 0, early = 0, w0 = tail.idle_warned, e0 = tail.idle_ended;
        uint64_t *lateness = calloc(n ?: 1, sizeof(uint64_t)), limit = (GRACE_SEC + 1) * 1000000ULL;
        uint64_t cpu0 = proc_cpu_us(daemon_pid, false), t, warned_at = 0;

        if (!lateness)
                die("%s", "out of memory");
        pump_set(5);
        write_conf_idle(900, 20, 10);
        t = now_us();
        kill(daemon_pid, SIGHUP);
        while (alive_sessions() > 0 && now_us() - t < 120 * 1000000ULL) {
                tick();
                if (!warned_at && tail.idle_warned - w0 >= n)
                        warned_at = now_us();
                usleep(2000);
        }
        for (size_t i = 0; i < n_sessions; i++) {
                Session *s = &sessions[i];
                /* Warned after the SIGHUP, ended 10 s after its warning. */
                uint64_t deadline = t + 10 * 1000000ULL;
                if (!s->exited || s->exited < t)
                        continue;
                early += s->exited < deadline;
                lateness[k] = s->exited > deadline ? s->exited - deadline : 0;
                late += lateness[k] > limit + (warned_at ? warned_at - t : 0);
                k++;
        }
        qsort(lateness, k, sizeof(uint64_t), cmp_u64);
        printf("idle at once: %zu sessions, IdleTimeoutSec=20s IdleWarnSec=10s by a reload: %zu warned (all %.2f s "
               "after SIGHUP), %zu ended idle, %zu still alive; after SIGHUP + 10 s: median %llu ms, p99 %llu ms, "
               "max %llu ms; %zu before it, %zu later than the last warning + %llu ms; daemon CPU %llu ms, peak RSS "
               "%ld kB\n",
               n, tail.idle_warned - w0, warned_at ? (warned_at - t) / 1e6 : -1.0, tail.idle_ended - e0,
               alive_sessions(), k ? (unsigned long long) lateness[k / 2] / 1000 : 0,
               k ? (unsigned long long) lateness[k * 99 / 100] / 1000 : 0,
               k ? (unsigned long long) lateness[k - 1] / 1000 : 0, early, late, (unsigned long long) limit / 1000,
               (unsigned long long) (proc_cpu_us(daemon_pid, false) - cpu0) / 1000,
               proc_status_kb(daemon_pid, "VmHWM:"));
        fflush(stdout);
        free(lateness);
        return k == n && late == 0 && early == 0 && tail.idle_ended - e0 == n;
}

static void setup_root(void) {
        char path[256];
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        FILE *f;

        /* A tmpfs on /tmp seen only by us: gone with our last process. */
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("swd-bench", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
                die("cannot make a private /tmp: %s", strerror(errno));
        snprintf(root, sizeof(root), "/tmp/swd-bench");
        snprintf(path, sizeof(path), "%s/services", root);
        if (mkdir(root, 0700) < 0 || mkdir(path, 0700) < 0)
                die("mkdir: %s", strerror(errno));
        service_dir = strdup(path);
        snprintf(path, sizeof(path), "%s/services/swd-load", root);
        if (!(f = fopen(path, "we")))
                die("cannot write %s", path);
        fprintf(f, "session required %s statedir=%s/state\n", MODULE_PATH, root);
        fclose(f);
        snprintf(state, sizeof(state), "%s/state", root);
        snprintf(conf, sizeof(conf), "%s/watchdog.conf", root);
        snprintf(log_path, sizeof(log_path), "%s/watchdog.log", root);
        snprintf(notify_path, sizeof(notify_path), "%s/notify", root);
        memcpy(sa.sun_path, notify_path, sizeof(notify_path));
        notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (notify_fd < 0 || bind(notify_fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                die("notify socket: %s", strerror(errno));
        int big = 4 << 20;
        (void) setsockopt(notify_fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
}

static int listen_port(void) {
        struct sockaddr_in a;
        socklen_t l = sizeof(a);
        return getsockname(listen_fd, (struct sockaddr *) &a, &l) < 0 ? -1 : ntohs(a.sin_port);
}

static int run_scale(unsigned long n, unsigned seconds) {
        bool ok;

        pump_set(5);
        make_sessions(n);

        printf("== idle: InputTimeoutSec=15min, no keepalive ==\n");
        write_conf(900);
        daemon_start(true);
        startup_report("startup", tail.watched);
        steady(seconds, 900, 0);

        printf("== keepalive every 60 s, InputTimeoutSec=15min ==\n");
        double ka60 = steady(seconds, 900, 60);

        printf("== baseline: %s once a second over the same %zu sessions ==\n",
               with_pty ? "a stat of every pty's atime" : "ss -tin", alive_sessions());
        double base = baseline(seconds, 900, 60, listen_port());
        ratio("keepalive every 60 s", ka60, base);

        printf("== keepalive every 5 s, InputTimeoutSec=10s (after a reload) ==\n");
        pump_set(5);
        wait_for(6); /* every session has had input within 5 s before the limit drops */
        write_conf(10);
        uint64_t t = now_us(), cpu0 = proc_cpu_us(daemon_pid, false);
        ready_at = 0;
        kill(daemon_pid, SIGHUP);
        while (ready_at == 0 && now_us() - t < 60 * 1000000ULL) {
                tick();
                usleep(2000);
        }
        if (ready_at == 0)
                die("%s", "no READY=1 within 60 s of the reload");
        printf("reload: %zu sessions given the new limit, READY=1 again %.3f s after SIGHUP, %llu ms CPU, "
               "%zu ended\n",
               alive_sessions(), (ready_at - t) / 1e6,
               (unsigned long long) (proc_cpu_us(daemon_pid, false) - cpu0) / 1000, n_exited);
        double ka5 = steady(seconds, 10, 5);
        ratio("keepalive every 5 s", ka5, base);

        printf("== restart with %zu records (keepalives go on) ==\n", alive_sessions());
        stop_pid(&daemon_pid, SIGTERM);
        daemon_start(true);
        startup_report("restart", tail.watched);
        wait_for(2);

        if (with_pty) {
                printf("== all %zu idle at once ==\n", alive_sessions());
                ok = idle_at_once();
        } else {
                printf("== all %zu silent at once ==\n", alive_sessions());
                ok = silent_at_once(10);
        }
        notify_read();
        printf("watchdog: %llu pings, the longest gap %.2f s (WatchdogSec=%llus)%s\n", (unsigned long long) pings,
               max_ping_gap / 1e6, UNIT_WATCHDOG_USEC / 1000000, daemon_pid > 0 ? "" : "; the daemon is gone");
        if (max_ping_gap >= UNIT_WATCHDOG_USEC || daemon_pid == 0)
                ok = false;
        cleanup();
        return ok ? 0 : 1;
}

static int run_one(unsigned long n, unsigned seconds, unsigned timeout, unsigned keepalive) {
        pump_set(keepalive);
        make_sessions(n);
        write_conf(timeout);
        daemon_start(false);
        startup_report("startup", tail.watched);
        steady(seconds, timeout, keepalive);
        size_t ended = tail.ended;
        cleanup();
        return ended == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
        bool scale = argc > 1 && strcmp(argv[1], "--scale") == 0;
        char **a = argv + scale;
        int ac = argc - scale;
        unsigned long n;
        struct rlimit rl;

        if (geteuid() != 0 || (scale ? ac != 4 : ac != 6)) {
                fprintf(stderr,
                        "usage (as root): %s DAEMON N SECONDS TIMEOUT_SEC KEEPALIVE_SEC\n"
                        "                 %s --scale DAEMON N SECONDS\n",
                        argv[0], argv[0]);
                return 2;
        }
        if (!running_as_sshd()) {
                char self[4096];
                self_exe(self, sizeof(self));
                exec_as_sshd(self, argv);
                return 1;
        }
        daemon_path = a[1];
        n = strtoul(a[2], NULL, 10);
        with_pty = getenv("SWD_BENCH_IDLE") && strcmp(getenv("SWD_BENCH_IDLE"), "1") == 0;
        if (with_pty)
                raise_pty_max(n);

        /* One fd per session here (its client end), and a few. */
        if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_max < n + 64)
                die("RLIMIT_NOFILE allows %llu fds, %lu sessions need %lu", (unsigned long long) rl.rlim_max, n,
                    n + 64);
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                die("cannot raise RLIMIT_NOFILE: %s", strerror(errno));
        signal(SIGPIPE, SIG_IGN);
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        signal(SIGHUP, on_signal);
        setup_root();
        if (scale)
                return run_scale(n, (unsigned) strtoul(a[3], NULL, 10));
        return run_one(n, (unsigned) strtoul(a[3], NULL, 10), (unsigned) strtoul(a[4], NULL, 10),
                       (unsigned) strtoul(a[5], NULL, 10));
}
