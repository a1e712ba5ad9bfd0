/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

typedef struct Daemon Daemon;

/* Asking logind, which owns the session scopes, to kill what is left of a
 * session: KillSession(id, "all", SIGKILL) on the system bus. Once the scope
 * is empty systemd stops it and logind drops the session by itself: a
 * TerminateSession as well would double the calls when a thousand sessions
 * end at once. Requests wait in a queue with at most LOGIND_MAX_IN_FLIGHT
 * calls on the bus (a thousand at once got the daemon dropped by the bus);
 * the bus is opened again whenever it closed; errors that may pass (no
 * reply, the bus went away, logind restarting) are tried again up to
 * LOGIND_ATTEMPTS times. Every request gets exactly one answer. */

#define LOGIND_MAX_IN_FLIGHT 8
#define LOGIND_ATTEMPTS 3

/* r: 0 logind killed what was in the session; -ENOENT there is no such
 * session (it is gone: nothing left); other <0 it failed, error_name and
 * error_message say how (may be NULL). */
typedef void (*logind_cb)(Daemon *d, void *userdata, int r, const char *error_name, const char *error_message);

int logind_kill_session(Daemon *d, const char *id, logind_cb cb, void *userdata);
/* Forgets the requests of userdata: their answers are never delivered.
 * A call already sent keeps its place among the LOGIND_MAX_IN_FLIGHT until
 * logind answers it (or it times out): logind and the bus still hold it. */
void logind_cancel(Daemon *d, void *userdata);
void logind_queue_free(Daemon *d);
