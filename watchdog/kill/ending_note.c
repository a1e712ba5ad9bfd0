/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What an ending could not do, and why, gathered over its rounds for its
 * final journal entry: the kill step adds to it without knowing how an
 * ending goes on. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "ending.h"

void ending_note(Ending *e, const char *fmt, ...) {
        char *note = NULL, *joined = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&note, fmt, ap) < 0)
                note = NULL;
        va_end(ap);
        if (!note)
                return;
        if (!e->notes) {
                e->notes = note;
                return;
        }
        if (asprintf(&joined, "%s; %s", e->notes, note) >= 0) {
                free(e->notes);
                e->notes = joined;
        }
        free(note);
}
