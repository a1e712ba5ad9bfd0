/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/tcp.h>

#include "connection_end.h"
#include "macro.h"

/* include/net/tcp_states.h; not in the UAPI. */
enum {
        TCP_STATE_ESTABLISHED = 1,
        TCP_STATE_CLOSE = 7,
};

int connection_end_read(int fd, ConnectionEnd *ret) {
        struct tcp_info ti = {};
        socklen_t len = sizeof(ti);

        if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
                return negative_errno();
        if (len < offsetof(struct tcp_info, tcpi_last_data_recv) + sizeof(ti.tcpi_last_data_recv))
                return -EPROTO;
        *ret = (ConnectionEnd) { .state = ti.tcpi_state, .silence_ms = ti.tcpi_last_data_recv,
                                 .unacked = ti.tcpi_unacked };
        return 0;
}

ConnectionEndBy connection_end_by(const ConnectionEnd *e) {
        if (e->silence_ms < CONNECTION_END_SILENCE_MIN_MSEC)
                return CONNECTION_END_CLIENT;
        /* Reset or timed out: the kernel keeps no FIN-less CLOSE otherwise
         * while the socket is held. */
        if (e->state == TCP_STATE_CLOSE)
                return CONNECTION_END_KERNEL;
        /* Established, and what sshd sent last is not acknowledged: its
         * keepalive probes and its goodbye went into the void. A FIN from
         * the client (CLOSE_WAIT and later) is the client's own leaving. */
        if (e->state == TCP_STATE_ESTABLISHED && e->unacked > 0)
                return CONNECTION_END_SSHD;
        return CONNECTION_END_CLIENT;
}

const char *connection_end_by_to_string(ConnectionEndBy by) {
        switch (by) {
        case CONNECTION_END_SSHD:
                return "sshd";
        case CONNECTION_END_KERNEL:
                return "kernel";
        default:
                return NULL;
        }
}

int connection_end_by_from_string(const char *s, ConnectionEndBy *ret) {
        if (strcmp(s, "sshd") == 0)
                *ret = CONNECTION_END_SSHD;
        else if (strcmp(s, "kernel") == 0)
                *ret = CONNECTION_END_KERNEL;
        else
                return -EINVAL;
        return 0;
}
