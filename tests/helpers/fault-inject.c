/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libfault-inject.so, preloaded into the daemon by tests: fails chosen calls
 * with chosen errors, for transient failures the real system will not give
 * on demand. SWD_FAULTS is a comma-separated list of POINT=ERRNO*COUNT[@SKIP]:
 * the first SKIP calls at POINT go through, the next COUNT fail with ERRNO
 * (a name such as ENOBUFS), the rest go through. Each failure is written to
 * stderr as "fault-inject: POINT ERRNO".
 *
 *   diag_dump     the answer to a NETLINK_SOCK_DIAG dump request: recv fails
 *   diag_query    the answers to exact sock_diag lookups: every socket in the
 *                 reply becomes an NLMSG_ERROR carrying ERRNO
 *   record_open   openat() of a session record ("<pid>-<starttime>")
 *   pidfd_open    pidfd_open(2)
 *
 * SWD_SLOW_RECORD_MS=N makes every open of a session record take N ms more:
 * a slow disk or NSS, so that one batch of records outlasts WatchdogSec.
 * SWD_TRACE_NSS=1 writes "fault-inject: getgrouplist USER" for each call:
 * how often the daemon asks NSS for an account's groups.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum { DIAG_DUMP, DIAG_QUERY, RECORD_OPEN, PIDFD_OPEN, N_POINTS };
static const char *const point_names[N_POINTS] = { "diag_dump", "diag_query", "record_open", "pidfd_open" };

static const struct {
        const char *name;
        int value;
} errnos[] = {
        { "ENOBUFS", ENOBUFS }, { "ENOMEM", ENOMEM }, { "EMFILE", EMFILE }, { "ENFILE", ENFILE },
        { "EIO", EIO },         { "EAGAIN", EAGAIN }, { "EINTR", EINTR },   { "ENOENT", ENOENT },
};

static struct {
        int error;
        long count, skip;
} faults[N_POINTS];
static bool parsed;

static void parse(void) {
        const char *env = getenv("SWD_FAULTS");
        char *copy, *save = NULL;

        parsed = true;
        if (!env || !(copy = strdup(env)))
                return;
        for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
                char *eq = strchr(item, '='), *star, *at;
                if (!eq)
                        continue;
                *eq = '\0';
                star = strchr(eq + 1, '*');
                at = strchr(eq + 1, '@');
                if (star)
                        *star = '\0';
                if (at)
                        *at = '\0';
                for (int p = 0; p < N_POINTS; p++)
                        if (strcmp(item, point_names[p]) == 0)
                                for (size_t e = 0; e < sizeof(errnos) / sizeof(errnos[0]); e++)
                                        if (strcmp(eq + 1, errnos[e].name) == 0) {
                                                faults[p].error = errnos[e].value;
                                                faults[p].count = star ? atol(star + 1) : 1;
                                                faults[p].skip = at ? atol(at + 1) : 0;
                                        }
        }
        free(copy);
}

/* The error to inject at this call of point p, or 0. */
static int fire(int p) {
        if (!parsed)
                parse();
        if (faults[p].count <= 0)
                return 0;
        if (faults[p].skip > 0) {
                faults[p].skip--;
                return 0;
        }
        faults[p].count--;
        for (size_t e = 0; e < sizeof(errnos) / sizeof(errnos[0]); e++)
                if (errnos[e].value == faults[p].error)
                        fprintf(stderr, "fault-inject: %s %s\n", point_names[p], errnos[e].name);
        return faults[p].error;
}

#define REAL(name) ((__typeof__(&name)) dlsym(RTLD_NEXT, #name))

/* What the last request on each sock_diag socket was, by fd. */
#define MAX_FD 4096
static signed char last_request[MAX_FD]; /* 0 none, 1 dump, 2 exact lookup */

static bool is_sock_diag(int fd) {
        int domain = 0, proto = 0;
        socklen_t len = sizeof(int);
        if (fd < 0 || fd >= MAX_FD)
                return false;
        if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 || domain != AF_NETLINK)
                return false;
        len = sizeof(int);
        return getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) == 0 && proto == NETLINK_SOCK_DIAG;
}

static void note_request(int fd, const void *buf, size_t len) {
        const struct nlmsghdr *h = buf;
        if (len >= sizeof(*h) && is_sock_diag(fd))
                last_request[fd] = (h->nlmsg_flags & NLM_F_DUMP) ? 1 : 2;
}

ssize_t send(int fd, const void *buf, size_t len, int flags) {
        note_request(fd, buf, len);
        return REAL(send)(fd, buf, len, flags);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t tolen) {
        note_request(fd, buf, len);
        return REAL(sendto)(fd, buf, len, flags, to, tolen);
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags) {
        if (msg->msg_iovlen > 0)
                note_request(fd, msg->msg_iov[0].iov_base, msg->msg_iov[0].iov_len);
        return REAL(sendmsg)(fd, msg, flags);
}

/* Rewrites every socket in a reply into an NLMSG_ERROR with the same seq. */
static ssize_t rewrite_as_errors(void *buf, ssize_t n, int error) {
        char *out = malloc((size_t) n + 4096), *w = out;
        int len = (int) n;

        if (!out)
                return n;
        for (struct nlmsghdr *h = buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
                if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY) {
                        struct nlmsghdr *e = (struct nlmsghdr *) w;
                        struct nlmsgerr *err = NLMSG_DATA(e);
                        e->nlmsg_len = NLMSG_LENGTH(sizeof(*err));
                        e->nlmsg_type = NLMSG_ERROR;
                        e->nlmsg_flags = 0;
                        e->nlmsg_seq = h->nlmsg_seq;
                        e->nlmsg_pid = h->nlmsg_pid;
                        err->error = -error;
                        err->msg = *h;
                        w += NLMSG_ALIGN(e->nlmsg_len);
                } else {
                        memcpy(w, h, h->nlmsg_len);
                        w += NLMSG_ALIGN(h->nlmsg_len);
                }
        }
        n = w - out;
        memcpy(buf, out, (size_t) n);
        free(out);
        return n;
}

static ssize_t after_recv(int fd, void *buf, ssize_t n) {
        int error;
        if (fd < 0 || fd >= MAX_FD || last_request[fd] == 0)
                return n;
        if (last_request[fd] == 1 && (error = fire(DIAG_DUMP))) {
                last_request[fd] = 0;
                errno = error;
                return -1;
        }
        if (n > 0 && last_request[fd] == 2 && (error = fire(DIAG_QUERY)))
                return rewrite_as_errors(buf, n, error);
        return n;
}

ssize_t recv(int fd, void *buf, size_t len, int flags) {
        return after_recv(fd, buf, REAL(recv)(fd, buf, len, flags));
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from, socklen_t *fromlen) {
        return after_recv(fd, buf, REAL(recvfrom)(fd, buf, len, flags, from, fromlen));
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags) {
        ssize_t n = REAL(recvmsg)(fd, msg, flags);
        if (msg->msg_iovlen == 1)
                return after_recv(fd, msg->msg_iov[0].iov_base, n);
        return n;
}

static bool record_name(const char *path) {
        const char *base = strrchr(path, '/');
        const char *dash;
        base = base ? base + 1 : path;
        dash = strchr(base, '-');
        if (!dash || dash == base || !dash[1])
                return false;
        return strspn(base, "0123456789") == (size_t) (dash - base) &&
               strspn(dash + 1, "0123456789") == strlen(dash + 1);
}

int openat(int dirfd, const char *path, int flags, ...) {
        mode_t mode = 0;
        int error;
        if (flags & (O_CREAT | O_TMPFILE)) {
                va_list ap;
                va_start(ap, flags);
                mode = va_arg(ap, mode_t);
                va_end(ap);
        }
        if (record_name(path) && (error = fire(RECORD_OPEN))) {
                errno = error;
                return -1;
        }
        if (record_name(path) && getenv("SWD_SLOW_RECORD_MS")) {
                long ms = atol(getenv("SWD_SLOW_RECORD_MS"));
                struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
                while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                        ;
        }
        return REAL(openat)(dirfd, path, flags, mode);
}

long syscall(long number, ...) {
        long a[6];
        va_list ap;
        int error;

        va_start(ap, number);
        for (int i = 0; i < 6; i++)
                a[i] = va_arg(ap, long);
        va_end(ap);
        if (number == SYS_pidfd_open && (error = fire(PIDFD_OPEN))) {
                errno = error;
                return -1;
        }
        return REAL(syscall)(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

int getgrouplist(const char *user, gid_t group, gid_t *groups, int *ngroups) {
        if (getenv("SWD_TRACE_NSS"))
                fprintf(stderr, "fault-inject: getgrouplist %s\n", user);
        return REAL(getgrouplist)(user, group, groups, ngroups);
}
