/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Whether a process has stopped. A SIGSTOP is only queued when it is sent:
 * the process stops when it next runs, and one in the middle of fork()
 * first links its new child. So what a stopped process's children file
 * lists is final only once the process is seen stopped, every thread of
 * it (any thread may fork). */
#include "config.h"

#include <errno.h>
#include <stdbool.h>

#include "proc.h"

static bool halted(char state) {
        /* T: stopped; t: stopped by a tracer; Z, X: exited. */
        return state == 'T' || state == 't' || state == 'Z' || state == 'X';
}

/* A thread that has not stopped ends the look: 1. */
static int task_running(const char *text, void *userdata) {
        ProcStat ts;
        if (proc_stat_parse(text, &ts) < 0)
                return -EBADMSG;
        return halted(ts.state) ? 0 : 1;
}

int proc_stopped(const char *proc_root, pid_t pid, uint64_t starttime) {
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
        r = proc_tasks_read(proc_root, pid, "stat", 4096, task_running, NULL, NULL);
        if (r == -ENOENT)
                return -ESRCH;
        if (r < 0)
                return r;
        return r == 0 ? 1 : 0;
}
