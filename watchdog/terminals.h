/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proc.h"

/* The terminals of one connection: the ptys whose masters its sshd
 * monitor holds (proc_pty_masters()), each proven the session's own by
 * the device (a pty slave of that number) and its owner (the session's
 * user: sshd gives the slave to the user it logs in). */
typedef struct TerminalSeen {
        uint32_t index;      /* /dev/pts/<index> */
        int master_fd;       /* the monitor's descriptor of its master, at the last look */
        int64_t atime_sec;   /* its atime at the last look */
        uint64_t active;     /* idle_active_until() when that atime was first seen */
} TerminalSeen;

/* Looks at the terminals of monitor's connection at (mono_now,
 * real_now) and brings *seen up to date: terminals that closed go, new
 * ones come, a changed atime moves `active`. 0, also with none; -ESRCH
 * when the monitor is gone (PID and start time); -EACCES, -EPERM,
 * -EOPNOTSUPP when they cannot be seen; other errors may pass. */
int terminals_look(const char *proc_root, ProcRef monitor, uid_t uid, uint64_t mono_now, uint64_t real_now,
                   TerminalSeen **seen, size_t *n);

/* The latest typing over them (their largest `active`); 0 for none. */
uint64_t terminals_active(const TerminalSeen *seen, size_t n);

/* Writes text, without blocking, to each of them, through the monitor's
 * own master: a copy of its descriptor (pidfd_getfd(), CAP_SYS_PTRACE),
 * checked to be the master of that terminal, opens its slave
 * (TIOCGPTPEER), checked to be owned by uid. No path is looked up, so
 * nothing can be put in the way, and neither the terminal's mode (mesg n)
 * nor the unit's device policy stands between the warning and the user.
 * How many took it; *ret_error: the last failure, 0 when none, and
 * *ret_step the step that failed. */
size_t terminals_write(const char *proc_root, ProcRef monitor, uid_t uid, const TerminalSeen *seen, size_t n,
                       const char *text, int *ret_error, const char **ret_step);
