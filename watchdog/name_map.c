/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "name_map.h"

static size_t slot_of(const char *key, size_t capacity) {
        /* FNV-1a */
        uint64_t h = UINT64_C(14695981039346656037);
        for (const unsigned char *p = (const unsigned char *) key; *p; p++)
                h = (h ^ *p) * UINT64_C(1099511628211);
        return (size_t) (h ^ (h >> 32)) & (capacity - 1);
}

static size_t find(const NameMap *m, const char *key) {
        size_t i = slot_of(key, m->capacity);
        while (m->keys[i] && strcmp(m->keys[i], key) != 0)
                i = (i + 1) & (m->capacity - 1);
        return i;
}

static int grow(NameMap *m) {
        size_t capacity = m->capacity ? m->capacity * 2 : 64;
        const char **keys = calloc(capacity, sizeof(char *));
        void **values = calloc(capacity, sizeof(void *));

        if (!keys || !values) {
                free(keys);
                free(values);
                return -ENOMEM;
        }
        for (size_t i = 0; i < m->capacity; i++) {
                if (!m->keys[i])
                        continue;
                size_t j = slot_of(m->keys[i], capacity);
                while (keys[j])
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

int name_map_put(NameMap *m, const char *key, void *value) {
        size_t i;

        if ((m->n + 1) * 2 > m->capacity) {
                int r = grow(m);
                if (r < 0)
                        return r;
        }
        i = find(m, key);
        if (!m->keys[i]) {
                m->keys[i] = key;
                m->n++;
        }
        m->values[i] = value;
        return 0;
}

void *name_map_get(const NameMap *m, const char *key) {
        if (m->capacity == 0)
                return NULL;
        size_t i = find(m, key);
        return m->keys[i] ? m->values[i] : NULL;
}

void name_map_remove(NameMap *m, const char *key) {
        size_t mask = m->capacity - 1, i, j;

        if (m->capacity == 0)
                return;
        i = find(m, key);
        if (!m->keys[i])
                return;
        /* Backward shift: move up every later entry of the run whose home
         * slot is not between the hole and it, so lookups never stop at a
         * hole they should have passed. */
        for (j = (i + 1) & mask; m->keys[j]; j = (j + 1) & mask) {
                size_t home = slot_of(m->keys[j], m->capacity);
                if (((j - home) & mask) >= ((j - i) & mask)) {
                        m->keys[i] = m->keys[j];
                        m->values[i] = m->values[j];
                        i = j;
                }
        }
        m->keys[i] = NULL;
        m->values[i] = NULL;
        m->n--;
}

void name_map_done(NameMap *m) {
        free(m->keys);
        free(m->values);
        *m = (NameMap) {};
}
