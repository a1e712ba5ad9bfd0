/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include "cgroup_fs.h"
#include "file_read.h"
#include "macro.h"
#include "proc.h"

#define MOUNTINFO_MAX (4 * 1024 * 1024)
/* cgroup.procs of a big scope: up to a PID (7 digits and a newline) per process. */
#define CGROUP_PROCS_MAX (8 * 1024 * 1024)

int mountinfo_find_cgroup2(const char *text, char **ret) {
        for (const char *line = text; *line;) {
                size_t n = strcspn(line, "\n");
                _cleanup_free_ char *copy = strndup(line, n);
                char *sep, *save = NULL, *tok = NULL;
                unsigned col = 0;

                if (!copy)
                        return -ENOMEM;
                line += n;
                if (*line == '\n')
                        line++;

                /* "36 25 0:31 / /sys/fs/cgroup rw,... - cgroup2 cgroup2 rw" */
                sep = strstr(copy, " - ");
                if (!sep || strncmp(sep + 3, "cgroup2 ", 8) != 0)
                        continue;
                *sep = '\0';
                for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
                        if (++col == 5)
                                break;
                if (!tok || tok[0] != '/' || strchr(tok, '\\'))
                        continue;
                *ret = strdup(tok);
                return *ret ? 0 : -ENOMEM;
        }
        return -ENOENT;
}

int cgroup2_mount_find(const char *proc_root, char **ret) {
        static const char *const usual[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
        _cleanup_free_ char *path = NULL, *text = NULL;
        int r;

        if (!proc_root)
                for (size_t i = 0; i < ELEMENTSOF(usual); i++) {
                        struct statfs fs;
                        if (statfs(usual[i], &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC) {
                                *ret = strdup(usual[i]);
                                return *ret ? 0 : -ENOMEM;
                        }
                }
        if (asprintf(&path, "%s/self/mountinfo", proc_root ?: PROC_ROOT_DEFAULT) < 0)
                return -ENOMEM;
        r = read_file_at(AT_FDCWD, path, MOUNTINFO_MAX, &text, NULL);
        if (r < 0)
                return r;
        return mountinfo_find_cgroup2(text, ret);
}

int cgroup_open(const char *mount, const char *path) {
        _cleanup_free_ char *dir = NULL;
        int fd;

        if (!mount || !path || path[0] != '/')
                return -EINVAL;
        if (asprintf(&dir, "%s%s", mount, path) < 0)
                return -ENOMEM;
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        return fd < 0 ? negative_errno() : fd;
}

int cgroup_fd_id(int dir_fd, uint64_t *ret) {
        struct stat st;

        if (fstat(dir_fd, &st) < 0)
                return negative_errno();
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        *ret = (uint64_t) st.st_ino;
        return 0;
}

int cgroup_procs_parse(const char *text, pid_t **ret, size_t *ret_n) {
        _cleanup_free_ pid_t *v = NULL;
        size_t n = 0, allocated = 0;

        for (const char *line = text; *line;) {
                size_t len = strcspn(line, "\n");
                char field[16];
                pid_t pid;

                if (len == 0 || len >= sizeof(field))
                        return -EBADMSG;
                memcpy(field, line, len);
                field[len] = '\0';
                if (parse_pid(field, &pid) < 0)
                        return -EBADMSG;
                if (n == allocated) {
                        size_t m = allocated ? allocated * 2 : 16;
                        pid_t *p = reallocarray(v, m, sizeof(pid_t));
                        if (!p)
                                return -ENOMEM;
                        v = p;
                        allocated = m;
                }
                v[n++] = pid;
                line += len;
                if (*line == '\n')
                        line++;
        }
        *ret = TAKE_PTR(v);
        *ret_n = n;
        return 0;
}

int cgroup_read_procs(int dir_fd, pid_t **ret, size_t *ret_n) {
        _cleanup_free_ char *text = NULL;
        int r;

        r = read_file_at(dir_fd, "cgroup.procs", CGROUP_PROCS_MAX, &text, NULL);
        if (r < 0)
                return r;
        return cgroup_procs_parse(text, ret, ret_n);
}

static int walk_at(int dir_fd, unsigned depth, cgroup_proc_cb cb, void *userdata) {
        _cleanup_free_ pid_t *pids = NULL;
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        struct stat st;
        size_t n = 0;
        int r, fd;

        r = cgroup_read_procs(dir_fd, &pids, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                r = cb(pids[i], userdata);
                if (r != 0)
                        return r;
        }
        /* A directory's link count is 2 and one per subdirectory (cgroupfs
         * keeps it so too): a leaf, as scopes are, needs no listing. */
        if (fstat(dir_fd, &st) == 0 && st.st_nlink <= 2)
                return 0;
        if (depth >= CGROUP_WALK_MAX_DEPTH)
                return -ELOOP;
        fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || !(d = fdopendir(fd))) {
                r = negative_errno();
                safe_close(fd);
                return r;
        }
        while ((errno = 0, de = readdir(d))) {
                _cleanup_close_ int sub = -1;

                if (de->d_type != DT_DIR || de->d_name[0] == '.')
                        continue;
                sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (sub < 0)
                        continue; /* removed as its last process left */
                r = walk_at(sub, depth + 1, cb, userdata);
                if (r == -ENOENT || r == -ENODEV)
                        continue;
                if (r != 0)
                        return r;
        }
        return errno != 0 ? negative_errno() : 0;
}

int cgroup_walk_procs(int dir_fd, cgroup_proc_cb cb, void *userdata) {
        return walk_at(dir_fd, 0, cb, userdata);
}

bool cgroup_is_connection_unit(const char *cgroup) {
        const char *leaf = cgroup ? strrchr(cgroup, '/') : NULL;
        const char *at;
        size_t n;

        if (!leaf)
                return false;
        leaf++;
        at = strchr(leaf, '@');
        n = strlen(leaf);
        return at && at > leaf && n > 8 && strcmp(leaf + n - 8, ".service") == 0 && at + 1 < leaf + n - 8;
}
