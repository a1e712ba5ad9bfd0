/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* How sshd's connection stood when the session closed. close_session runs
 * in sshd's monitor, which holds the TCP socket until it exits, so the
 * kernel's tcp_info there tells a client that left from one that died:
 *
 *   - a client that closed the session itself spoke last: its
 *     CHANNEL_CLOSE or DISCONNECT is input within a round trip of the close,
 *     or its kernel sent a FIN (`~.`, a killed ssh: CLOSE_WAIT);
 *   - a client that died said nothing and answers nothing: sshd gave up on
 *     it (ClientAliveCountMax probes, its DISCONNECT, all unacknowledged),
 *     or the kernel did (tcp_retries2 or a reset: the socket is CLOSE).
 *
 * Both facts together, silence and no answer, are needed for "died": an
 * idle live client whose session an admin ended still acknowledges what it
 * was sent, and keeps its nohup'd jobs, as a logout does. */

/* Below this much silence the client is taken to have spoken last. sshd's
 * ClientAliveInterval counts whole seconds, so it never closes a session
 * whose client spoke in the last second; a client's own CHANNEL_CLOSE is
 * seen a round trip before close_session. */
#define CONNECTION_END_SILENCE_MIN_MSEC 1000

typedef enum ConnectionEndBy {
        CONNECTION_END_CLIENT, /* the client spoke last, sent a FIN, or answers: it left */
        CONNECTION_END_SSHD,   /* sshd closed it while the client was silent and answered nothing */
        CONNECTION_END_KERNEL, /* the kernel gave it up (retransmissions timed out, or a reset) */
} ConnectionEndBy;

typedef struct ConnectionEnd {
        uint8_t state;          /* tcpi_state: 1 established, 7 close, 8 close-wait, ... */
        uint32_t silence_ms;    /* tcpi_last_data_recv */
        uint32_t unacked;       /* tcpi_unacked: segments sent and not acknowledged */
} ConnectionEnd;

/* tcp_info of a TCP socket the caller holds. */
int connection_end_read(int fd, ConnectionEnd *ret);

ConnectionEndBy connection_end_by(const ConnectionEnd *e);

/* "sshd" or "kernel", as records keep it; NULL for CONNECTION_END_CLIENT. */
const char *connection_end_by_to_string(ConnectionEndBy by);
int connection_end_by_from_string(const char *s, ConnectionEndBy *ret);
