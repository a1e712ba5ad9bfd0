/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

typedef struct Daemon Daemon;

/* Watches <state_dir>/sessions (inotify) and adds the records already there. */
int record_watch_start(Daemon *d);
