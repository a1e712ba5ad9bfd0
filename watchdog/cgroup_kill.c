/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_kill.h"
#include "file_read.h"
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

int cgroup2_mount_point(const char *mountinfo_path, char **ret) {
        _cleanup_fclose_ FILE *f = fopen(mountinfo_path, "re");
        _cleanup_free_ char *line = NULL;
        size_t allocated = 0;

        if (!f)
                return negative_errno();
        while (getline(&line, &allocated, f) >= 0) {
                /* "36 25 0:31 / /sys/fs/cgroup rw,... - cgroup2 cgroup2 rw" */
                char *sep = strstr(line, " - "), *save = NULL, *tok;
                unsigned col = 0;

                if (!sep || strncmp(sep + 3, "cgroup2 ", 8) != 0)
                        continue;
                *sep = '\0';
                for (tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
                        if (++col == 5)
                                break;
                if (!tok || tok[0] != '/' || strchr(tok, '\\'))
                        continue; /* an escaped (odd) mount point is not ours to guess at */
                *ret = strdup(tok);
                return *ret ? 0 : -ENOMEM;
        }
        return -ENOENT;
}

static int open_cgroup(const char *mount, const char *path) {
        _cleanup_free_ char *dir = NULL;
        int dfd;

        if (asprintf(&dir, "%s%s", mount, path) < 0)
                return -ENOMEM;
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        return dfd < 0 ? negative_errno() : dfd;
}

static int count_procs_at(int dfd) {
        _cleanup_free_ char *procs = NULL;
        int count = 0, r;

        r = read_file_at(dfd, "cgroup.procs", 4 * 1024 * 1024, &procs, NULL);
        if (r < 0)
                return r;
        for (const char *p = procs; *p; p++)
                count += *p == '\n';
        return count;
}

int cgroup_count_procs(const char *mount, const char *path) {
        _cleanup_close_ int dfd = open_cgroup(mount, path);

        if (dfd < 0)
                return dfd;
        return count_procs_at(dfd);
}

int cgroup_kill(const char *mount, const char *path) {
        _cleanup_close_ int dfd = -1, fd = -1;
        int count;

        dfd = open_cgroup(mount, path);
        if (dfd < 0)
                return dfd;
        count = count_procs_at(dfd);
        if (count < 0)
                count = 0; /* only for the log: the kill below is what matters */
        fd = openat(dfd, "cgroup.kill", O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return negative_errno();
        if (write(fd, "1", 1) != 1)
                return negative_errno();
        return count;
}
