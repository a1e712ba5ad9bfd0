/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_fs.h"
#include "cgroup_kill.h"
#include "macro.h"

bool cgroup_kill_allowed(const char *path, char *const *protected, size_t n_protected) {
        size_t len;

        if (!path || path[0] != '/' || path[1] == '\0')
                return false;
        len = strlen(path);
        if (path[len - 1] == '/' || strstr(path, "/../") || strstr(path, "/./") ||
            (len >= 3 && strcmp(path + len - 3, "/..") == 0))
                return false;
        for (size_t i = 0; i < n_protected; i++) {
                const char *p = protected[i];
                if (!p)
                        continue;
                if (strncmp(p, path, len) == 0 && (p[len] == '\0' || p[len] == '/'))
                        return false;
        }
        return true;
}

int cgroup_count_procs(const char *mount, const char *path) {
        _cleanup_free_ pid_t *pids = NULL;
        _cleanup_close_ int dfd = cgroup_open(mount, path);
        size_t n = 0;
        int r;

        if (dfd < 0)
                return dfd;
        r = cgroup_read_procs(dfd, &pids, &n);
        return r < 0 ? r : (int) n;
}

int cgroup_kill(const char *mount, const char *path, uint64_t id) {
        _cleanup_free_ pid_t *pids = NULL;
        _cleanup_close_ int dfd = -1, fd = -1;
        uint64_t now_id;
        size_t n = 0;
        int r;

        dfd = cgroup_open(mount, path);
        if (dfd < 0)
                return dfd;
        r = cgroup_fd_id(dfd, &now_id);
        if (r < 0)
                return r;
        if (now_id != id)
                return -ENOENT;
        if (cgroup_read_procs(dfd, &pids, &n) < 0)
                n = 0; /* only for the log: the kill below is what matters */
        fd = openat(dfd, "cgroup.kill", O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return negative_errno();
        if (write(fd, "1", 1) != 1)
                return negative_errno();
        return (int) n;
}
