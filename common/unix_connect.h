/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A blocking SOCK_STREAM connection to <dir>/<name>, O_CLOEXEC: the fd, or
 * a negative errno (-ENOENT or -ECONNREFUSED when nothing listens there,
 * -ENAMETOOLONG when the path does not fit a sockaddr_un). A connect waits
 * while the listener's backlog is full: at most timeout_msec (0: as long as
 * it takes), then -ETIMEDOUT. */
int unix_connect(const char *dir, const char *name, unsigned timeout_msec);
