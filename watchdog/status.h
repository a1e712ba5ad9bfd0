/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

typedef struct Daemon Daemon;

/* STATUS= for the service manager, at most once a second. */
void status_notify(Daemon *d);
/* Within a long batch (thousands of sessions at start or reload, each
 * maybe an NSS round trip): WATCHDOG=1 when a quarter of WatchdogSec has
 * passed since the last, so that the service manager's watchdog sees work
 * going on, not a hang. Cheap enough to call per session. */
void status_progress(Daemon *d);
