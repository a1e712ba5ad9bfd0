/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "file_read.h"
#include "macro.h"
#include "proc.h"

/* One line per hierarchy; a v2 path can be as long as PATH_MAX. */
#define PROC_CGROUP_MAX (64 * 1024)

int proc_cgroup_parse(const char *text, char **ret) {
        const char *line = text;

        while (*line) {
                size_t n = strcspn(line, "\n");

                if (n >= 3 && strncmp(line, "0::", 3) == 0) {
                        if (n == 3 || line[3] != '/')
                                return -EBADMSG;
                        char *path = strndup(line + 3, n - 3);
                        if (!path)
                                return -ENOMEM;
                        *ret = path;
                        return 0;
                }
                line += n;
                if (*line == '\n')
                        line++;
        }
        return -ENODATA;
}

int proc_cgroup_read(const char *proc_root, pid_t pid, char **ret) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        int r;

        r = proc_pid_path(proc_root, pid, "cgroup", &path);
        if (r < 0)
                return r;
        r = read_file_at(AT_FDCWD, path, PROC_CGROUP_MAX, &text, NULL);
        if (r < 0)
                return r;
        return proc_cgroup_parse(text, ret);
}
