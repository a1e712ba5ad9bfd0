/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "macro.h"
#include "proc.h"

int proc_fd_links(const char *proc_root, pid_t pid, proc_fd_cb cb, void *userdata) {
        _cleanup_free_ char *path = NULL;
        _cleanup_closedir_ DIR *d = NULL;
        int r;

        r = proc_pid_path(proc_root, pid, "fd", &path);
        if (r < 0)
                return r;
        int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return negative_errno();
        d = fdopendir(dfd);
        if (!d) {
                r = negative_errno();
                safe_close(dfd);
                return r;
        }
        for (;;) {
                char target[PROC_FD_TARGET_MAX];
                struct dirent *de;
                pid_t fd;

                errno = 0;
                de = readdir(d);
                if (!de)
                        return errno != 0 ? negative_errno() : 0;
                if (de->d_name[0] == '.' || parse_pid(de->d_name, &fd) < 0)
                        continue;
                ssize_t k = readlinkat(dirfd(d), de->d_name, target, sizeof(target) - 1);
                if (k < 0) {
                        if (errno == ENOENT) /* closed while we looked */
                                continue;
                        return negative_errno();
                }
                if ((size_t) k >= sizeof(target) - 1)
                        continue;
                target[k] = '\0';
                r = cb((int) fd, target, userdata);
                if (r != 0)
                        return r;
        }
}
