/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include <systemd/sd-event.h>

/* Listens on <dir>/<name> (a stale socket there is replaced), the socket
 * born with `mode` (no moment at which anyone else could connect), and
 * calls on_accept on the loop for each connection. Logs what fails. */
int unix_listen(sd_event *event, const char *dir, const char *name, mode_t mode, int backlog,
                sd_event_io_handler_t on_accept, void *userdata, sd_event_source **ret);
