/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "daemon.h"

/* <state_dir>/register.sock, for sshd-watchdog-exec (see register_socket.h
 * and peer_monitor.h): the daemon writes the record of a session that no
 * PAM module recorded. */
int register_listen(Daemon *d);
void register_done(Daemon *d);
