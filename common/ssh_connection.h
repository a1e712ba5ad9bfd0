/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/* Which TCP connection is sshd's. sshd puts SSH_CONNECTION ("client-addr
 * client-port server-addr server-port") into the PAM environment; a module
 * before ours (pam_env with user_readenv) could change it, so it is only
 * believed when one of the monitor's own sockets has exactly those ends, and
 * when PAM_RHOST is an address, that is the peer's. An LDAP or RADIUS module
 * that holds a connection of its own in the monitor never matches. */

typedef struct Endpoint {
        int family;          /* AF_INET or AF_INET6; IPv4-mapped IPv6 is AF_INET */
        uint8_t addr[16];
        uint16_t port;       /* host order; 0 when not given */
} Endpoint;

/* A numeric IPv4 or IPv6 address, with an optional %scope (ignored). */
int endpoint_parse_address(const char *s, Endpoint *ret);
int endpoint_from_sockaddr(const struct sockaddr *sa, socklen_t len, Endpoint *ret);
bool endpoint_same_address(const Endpoint *a, const Endpoint *b);
bool endpoint_equal(const Endpoint *a, const Endpoint *b);

/* "198.51.100.7 50022 192.0.2.1 22" -> peer and local ends. */
int ssh_connection_parse(const char *s, Endpoint *ret_peer, Endpoint *ret_local);

/* The inode of sshd's TCP connection among the calling process's own
 * descriptors, chosen by ssh_connection (may be NULL) and rhost (may be a
 * host name, or NULL), else the only TCP connection there is. -ENOENT when
 * there is none, -EEXIST when more than one could be it. */
int connection_socket_find(const char *ssh_connection, const char *rhost, uint64_t *ret_inode);

/* One of the calling process's own descriptors of the socket with that
 * inode (borrowed: not to be closed), or -ENOENT. */
int connection_socket_fd(uint64_t inode);
