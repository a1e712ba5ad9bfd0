/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * register-flood SOCKET SECONDS [PROCESSES]: what any local user can do to
 * the daemon's registration socket (mode 0666): connect and hang up, as
 * fast as it goes, from PROCESSES processes (default 4) for SECONDS.
 * Prints the connections made and the ones that failed.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        unsigned long *counts;
        int procs = argc > 3 ? atoi(argv[3]) : 4;
        double seconds, end;

        if (argc < 3 || procs < 1 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
                fprintf(stderr, "usage: register-flood SOCKET SECONDS [PROCESSES]\n");
                return 2;
        }
        strcpy(sa.sun_path, argv[1]);
        seconds = atof(argv[2]);
        counts = mmap(NULL, 2 * (size_t) procs * sizeof(unsigned long), PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (counts == MAP_FAILED)
                return perror("mmap"), 1;
        end = now() + seconds;
        for (int p = 0; p < procs; p++) {
                pid_t pid = fork();
                if (pid < 0)
                        return perror("fork"), 1;
                if (pid > 0)
                        continue;
                while (now() < end) {
                        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                        struct timeval tv = { .tv_usec = 200000 };
                        if (fd < 0)
                                _exit(1);
                        /* A connect waits while the backlog is full; not past the end. */
                        (void) setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
                        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0)
                                counts[2 * p]++;
                        else
                                counts[2 * p + 1]++;
                        close(fd);
                }
                _exit(0);
        }
        unsigned long made = 0, failed = 0;
        for (int p = 0; p < procs; p++)
                (void) wait(NULL);
        for (int p = 0; p < procs; p++) {
                made += counts[2 * p];
                failed += counts[2 * p + 1];
        }
        printf("%lu connections made, %lu failed, in %.1f s by %d processes\n", made, failed, seconds, procs);
        return 0;
}
