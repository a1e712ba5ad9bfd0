/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "macro.h"
#include "unix_connect.h"

int unix_connect(const char *dir, const char *name, unsigned timeout_msec) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -1;
        int r;

        r = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", dir, name);
        if (r < 0 || (size_t) r >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return negative_errno();
        if (timeout_msec > 0) {
                struct timeval tv = { .tv_sec = timeout_msec / 1000, .tv_usec = (timeout_msec % 1000) * 1000 };
                if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
                        return negative_errno();
        }
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return errno == EAGAIN || errno == EINPROGRESS ? -ETIMEDOUT : negative_errno();
        return TAKE_FD(fd);
}
