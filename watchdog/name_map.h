/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* A map from a string to a pointer, with open addressing and linear
 * probing: the session table finds a record's session by its name in
 * constant time. The map does not copy keys: a key must live as long as
 * its entry (the session's own name does). */
typedef struct NameMap {
        const char **keys;  /* NULL marks a free slot */
        void **values;
        size_t capacity;    /* a power of two, or 0 */
        size_t n;
} NameMap;

/* Adds or replaces. -ENOMEM. */
int name_map_put(NameMap *m, const char *key, void *value);
void *name_map_get(const NameMap *m, const char *key);
void name_map_remove(NameMap *m, const char *key);
void name_map_done(NameMap *m);
