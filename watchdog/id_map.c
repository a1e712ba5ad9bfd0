/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "id_map.h"

static size_t slot_of(uint64_t stored, size_t capacity) {
        /* Fibonacci hashing: PIDs and inodes come in runs. */
        return (size_t) ((stored * UINT64_C(11400714819323198485)) >> 20) & (capacity - 1);
}

static int grow(IdMap *m) {
        size_t capacity = m->capacity ? m->capacity * 2 : 64;
        uint64_t *keys = calloc(capacity, sizeof(uint64_t)), *values = calloc(capacity, sizeof(uint64_t));

        if (!keys || !values) {
                free(keys);
                free(values);
                return -ENOMEM;
        }
        for (size_t i = 0; i < m->capacity; i++) {
                if (m->keys[i] == 0)
                        continue;
                size_t j = slot_of(m->keys[i], capacity);
                while (keys[j] != 0)
                        j = (j + 1) & (capacity - 1);
                keys[j] = m->keys[i];
                values[j] = m->values[i];
        }
        free(m->keys);
        free(m->values);
        m->keys = keys;
        m->values = values;
        m->capacity = capacity;
        return 0;
}

int id_map_put(IdMap *m, uint64_t key, uint64_t value) {
        uint64_t stored = key + 1;
        size_t i;

        if (key == UINT64_MAX)
                return -ERANGE;
        if ((m->n + 1) * 2 > m->capacity) {
                int r = grow(m);
                if (r < 0)
                        return r;
        }
        for (i = slot_of(stored, m->capacity); m->keys[i] != 0; i = (i + 1) & (m->capacity - 1))
                if (m->keys[i] == stored) {
                        m->values[i] = value;
                        return 0;
                }
        m->keys[i] = stored;
        m->values[i] = value;
        m->n++;
        return 0;
}

bool id_map_get(const IdMap *m, uint64_t key, uint64_t *ret_value) {
        uint64_t stored = key + 1;

        if (m->capacity == 0 || key == UINT64_MAX)
                return false;
        for (size_t i = slot_of(stored, m->capacity); m->keys[i] != 0; i = (i + 1) & (m->capacity - 1))
                if (m->keys[i] == stored) {
                        if (ret_value)
                                *ret_value = m->values[i];
                        return true;
                }
        return false;
}

void id_map_done(IdMap *m) {
        free(m->keys);
        free(m->values);
        *m = (IdMap) {};
}
