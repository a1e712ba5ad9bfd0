/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/inet_diag.h>

/* Input from the client, as the kernel counts it per TCP socket (tcp_info
 * through NETLINK_SOCK_DIAG). Only data segments move these counters: pure
 * ACKs and TCP keepalive probes do not, program output does not. */
typedef struct TcpInput {
        uint64_t inode;
        uint8_t family;              /* AF_INET or AF_INET6 */
        struct inet_diag_sockid id;  /* addresses, ports, cookie: names the socket for exact lookups */
        uint64_t bytes_received;     /* tcpi_bytes_received */
        uint32_t last_data_recv_ms;  /* tcpi_last_data_recv: ms since the last data segment */
        bool found;                  /* tcp_diag_query(): the socket still exists */
        int error;                   /* tcp_diag_query(): 0; -ENOENT when the kernel says it is gone;
                                      * another negative errno when the answer failed (ENOBUFS,
                                      * ENOMEM): the socket may well still be there */
} TcpInput;

/* A NETLINK_SOCK_DIAG socket (no capability needed). Returns fd or -errno. */
int tcp_diag_open(void);

/* Every TCP socket but listeners, IPv4 and IPv6, in this network namespace.
 * The callback returns <0 to abort the dump with that error. */
typedef int (*tcp_diag_cb)(const TcpInput *in, void *userdata);
int tcp_diag_dump(int fd, tcp_diag_cb cb, void *userdata);
/* Every listening TCP socket, IPv4 and IPv6, in this network namespace. */
int tcp_diag_dump_listening(int fd, tcp_diag_cb cb, void *userdata);

/* One buffer of a dump's answer: calls cb for each socket of request seq.
 * 1 when the dump is done, 0 when more is to come, <0 for an error the
 * kernel answered (or cb's). Exposed for the fuzzer. */
int tcp_diag_parse_dump(const void *buf, size_t size, uint32_t seq, tcp_diag_cb cb, void *userdata);

/* Re-reads n known sockets by their exact id in one request batch (one
 * sendmsg, replies matched by sequence number). Sets found, error,
 * bytes_received and last_data_recv_ms of each: found=false with
 * error=-ENOENT only for sockets the kernel says are gone. */
int tcp_diag_query(int fd, TcpInput *socks, size_t n);

/* The peer's address as text (an IPv4-mapped IPv6 address as IPv4), heap. */
int tcp_input_peer_string(const TcpInput *in, char **ret);

/* One socket by inode, through a dump: for tests and one-off lookups. */
int tcp_diag_find_inode(int fd, uint64_t inode, TcpInput *ret);
