/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The journal queue against a real datagram socket that, like journald's
 * under load, stops taking entries: sending must never block, entries must
 * arrive whole and in order once the reader catches up, and detaching must
 * give up within its bound. */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <systemd/sd-event.h>

#include "journal_queue.h"

#define ENTRIES 3000

typedef struct {
        char dir[64];
        char path[128];
        int fd;
        sd_event *event;
} Fixture;

static uint64_t mono_usec(void) {
        struct timespec ts;
        assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof(Fixture));
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        assert_non_null(f);
        strcpy(f->dir, "/tmp/swd-jq.XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        snprintf(f->path, sizeof(f->path), "%s/socket", f->dir);
        strcpy(sa.sun_path, f->path);
        f->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        assert_true(f->fd >= 0);
        assert_int_equal(bind(f->fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        assert_int_equal(sd_event_new(&f->event), 0);
        /* A blocking send would hang the test: make that a failure. */
        alarm(60);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;

        journal_queue_detach(0);
        alarm(0);
        sd_event_unref(f->event);
        close(f->fd);
        unlink(f->path);
        rmdir(f->dir);
        free(f);
        return 0;
}

static int send_entry(int i) {
        char message[64], multi[64];
        struct iovec iov[2];

        snprintf(message, sizeof(message), "MESSAGE=entry %d", i);
        snprintf(multi, sizeof(multi), "MULTI=line\n%d", i);
        iov[0] = (struct iovec) { message, strlen(message) };
        iov[1] = (struct iovec) { multi, strlen(multi) };
        return journal_queue_send(iov, 2);
}

/* Checks one datagram in journald's native format and returns its number. */
static int check_entry(const char *buf, size_t len) {
        char want[128];
        int i;
        uint64_t vlen;
        const char *p;

        assert_true(len > 14);
        assert_int_equal(sscanf(buf, "MESSAGE=entry %d\n", &i), 1);
        p = strchr(buf, '\n') + 1;
        /* A value with a newline: "KEY\n", its 64-bit little-endian length,
         * the value, "\n". */
        assert_memory_equal(p, "MULTI\n", 6);
        memcpy(&vlen, p + 6, 8);
        snprintf(want, sizeof(want), "line\n%d", i);
        assert_int_equal(le64toh(vlen), strlen(want));
        assert_memory_equal(p + 14, want, strlen(want));
        assert_int_equal((size_t) (p + 14 + strlen(want) + 1 - buf), len);
        assert_int_equal(buf[len - 1], '\n');
        return i;
}

/* Reads what is waiting; returns how many, checking their order. */
static int drain(Fixture *f, int *next) {
        char buf[256];
        int n = 0;
        ssize_t k;

        while ((k = recv(f->fd, buf, sizeof(buf), 0)) > 0) {
                assert_int_equal(check_entry(buf, (size_t) k), *next);
                (*next)++;
                n++;
        }
        assert_true(k < 0 && errno == EAGAIN);
        return n;
}

static void test_in_order_without_blocking(void **state) {
        Fixture *f = *state;
        int next = 0;
        uint64_t start, took, give_up;

        assert_int_equal(journal_queue_attach_at(f->event, f->path), 0);
        assert_true(journal_queue_attached());
        start = mono_usec();
        for (int i = 0; i < ENTRIES; i++)
                assert_int_equal(send_entry(i), 0);
        took = mono_usec() - start;
        /* Nobody read: most of them must be waiting in the queue, so the
         * test really exercises it. */
        assert_true(drain(f, &next) < ENTRIES);
        print_message("%d entries handed over in %llu us, %d went at once\n", ENTRIES, (unsigned long long) took,
                      next);

        /* The loop sends the rest as the reader makes room. */
        give_up = mono_usec() + 20 * 1000000;
        while (next < ENTRIES) {
                assert_true(mono_usec() < give_up);
                assert_true(sd_event_run(f->event, 100 * 1000) >= 0);
                drain(f, &next);
        }
        assert_int_equal(next, ENTRIES);
        /* Entries sent after the queue emptied go at once again. */
        assert_int_equal(send_entry(ENTRIES), 0);
        assert_int_equal(drain(f, &next), 1);
}

static void test_detach_is_bounded(void **state) {
        Fixture *f = *state;
        int next = 0;
        uint64_t start, took;

        assert_int_equal(journal_queue_attach_at(f->event, f->path), 0);
        for (int i = 0; i < ENTRIES; i++)
                assert_int_equal(send_entry(i), 0);
        /* The reader never reads again: detach waits its 200 ms, no more,
         * and drops the rest (it says so on stderr). */
        start = mono_usec();
        journal_queue_detach(200 * 1000);
        took = mono_usec() - start;
        assert_false(journal_queue_attached());
        assert_true(took >= 190 * 1000);
        assert_true(took < 2 * 1000000);
        assert_true(drain(f, &next) < ENTRIES);
}

static void test_detach_flushes(void **state) {
        Fixture *f = *state;
        int next = 0;
        uint64_t give_up;

        assert_int_equal(journal_queue_attach_at(f->event, f->path), 0);
        for (int i = 0; i < 100; i++)
                assert_int_equal(send_entry(i), 0);
        /* A reader in another process catches up while detach waits (the
         * parent's copy of the queue is dropped at teardown). */
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                journal_queue_detach(10 * 1000000);
                _exit(journal_queue_attached() ? 1 : 0);
        }
        give_up = mono_usec() + 20 * 1000000;
        while (next < 100 && mono_usec() < give_up) {
                drain(f, &next);
                usleep(1000);
        }
        assert_int_equal(next, 100);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_no_journal(void **state) {
        Fixture *f = *state;
        char path[160];
        struct iovec iov = { (char *) "MESSAGE=x", 9 };

        /* No socket there: the caller is told, to send it another way. */
        snprintf(path, sizeof(path), "%s/absent", f->dir);
        assert_int_equal(journal_queue_attach_at(f->event, path), 0);
        assert_int_equal(journal_queue_send(&iov, 1), -ENOENT);
        journal_queue_detach(0);
        /* Detached: not taken either. */
        assert_true(journal_queue_send(&iov, 1) < 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_in_order_without_blocking, setup, teardown),
                cmocka_unit_test_setup_teardown(test_detach_is_bounded, setup, teardown),
                cmocka_unit_test_setup_teardown(test_detach_flushes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_no_journal, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
