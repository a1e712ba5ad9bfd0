/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The terminals of a connection. sshd's monitor allocates every pty of
 * the connection and keeps its master side open until the channel closes
 * (measured on OpenSSH 9.2 and 10.0: one /dev/ptmx descriptor per pty,
 * ControlMaster sessions included), so /proc/MONITOR/fd names them all,
 * and only them: a process of the user's cannot add a descriptor to a
 * root process. The kernel prints each master's terminal number in its
 * fdinfo ("tty-index:"). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file_read.h"
#include "macro.h"
#include "proc.h"

/* A pty master's fdinfo is a few short lines. */
#define FDINFO_MAX 4096

int proc_fdinfo_tty_index(const char *text, uint32_t *ret) {
        static const char key[] = "tty-index:";

        for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
                if (strncmp(line, key, sizeof(key) - 1) != 0)
                        continue;
                const char *v = line + sizeof(key) - 1;
                v += strspn(v, " \t");
                size_t len = strcspn(v, "\n");
                char digits[16];
                if (len == 0 || len >= sizeof(digits))
                        return -EINVAL;
                memcpy(digits, v, len);
                digits[len] = '\0';
                return parse_u32(digits, ret);
        }
        return -ENODATA;
}

static bool link_is_ptmx(const char *target) {
        return strcmp(target, "/dev/ptmx") == 0 || strcmp(target, "/dev/pts/ptmx") == 0;
}

static int append_master(PtyMaster **v, size_t *n, size_t *allocated, int fd, uint32_t index) {
        for (size_t i = 0; i < *n; i++)
                if ((*v)[i].index == index)
                        return 0;
        if (*n == *allocated) {
                size_t m = *allocated ? *allocated * 2 : 4;
                PtyMaster *p = reallocarray(*v, m, sizeof(PtyMaster));
                if (!p)
                        return -ENOMEM;
                *v = p;
                *allocated = m;
        }
        (*v)[(*n)++] = (PtyMaster) { .fd = fd, .index = index };
        return 0;
}

/* The terminal number of one ptmx descriptor; 0 and *ret unset when the
 * descriptor was closed meanwhile. */
static int master_index(int fdinfo_dir, const char *fd_name, uint32_t *ret, bool *found) {
        _cleanup_free_ char *text = NULL;
        int r = read_file_at(fdinfo_dir, fd_name, FDINFO_MAX, &text, NULL);

        *found = false;
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        r = proc_fdinfo_tty_index(text, ret);
        if (r == -ENODATA)
                return -EOPNOTSUPP; /* a kernel without tty-index */
        if (r < 0)
                return r;
        *found = true;
        return 0;
}

int proc_pty_masters(const char *proc_root, pid_t pid, PtyMaster **ret, size_t *ret_n) {
        _cleanup_free_ char *fd_path = NULL, *info_path = NULL;
        _cleanup_free_ PtyMaster *v = NULL;
        _cleanup_closedir_ DIR *d = NULL;
        _cleanup_close_ int info_fd = -1;
        size_t n = 0, allocated = 0;
        int r;

        if ((r = proc_pid_path(proc_root, pid, "fd", &fd_path)) < 0 ||
            (r = proc_pid_path(proc_root, pid, "fdinfo", &info_path)) < 0)
                return r;
        int dfd = open(fd_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return negative_errno();
        d = fdopendir(dfd);
        if (!d) {
                r = negative_errno();
                safe_close(dfd);
                return r;
        }
        for (;;) {
                char target[32]; /* "/dev/pts/ptmx" fits; longer links are no masters */
                struct dirent *de;
                pid_t fd;

                errno = 0;
                de = readdir(d);
                if (!de) {
                        if (errno != 0)
                                return negative_errno();
                        break;
                }
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
                if (!link_is_ptmx(target))
                        continue;
                if (info_fd < 0 && (info_fd = open(info_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                        return negative_errno();
                uint32_t index;
                bool found;
                r = master_index(info_fd, de->d_name, &index, &found);
                if (r < 0)
                        return r;
                if (found && (r = append_master(&v, &n, &allocated, (int) fd, index)) < 0)
                        return r;
        }
        *ret = TAKE_PTR(v);
        *ret_n = n;
        return 0;
}
