/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tcp-talker ADDR PORT INTERVAL_MS: listens on ADDR:PORT and sends one byte
 * to every client every INTERVAL_MS: a busy peer of a connection that is not
 * the ssh one (tests/helpers/pam_hold_tcp.so connects to it). Writes
 * "listening" on stdout once it accepts.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CLIENTS 64

int main(int argc, char **argv) {
        struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
        int lfd, one = 1, clients[MAX_CLIENTS], n = 0, interval;

        if (argc != 4 || inet_pton(AF_INET6, argv[1], &sa.sin6_addr) != 1) {
                fprintf(stderr, "usage: tcp-talker IPV6-ADDR PORT INTERVAL_MS\n");
                return 2;
        }
        sa.sin6_port = htons((uint16_t) atoi(argv[2]));
        interval = atoi(argv[3]);
        lfd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
            bind(lfd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(lfd, 16) < 0) {
                perror("tcp-talker");
                return 1;
        }
        printf("listening\n");
        fflush(stdout);
        for (;;) {
                struct pollfd p = { .fd = lfd, .events = POLLIN };
                if (poll(&p, 1, interval) > 0) {
                        int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
                        if (c >= 0 && n < MAX_CLIENTS)
                                clients[n++] = c;
                        else if (c >= 0)
                                close(c);
                        continue;
                }
                for (int i = 0; i < n; i++)
                        if (write(clients[i], "x", 1) != 1) {
                                close(clients[i]);
                                clients[i--] = clients[--n];
                        }
        }
}
