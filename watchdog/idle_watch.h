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
        Session *session;
        QueueEntry due;           /* in Daemon.idle_deadlines while the policy looks at it */
        TerminalSeen *terminals;  /* at the last look */
        size_t n_terminals;
        uint64_t active;          /* latest typing over them; 0: none at the last look */
        uint64_t warned_active;   /* `active` when warned; 0: no warning in this idle spell */
        uint64_t reported_active; /* dry run: `active` when "would end" was said */
        unsigned failures;        /* transient failures in a row */
        bool ending;              /* the policy handed it to endings_begin(): ended as idle */
        char *unseen;             /* why its terminals cannot be seen (logged once); NULL */
        char source[272];         /* where its IdleTimeoutSec= came from (config_idle_source()) */
} IdleWatch;

/* A session gets one when its limits put it under the idle limit
 * (session_resolve_limits()), and only then: off, the policy costs a
 * session one pointer. */
IdleWatch *idle_watch_new(Session *s);
void idle_watch_free(Daemon *d, IdleWatch *w);
