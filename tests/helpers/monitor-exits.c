/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * monitor-exits TIMEOUT_MS < "PID STARTTIME [TERM_AT_MS]" lines: watches
 * each process through a pidfd and, where TERM_AT_MS is given, sends it
 * SIGTERM at that moment: what a loop of `kill` by hand exactly at each
 * deadline would do, and nothing else, for the floor the daemon's endings
 * are measured against. Times are CLOCK_BOOTTIME ms, the clock of
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
} Watched;

static int64_t clock_ms(clockid_t clock) {
        struct timespec ts;
        clock_gettime(clock, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t mono_ms(void) {
        return clock_ms(CLOCK_BOOTTIME);
}

static int by_term_at(const void *a, const void *b) {
        const Watched *x = a, *y = b;
        return x->term_at < y->term_at ? -1 : x->term_at > y->term_at;
}

int main(int argc, char **argv) {
        Watched *w = NULL;
        size_t n = 0, exited = 0, next = 0;
        struct rlimit rl;
        long timeout_ms;
        char line[256];
        int ep;

        if (argc != 2 || (timeout_ms = strtol(argv[1], NULL, 10)) <= 0) {
                fprintf(stderr, "usage: monitor-exits TIMEOUT_MS < 'PID STARTTIME [TERM_AT_MS]' lines\n");
                return 2;
        }
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                (void) setrlimit(RLIMIT_NOFILE, &rl);
        }
        ep = epoll_create1(EPOLL_CLOEXEC);
        if (ep < 0)
                return perror("monitor-exits: epoll_create1"), 1;
        while (fgets(line, sizeof(line), stdin)) {
                long long term_at = -1;
                uint64_t starttime;
                ProcStat st;
                int pid;

                if (sscanf(line, "%d %" SCNu64 " %lld", &pid, &starttime, &term_at) < 2)
                        continue;
                Watched *v = realloc(w, (n + 1) * sizeof(Watched));
                if (!v)
                        return perror("monitor-exits"), 1;
                w = v;
                w[n] = (Watched) { .pid = pid, .term_at = term_at, .exit_at = -1 };
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
                        next = i + 1;
        }
        printf("ready %zu %" PRId64 "\n", n, clock_ms(CLOCK_BOOTTIME) - clock_ms(CLOCK_MONOTONIC));
        fflush(stdout);

        int64_t end = mono_ms() + timeout_ms;
        while (exited < n) {
                struct epoll_event evs[256];
                int64_t now = mono_ms(), wait = end - now;

                /* Every SIGTERM that is due, then sleep until the next one. */
                for (; next < n && w[next].term_at <= now; next++)
                        (void) syscall(SYS_pidfd_send_signal, w[next].fd, SIGTERM, NULL, 0);
                if (next < n && w[next].term_at - now < wait)
                        wait = w[next].term_at - now;
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
