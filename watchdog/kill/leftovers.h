/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "ending.h"

/* What comes next for an ending after a kill round. */
typedef enum KillOutcome {
        KILL_DONE,       /* nothing of it is left, or nothing more can be done: finish it */
        KILL_AGAIN,      /* another round at e->kill_at */
        KILL_ASK_LOGIND, /* what is left is in its logind scope: ask logind (e->logind_procs of them) */
} KillOutcome;

/* One kill round for these endings, all in one sweep, proving first what
 * each way would kill. ret[i] is v[i]'s outcome. */
void leftovers_kill(Daemon *d, Ending **v, size_t n, KillOutcome *ret);
