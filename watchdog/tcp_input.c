/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>

#include "macro.h"
#include "tcp_input.h"

/* The kernel's TCP states (include/net/tcp_states.h; not in the UAPI). */
enum {
        STATE_LISTEN = 10,
        STATE_MAX = 12,
};

/* Every state but LISTEN: a cut link leaves the connection ESTABLISHED,
 * a client that closed its side leaves it in CLOSE_WAIT. */
#define STATES_NOT_LISTEN (((1U << STATE_MAX) - 1) & ~(1U << STATE_LISTEN))

/* Replies are at most a page or two each; a dump fills what we give it. */
#define RECV_BUFFER (32 * 1024)
/* Requests per sendmsg(): bounded, so one huge batch never needs a huge buffer. */
#define QUERY_BATCH 64

typedef struct DiagRequest {
        struct nlmsghdr nlh;
        struct inet_diag_req_v2 req;
} DiagRequest;

int tcp_diag_open(void) {
        int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
        return fd < 0 ? negative_errno() : fd;
}

static void fill_request(DiagRequest *r, uint8_t family, uint16_t flags, uint32_t seq, uint32_t states,
                         const struct inet_diag_sockid *id) {
        memset(r, 0, sizeof(*r));
        r->nlh.nlmsg_len = sizeof(*r);
        r->nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
        r->nlh.nlmsg_flags = NLM_F_REQUEST | flags;
        r->nlh.nlmsg_seq = seq;
        r->req.sdiag_family = family;
        r->req.sdiag_protocol = IPPROTO_TCP;
        r->req.idiag_ext = 1 << (INET_DIAG_INFO - 1);
        r->req.idiag_states = states;
        if (id)
                r->req.id = *id;
}

static int send_all(int fd, const void *buf, size_t len) {
        struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
        ssize_t k;

        do
                k = sendto(fd, buf, len, 0, (struct sockaddr *) &kernel, sizeof(kernel));
        while (k < 0 && errno == EINTR);
        if (k < 0)
                return negative_errno();
        if ((size_t) k != len)
                return -EIO;
        return 0;
}

/* Decodes one inet_diag_msg reply. Returns 0, or -ENODATA when the kernel
 * sent no tcp_info (a socket in TIME_WAIT, say). */
static int parse_msg(const struct nlmsghdr *h, TcpInput *out) {
        const struct inet_diag_msg *m = NLMSG_DATA(h);
        const struct tcp_info *ti = NULL;
        size_t ti_len = 0;

        if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
                return -EBADMSG;

        memset(out, 0, sizeof(*out));
        out->inode = m->idiag_inode;
        out->family = m->idiag_family;
        out->id = m->id;

        int len = (int) (h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
        for (const struct rtattr *a = (const struct rtattr *) (m + 1); RTA_OK(a, len); a = RTA_NEXT(a, len))
                if (a->rta_type == INET_DIAG_INFO) {
                        ti = RTA_DATA(a);
                        ti_len = RTA_PAYLOAD(a);
                }
        /* Older kernels send a shorter tcp_info; both fields must be inside. */
        if (!ti || ti_len < offsetof(struct tcp_info, tcpi_bytes_received) + sizeof(ti->tcpi_bytes_received))
                return -ENODATA;
        memcpy(&out->bytes_received, (const uint8_t *) ti + offsetof(struct tcp_info, tcpi_bytes_received),
               sizeof(out->bytes_received));
        memcpy(&out->last_data_recv_ms, (const uint8_t *) ti + offsetof(struct tcp_info, tcpi_last_data_recv),
               sizeof(out->last_data_recv_ms));
        out->found = true;
        return 0;
}

static ssize_t recv_some(int fd, void *buf, size_t size) {
        ssize_t k;
        do
                k = recv(fd, buf, size, 0);
        while (k < 0 && errno == EINTR);
        return k < 0 ? negative_errno() : k;
}

int tcp_diag_parse_dump(const void *buf, size_t size, uint32_t seq, tcp_diag_cb cb, void *userdata) {
        int len = size > INT32_MAX ? INT32_MAX : (int) size, r;

        for (const struct nlmsghdr *h = buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
                if (h->nlmsg_seq != seq)
                        continue; /* a late reply to an earlier, abandoned request */
                if (h->nlmsg_type == NLMSG_DONE)
                        return 1;
                if (h->nlmsg_type == NLMSG_ERROR) {
                        const struct nlmsgerr *e = NLMSG_DATA(h);
                        if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
                                return -EIO;
                        return e->error < 0 ? e->error : -EIO;
                }
                if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
                        continue;
                TcpInput in;
                if (parse_msg(h, &in) < 0)
                        continue;
                r = cb(&in, userdata);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int dump_family(int fd, uint8_t family, uint32_t seq, uint32_t states, tcp_diag_cb cb, void *userdata) {
        _cleanup_free_ void *buf = malloc(RECV_BUFFER);
        DiagRequest req;
        int r;

        if (!buf)
                return -ENOMEM;
        fill_request(&req, family, NLM_F_DUMP, seq, states, NULL);
        r = send_all(fd, &req, sizeof(req));
        if (r < 0)
                return r;

        for (;;) {
                ssize_t k = recv_some(fd, buf, RECV_BUFFER);
                if (k < 0)
                        return (int) k;
                r = tcp_diag_parse_dump(buf, (size_t) k, seq, cb, userdata);
                if (r != 0)
                        return r < 0 ? r : 0;
        }
}

static uint32_t next_seq(void) {
        static uint32_t seq;
        return ++seq;
}

static int dump_states(int fd, uint32_t states, tcp_diag_cb cb, void *userdata) {
        int r = dump_family(fd, AF_INET, next_seq(), states, cb, userdata);
        if (r < 0)
                return r;
        r = dump_family(fd, AF_INET6, next_seq(), states, cb, userdata);
        /* A kernel without IPv6 has no inet6 diag handler. */
        return r == -ENOENT || r == -EAFNOSUPPORT ? 0 : r;
}

int tcp_diag_dump(int fd, tcp_diag_cb cb, void *userdata) {
        return dump_states(fd, STATES_NOT_LISTEN, cb, userdata);
}

int tcp_diag_dump_listening(int fd, tcp_diag_cb cb, void *userdata) {
        return dump_states(fd, 1U << STATE_LISTEN, cb, userdata);
}

static int query_batch(int fd, TcpInput *socks, size_t n) {
        _cleanup_free_ void *buf = malloc(RECV_BUFFER);
        DiagRequest reqs[QUERY_BATCH];
        uint32_t first = 0;
        size_t pending = n;
        int r;

        if (!buf)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                uint32_t seq = next_seq();
                if (i == 0)
                        first = seq;
                socks[i].found = false;
                socks[i].error = -EIO; /* until its answer comes */
                fill_request(&reqs[i], socks[i].family, 0, seq, STATES_NOT_LISTEN, &socks[i].id);
        }
        /* Sequence numbers are consecutive unless they wrapped inside the batch. */
        r = send_all(fd, reqs, n * sizeof(DiagRequest));
        if (r < 0)
                return r;

        while (pending > 0) {
                ssize_t k = recv_some(fd, buf, RECV_BUFFER);
                if (k < 0)
                        return (int) k;
                int len = (int) k;
                for (struct nlmsghdr *h = buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
                        size_t i = (size_t) (h->nlmsg_seq - first);
                        if (i >= n)
                                continue;
                        if (h->nlmsg_type == NLMSG_ERROR) {
                                /* ENOENT: the connection is gone. Anything else
                                 * (ENOBUFS, ENOMEM) says nothing about it. */
                                const struct nlmsgerr *e = NLMSG_DATA(h);
                                socks[i].found = false;
                                socks[i].error = h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) && e->error < 0 ? e->error
                                                                                                         : -EIO;
                                pending--;
                                continue;
                        }
                        if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
                                continue;
                        TcpInput in;
                        int pr = parse_msg(h, &in);
                        if (pr >= 0 && in.inode == socks[i].inode) {
                                socks[i].bytes_received = in.bytes_received;
                                socks[i].last_data_recv_ms = in.last_data_recv_ms;
                                socks[i].found = true;
                                socks[i].error = 0;
                        } else
                                /* A garbled answer says nothing; another socket under
                                 * the same addresses (or one without tcp_info, in
                                 * TIME_WAIT) means ours is gone. */
                                socks[i].error = pr == -EBADMSG ? -EIO : -ENOENT;
                        pending--;
                }
        }
        return 0;
}

int tcp_diag_query(int fd, TcpInput *socks, size_t n) {
        for (size_t done = 0; done < n; done += QUERY_BATCH) {
                size_t m = n - done < QUERY_BATCH ? n - done : QUERY_BATCH;
                int r = query_batch(fd, socks + done, m);
                if (r < 0)
                        return r;
        }
        return 0;
}

typedef struct FindInode {
        uint64_t inode;
        TcpInput *ret;
        bool found;
} FindInode;

static int find_cb(const TcpInput *in, void *userdata) {
        FindInode *f = userdata;
        if (in->inode == f->inode) {
                *f->ret = *in;
                f->found = true;
        }
        return 0;
}

int tcp_diag_find_inode(int fd, uint64_t inode, TcpInput *ret) {
        FindInode f = { .inode = inode, .ret = ret };
        int r = tcp_diag_dump(fd, find_cb, &f);
        if (r < 0)
                return r;
        return f.found ? 0 : -ENOENT;
}

int tcp_input_peer_string(const TcpInput *in, char **ret) {
        static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
        const uint8_t *a = (const uint8_t *) in->id.idiag_dst;
        char buf[INET6_ADDRSTRLEN];

        if (in->family == AF_INET)
                inet_ntop(AF_INET, a, buf, sizeof(buf));
        else if (memcmp(a, mapped, sizeof(mapped)) == 0)
                inet_ntop(AF_INET, a + 12, buf, sizeof(buf));
        else
                inet_ntop(AF_INET6, a, buf, sizeof(buf));
        *ret = strdup(buf);
        return *ret ? 0 : -ENOMEM;
}
