/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "proc.h"

int socket_link_inode(const char *link, uint64_t *ret) {
        const char *prefix = "socket:[";
        size_t n = strlen(prefix), len = strlen(link);
        char digits[24];

        if (len <= n + 1 || strncmp(link, prefix, n) != 0 || link[len - 1] != ']')
                return -EINVAL;
        len -= n + 1;
        if (len >= sizeof(digits))
                return -ERANGE;
        memcpy(digits, link + n, len);
        digits[len] = '\0';
        return parse_u64(digits, ret);
}

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

static int append_u64(uint64_t **array, size_t *n, size_t *allocated, uint64_t v) {
        if (*n == *allocated) {
                size_t m = *allocated ? *allocated * 2 : 8;
                uint64_t *p = reallocarray(*array, m, sizeof(uint64_t));
                if (!p)
                        return -ENOMEM;
                *array = p;
                *allocated = m;
        }
        (*array)[(*n)++] = v;
        return 0;
}

typedef struct SocketFds {
        int (*cb)(int fd, uint64_t inode, void *userdata);
        void *userdata;
} SocketFds;

static int socket_link_cb(int fd, const char *target, void *userdata) {
        SocketFds *s = userdata;
        uint64_t inode;

        if (socket_link_inode(target, &inode) < 0)
                return 0;
        return s->cb(fd, inode, s->userdata);
}

/* Calls cb(fd number, inode) for each socket among /proc/PID/fd; cb
 * returns 0 to go on, anything else to stop with it. */
static int socket_fds(const char *proc_root, pid_t pid, int (*cb)(int fd, uint64_t inode, void *userdata),
                      void *userdata) {
        SocketFds s = { .cb = cb, .userdata = userdata };
        return proc_fd_links(proc_root, pid, socket_link_cb, &s);
}

typedef struct Inodes {
        uint64_t *v;
        size_t n, allocated;
} Inodes;

static int collect_inode(int fd, uint64_t inode, void *userdata) {
        Inodes *i = userdata;
        return append_u64(&i->v, &i->n, &i->allocated, inode);
}

int proc_socket_inodes(const char *proc_root, pid_t pid, uint64_t **ret, size_t *ret_n) {
        Inodes found = {};
        _cleanup_free_ uint64_t *inodes = NULL;
        size_t n;
        int r;

        r = socket_fds(proc_root, pid, collect_inode, &found);
        inodes = found.v;
        n = found.n;
        if (r < 0)
                return r;

        if (n > 0) {
                size_t u = 1;
                qsort(inodes, n, sizeof(uint64_t), cmp_u64);
                for (size_t i = 1; i < n; i++)
                        if (inodes[i] != inodes[u - 1])
                                inodes[u++] = inodes[i];
                n = u;
        }
        *ret = TAKE_PTR(inodes);
        *ret_n = n;
        return 0;
}

/* Marks in `found` the entries of `inodes` that the given /proc/PID/net/tcp*
 * table lists. The inode is the 10th column; the header line has none. */
static int mark_listed(const char *table_path, const uint64_t *inodes, size_t n, bool *found) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL;
        size_t allocated = 0;

        f = fopen(table_path, "re");
        if (!f)
                return errno == ENOENT ? 0 : negative_errno(); /* no IPv6 in this kernel */

        while (getline(&line, &allocated, f) >= 0) {
                char *save = NULL, *tok;
                unsigned col = 0;
                uint64_t inode;

                for (tok = strtok_r(line, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save))
                        if (++col == 10)
                                break;
                if (!tok || parse_u64(tok, &inode) < 0 || inode == 0)
                        continue;

                const uint64_t *hit = socket_inode_find(inodes, n, inode);
                if (hit)
                        found[hit - inodes] = true;
        }
        if (ferror(f))
                return -EIO;
        return 0;
}

const uint64_t *socket_inode_find(const uint64_t *sorted, size_t n, uint64_t inode) {
        return n > 0 ? bsearch(&inode, sorted, n, sizeof(uint64_t), cmp_u64) : NULL;
}

int proc_tcp_socket_inodes(const char *proc_root, pid_t pid, uint64_t **ret, size_t *ret_n) {
        static const char *const tables[] = { "net/tcp", "net/tcp6" };
        _cleanup_free_ uint64_t *inodes = NULL;
        _cleanup_free_ bool *found = NULL;
        size_t n = 0, k = 0;
        int r;

        r = proc_socket_inodes(proc_root, pid, &inodes, &n);
        if (r < 0)
                return r;
        if (n == 0) {
                *ret = NULL;
                *ret_n = 0;
                return 0;
        }

        found = calloc(n, sizeof(bool));
        if (!found)
                return -ENOMEM;
        for (size_t t = 0; t < ELEMENTSOF(tables); t++) {
                _cleanup_free_ char *path = NULL;

                r = proc_pid_path(proc_root, pid, tables[t], &path);
                if (r < 0)
                        return r;
                r = mark_listed(path, inodes, n, found);
                if (r < 0)
                        return r;
        }

        for (size_t i = 0; i < n; i++)
                if (found[i])
                        inodes[k++] = inodes[i];
        if (k == 0)
                inodes = (free(inodes), NULL);
        *ret = TAKE_PTR(inodes);
        *ret_n = k;
        return 0;
}

typedef struct FindFd {
        uint64_t inode;
        int fd;
} FindFd;

static int match_fd(int fd, uint64_t inode, void *userdata) {
        FindFd *f = userdata;
        if (inode != f->inode)
                return 0;
        f->fd = fd;
        return 1;
}

int proc_socket_fd(const char *proc_root, pid_t pid, uint64_t inode) {
        FindFd f = { .inode = inode, .fd = -1 };
        int r = socket_fds(proc_root, pid, match_fd, &f);

        if (r < 0)
                return r;
        return r > 0 ? f.fd : -ENOENT;
}
