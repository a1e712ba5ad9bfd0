/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One file of every thread of a process: /proc/PID/task/TID/<entry>. Any
 * thread may fork, and each has its own children list and state. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "file_read.h"
#include "macro.h"
#include "proc.h"

int proc_tasks_read(const char *proc_root, pid_t pid, const char *entry, size_t max_size, proc_task_cb cb,
                    void *userdata, bool *ret_any) {
        _cleanup_free_ char *path = NULL;
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int r;

        if (ret_any)
                *ret_any = false;
        r = proc_pid_path(proc_root, pid, "task", &path);
        if (r < 0)
                return r;
        d = opendir(path);
        if (!d)
                return errno == ENOENT ? -ENOENT : negative_errno();
        while ((errno = 0, de = readdir(d))) {
                _cleanup_free_ char *file = NULL, *text = NULL;
                pid_t tid;

                if (parse_pid(de->d_name, &tid) < 0)
                        continue;
                if (asprintf(&file, "%s/%s", de->d_name, entry) < 0)
                        return -ENOMEM;
                r = read_file_at(dirfd(d), file, max_size, &text, NULL);
                if (r == -ENOENT || r == -ESRCH)
                        continue; /* a thread that exited, or no such file at all */
                if (r < 0)
                        return r;
                if (ret_any)
                        *ret_any = true;
                r = cb(text, userdata);
                if (r != 0)
                        return r;
        }
        return errno != 0 ? negative_errno() : 0;
}
