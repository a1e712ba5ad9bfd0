/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "ending.h"
#include "kill_plan.h"

/* One kill round for these endings, all in one sweep, proving first what
 * each way would kill. ret[i] is v[i]'s outcome. */
void kill_round(Daemon *d, Ending **v, size_t n, KillOutcome *ret);
