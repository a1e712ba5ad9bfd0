/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdlib.h>

#include "daemon.h"
#include "idle_watch.h"
#include "terminals.h"

IdleWatch *idle_watch_new(Session *s) {
        IdleWatch *w = calloc(1, sizeof(IdleWatch));

        if (!w)
                return NULL;
        w->session = s;
        w->due = (QueueEntry) QUEUE_ENTRY_INIT;
        return w;
}

void idle_watch_free(Daemon *d, IdleWatch *w) {
        if (!w)
                return;
        if (d)
                deadline_queue_remove(&d->idle_deadlines, &w->due);
        free(w->terminals);
        free(w->unseen);
        free(w);
}
