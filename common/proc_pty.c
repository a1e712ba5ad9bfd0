/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The terminals of a connection. sshd's monitor allocates every pty of
 * the connection and keeps its master side open until the channel closes
 * (measured on OpenSSH 9.2 and 10.0: one /dev/ptmx descriptor per pty,
 * ControlMaster sessions included), so /proc/MONITOR/fd names them all,
 * and only them: a process of the user's cannot add a descriptor to a
 * root process. The kernel prints each master's terminal number in its
 * fdinfo ("tty-index:"). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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

typedef struct Masters {
        const char *info_path;  /* /proc/PID/fdinfo */
        int info_fd;            /* opened at the first master */
        PtyMaster *v;
        size_t n, allocated;
} Masters;

static int master_cb(int fd, const char *target, void *userdata) {
        Masters *m = userdata;
        char name[16];
        uint32_t index;
        bool found;
        int r;

        if (!link_is_ptmx(target))
                return 0;
        if (m->info_fd < 0 && (m->info_fd = open(m->info_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                return negative_errno();
        snprintf(name, sizeof(name), "%d", fd);
        r = master_index(m->info_fd, name, &index, &found);
        if (r < 0 || !found)
                return r;
        return append_master(&m->v, &m->n, &m->allocated, fd, index);
}

int proc_pty_masters(const char *proc_root, pid_t pid, PtyMaster **ret, size_t *ret_n) {
        _cleanup_free_ char *info_path = NULL;
        int r = proc_pid_path(proc_root, pid, "fdinfo", &info_path);

        if (r < 0)
                return r;
        Masters m = { .info_path = info_path, .info_fd = -1 };
        r = proc_fd_links(proc_root, pid, master_cb, &m);
        safe_close(m.info_fd);
        if (r < 0) {
                free(m.v);
                return r;
        }
        *ret = m.v;
        *ret_n = m.n;
        return 0;
}
