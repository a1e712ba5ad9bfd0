/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "ending.h"
#include "session.h"

/* What becomes of a session that is due, decided in one place from the
 * facts the caller gathered (the input just read, whether its monitor
 * lives, its record), with no side effects: input_check.c and ending.c
 * only carry verdicts out. */
typedef enum Verdict {
        VERDICT_EXTEND,            /* input came since the deadline was planned: a new deadline */
        VERDICT_QUIET,             /* dry run, this silence reported already and no input since:
                                    * looked at again a timeout later, said nothing */
        VERDICT_END,               /* ended, for the reason given: an Ending */
        VERDICT_DRY_RUN,           /* would be ended (silent): reported, looked at again a timeout later */
        VERDICT_DROP,              /* over without us and not ours to end (untimed, exempt, a dry
                                    * run): reported when a dry run, its record removed */
        VERDICT_REGISTERED_CLOSED, /* a registered session whose monitor exited: a logout, since no
                                    * close_session removes such records */
} Verdict;

/* After a reading of its input: the silence against its limit. */
Verdict verdict_after_reading(const Session *s);

/* A session to end (silent, or its connection gone): monitor_alive says
 * whether its sshd monitor still runs (PID and start time). The reason
 * goes to *ret_reason for END, DRY_RUN and DROP. */
Verdict verdict_to_end(const Session *s, bool monitor_alive, EndingReason *ret_reason);
