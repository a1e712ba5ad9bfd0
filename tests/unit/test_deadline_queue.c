/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "deadline_queue.h"

#define N 2000

/* Checked against the obvious model: the minimum and the due set found by
 * scanning every entry, after each of many random moves. */
static QueueEntry e[N];
static bool in[N];

static uint64_t model_min(void) {
        uint64_t m = UINT64_MAX;
        for (size_t i = 0; i < N; i++)
                if (in[i] && e[i].key < m)
                        m = e[i].key;
        return m;
}

static size_t model_due(uint64_t until) {
        size_t k = 0;
        for (size_t i = 0; i < N; i++)
                k += in[i] && e[i].key <= until;
        return k;
}

/* How many are due until `until` (at most max), each checked to be. */
static size_t due_count_max(const DeadlineQueue *q, uint64_t until, size_t max) {
        QueueEntry **due = NULL;
        ssize_t k = deadline_queue_due(q, until, max, &due);

        assert_true(k >= 0);
        assert_true((k == 0) == (due == NULL));
        for (ssize_t i = 0; i < k; i++) {
                assert_true(due[i]->key <= until);
                for (ssize_t j = 0; j < i; j++)
                        assert_ptr_not_equal(due[i], due[j]);
        }
        free(due);
        assert_true((size_t) k <= max);
        return (size_t) k;
}

static size_t due_count(const DeadlineQueue *q, uint64_t until) {
        return due_count_max(q, until, SIZE_MAX);
}

static void check(DeadlineQueue *q) {
        size_t n_in = 0;

        for (size_t i = 0; i < N; i++) {
                n_in += in[i];
                assert_int_equal(queue_entry_queued(&e[i]), in[i]);
        }
        assert_int_equal(q->n, n_in);
        for (size_t i = 0; i < q->n; i++) {
                assert_int_equal(q->heap[i]->index, i);
                if (i > 0)
                        assert_true(q->heap[(i - 1) / 2]->key <= q->heap[i]->key);
        }
        if (n_in == 0) {
                assert_null(deadline_queue_top(q));
                return;
        }
        assert_int_equal(deadline_queue_top(q)->key, model_min());
        uint64_t until = model_min() + (uint64_t) (rand() % 200);
        assert_int_equal(due_count(q, until), model_due(until));
        size_t max = (size_t) (rand() % 8);
        assert_int_equal(due_count_max(q, until, max), max < model_due(until) ? max : model_due(until));
        if (model_min() > 0)
                assert_int_equal(due_count(q, model_min() - 1), 0);
}

static void test_against_model(void **state) {
        DeadlineQueue q = {};

        srand(7);
        for (size_t i = 0; i < N; i++)
                e[i] = (QueueEntry) QUEUE_ENTRY_INIT;
        check(&q);
        for (int round = 0; round < 20000; round++) {
                size_t i = (size_t) rand() % N;
                switch (rand() % 3) {
                case 0:
                case 1:
                        /* Insert or move, earlier or later: deadlines move both ways. */
                        assert_int_equal(deadline_queue_set(&q, &e[i], (uint64_t) (rand() % 5000)), 0);
                        in[i] = true;
                        break;
                case 2:
                        deadline_queue_remove(&q, &e[i]);
                        deadline_queue_remove(&q, &e[i]); /* twice is harmless */
                        in[i] = false;
                        break;
                }
                if (round % 97 == 0)
                        check(&q);
        }
        check(&q);
        deadline_queue_done(&q);
}

static void test_equal_keys_and_reserve(void **state) {
        DeadlineQueue q = {};
        QueueEntry a[100];

        assert_int_equal(deadline_queue_reserve(&q, 100), 0);
        assert_true(q.capacity >= 100);
        for (size_t i = 0; i < 100; i++) {
                a[i] = (QueueEntry) QUEUE_ENTRY_INIT;
                assert_int_equal(deadline_queue_set(&q, &a[i], 5), 0);
        }
        assert_int_equal(due_count(&q, 5), 100);
        assert_int_equal(due_count(&q, 4), 0);
        /* Moving every one later empties what is due, one at a time. */
        for (size_t i = 0; i < 100; i++) {
                assert_int_equal(deadline_queue_set(&q, &a[i], 10 + i), 0);
                assert_int_equal(due_count(&q, 5), 99 - i);
        }
        assert_int_equal(deadline_queue_top(&q)->key, 10);
        deadline_queue_done(&q);
        assert_null(deadline_queue_top(&q));
}

/* Taken a few at a time and moved later (the idle looks' turns), every
 * due entry comes once, and the queue empties of due ones. */
static void test_batches(void **state) {
        DeadlineQueue q = {};
        QueueEntry a[100];
        unsigned taken[100] = {};
        size_t turns = 0;

        for (size_t i = 0; i < 100; i++) {
                a[i] = (QueueEntry) QUEUE_ENTRY_INIT;
                assert_int_equal(deadline_queue_set(&q, &a[i], 5 + i % 3), 0);
        }
        for (;;) {
                QueueEntry **due = NULL;
                ssize_t k = deadline_queue_due(&q, 10, 7, &due);
                assert_true(k >= 0 && k <= 7);
                if (k == 0)
                        break;
                for (ssize_t j = 0; j < k; j++) {
                        size_t i = (size_t) (due[j] - a);
                        taken[i]++;
                        assert_int_equal(deadline_queue_set(&q, due[j], 100), 0);
                }
                free(due);
                turns++;
        }
        assert_int_equal(turns, 15);
        for (size_t i = 0; i < 100; i++)
                assert_int_equal(taken[i], 1);
        deadline_queue_done(&q);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_against_model),
                cmocka_unit_test(test_equal_keys_and_reserve),
                cmocka_unit_test(test_batches),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
