/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "deadline_queue.h"
#include "macro.h"

static void place(DeadlineQueue *q, size_t i, QueueEntry *e) {
        q->heap[i] = e;
        e->index = i;
}

static void sift_up(DeadlineQueue *q, size_t i) {
        QueueEntry *e = q->heap[i];

        while (i > 0) {
                size_t parent = (i - 1) / 2;
                if (q->heap[parent]->key <= e->key)
                        break;
                place(q, i, q->heap[parent]);
                i = parent;
        }
        place(q, i, e);
}

static void sift_down(DeadlineQueue *q, size_t i) {
        QueueEntry *e = q->heap[i];

        for (;;) {
                size_t child = 2 * i + 1;
                if (child >= q->n)
                        break;
                if (child + 1 < q->n && q->heap[child + 1]->key < q->heap[child]->key)
                        child++;
                if (e->key <= q->heap[child]->key)
                        break;
                place(q, i, q->heap[child]);
                i = child;
        }
        place(q, i, e);
}

int deadline_queue_reserve(DeadlineQueue *q, size_t n) {
        size_t capacity = q->capacity ? q->capacity : 64;
        QueueEntry **heap;

        if (n <= q->capacity)
                return 0;
        while (capacity < n)
                capacity *= 2;
        heap = reallocarray(q->heap, capacity, sizeof(QueueEntry *));
        if (!heap)
                return -ENOMEM;
        q->heap = heap;
        q->capacity = capacity;
        return 0;
}

int deadline_queue_set(DeadlineQueue *q, QueueEntry *e, uint64_t key) {
        if (queue_entry_queued(e)) {
                uint64_t old = e->key;
                e->key = key;
                if (key < old)
                        sift_up(q, e->index);
                else if (key > old)
                        sift_down(q, e->index);
                return 0;
        }
        int r = deadline_queue_reserve(q, q->n + 1);
        if (r < 0)
                return r;
        e->key = key;
        place(q, q->n++, e);
        sift_up(q, e->index);
        return 0;
}

void deadline_queue_remove(DeadlineQueue *q, QueueEntry *e) {
        size_t i = e->index;

        if (!queue_entry_queued(e))
                return;
        e->index = QUEUE_NONE;
        if (i == --q->n)
                return;
        place(q, i, q->heap[q->n]);
        /* The last entry moved here: it may belong above or below. */
        if (i > 0 && q->heap[(i - 1) / 2]->key > q->heap[i]->key)
                sift_up(q, i);
        else
                sift_down(q, i);
}

QueueEntry *deadline_queue_top(const DeadlineQueue *q) {
        return q->n > 0 ? q->heap[0] : NULL;
}

/* A walk from the root that stops at every entry later than `until`: the
 * heap order says its whole subtree is later too. The walk's stack never
 * holds more than the due entries' children, so both arrays grow with
 * what is due (and taken). */
ssize_t deadline_queue_due(const DeadlineQueue *q, uint64_t until, size_t max, QueueEntry ***ret) {
        _cleanup_free_ size_t *stack = NULL;
        QueueEntry **due = NULL;
        size_t n = 0, top = 0, capacity = 0;

        *ret = NULL;
        if (q->n == 0 || q->heap[0]->key > until || max == 0)
                return 0;
        for (size_t i = 0;;) {
                if (q->heap[i]->key <= until) {
                        if (n == capacity) {
                                size_t c = capacity ? capacity * 2 : 16;
                                QueueEntry **d = reallocarray(due, c, sizeof(QueueEntry *));
                                /* Two children per due entry at most. */
                                size_t *st = reallocarray(stack, 2 * c, sizeof(size_t));
                                if (d)
                                        due = d;
                                if (st)
                                        stack = st;
                                if (!d || !st) {
                                        free(due);
                                        return -ENOMEM;
                                }
                                capacity = c;
                        }
                        due[n++] = q->heap[i];
                        if (n == max)
                                break;
                        if (2 * i + 1 < q->n)
                                stack[top++] = 2 * i + 1;
                        if (2 * i + 2 < q->n)
                                stack[top++] = 2 * i + 2;
                }
                if (top == 0)
                        break;
                i = stack[--top];
        }
        *ret = due;
        return (ssize_t) n;
}

void deadline_queue_done(DeadlineQueue *q) {
        free(q->heap);
        *q = (DeadlineQueue) {};
}
