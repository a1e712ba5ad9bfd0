/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "idle_watch.h"

typedef struct Daemon Daemon;
typedef struct Session Session;

/* Whether the policy applies to the session, from its state and limits;
 * when it does not, why not in *ret_why ("off", "exempt", ...). */
bool idle_applies(const Session *s, const char **ret_why);
/* After its limits were (re)resolved: looked at now, or taken out. */
void idle_watch_update(Session *s, uint64_t now);
int idle_check_due(Daemon *d, uint64_t now);
void idle_check_reschedule(Daemon *d);
