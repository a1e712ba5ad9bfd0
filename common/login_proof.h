/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* What a login's record may claim as its own, proven from the kernel: one
 * piece of code for the PAM module (inside sshd's monitor, at
 * open_session) and for the daemon's registration of sshd-watchdog-exec
 * (from outside, at any time of the session), so that the two can never
 * prove differently.
 *
 * Both proofs compare the monitor with its parent, which is only the
 * process that started it while that is sshd's listener, or PID 1 for a
 * connection of a socket unit (Accept=yes: a unit of its own per
 * connection). After sshd is restarted (Debian's KillMode=process) the old
 * monitors are PID 1's or a subreaper's children, in sshd's service cgroup,
 * with the old listener's audit session: neither is their own. */

/* Whether PID parent is the one that started monitor, as above. */
bool login_parent_is_birth_parent(const char *proc_root, pid_t parent, const char *monitor_cgroup);

/* The monitor's cgroup, made for this login: not the root, not its birth
 * parent's, and holding nothing but the monitor and its descendants; with
 * monitor_alone, nothing but the monitor (at open_session: sshd forks the
 * session's processes after it). 1 and *ret_id when proven; 0 and *ret_why
 * (static) when not; <0 when it could not be read (then there is no proof
 * either). */
int login_cgroup_proof(const char *proc_root, const char *cgroup_mount, const char *cgroup, pid_t monitor,
                       pid_t parent, bool monitor_alone, uint64_t *ret_id, const char **ret_why);

/* The monitor's audit session, set for this login by pam_loginuid: not its
 * birth parent's. 1 and *ret_id when proven; 0 and *ret_why when not (none
 * is set, or it is inherited); <0 when it could not be read. */
int login_audit_proof(const char *proc_root, const char *monitor_cgroup, pid_t monitor, pid_t parent,
                      uint32_t *ret_id, const char **ret_why);
