/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "proc.h"
#include "session_record.h"

typedef struct Daemon Daemon;

/* <state_dir>/register.sock, for sshd-watchdog-exec (see register_socket.h
 * and peer_monitor.h): the daemon writes the record of a session that no
 * PAM module recorded. */
int register_listen(Daemon *d);
void register_done(Daemon *d);

/* The record of monitor's connection as the PAM module would write it from
 * inside the monitor, from the kernel alone: its one TCP connection, its
 * cgroup and audit session only when login_proof.h proves them its own.
 * *ret_sshds_cgroup: the monitor is in a cgroup that is not its own. */
int register_collect(Daemon *d, const ProcRef *monitor, const ProcRef *parent, uid_t uid, RegisteredBy by,
                     SessionRecord *rec, bool *ret_sshds_cgroup);
