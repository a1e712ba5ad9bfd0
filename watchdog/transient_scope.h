/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

typedef struct Daemon Daemon;

/* A unit of its own for a registered session on a systemd host whose sshd
 * runs every session in ssh.service (no pam_systemd): what `systemd-run
 * --scope` does, StartTransientUnit of a scope holding the given process.
 * The session's later processes are born into it, so the ending can kill
 * the scope as a unit and nothing else of ssh.service.
 *
 * The process is named by its pidfd (PIDFDs=, systemd 253 and later), so
 * that no other process can be moved under its PID; a systemd that does
 * not take PIDFDs= (252) answers -EPROTONOSUPPORT, and from then on
 * d->scope_pids_only says to name it by PID (pidfd -1), which the caller
 * then checks in the scope afterwards.
 *
 * cb gets 0 once systemd took the job, or a negative errno and the bus
 * error's message; the process is moved when the job runs, which the
 * caller watches in /proc. *ret_slot is the call in flight (unref it to
 * cancel). */
typedef void (*transient_scope_cb)(void *userdata, int r, const char *error_message);

int transient_scope_start(Daemon *d, const char *unit, const char *description, pid_t pid, int pidfd,
                          transient_scope_cb cb, void *userdata, sd_bus_slot **ret_slot);

/* The same for one more process into an existing scope of ours
 * (AttachProcessesToUnit): another channel of the same connection. */
int transient_scope_attach(Daemon *d, const char *unit, pid_t pid, transient_scope_cb cb, void *userdata,
                           sd_bus_slot **ret_slot);

/* "sshd-watchdog-<record name>.scope" */
int transient_scope_name(const char *record_name, char **ret);
