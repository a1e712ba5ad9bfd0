/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

typedef struct Daemon Daemon;

/* Reads the input of the sessions due by `now` and hands the silent ones
 * to endings_begin(). */
int input_check_due(Daemon *d, uint64_t now);
/* The deadline timer, at the earliest deadline in the queue. */
void input_check_reschedule(Daemon *d);
