/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "fake_proc.h"
#include "proc.h"

#define TCP_HEADER "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
#define TCP_LINE(inode) "   0: 0100FEA9:0016 0200FEA9:D2F0 01 00000000:00000000 02:0009A55B 00000000     0        0 " #inode " 2 0000000000000000 20 4 31 10 -1\n"

static void test_link_inode(void **state) {
        uint64_t v = 0;
        assert_int_equal(socket_link_inode("socket:[12345]", &v), 0);
        assert_int_equal(v, 12345);
        assert_int_equal(socket_link_inode("socket:[]", &v), -EINVAL);
        assert_int_equal(socket_link_inode("socket:[12", &v), -EINVAL);
        assert_int_equal(socket_link_inode("pipe:[12345]", &v), -EINVAL);
        assert_int_equal(socket_link_inode("/dev/null", &v), -EINVAL);
        assert_int_equal(socket_link_inode("socket:[1a]", &v), -EINVAL);
        assert_int_equal(socket_link_inode("socket:[123456789012345678901234567890]", &v), -ERANGE);
        assert_int_equal(v, 12345);
}

static void test_fake_tree(void **state) {
        char *root = tmp_tree_new();
        uint64_t *inodes = NULL;
        size_t n = 0;

        tmp_tree_symlink(root, "50/fd/0", "/dev/null");
        tmp_tree_symlink(root, "50/fd/3", "socket:[1001]");  /* TCP over IPv4 */
        tmp_tree_symlink(root, "50/fd/4", "socket:[1002]");  /* unix socket: in no table */
        tmp_tree_symlink(root, "50/fd/5", "pipe:[1003]");
        tmp_tree_symlink(root, "50/fd/6", "socket:[1001]");  /* dup()ed */
        tmp_tree_symlink(root, "50/fd/7", "socket:[2001]");  /* TCP over IPv6 */
        tmp_tree_symlink(root, "50/fd/8", "anon_inode:[eventpoll]");
        tmp_tree_write(root, "50/net/tcp", TCP_HEADER TCP_LINE(1001) TCP_LINE(9999) TCP_LINE(0));
        tmp_tree_write(root, "50/net/tcp6", TCP_HEADER TCP_LINE(2001));

        /* Every socket, TCP or not, sorted and once each. */
        assert_int_equal(proc_socket_inodes(root, 50, &inodes, &n), 0);
        assert_int_equal(n, 3);
        assert_int_equal(inodes[0], 1001);
        assert_int_equal(inodes[1], 1002);
        assert_int_equal(inodes[2], 2001);
        free(inodes);

        assert_int_equal(proc_tcp_socket_inodes(root, 50, &inodes, &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(inodes[0], 1001);
        assert_int_equal(inodes[1], 2001);
        free(inodes);

        /* No tcp6 table (IPv6 off): IPv4 still found. */
        tmp_tree_symlink(root, "51/fd/3", "socket:[1001]");
        tmp_tree_write(root, "51/net/tcp", TCP_HEADER TCP_LINE(1001));
        assert_int_equal(proc_tcp_socket_inodes(root, 51, &inodes, &n), 0);
        assert_int_equal(n, 1);
        free(inodes);

        /* Sockets, none of them TCP. */
        tmp_tree_symlink(root, "52/fd/3", "socket:[7]");
        tmp_tree_write(root, "52/net/tcp", TCP_HEADER);
        assert_int_equal(proc_tcp_socket_inodes(root, 52, &inodes, &n), 0);
        assert_int_equal(n, 0);
        assert_null(inodes);

        /* No sockets at all, and a truncated garbage table. */
        tmp_tree_mkdir(root, "53/fd");
        tmp_tree_write(root, "53/net/tcp", "garbage\n\n  1: x y\n");
        assert_int_equal(proc_tcp_socket_inodes(root, 53, &inodes, &n), 0);
        assert_int_equal(n, 0);

        tmp_tree_symlink(root, "54/fd/3", "socket:[5]");
        tmp_tree_write(root, "54/net/tcp", "garbage\n\n  1: x y\n");
        assert_int_equal(proc_tcp_socket_inodes(root, 54, &inodes, &n), 0);
        assert_int_equal(n, 0);

        /* Process gone. */
        assert_int_equal(proc_tcp_socket_inodes(root, 55, &inodes, &n), -ENOENT);

        tmp_tree_remove(root);
        free(root);
}

static uint64_t fd_inode(int fd) {
        struct stat st;
        assert_int_equal(fstat(fd, &st), 0);
        return (uint64_t) st.st_ino;
}

static bool contains(const uint64_t *a, size_t n, uint64_t v) {
        for (size_t i = 0; i < n; i++)
                if (a[i] == v)
                        return true;
        return false;
}

/* The real kernel: a loopback TCP connection in this process is found, a
 * unix socket pair is not. */
static void test_real_sockets(void **state) {
        struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof(addr);
        int lfd, cfd, afd, sp[2];
        uint64_t *inodes = NULL;
        size_t n = 0;

        lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(lfd >= 0);
        assert_int_equal(bind(lfd, (struct sockaddr *) &addr, sizeof(addr)), 0);
        assert_int_equal(listen(lfd, 1), 0);
        assert_int_equal(getsockname(lfd, (struct sockaddr *) &addr, &len), 0);
        cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(cfd >= 0);
        assert_int_equal(connect(cfd, (struct sockaddr *) &addr, sizeof(addr)), 0);
        afd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        assert_true(afd >= 0);
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);

        assert_int_equal(proc_tcp_socket_inodes(NULL, getpid(), &inodes, &n), 0);
        assert_true(contains(inodes, n, fd_inode(lfd)));
        assert_true(contains(inodes, n, fd_inode(cfd)));
        assert_true(contains(inodes, n, fd_inode(afd)));
        assert_false(contains(inodes, n, fd_inode(sp[0])));
        assert_false(contains(inodes, n, fd_inode(sp[1])));
        free(inodes);

        close(afd);
        close(cfd);
        close(lfd);
        close(sp[0]);
        close(sp[1]);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_link_inode),
                cmocka_unit_test(test_fake_tree),
                cmocka_unit_test(test_real_sockets),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
