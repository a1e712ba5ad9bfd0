/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "macro.h"
#include "proc.h"
#include "process_kill.h"

static int sys_pidfd_open(pid_t pid) {
        return (int) syscall(SYS_pidfd_open, pid, 0);
}

static int sys_pidfd_send_signal(int pidfd, int sig) {
        return (int) syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

static bool protected_pid(pid_t pid) {
        return pid <= 1 || pid == getpid();
}

int pidfd_open_checked(const char *proc_root, pid_t pid, uint64_t starttime, ProcStat *ret_stat) {
        ProcStat st;
        int fd, r;

        if (protected_pid(pid))
                return -EPERM;
        fd = sys_pidfd_open(pid);
        if (fd < 0)
                return errno == ESRCH ? -ESRCH : negative_errno();
        /* The pidfd names whatever had this PID when it was opened; the start
         * time read after it proves that is still the process we mean. */
        r = proc_stat_read(proc_root, pid, &st);
        if (r < 0 || st.starttime != starttime || st.state == 'Z' || st.state == 'X') {
                safe_close(fd);
                return r < 0 && r != -ENOENT ? r : -ESRCH;
        }
        if (ret_stat)
                *ret_stat = st;
        return fd;
}

int process_signal_checked(const char *proc_root, pid_t pid, uint64_t starttime, int sig) {
        _cleanup_close_ int fd = -1;

        fd = pidfd_open_checked(proc_root, pid, starttime, NULL);
        if (fd == -ESRCH || fd == -EPERM)
                return 0;
        if (fd < 0)
                return fd;
        if (sys_pidfd_send_signal(fd, sig) < 0)
                return errno == ESRCH ? 0 : negative_errno();
        return 1;
}
