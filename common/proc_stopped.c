/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Whether a process has stopped. A SIGSTOP is only queued when it is sent:
 * the process stops when it next runs, and one in the middle of fork()
 * first links its new child. So what a stopped process's children file
 * lists is final only once the process is seen stopped, every thread of
 * it (any thread may fork). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "file_read.h"
#include "macro.h"
#include "proc.h"

static bool halted(char state) {
        /* T: stopped; t: stopped by a tracer; Z, X: exited. */
        return state == 'T' || state == 't' || state == 'Z' || state == 'X';
}

int proc_stopped(const char *proc_root, pid_t pid, uint64_t starttime) {
        _cleanup_free_ char *path = NULL;
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        ProcStat st;
        int r;

        r = proc_stat_read(proc_root, pid, &st);
        if (r == -ENOENT || r == -ESRCH || (r >= 0 && st.starttime != starttime))
                return -ESRCH;
        if (r < 0)
                return r;
        if (st.state == 'Z' || st.state == 'X')
                return -ESRCH;
        if (!halted(st.state))
                return 0;
        if (st.num_threads <= 1)
                return 1;

        r = proc_pid_path(proc_root, pid, "task", &path);
        if (r < 0)
                return r;
        d = opendir(path);
        if (!d)
                return errno == ENOENT ? -ESRCH : negative_errno();
        while ((errno = 0, de = readdir(d))) {
                _cleanup_free_ char *file = NULL, *text = NULL;
                ProcStat ts;
                pid_t tid;

                if (parse_pid(de->d_name, &tid) < 0)
                        continue;
                if (asprintf(&file, "%s/stat", de->d_name) < 0)
                        return -ENOMEM;
                r = read_file_at(dirfd(d), file, 4096, &text, NULL);
                if (r == -ENOENT || r == -ESRCH)
                        continue; /* that thread exited */
                if (r < 0)
                        return r;
                if (proc_stat_parse(text, &ts) < 0)
                        return -EBADMSG;
                if (!halted(ts.state))
                        return 0;
        }
        if (errno != 0)
                return negative_errno();
        return 1;
}
