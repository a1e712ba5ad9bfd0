/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

#include <systemd/sd-event.h>

/* Journal entries without waiting for journald. A datagram to journald
 * blocks while its socket queue is full (net.unix.max_dgram_qlen, 512),
 * which it is exactly when a thousand sessions close at once and sshd, PAM,
 * logind and systemd all log. Attached to an event loop, entries that cannot
 * go at once wait here, in order, and go out as the socket takes them. */

/* From now on entries are sent without blocking; -errno if the socket
 * cannot be made. */
int journal_queue_attach(sd_event *e);
/* The same, to another socket than journald's (tests). */
int journal_queue_attach_at(sd_event *e, const char *socket_path);
/* Sends what is queued, waiting at most timeout_usec, then drops the rest
 * (said on stderr) and detaches. */
void journal_queue_detach(unsigned long long timeout_usec);
bool journal_queue_attached(void);

/* One entry, "KEY=VALUE" fields. 0 sent or queued; <0 send it another way. */
int journal_queue_send(const struct iovec *fields, size_t n);
