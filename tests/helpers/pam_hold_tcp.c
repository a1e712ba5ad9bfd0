/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pam_hold_tcp.so port=N [addr=::1]: at open_session, opens a TCP connection
 * and keeps it for the life of the PAM handle, in sshd's monitor, the way an
 * LDAP or RADIUS module keeps its server connection. The daemon must not
 * mistake it for the ssh connection. For tests only.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

static void close_fd(pam_handle_t *pamh, void *data, int error_status) {
        close((int) (intptr_t) data);
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv) {
        struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
        int fd;

        for (int i = 0; i < argc; i++)
                if (strncmp(argv[i], "port=", 5) == 0)
                        sa.sin6_port = htons((uint16_t) atoi(argv[i] + 5));
                else if (strncmp(argv[i], "addr=", 5) == 0 && inet_pton(AF_INET6, argv[i] + 5, &sa.sin6_addr) != 1)
                        return PAM_SESSION_ERR;
        fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                pam_syslog(pamh, LOG_ERR, "cannot connect: %m");
                if (fd >= 0)
                        close(fd);
                return PAM_SESSION_ERR;
        }
        if (pam_set_data(pamh, "pam_hold_tcp", (void *) (intptr_t) fd, close_fd) != PAM_SUCCESS) {
                close(fd);
                return PAM_SESSION_ERR;
        }
        return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv) {
        return PAM_SUCCESS;
}
