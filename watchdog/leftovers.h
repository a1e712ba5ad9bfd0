/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "ending.h"

/* Kills what these endings left, proving first what each way would kill. */
void leftovers_kill(Daemon *d, Ending **endings, size_t n);
