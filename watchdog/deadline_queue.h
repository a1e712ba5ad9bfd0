/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The sessions that have a deadline, in a binary min-heap by that deadline:
 * the timer is armed from the top, and a wake-up finds what is due in time
 * proportional to what is due, not to how many sessions there are. An
 * entry lives inside its owner (container_of), so the queue allocates one
 * array and nothing per entry. */
typedef struct QueueEntry {
        uint64_t key;     /* the deadline */
        size_t index;     /* its place in the heap; QUEUE_NONE when not in it */
} QueueEntry;

#define QUEUE_NONE SIZE_MAX
#define QUEUE_ENTRY_INIT { .key = 0, .index = QUEUE_NONE }

typedef struct DeadlineQueue {
        QueueEntry **heap;
        size_t n, capacity;
} DeadlineQueue;

/* Room for n entries, so that deadline_queue_set() cannot fail for them. */
int deadline_queue_reserve(DeadlineQueue *q, size_t n);
/* Puts e in the queue with this key, or moves it there. -ENOMEM only when
 * it was not in the queue yet (it then stays out). */
int deadline_queue_set(DeadlineQueue *q, QueueEntry *e, uint64_t key);
void deadline_queue_remove(DeadlineQueue *q, QueueEntry *e);
/* The earliest entry, or NULL. */
QueueEntry *deadline_queue_top(const DeadlineQueue *q);
/* Entries whose key is at most `until`, at most `max` of them (SIZE_MAX:
 * all), in no particular order, in a new array (NULL when none); the
 * queue is not changed. Costs what is taken, not the size of the queue
 * nor all that is due. How many, or -ENOMEM. */
ssize_t deadline_queue_due(const DeadlineQueue *q, uint64_t until, size_t max, QueueEntry ***ret);
void deadline_queue_done(DeadlineQueue *q);

static inline bool queue_entry_queued(const QueueEntry *e) {
        return e->index != QUEUE_NONE;
}
