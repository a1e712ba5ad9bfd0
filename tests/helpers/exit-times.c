/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * exit-times TIMEOUT_MS < "PID STARTTIME" lines: watches the processes
 * through pidfds and, once every one has exited (or TIMEOUT_MS passed),
 * prints when: "exited N of M, last at MS" (MS: CLOCK_BOOTTIME, the clock
 * of /proc/uptime). Prints "ready M" once it watches them all.
 *
 * A test that polls /proc for thousands of PIDs competes with what it
 * measures, and learns of an exit only at its next look; the kernel tells
 * a pidfd at the exit itself. A PID that is gone, or names another process
 * (start time), by the time it is opened is an error: the caller has to
 * know what it watches.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "proc.h"

static int64_t boottime_ms(void) {
        struct timespec ts;
        if (clock_gettime(CLOCK_BOOTTIME, &ts) < 0)
                return -1;
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv) {
        struct rlimit rl;
        long timeout_ms;
        int ep, pid;
        uint64_t starttime;
        size_t n = 0, exited = 0;
        int64_t last = -1, end;

        if (argc != 2 || (timeout_ms = strtol(argv[1], NULL, 10)) <= 0) {
                fprintf(stderr, "usage: exit-times TIMEOUT_MS < 'PID STARTTIME' lines\n");
                return 2;
        }
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                (void) setrlimit(RLIMIT_NOFILE, &rl);
        }
        ep = epoll_create1(EPOLL_CLOEXEC);
        if (ep < 0) {
                perror("exit-times: epoll_create1");
                return 1;
        }
        while (scanf("%d %" SCNu64, &pid, &starttime) == 2) {
                ProcStat st;
                int fd = (int) syscall(SYS_pidfd_open, pid, 0), r;
                if (fd < 0) {
                        fprintf(stderr, "exit-times: pidfd_open(%d): %s\n", pid, strerror(errno));
                        return 1;
                }
                /* Checked after the open: the pidfd names what was checked. */
                r = proc_stat_read(NULL, pid, &st);
                if (r < 0 || st.starttime != starttime || st.state == 'Z') {
                        fprintf(stderr, "exit-times: PID %d is not the process of start time %" PRIu64 "\n", pid,
                                starttime);
                        return 1;
                }
                struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };
                if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
                        fprintf(stderr, "exit-times: epoll_ctl(%d): %s\n", pid, strerror(errno));
                        return 1;
                }
                n++;
        }
        printf("ready %zu\n", n);
        fflush(stdout);

        end = boottime_ms() + timeout_ms;
        while (exited < n) {
                struct epoll_event evs[256];
                int64_t left = end - boottime_ms();
                if (left <= 0)
                        break;
                int k = epoll_wait(ep, evs, (int) ELEMENTSOF(evs), (int) left);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        perror("exit-times: epoll_wait");
                        return 1;
                }
                if (k > 0)
                        last = boottime_ms();
                for (int i = 0; i < k; i++) {
                        (void) epoll_ctl(ep, EPOLL_CTL_DEL, evs[i].data.fd, NULL);
                        close(evs[i].data.fd);
                        exited++;
                }
        }
        printf("exited %zu of %zu, last at %" PRId64 "\n", exited, n, last);
        return exited == n ? 0 : 1;
}
