/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "macro.h"
#include "proc.h"
#include "ssh_connection.h"

int endpoint_parse_address(const char *s, Endpoint *ret) {
        char buf[INET6_ADDRSTRLEN + 1];
        size_t n = strcspn(s, "%");
        struct in6_addr a6;
        struct in_addr a4;

        if (n == 0 || n >= sizeof(buf) || (s[n] == '%' && s[n + 1] == '\0'))
                return -EINVAL;
        memcpy(buf, s, n);
        buf[n] = '\0';
        *ret = (Endpoint) {};
        if (s[n] != '%' && inet_pton(AF_INET, buf, &a4) == 1) {
                ret->family = AF_INET;
                memcpy(ret->addr, &a4, 4);
                return 0;
        }
        if (inet_pton(AF_INET6, buf, &a6) != 1)
                return -EINVAL;
        if (IN6_IS_ADDR_V4MAPPED(&a6)) {
                ret->family = AF_INET;
                memcpy(ret->addr, a6.s6_addr + 12, 4);
        } else {
                ret->family = AF_INET6;
                memcpy(ret->addr, &a6, 16);
        }
        return 0;
}

int endpoint_from_sockaddr(const struct sockaddr *sa, socklen_t len, Endpoint *ret) {
        *ret = (Endpoint) {};
        if (sa->sa_family == AF_INET && len >= (socklen_t) sizeof(struct sockaddr_in)) {
                const struct sockaddr_in *in = (const struct sockaddr_in *) sa;
                ret->family = AF_INET;
                memcpy(ret->addr, &in->sin_addr, 4);
                ret->port = ntohs(in->sin_port);
                return 0;
        }
        if (sa->sa_family == AF_INET6 && len >= (socklen_t) sizeof(struct sockaddr_in6)) {
                const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) sa;
                if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
                        ret->family = AF_INET;
                        memcpy(ret->addr, in6->sin6_addr.s6_addr + 12, 4);
                } else {
                        ret->family = AF_INET6;
                        memcpy(ret->addr, &in6->sin6_addr, 16);
                }
                ret->port = ntohs(in6->sin6_port);
                return 0;
        }
        return -EAFNOSUPPORT;
}

bool endpoint_same_address(const Endpoint *a, const Endpoint *b) {
        return a->family == b->family && memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16) == 0;
}

bool endpoint_equal(const Endpoint *a, const Endpoint *b) {
        return endpoint_same_address(a, b) && a->port == b->port;
}

static int parse_port(const char *s, size_t n, uint16_t *ret) {
        char buf[8];
        uint32_t v;

        if (n == 0 || n >= sizeof(buf))
                return -EINVAL;
        memcpy(buf, s, n);
        buf[n] = '\0';
        if (parse_u32(buf, &v) < 0 || v == 0 || v > 65535)
                return -EINVAL;
        *ret = (uint16_t) v;
        return 0;
}

int ssh_connection_parse(const char *s, Endpoint *ret_peer, Endpoint *ret_local) {
        const char *w[4];
        size_t len[4];
        char addr[INET6_ADDRSTRLEN + 64];
        Endpoint peer, local;
        const char *p = s;

        for (int i = 0; i < 4; i++) {
                if (*p == ' ' || *p == '\0')
                        return -EINVAL;
                w[i] = p;
                len[i] = strcspn(p, " ");
                p += len[i];
                if (i < 3) {
                        if (*p != ' ')
                                return -EINVAL;
                        p++;
                }
        }
        if (*p != '\0')
                return -EINVAL;
        for (int i = 0; i < 4; i += 2) {
                Endpoint *e = i == 0 ? &peer : &local;
                if (len[i] >= sizeof(addr))
                        return -EINVAL;
                memcpy(addr, w[i], len[i]);
                addr[len[i]] = '\0';
                if (endpoint_parse_address(addr, e) < 0 || parse_port(w[i + 1], len[i + 1], &e->port) < 0)
                        return -EINVAL;
        }
        *ret_peer = peer;
        *ret_local = local;
        return 0;
}

typedef struct TcpConn {
        uint64_t inode;
        Endpoint peer, local;
} TcpConn;

/* A connected TCP socket's ends, or -ENOTSOCK/-ENOTCONN for anything else. */
static int tcp_conn_of_fd(int fd, TcpConn *ret) {
        struct sockaddr_storage ss;
        socklen_t len;
        struct stat st;
        int v;

        if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode))
                return -ENOTSOCK;
        len = sizeof(v);
        if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len) < 0 || v != IPPROTO_TCP)
                return -ENOTSOCK;
        ret->inode = (uint64_t) st.st_ino;
        len = sizeof(ss);
        if (getpeername(fd, (struct sockaddr *) &ss, &len) < 0 ||
            endpoint_from_sockaddr((struct sockaddr *) &ss, len, &ret->peer) < 0)
                return -ENOTCONN;
        len = sizeof(ss);
        if (getsockname(fd, (struct sockaddr *) &ss, &len) < 0 ||
            endpoint_from_sockaddr((struct sockaddr *) &ss, len, &ret->local) < 0)
                return -ENOTCONN;
        return 0;
}

/* Every connected TCP socket among our descriptors, once each (sshd keeps
 * the connection on more than one descriptor). */
static int own_tcp_conns(TcpConn **ret, size_t *ret_n) {
        _cleanup_closedir_ DIR *d = opendir("/proc/self/fd");
        _cleanup_free_ TcpConn *v = NULL;
        size_t n = 0, allocated = 0;
        struct dirent *de;

        if (!d)
                return negative_errno();
        while ((errno = 0, de = readdir(d))) {
                TcpConn c;
                int fd;
                bool dup = false;

                if (de->d_name[0] == '.' || parse_pid(de->d_name, &fd) < 0 || fd == dirfd(d))
                        continue;
                if (tcp_conn_of_fd(fd, &c) < 0)
                        continue;
                for (size_t i = 0; i < n && !dup; i++)
                        dup = v[i].inode == c.inode;
                if (dup)
                        continue;
                if (n == allocated) {
                        size_t m = allocated ? allocated * 2 : 4;
                        TcpConn *p = reallocarray(v, m, sizeof(TcpConn));
                        if (!p)
                                return -ENOMEM;
                        v = p;
                        allocated = m;
                }
                v[n++] = c;
        }
        if (errno != 0)
                return negative_errno();
        *ret = TAKE_PTR(v);
        *ret_n = n;
        return 0;
}

int connection_socket_fd(uint64_t inode) {
        _cleanup_closedir_ DIR *d = opendir("/proc/self/fd");
        struct dirent *de;

        if (!d)
                return negative_errno();
        while ((errno = 0, de = readdir(d))) {
                struct stat st;
                int fd;

                if (de->d_name[0] == '.' || parse_pid(de->d_name, &fd) < 0 || fd == dirfd(d))
                        continue;
                if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode) && (uint64_t) st.st_ino == inode)
                        return fd;
        }
        return errno != 0 ? negative_errno() : -ENOENT;
}

int connection_socket_find(const char *ssh_connection, const char *rhost, uint64_t *ret_inode) {
        _cleanup_free_ TcpConn *v = NULL;
        Endpoint peer, local, host;
        bool have_conn, have_host;
        size_t n = 0, hits = 0;
        uint64_t inode = 0;
        int r;

        r = own_tcp_conns(&v, &n);
        if (r < 0)
                return r;
        have_conn = ssh_connection && ssh_connection_parse(ssh_connection, &peer, &local) >= 0;
        have_host = rhost && endpoint_parse_address(rhost, &host) >= 0;

        if (have_conn && (!have_host || endpoint_same_address(&peer, &host))) {
                for (size_t i = 0; i < n; i++)
                        if (endpoint_equal(&v[i].peer, &peer) && endpoint_equal(&v[i].local, &local)) {
                                inode = v[i].inode;
                                hits++;
                        }
                if (hits == 1) {
                        *ret_inode = inode;
                        return 0;
                }
        }
        /* Without a usable SSH_CONNECTION: the one connection from the peer
         * PAM_RHOST names, or the only one there is. */
        hits = 0;
        for (size_t i = 0; i < n; i++)
                if (!have_host || endpoint_same_address(&v[i].peer, &host)) {
                        inode = v[i].inode;
                        hits++;
                }
        if (hits == 0)
                return -ENOENT;
        if (hits > 1)
                return -EEXIST;
        *ret_inode = inode;
        return 0;
}
