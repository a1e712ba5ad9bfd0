/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_tcp_read N ROUNDS   (as root: pidfd_getfd needs ptrace access)
 *
 * How the daemon reads a session's input counters, against the ways it
 * could. N loopback connections, the server ends held by a child process
 * (the stand-in for sshd), the client ends here. Each round reads every
 * server end's tcp_info once:
 *
 *   query    exact NETLINK_SOCK_DIAG lookups by address, 64 per sendmsg
 *            (tcp_diag_query(): what the daemon does at each deadline)
 *   dump     one dump of every TCP socket in the namespace (what start-up
 *            does; here it also walks the N client ends)
 *   getfd    per socket: pidfd_open() of its holder, pidfd_getfd() of the
 *            socket, getsockopt(TCP_INFO), two close()s. It needs the fd
 *            number in the holder (which the record does not have: finding
 *            it means listing /proc/PID/fd, not counted here), and it holds
 *            a reference to the session's socket while it reads.
 *
 * Prints microseconds per socket for each, and the ratios to query.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "id_map.h"
#include "tcp_input.h"

static pid_t holder;

static _Noreturn void die(const char *what) {
        fprintf(stderr, "bench_tcp_read: %s: %s\n", what, strerror(errno));
        if (holder > 0) {
                kill(holder, SIGKILL);
                waitpid(holder, NULL, 0);
        }
        exit(1);
}

static uint64_t now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

typedef struct Collect {
        IdMap want; /* server-end inode -> index */
        TcpInput *socks;
        size_t found;
} Collect;

static int collect_cb(const TcpInput *in, void *userdata) {
        Collect *c = userdata;
        uint64_t k;
        if (id_map_get(&c->want, in->inode, &k)) {
                c->socks[k] = *in;
                c->found++;
        }
        return 0;
}

static int count_cb(const TcpInput *in, void *userdata) {
        (void) in;
        (*(size_t *) userdata)++;
        return 0;
}

int main(int argc, char **argv) {
        struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t alen = sizeof(addr);
        Collect c = {};
        int *server, *client, lfd, diag;
        size_t n, rounds;
        struct rlimit rl;

        if (argc != 3 || (n = strtoul(argv[1], NULL, 10)) == 0 || (rounds = strtoul(argv[2], NULL, 10)) == 0) {
                fprintf(stderr, "usage: %s N ROUNDS\n", argv[0]);
                return 2;
        }
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                (void) setrlimit(RLIMIT_NOFILE, &rl);
        }
        /* Both ends are ours until the fork. */
        if (2 * n + 16 > rl.rlim_cur) {
                size_t cap = rl.rlim_cur > 16 ? (size_t) (rl.rlim_cur - 16) / 2 : 0;
                printf("bench_tcp_read: %zu connections need %zu descriptors, RLIMIT_NOFILE is %llu: %zu instead\n",
                       n, 2 * n + 16, (unsigned long long) rl.rlim_cur, cap);
                n = cap;
                if (n == 0)
                        return 2;
        }
        server = calloc(n, sizeof(int));
        client = calloc(n, sizeof(int));
        c.socks = calloc(n, sizeof(TcpInput));
        lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (!server || !client || !c.socks || lfd < 0 || bind(lfd, (struct sockaddr *) &addr, sizeof(addr)) < 0 ||
            listen(lfd, 128) < 0 || getsockname(lfd, (struct sockaddr *) &addr, &alen) < 0)
                die("listener");
        for (size_t i = 0; i < n; i++) {
                struct stat st;
                client[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (client[i] < 0 || connect(client[i], (struct sockaddr *) &addr, sizeof(addr)) < 0 ||
                    (server[i] = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0 || fstat(server[i], &st) < 0)
                        die("connection");
                if (write(client[i], "x", 1) != 1 || id_map_put(&c.want, st.st_ino, i) < 0)
                        die("setup");
        }
        close(lfd);

        holder = fork();
        if (holder < 0)
                die("fork");
        if (holder == 0) {
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                for (;;)
                        pause();
        }
        /* The child holds the server ends now; ours go. Same numbers there. */
        for (size_t i = 0; i < n; i++)
                close(server[i]);

        diag = tcp_diag_open();
        if (diag < 0 || tcp_diag_dump(diag, collect_cb, &c) < 0 || c.found != n)
                die("the first dump");

        uint64_t t = now_ns();
        for (size_t r = 0; r < rounds; r++)
                if (tcp_diag_query(diag, c.socks, n) < 0)
                        die("query");
        double query = (now_ns() - t) / 1e3 / (double) (n * rounds);
        for (size_t i = 0; i < n; i++)
                if (!c.socks[i].found)
                        die("a socket the query did not find");

        size_t dumped = 0;
        t = now_ns();
        for (size_t r = 0; r < rounds; r++)
                if (tcp_diag_dump(diag, count_cb, &dumped) < 0)
                        die("dump");
        double dump = (now_ns() - t) / 1e3 / (double) (n * rounds);

        t = now_ns();
        for (size_t r = 0; r < rounds; r++)
                for (size_t i = 0; i < n; i++) {
                        struct tcp_info ti;
                        socklen_t len = sizeof(ti);
                        int pidfd = (int) syscall(SYS_pidfd_open, holder, 0), fd;
                        if (pidfd < 0)
                                die("pidfd_open");
                        fd = (int) syscall(SYS_pidfd_getfd, pidfd, server[i], 0);
                        if (fd < 0)
                                die("pidfd_getfd");
                        if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0 || ti.tcpi_bytes_received == 0)
                                die("TCP_INFO");
                        close(fd);
                        close(pidfd);
                }
        double getfd = (now_ns() - t) / 1e3 / (double) (n * rounds);

        printf("bench_tcp_read: %zu sockets, %zu rounds (%zu TCP sockets in each dump)\n", n, rounds, dumped / rounds);
        printf("  query (the daemon): %.2f us per socket\n", query);
        printf("  dump:               %.2f us per socket read (%.2fx query)\n", dump, dump / query);
        printf("  pidfd_getfd:        %.2f us per socket (%.2fx query), without finding the fd number\n", getfd,
               getfd / query);
        kill(holder, SIGKILL);
        waitpid(holder, NULL, 0);
        id_map_done(&c.want);
        return 0;
}
