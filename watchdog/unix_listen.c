/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "unix_listen.h"

int unix_listen(sd_event *event, const char *dir, const char *name, mode_t mode, int backlog,
                sd_event_io_handler_t on_accept, void *userdata, sd_event_source **ret) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -1;
        mode_t old;
        int r;

        r = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", dir, name);
        if (r < 0 || (size_t) r >= sizeof(sa.sun_path))
                return log_error_errno(-ENAMETOOLONG, "Cannot listen on %s/%s", dir, name);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return log_error_errno(-errno, "Cannot create a socket for %s", sa.sun_path);
        if (unlink(sa.sun_path) < 0 && errno != ENOENT)
                return log_error_errno(-errno, "Cannot remove the old %s", sa.sun_path);
        old = umask(~mode & 0777);
        r = bind(fd, (struct sockaddr *) &sa, sizeof(sa));
        umask(old);
        if (r < 0)
                return log_error_errno(-errno, "Cannot bind %s", sa.sun_path);
        if (listen(fd, backlog) < 0)
                return log_error_errno(-errno, "Cannot listen on %s", sa.sun_path);
        r = sd_event_add_io(event, ret, fd, EPOLLIN, on_accept, userdata);
        if (r >= 0)
                r = sd_event_source_set_io_fd_own(*ret, true);
        if (r < 0) {
                *ret = sd_event_source_disable_unref(*ret);
                return log_error_errno(r, "Cannot watch %s", sa.sun_path);
        }
        TAKE_FD(fd);
        return 0;
}
