/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who gave up on the client when a session closed: the rule on tcp_info's
 * facts, and the facts themselves read from real loopback sockets. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "connection_end.h"

enum { ESTABLISHED = 1, CLOSE = 7, CLOSE_WAIT = 8 };

static void test_rule(void **state) {
        static const struct {
                ConnectionEnd e;
                ConnectionEndBy by;
        } cases[] = {
                /* The client's goodbye came a moment ago, whatever else. */
                { { ESTABLISHED, 12, 0 }, CONNECTION_END_CLIENT },
                { { ESTABLISHED, 999, 3 }, CONNECTION_END_CLIENT },
                { { CLOSE, 20, 0 }, CONNECTION_END_CLIENT },
                /* Silent, and sshd's probes and goodbye unacknowledged. */
                { { ESTABLISHED, 1000, 1 }, CONNECTION_END_SSHD },
                { { ESTABLISHED, 6008, 3 }, CONNECTION_END_SSHD },
                /* Silent, but answering: an idle live client whose session
                 * ended on the server's side (an admin, a program's exit
                 * it has not yet answered). */
                { { ESTABLISHED, 900000, 0 }, CONNECTION_END_CLIENT },
                /* Silent, then its FIN: `~.`, a killed client. */
                { { CLOSE_WAIT, 3000, 0 }, CONNECTION_END_CLIENT },
                { { CLOSE_WAIT, 3000, 2 }, CONNECTION_END_CLIENT },
                /* Timed out or reset by the kernel. */
                { { CLOSE, 924000, 0 }, CONNECTION_END_KERNEL },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                if (connection_end_by(&cases[i].e) != cases[i].by)
                        fail_msg("case %zu: state %u silence %u unacked %u: got %d, want %d", i,
                                 (unsigned) cases[i].e.state, (unsigned) cases[i].e.silence_ms,
                                 (unsigned) cases[i].e.unacked, (int) connection_end_by(&cases[i].e),
                                 (int) cases[i].by);
}

static void test_strings(void **state) {
        ConnectionEndBy by;

        assert_string_equal(connection_end_by_to_string(CONNECTION_END_SSHD), "sshd");
        assert_string_equal(connection_end_by_to_string(CONNECTION_END_KERNEL), "kernel");
        assert_null(connection_end_by_to_string(CONNECTION_END_CLIENT));
        assert_int_equal(connection_end_by_from_string("kernel", &by), 0);
        assert_int_equal(by, CONNECTION_END_KERNEL);
        assert_int_equal(connection_end_by_from_string("sshd", &by), 0);
        assert_int_equal(by, CONNECTION_END_SSHD);
        assert_int_equal(connection_end_by_from_string("client", &by), -EINVAL);
        assert_int_equal(connection_end_by_from_string("", &by), -EINVAL);
}

static void test_read_real_socket(void **state) {
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof(sa);
        int l, c, s;
        ConnectionEnd e;
        char b = 'x';

        l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(l >= 0);
        assert_int_equal(bind(l, (struct sockaddr *) &sa, sizeof(sa)), 0);
        assert_int_equal(listen(l, 1), 0);
        assert_int_equal(getsockname(l, (struct sockaddr *) &sa, &len), 0);
        c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_int_equal(connect(c, (struct sockaddr *) &sa, sizeof(sa)), 0);
        s = accept4(l, NULL, NULL, SOCK_CLOEXEC);
        assert_true(s >= 0);

        /* The client just spoke: its input is fresh. */
        assert_int_equal(write(c, &b, 1), 1);
        assert_int_equal(read(s, &b, 1), 1);
        assert_int_equal(connection_end_read(s, &e), 0);
        assert_int_equal(e.state, ESTABLISHED);
        assert_true(e.silence_ms < CONNECTION_END_SILENCE_MIN_MSEC);
        assert_int_equal(connection_end_by(&e), CONNECTION_END_CLIENT);

        /* Its FIN: the client left. */
        close(c);
        for (int i = 0; i < 1000 && (connection_end_read(s, &e) < 0 || e.state != CLOSE_WAIT); i++)
                usleep(1000);
        assert_int_equal(e.state, CLOSE_WAIT);
        assert_int_equal(connection_end_by(&e), CONNECTION_END_CLIENT);

        /* Not TCP. */
        int u[2];
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, u), 0);
        assert_true(connection_end_read(u[0], &e) < 0);
        close(u[0]);
        close(u[1]);
        close(s);
        close(l);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rule),
                cmocka_unit_test(test_strings),
                cmocka_unit_test(test_read_real_socket),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
