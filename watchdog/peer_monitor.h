/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "proc.h"

/* Which ssh connection a process of sshd-watchdog-exec belongs to, from the
 * kernel alone: the peer's credentials (SO_PEERCRED) and /proc, never what
 * the peer says, never a process title (sshd's titles change between
 * releases and a user can set their own).
 *
 * Under privilege separation the connection looks like this:
 *
 *   monitor        root, an sshd executable (sshd, or sshd-session from
 *    |             OpenSSH 9.8), holds the TCP connection
 *    └ session     the user, forked from the monitor without exec: the
 *       |          same executable file as the monitor
 *       └ shell    the user's: ForceCommand runs as `shell -c COMMAND`
 *          └ ...   the user's, up to the peer
 *
 * The walk goes up from the peer through processes whose real and
 * effective UIDs are both the peer's, to the first process that is not the
 * user's. That must be root, must run a file named sshd or sshd-session,
 * and must be the very file (device and inode) its child on the path runs.
 * A process reparented to PID 1 or a subreaper, another user's process, or
 * a root process of another program is refused. */

#define PEER_MONITOR_MAX_DEPTH 32

typedef struct PeerMonitor {
        ProcRef monitor;   /* sshd's privileged monitor of the connection */
        ProcRef parent;    /* the monitor's parent: sshd's listener, or PID 1 (starttime 0: unreadable) */
        ProcRef session;   /* the monitor's child on the path: sshd's unprivileged session process */
        ProcRef peer;
} PeerMonitor;

/* 0 and *ret when proven; -EPERM when refused (*ret_why says why, heap,
 * NULL on ENOMEM); -ESRCH when a process on the path exited or changed
 * while it was read; other <0 when /proc could not be read. */
int peer_monitor_find(const char *proc_root, pid_t peer, uid_t uid, PeerMonitor *ret, char **ret_why);
