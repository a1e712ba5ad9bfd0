/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every request to logind gets exactly one answer, also when the bus goes
 * away with calls in flight and the next call is sent before the loop has
 * seen it go. The "bus" is a direct connection over a socketpair whose
 * other end takes the calls and never answers, then hangs up; the system
 * bus to reconnect to does not exist, so the calls end in errors. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "clock.h"
#include "daemon.h"
#include "logind.h"
#include "time_span.h"

typedef struct Answers {
        unsigned n[3];
        int r[3];
} Answers;

static Answers answers;

static void on_answer(Daemon *d, void *userdata, int r, const char *name, const char *message) {
        size_t i = (size_t) (uintptr_t) userdata;
        answers.n[i]++;
        answers.r[i] = r;
}

static void run_until(sd_event *e, bool (*done)(void *), void *userdata, uint64_t timeout_usec) {
        uint64_t end = monotonic_now() + timeout_usec;
        while (!done(userdata) && monotonic_now() < end)
                assert_true(sd_event_run(e, 50 * USEC_PER_MSEC) >= 0);
}

static bool both_ready(void *userdata) {
        sd_bus **b = userdata;
        return sd_bus_is_ready(b[0]) > 0 && sd_bus_is_ready(b[1]) > 0;
}

static bool all_answered(void *userdata) {
        return answers.n[0] && answers.n[1] && answers.n[2];
}

static bool first_answered(void *userdata) {
        return answers.n[0] > 0;
}

static bool never(void *userdata) {
        return false;
}

static void test_bus_lost_with_calls_in_flight(void **state) {
        Daemon d = {};
        sd_bus *client = NULL, *server = NULL;
        sd_id128_t id;
        int fds[2];

        /* Where the queue reconnects: nowhere. */
        assert_int_equal(setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/swd-test-bus", 1), 0);
        assert_int_equal(sd_event_new(&d.event), 0);
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds), 0);
        assert_int_equal(sd_id128_randomize(&id), 0);
        assert_int_equal(sd_bus_new(&server), 0);
        assert_int_equal(sd_bus_set_fd(server, fds[1], fds[1]), 0);
        assert_int_equal(sd_bus_set_server(server, true, id), 0);
        assert_int_equal(sd_bus_set_anonymous(server, true), 0);
        assert_int_equal(sd_bus_start(server), 0);
        assert_int_equal(sd_bus_new(&client), 0);
        assert_int_equal(sd_bus_set_fd(client, fds[0], fds[0]), 0);
        assert_int_equal(sd_bus_set_anonymous(client, true), 0);
        assert_int_equal(sd_bus_start(client), 0);
        assert_int_equal(sd_bus_attach_event(client, d.event, 0), 0);
        assert_int_equal(sd_bus_attach_event(server, d.event, 0), 0);
        sd_bus *both[2] = { client, server };
        run_until(d.event, both_ready, both, 5 * USEC_PER_SEC);
        assert_true(both_ready(both));
        d.bus = client;

        /* Two calls in flight, which the other end reads and never answers. */
        assert_true(sd_bus_detach_event(server) >= 0);
        assert_int_equal(logind_kill_session(&d, "1", on_answer, (void *) (uintptr_t) 0), 0);
        assert_int_equal(logind_kill_session(&d, "2", on_answer, (void *) (uintptr_t) 1), 0);
        for (int i = 0; i < 10; i++)
                (void) sd_event_run(d.event, 10 * USEC_PER_MSEC);
        /* It hangs up, and a third call goes out before the loop saw it. */
        server = sd_bus_flush_close_unref(server);
        assert_int_equal(logind_kill_session(&d, "3", on_answer, (void *) (uintptr_t) 2), 0);

        run_until(d.event, all_answered, NULL, 10 * USEC_PER_SEC);
        for (int i = 0; i < 3; i++)
                if (answers.n[i] != 1)
                        fail_msg("request %d: answered %u times, want once", i + 1, answers.n[i]);
        /* Failures, and never "no such session", which would be taken
         * for a scope with nothing left in it. */
        for (int i = 0; i < 3; i++)
                if (answers.r[i] >= 0 || answers.r[i] == -ENOENT)
                        fail_msg("request %d: answered %d, want a failure other than ENOENT", i + 1, answers.r[i]);
        /* And never again. */
        run_until(d.event, never, NULL, 200 * USEC_PER_MSEC);
        for (int i = 0; i < 3; i++)
                assert_int_equal(answers.n[i], 1);

        logind_queue_free(&d);
        sd_bus_flush_close_unref(d.bus);
        sd_event_unref(d.event);
}

/* No bus at all (its socket is missing: ENOENT from connect): the request
 * is tried LOGIND_ATTEMPTS times, then fails, and the failure is not
 * -ENOENT, logind's "no such session". */
static void test_no_bus_is_not_no_session(void **state) {
        Daemon d = {};

        answers = (Answers) {};
        assert_int_equal(setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/swd-test-bus", 1), 0);
        assert_int_equal(sd_event_new(&d.event), 0);
        assert_int_equal(logind_kill_session(&d, "7", on_answer, (void *) (uintptr_t) 0), 0);
        /* The retries come 400 and 800 ms apart. */
        run_until(d.event, first_answered, NULL, 10 * USEC_PER_SEC);
        assert_int_equal(answers.n[0], 1);
        if (answers.r[0] >= 0 || answers.r[0] == -ENOENT)
                fail_msg("answered %d, want a failure other than ENOENT", answers.r[0]);

        logind_queue_free(&d);
        sd_bus_flush_close_unref(d.bus);
        sd_event_unref(d.event);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_bus_lost_with_calls_in_flight),
                cmocka_unit_test(test_no_bus_is_not_no_session),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
