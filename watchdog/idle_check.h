/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "deadline_queue.h"

typedef struct Daemon Daemon;
typedef struct Session Session;
typedef struct TerminalSeen TerminalSeen;

/* The idle-user policy's view of one session (docs/design.md, section 11).
 * A session is looked at when its user could first be due a warning or
 * the ending, never on a polling rate: once per IdleTimeoutSec -
 * IdleWarnSec of typing, not once per keystroke. */
typedef struct IdleWatch {
        QueueEntry due;           /* in Daemon.idle_deadlines while the policy looks at it */
        TerminalSeen *terminals;  /* at the last look */
        size_t n_terminals;
        uint64_t active;          /* latest typing over them; 0: none at the last look */
        uint64_t warned_active;   /* `active` when warned; 0: no warning in this idle spell */
        uint64_t reported_active; /* dry run: `active` when "would end" was said */
        uint64_t looked_at;       /* CLOCK_MONOTONIC of the last look; 0: none yet */
        unsigned failures;        /* transient failures in a row */
        bool ending;              /* the policy handed it to endings_begin(): ended as idle */
        char *unseen;             /* why its terminals cannot be seen (logged once); NULL */
} IdleWatch;

/* Whether the policy applies to the session, from its state and limits;
 * when it does not, why not in *ret_why ("off", "exempt", ...). */
bool idle_applies(const Session *s, const char **ret_why);
/* After its limits were (re)resolved: looked at now, or taken out. */
void idle_watch_update(Session *s, uint64_t now);
/* The idle time at now of a session the policy looks at; false when it
 * has no terminal (or was not looked at yet). */
bool idle_watch_idle(const Session *s, uint64_t now, uint64_t *ret_idle);
int idle_check_due(Daemon *d, uint64_t now);
void idle_check_reschedule(Daemon *d);
