/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tcp_info through NETLINK_SOCK_DIAG on real loopback connections: input
 * moves bytes_received and resets last_data_recv; output and silence do not. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "tcp_input.h"

typedef struct Conn {
        int listener, client, server;
} Conn;

static void msleep(unsigned ms) {
        struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000 };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static uint64_t inode_of(int fd) {
        struct stat st;
        assert_int_equal(fstat(fd, &st), 0);
        return (uint64_t) st.st_ino;
}

static bool conn_open(Conn *c, int family) {
        struct sockaddr_storage ss = {};
        socklen_t len;

        if (family == AF_INET) {
                struct sockaddr_in *a = (struct sockaddr_in *) &ss;
                a->sin_family = AF_INET;
                a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
                len = sizeof(*a);
        } else {
                struct sockaddr_in6 *a = (struct sockaddr_in6 *) &ss;
                a->sin6_family = AF_INET6;
                a->sin6_addr = in6addr_loopback;
                len = sizeof(*a);
        }
        c->listener = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (c->listener < 0 || bind(c->listener, (struct sockaddr *) &ss, len) < 0) {
                if (c->listener >= 0)
                        close(c->listener);
                return false; /* no IPv6 here */
        }
        assert_int_equal(listen(c->listener, 1), 0);
        assert_int_equal(getsockname(c->listener, (struct sockaddr *) &ss, &len), 0);
        c->client = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(c->client >= 0);
        assert_int_equal(connect(c->client, (struct sockaddr *) &ss, len), 0);
        c->server = accept4(c->listener, NULL, NULL, SOCK_CLOEXEC);
        assert_true(c->server >= 0);
        return true;
}

static void conn_close(Conn *c) {
        close(c->client);
        close(c->server);
        close(c->listener);
}

static void check_family(int family) {
        int fd = tcp_diag_open();
        TcpInput in, again;
        char buf[256];
        Conn c;

        assert_true(fd >= 0);
        if (!conn_open(&c, family)) {
                close(fd);
                return;
        }

        /* The client sends: the server side's input grows, its silence resets. */
        assert_int_equal(write(c.client, "hello, sshd", 11), 11);
        msleep(20);
        assert_int_equal(read(c.server, buf, sizeof(buf)), 11);
        assert_int_equal(tcp_diag_find_inode(fd, inode_of(c.server), &in), 0);
        assert_int_equal(in.family, family);
        assert_int_equal(in.bytes_received, 11);
        assert_true(in.last_data_recv_ms < 200);

        /* Silence: last_data_recv grows. */
        msleep(300);
        again = in;
        assert_int_equal(tcp_diag_query(fd, &again, 1), 0);
        assert_true(again.found);
        assert_int_equal(again.bytes_received, 11);
        assert_true(again.last_data_recv_ms >= 290);

        /* The server writes (program output): that is no input. The client's
         * ACKs do not move the server's counters either. */
        for (int i = 0; i < 5; i++) {
                assert_int_equal(write(c.server, "output line\n", 12), 12);
                msleep(20);
        }
        assert_int_equal(tcp_diag_query(fd, &again, 1), 0);
        assert_int_equal(again.bytes_received, 11);
        assert_true(again.last_data_recv_ms >= 390);

        /* Input again: the clock resets. */
        assert_int_equal(write(c.client, "x", 1), 1);
        msleep(20);
        assert_int_equal(tcp_diag_query(fd, &again, 1), 0);
        assert_int_equal(again.bytes_received, 12);
        assert_true(again.last_data_recv_ms < 200);

        /* Gone: both ends closed (the server side goes straight to CLOSED
         * after the exchange; the client side lingers in TIME_WAIT, which the
         * kernel reports with no tcp_info). */
        conn_close(&c);
        msleep(20);
        assert_int_equal(tcp_diag_query(fd, &again, 1), 0);
        assert_false(again.found);
        close(fd);
}

static void test_ipv4(void **state) {
        check_family(AF_INET);
}

static void test_ipv6(void **state) {
        check_family(AF_INET6);
}

/* Many sockets in one batch (over the batch size): each answer lands in its
 * own slot, and a vanished one in the middle is told apart. */
static void test_batch(void **state) {
        enum { N = 80 };
        Conn c[N];
        TcpInput in[N];
        int fd = tcp_diag_open();

        assert_true(fd >= 0);
        for (int i = 0; i < N; i++) {
                assert_true(conn_open(&c[i], AF_INET));
                char data[N];
                memset(data, 'x', sizeof(data));
                /* Connection i receives i+1 bytes. */
                assert_int_equal(write(c[i].client, data, (size_t) i + 1), i + 1);
        }
        msleep(50);
        for (int i = 0; i < N; i++)
                assert_int_equal(tcp_diag_find_inode(fd, inode_of(c[i].server), &in[i]), 0);

        close(c[40].server);
        close(c[40].client);
        close(c[40].listener);
        msleep(20);
        assert_int_equal(tcp_diag_query(fd, in, N), 0);
        for (int i = 0; i < N; i++) {
                if (i == 40) {
                        assert_false(in[i].found);
                        continue;
                }
                assert_true(in[i].found);
                assert_int_equal(in[i].bytes_received, (uint64_t) i + 1);
        }
        for (int i = 0; i < N; i++)
                if (i != 40)
                        conn_close(&c[i]);
        close(fd);
}

static void test_missing_inode(void **state) {
        int fd = tcp_diag_open();
        TcpInput in;
        assert_true(fd >= 0);
        assert_int_equal(tcp_diag_find_inode(fd, UINT64_C(0xfffffffffff), &in), -ENOENT);
        close(fd);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ipv4),
                cmocka_unit_test(test_ipv6),
                cmocka_unit_test(test_batch),
                cmocka_unit_test(test_missing_inode),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
