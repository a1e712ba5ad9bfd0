/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A map from a 64-bit id (a PID, an audit session id, a socket inode) to a
 * 64-bit value, with open addressing: the sweeps look up every process on
 * the host in it, once per pass, whatever the number of endings. */
typedef struct IdMap {
        uint64_t *keys;   /* key + 1; 0 marks a free slot */
        uint64_t *values;
        size_t capacity;  /* a power of two, or 0 */
        size_t n;
} IdMap;

/* Adds or replaces. -ENOMEM, or -ERANGE for the one key it cannot hold (UINT64_MAX). */
int id_map_put(IdMap *m, uint64_t key, uint64_t value);
bool id_map_get(const IdMap *m, uint64_t key, uint64_t *ret_value);
void id_map_done(IdMap *m);
