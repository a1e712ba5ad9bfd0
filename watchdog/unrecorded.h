/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "proc.h"

typedef struct Daemon Daemon;

/* Connections of sshd's that no record names: sshd without our PAM line,
 * a ForceCommand that a user's ~/.bashrc skipped, `ssh -N` or `-W` (no
 * session channel, so no forced command) on a host without PAM. Every
 * UnrecordedScanSec the daemon looks from the kernel alone: the monitors
 * are the children of sshd's listeners (found by their executable and
 * listening sockets) and of PID 1 (socket activation, and monitors that an
 * sshd restart left behind), root's processes that run an sshd executable
 * and have a session process that is past authentication (its root
 * directory is "/", not the privilege separation chroot). A connection
 * seen without a record by two looks in a row is reported once, counted,
 * and listed by sshd-watchdogctl; with EndUnrecorded=yes the daemon then
 * writes its record (REGISTERED=found), and it is watched and ended like
 * any registered session, by its monitor's process tree and what else
 * login_proof.h proves. */

typedef struct Unrecorded {
        char *name;             /* "<monitor pid>-<starttime>", as its record would be named */
        ProcRef monitor, parent;
        uid_t uid;              /* its session process's */
        char *user;             /* the account's name; NULL when it has none */
        char *remote_host;
        uint64_t first_seen;    /* CLOCK_MONOTONIC */
        uint64_t first_seen_realtime;
        bool runs_command;      /* its session process has children */
        bool reported;
        bool seen;              /* by the scan going on */
} Unrecorded;

/* Starts (or, after a reload, re-times or stops) the scans as the
 * configuration says. */
int unrecorded_configure(Daemon *d);
void unrecorded_done(Daemon *d);

/* The reported ones, for sshd-watchdogctl and STATUS=. */
size_t unrecorded_count(const Daemon *d);
const Unrecorded *unrecorded_get(const Daemon *d, size_t i);
