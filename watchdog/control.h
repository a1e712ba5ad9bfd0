/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

#include "control_socket.h"

typedef struct Daemon Daemon;

/* Listens on <state_dir>/control.sock (common/control_socket.h). */
int control_listen(Daemon *d);
/* Closes the socket and drops the clients still reading. */
void control_done(Daemon *d);
/* The answer, as a client gets it. */
int control_snapshot(Daemon *d, FILE *f);
