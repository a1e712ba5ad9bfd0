/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "proc.h"

/* Signals that never reach a process other than the one we mean: each goes
 * through a pidfd opened first and checked second (start time, and audit
 * session where given), so a PID reused in between is never hit. PID 1 and
 * this process are never signalled at all. */

/* pidfd_open(2) of pid, then a check that pid still has start time
 * `starttime`. Returns the pidfd, -ESRCH if gone or reused; the stat read
 * for the check goes to ret_stat when not NULL. */
int pidfd_open_checked(const char *proc_root, pid_t pid, uint64_t starttime, ProcStat *ret_stat);

/* Sends sig to pid if it still has `starttime`. 1: sent; 0: gone, reused or
 * protected; <0: error. */
int process_signal_checked(const char *proc_root, pid_t pid, uint64_t starttime, int sig);
