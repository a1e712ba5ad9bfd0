/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * monitor-exits TIMEOUT_MS [GRACE_MS] < "PID STARTTIME [TERM_AT_MS [CGROUP]]"
 * lines: watches each process through a pidfd and, where TERM_AT_MS is
 * given, sends it SIGTERM at that moment, and GRACE_MS later kills all
 * that is left in CGROUP (cgroup.kill): what a loop of `kill` by hand
 * exactly at each deadline would do to end a session and what it left,
 * and nothing else, for the floor the daemon's endings are measured
 * against. Times are CLOCK_BOOTTIME ms, the clock of
 * /proc/uptime. Prints "ready N OFFSET" once it watches them all (OFFSET:
 * CLOCK_BOOTTIME - CLOCK_MONOTONIC, to place the journal's monotonic
 * times), then, when every one has exited (or TIMEOUT_MS passed), one line
 * per process: "PID EXIT_MS" (-1: still running).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

typedef struct Watched {
        int pid, fd;
        int64_t term_at, exit_at;
        char *cgroup;
} Watched;

static int64_t clock_ms(clockid_t clock) {
        struct timespec ts;
        clock_gettime(clock, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t mono_ms(void) {
        return clock_ms(CLOCK_BOOTTIME);
}

/* What a session left, killed as the kernel does it: every process in its
 * cgroup at once. The cgroup may be gone already (the session closed). */
static void cgroup_kill(const char *cgroup) {
        char *path = NULL;
        FILE *f;

        if (asprintf(&path, "%s/cgroup.kill", cgroup) < 0)
                return;
        f = fopen(path, "we");
        if (f) {
                fputs("1", f);
                if (fclose(f) != 0 && errno != ENOENT && errno != ENODEV)
                        fprintf(stderr, "monitor-exits: %s: %m\n", path);
        } else if (errno != ENOENT)
                fprintf(stderr, "monitor-exits: %s: %m\n", path);
        free(path);
}

static int by_term_at(const void *a, const void *b) {
        const Watched *x = a, *y = b;
        return x->term_at < y->term_at ? -1 : x->term_at > y->term_at;
}

int main(int argc, char **argv) {
        Watched *w = NULL;
        size_t n = 0, exited = 0, next = 0, next_kill = 0, line_size = 0;
        struct rlimit rl;
        long timeout_ms, grace_ms = 0;
        char *line = NULL;
        int ep;

        if (argc < 2 || argc > 3 || (timeout_ms = strtol(argv[1], NULL, 10)) <= 0 ||
            (argc == 3 && (grace_ms = strtol(argv[2], NULL, 10)) <= 0)) {
                fprintf(stderr, "usage: monitor-exits TIMEOUT_MS [GRACE_MS] < 'PID STARTTIME [TERM_AT_MS [CGROUP]]' lines\n");
                return 2;
        }
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                (void) setrlimit(RLIMIT_NOFILE, &rl);
        }
        ep = epoll_create1(EPOLL_CLOEXEC);
        if (ep < 0)
                return perror("monitor-exits: epoll_create1"), 1;
        while (getline(&line, &line_size, stdin) > 0) {
                long long term_at = -1;
                char *cgroup = NULL;
                uint64_t starttime;
                ProcStat st;
                int pid;

                if (sscanf(line, "%d %" SCNu64 " %lld %ms", &pid, &starttime, &term_at, &cgroup) < 2)
                        continue;
                Watched *v = realloc(w, (n + 1) * sizeof(Watched));
                if (!v)
                        return perror("monitor-exits"), 1;
                w = v;
                w[n] = (Watched) { .pid = pid, .term_at = term_at, .exit_at = -1, .cgroup = grace_ms > 0 ? cgroup : NULL };
                if (grace_ms <= 0)
                        free(cgroup);
                w[n].fd = (int) syscall(SYS_pidfd_open, pid, 0);
                /* Checked after the open: the pidfd names what was checked. */
                if (w[n].fd < 0 || proc_stat_read(NULL, pid, &st) < 0 || st.starttime != starttime || st.state == 'Z') {
                        fprintf(stderr, "monitor-exits: PID %d is not the process of start time %" PRIu64 "\n", pid,
                                starttime);
                        return 1;
                }
                n++;
        }
        /* In the order of their deadlines; the index is the epoll data. */
        qsort(w, n, sizeof(Watched), by_term_at);
        for (size_t i = 0; i < n; i++) {
                struct epoll_event ev = { .events = EPOLLIN, .data.u64 = i };
                if (epoll_ctl(ep, EPOLL_CTL_ADD, w[i].fd, &ev) < 0)
                        return perror("monitor-exits: epoll_ctl"), 1;
                if (w[i].term_at < 0)
                        next = next_kill = i + 1;
        }
        printf("ready %zu %" PRId64 "\n", n, clock_ms(CLOCK_BOOTTIME) - clock_ms(CLOCK_MONOTONIC));
        fflush(stdout);

        int64_t end = mono_ms() + timeout_ms;
        while (exited < n || (grace_ms > 0 && next_kill < n)) {
                struct epoll_event evs[256];
                int64_t now = mono_ms(), wait = end - now;

                /* Every SIGTERM and kill that is due, then sleep until the next one. */
                for (; next < n && w[next].term_at <= now; next++)
                        (void) syscall(SYS_pidfd_send_signal, w[next].fd, SIGTERM, NULL, 0);
                for (; grace_ms > 0 && next_kill < n && w[next_kill].term_at + grace_ms <= now; next_kill++)
                        if (w[next_kill].cgroup)
                                cgroup_kill(w[next_kill].cgroup);
                if (exited == n && (grace_ms <= 0 || next_kill >= n))
                        break;
                if (next < n && w[next].term_at - now < wait)
                        wait = w[next].term_at - now;
                if (grace_ms > 0 && next_kill < n && w[next_kill].term_at + grace_ms - now < wait)
                        wait = w[next_kill].term_at + grace_ms - now;
                if (end <= now)
                        break;
                int k = epoll_wait(ep, evs, (int) (sizeof(evs) / sizeof(evs[0])), (int) (wait > 0 ? wait : 0));
                if (k < 0 && errno != EINTR)
                        return perror("monitor-exits: epoll_wait"), 1;
                now = mono_ms();
                for (int i = 0; i < k; i++) {
                        Watched *x = &w[evs[i].data.u64];
                        (void) epoll_ctl(ep, EPOLL_CTL_DEL, x->fd, NULL);
                        x->exit_at = now;
                        exited++;
                }
        }
        for (size_t i = 0; i < n; i++)
                printf("%d %" PRId64 "\n", w[i].pid, w[i].exit_at);
        return exited == n ? 0 : 1;
}
