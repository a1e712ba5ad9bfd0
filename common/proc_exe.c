/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "proc.h"

#define DELETED_SUFFIX " (deleted)"

/* readlink() with a buffer that grows until the link fits. */
static int readlink_alloc(const char *path, char **ret) {
        for (size_t size = 256; size <= 64 * 1024; size *= 2) {
                _cleanup_free_ char *buf = malloc(size);
                ssize_t n;

                if (!buf)
                        return -ENOMEM;
                n = readlink(path, buf, size);
                if (n < 0)
                        return negative_errno();
                if ((size_t) n < size) {
                        buf[n] = '\0';
                        *ret = TAKE_PTR(buf);
                        return 0;
                }
        }
        return -ENAMETOOLONG;
}

int proc_exe_read(const char *proc_root, pid_t pid, ProcExe *ret) {
        _cleanup_free_ char *path = NULL, *target = NULL;
        struct stat st;
        size_t n;
        int r;

        r = proc_pid_path(proc_root, pid, "exe", &path);
        if (r < 0)
                return r;
        /* stat() follows the kernel's link to the open file itself, deleted or not. */
        if (stat(path, &st) < 0)
                return negative_errno();
        r = readlink_alloc(path, &target);
        if (r < 0)
                return r;
        n = strlen(target);
        if (n > strlen(DELETED_SUFFIX) && strcmp(target + n - strlen(DELETED_SUFFIX), DELETED_SUFFIX) == 0)
                target[n - strlen(DELETED_SUFFIX)] = '\0';
        *ret = (ProcExe) { .dev = st.st_dev, .ino = st.st_ino, .path = TAKE_PTR(target) };
        return 0;
}

bool exe_is_sshd(const char *path) {
        const char *base = strrchr(path, '/');

        base = base ? base + 1 : path;
        return strcmp(base, "sshd") == 0 || strcmp(base, "sshd-session") == 0;
}

void proc_exe_done(ProcExe *e) {
        free(e->path);
        e->path = NULL;
}
