/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef struct Daemon Daemon;

/* New records: sessions in the table, settled at once (watched, ended, or
 * retried later). */
int session_add(Daemon *d, const char *name);
int sessions_add_names(Daemon *d, char **names, size_t n);
/* The record was written anew under its name: read it again. */
int session_replaced(Daemon *d, const char *name);
/* Tries again what failed transiently for PENDING sessions that are due. */
void sessions_retry_due(Daemon *d, uint64_t now);
