/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * notify-log SOCKET
 *
 * The service manager's side of sd_notify(3), for tests: binds SOCKET (a
 * datagram socket, as NOTIFY_SOCKET names it) and writes each message it
 * gets as one line, "MS FIELD FIELD...": MS is CLOCK_MONOTONIC in
 * milliseconds at receipt, the fields the message's lines. Runs until
 * killed; prints "listening" first.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char buf[4096];
        int fd;

        if (argc != 2 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
                fprintf(stderr, "usage: notify-log SOCKET (a path shorter than %zu)\n", sizeof(sa.sun_path));
                return 2;
        }
        strcpy(sa.sun_path, argv[1]);
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                fprintf(stderr, "notify-log: %s: %s\n", argv[1], strerror(errno));
                return 1;
        }
        printf("listening\n");
        fflush(stdout);
        for (;;) {
                struct timespec ts;
                ssize_t k = recv(fd, buf, sizeof(buf) - 1, 0);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        fprintf(stderr, "notify-log: recv: %s\n", strerror(errno));
                        return 1;
                }
                clock_gettime(CLOCK_MONOTONIC, &ts);
                buf[k] = '\0';
                for (ssize_t i = 0; i < k; i++)
                        if (buf[i] == '\n')
                                buf[i] = ' ';
                printf("%lld %s\n", (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000, buf);
                fflush(stdout);
        }
}
