/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which TCP connection is sshd's: SSH_CONNECTION is parsed strictly, and
 * believed only where one of our own sockets has exactly those ends; an
 * LDAP-like connection of the same process is never picked. Real loopback
 * sockets, IPv4 and IPv6. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "ssh_connection.h"

static void test_parse(void **state) {
        Endpoint p, l, a;

        assert_int_equal(ssh_connection_parse("198.51.100.7 50022 192.0.2.1 22", &p, &l), 0);
        assert_int_equal(p.family, AF_INET);
        assert_int_equal(p.port, 50022);
        assert_int_equal(l.port, 22);
        assert_int_equal(endpoint_parse_address("198.51.100.7", &a), 0);
        assert_true(endpoint_same_address(&p, &a));

        assert_int_equal(ssh_connection_parse("fe80::1%eth0 1 fd00::1 22", &p, &l), 0);
        assert_int_equal(p.family, AF_INET6);
        /* IPv4-mapped IPv6 is the IPv4 address. */
        assert_int_equal(endpoint_parse_address("::ffff:198.51.100.7", &a), 0);
        assert_int_equal(a.family, AF_INET);
        assert_int_equal(endpoint_parse_address("198.51.100.7", &p), 0);
        assert_true(endpoint_same_address(&a, &p));

        static const char *const bad[] = {
                "", "1.2.3.4", "1.2.3.4 1 5.6.7.8", "1.2.3.4 1 5.6.7.8 22 extra", "1.2.3.4  1 5.6.7.8 22",
                " 1.2.3.4 1 5.6.7.8 22", "1.2.3.4 0 5.6.7.8 22", "1.2.3.4 65536 5.6.7.8 22", "1.2.3.4 -1 5.6.7.8 22",
                "host.example 1 5.6.7.8 22", "1.2.3.4 1x 5.6.7.8 22", "1.2.3.4% 1 5.6.7.8 22",
                "1.2.3.4%eth0 1 5.6.7.8 22", "1.2.3.4 1 5.6.7.8 22 ",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                if (ssh_connection_parse(bad[i], &p, &l) != -EINVAL)
                        fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(endpoint_parse_address("not-an-address", &a), -EINVAL);
}

typedef struct Conn {
        int listener, client, server;
        uint64_t server_inode;
        char ssh_connection[200]; /* as sshd would write it for the server side */
} Conn;

static void conn_open(Conn *c, int family) {
        struct sockaddr_storage ss = {};
        socklen_t len;
        char peer[INET6_ADDRSTRLEN], local[INET6_ADDRSTRLEN];
        Endpoint pe, le;
        struct stat st;

        if (family == AF_INET) {
                struct sockaddr_in *in = (struct sockaddr_in *) &ss;
                in->sin_family = AF_INET;
                in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
                len = sizeof(*in);
        } else {
                struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) &ss;
                in6->sin6_family = AF_INET6;
                in6->sin6_addr = in6addr_loopback;
                len = sizeof(*in6);
        }
        c->listener = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(c->listener >= 0);
        assert_int_equal(bind(c->listener, (struct sockaddr *) &ss, len), 0);
        assert_int_equal(listen(c->listener, 1), 0);
        assert_int_equal(getsockname(c->listener, (struct sockaddr *) &ss, &len), 0);
        c->client = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_int_equal(connect(c->client, (struct sockaddr *) &ss, len), 0);
        c->server = accept4(c->listener, NULL, NULL, SOCK_CLOEXEC);
        assert_true(c->server >= 0);
        close(c->listener);
        assert_int_equal(fstat(c->server, &st), 0);
        c->server_inode = (uint64_t) st.st_ino;

        len = sizeof(ss);
        assert_int_equal(getpeername(c->server, (struct sockaddr *) &ss, &len), 0);
        assert_int_equal(endpoint_from_sockaddr((struct sockaddr *) &ss, len, &pe), 0);
        len = sizeof(ss);
        assert_int_equal(getsockname(c->server, (struct sockaddr *) &ss, &len), 0);
        assert_int_equal(endpoint_from_sockaddr((struct sockaddr *) &ss, len, &le), 0);
        inet_ntop(pe.family, pe.addr, peer, sizeof(peer));
        inet_ntop(le.family, le.addr, local, sizeof(local));
        snprintf(c->ssh_connection, sizeof(c->ssh_connection), "%s %u %s %u", peer, pe.port, local, le.port);
}

static void conn_close(Conn *c) {
        close(c->client);
        close(c->server);
}

static void test_find(void **state) {
        Conn ssh, ldap;
        uint64_t inode = 0;
        char forged[256];

        /* Nothing at all. */
        assert_int_equal(connection_socket_find(NULL, NULL, &inode), -ENOENT);

        conn_open(&ssh, AF_INET);
        conn_open(&ldap, AF_INET6);
        /* Both ends of both connections are ours here: four candidates. The
         * exact SSH_CONNECTION picks one; the address alone cannot. */
        assert_int_equal(connection_socket_find(ssh.ssh_connection, "127.0.0.1", &inode), 0);
        assert_int_equal(inode, ssh.server_inode);
        inode = 0;
        assert_int_equal(connection_socket_find(ssh.ssh_connection, "client.example", &inode), 0);
        assert_int_equal(inode, ssh.server_inode);
        assert_int_equal(connection_socket_find(NULL, "127.0.0.1", &inode), -EEXIST);
        assert_int_equal(connection_socket_find(NULL, NULL, &inode), -EEXIST);

        /* SSH_CONNECTION naming the other connection while PAM_RHOST (set by
         * sshd from the real peer) says another address: not believed. */
        assert_int_equal(connection_socket_find(ldap.ssh_connection, "127.0.0.1", &inode), -EEXIST);
        /* A forged one that matches no socket: not believed either. */
        snprintf(forged, sizeof(forged), "127.0.0.1 1 127.0.0.1 22");
        assert_int_equal(connection_socket_find(forged, "client.example", &inode), -EEXIST);
        conn_close(&ldap);
        conn_close(&ssh);
}

static void test_find_only_one(void **state) {
        int fds[2];
        Conn ssh;
        uint64_t inode = 0;

        /* A unix socket is no TCP connection. */
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
        conn_open(&ssh, AF_INET6);
        close(ssh.client); /* only the server side is ours, as in sshd's monitor */
        assert_int_equal(connection_socket_find(NULL, NULL, &inode), 0);
        assert_int_equal(inode, ssh.server_inode);
        inode = 0;
        assert_int_equal(connection_socket_find(NULL, "::1", &inode), 0);
        assert_int_equal(inode, ssh.server_inode);
        assert_int_equal(connection_socket_find(NULL, "192.0.2.1", &inode), -ENOENT);
        /* The same socket on two descriptors (sshd 9.8+ keeps a dup of fd 0) is one. */
        int dup_fd = dup(ssh.server);
        assert_int_equal(connection_socket_find(NULL, NULL, &inode), 0);
        close(dup_fd);
        close(ssh.server);
        close(fds[0]);
        close(fds[1]);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_find),
                cmocka_unit_test(test_find_only_one),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
