/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "session.h"

/* Watches the monitor of a session sshd-watchdog-exec registered (a no-op
 * for PAM's): when it exits, the record goes. */
void monitor_exit_watch(Session *s);
