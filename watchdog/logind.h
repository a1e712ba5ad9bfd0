/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "daemon.h"

/* Asks logind, which owns the session scope, to SIGKILL everything in
 * session `id` and then to terminate it (KillSession + TerminateSession on
 * org.freedesktop.login1.Manager, asynchronously). <0 when the system bus
 * cannot be reached, so the caller can fall back to killing by itself. */
int logind_kill_session(Daemon *d, const char *id);
