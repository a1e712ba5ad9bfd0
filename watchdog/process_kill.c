/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <dirent.h>
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

typedef struct ProcEntry {
        pid_t pid, ppid;
        uint64_t starttime;
        uint32_t audit;
        bool kill;
} ProcEntry;

static int snapshot(const char *proc_root, ProcEntry **ret, size_t *ret_n) {
        _cleanup_closedir_ DIR *d = opendir(proc_root ?: PROC_ROOT_DEFAULT);
        ProcEntry *v = NULL;
        size_t n = 0, allocated = 0;

        if (!d)
                return negative_errno();
        for (struct dirent *de; (errno = 0, de = readdir(d));) {
                ProcEntry e = { .audit = AUDIT_SESSION_UNSET };
                ProcStat st;

                if (parse_pid(de->d_name, &e.pid) < 0)
                        continue;
                if (proc_stat_read(proc_root, e.pid, &st) < 0)
                        continue; /* exited while we looked */
                if (st.state == 'Z' || st.state == 'X')
                        continue;
                e.ppid = st.ppid;
                e.starttime = st.starttime;
                (void) proc_sessionid_read(proc_root, e.pid, &e.audit);
                if (n == allocated) {
                        size_t m = allocated ? allocated * 2 : 256;
                        ProcEntry *p = reallocarray(v, m, sizeof(ProcEntry));
                        if (!p) {
                                free(v);
                                return -ENOMEM;
                        }
                        v = p;
                        allocated = m;
                }
                v[n++] = e;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

static int cmp_pid(const void *a, const void *b) {
        pid_t x = ((const ProcEntry *) a)->pid, y = ((const ProcEntry *) b)->pid;
        return x < y ? -1 : x > y;
}

/* Whether e descends from (or is) the root process, by walking up the
 * parent chain of the snapshot. Bounded: a chain that loops (PIDs reused
 * mid-snapshot) stops. */
static bool in_tree(const ProcEntry *v, size_t n, const ProcEntry *e, pid_t root, uint64_t root_starttime) {
        for (unsigned depth = 0; e && depth < 4096; depth++) {
                if (e->pid == root && e->starttime == root_starttime)
                        return true;
                if (e->ppid <= 1)
                        return false;
                ProcEntry key = { .pid = e->ppid };
                e = bsearch(&key, v, n, sizeof(ProcEntry), cmp_pid);
        }
        return false;
}

int process_kill_session(const char *proc_root, uint32_t audit, pid_t tree_root, uint64_t tree_root_starttime,
                         pid_t protect) {
        _cleanup_free_ ProcEntry *v = NULL;
        size_t n = 0;
        int killed = 0, r;

        r = snapshot(proc_root, &v, &n);
        if (r < 0)
                return r;
        if (n == 0)
                return 0;
        qsort(v, n, sizeof(ProcEntry), cmp_pid);

        for (size_t i = 0; i < n; i++)
                v[i].kill = (audit != AUDIT_SESSION_UNSET && v[i].audit == audit) ||
                            (tree_root > 1 && in_tree(v, n, &v[i], tree_root, tree_root_starttime));

        for (size_t i = 0; i < n; i++) {
                _cleanup_close_ int fd = -1;
                uint32_t now_audit;

                if (!v[i].kill || protected_pid(v[i].pid) || v[i].pid == protect)
                        continue;
                fd = pidfd_open_checked(proc_root, v[i].pid, v[i].starttime, NULL);
                if (fd < 0)
                        continue;
                /* Marked for its audit session only: make sure, through the
                 * pidfd's process, that it still is in it. */
                if (v[i].audit == audit && audit != AUDIT_SESSION_UNSET &&
                    (proc_sessionid_read(proc_root, v[i].pid, &now_audit) < 0 || now_audit != audit))
                        continue;
                if (sys_pidfd_send_signal(fd, SIGKILL) >= 0)
                        killed++;
        }
        return killed;
}
