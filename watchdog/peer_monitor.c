/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "peer_monitor.h"

_printf_(2, 3) static int refuse(char **ret, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(ret, fmt, ap) < 0)
                *ret = NULL;
        va_end(ap);
        return -EPERM;
}

/* A process of the path: its parent and start time, and whose it is. */
typedef struct Hop {
        ProcRef ref;
        pid_t ppid;
        uid_t ruid, euid;
} Hop;

static int hop_read(const char *proc_root, pid_t pid, Hop *ret) {
        ProcStat st;
        int r;

        r = proc_stat_read(proc_root, pid, &st);
        if (r < 0)
                return r == -ENOENT ? -ESRCH : r;
        if (st.state == 'Z')
                return -ESRCH;
        r = proc_status_uids(proc_root, pid, &ret->ruid, &ret->euid);
        if (r < 0)
                return r == -ENOENT ? -ESRCH : r;
        ret->ref = (ProcRef) { .pid = pid, .starttime = st.starttime };
        ret->ppid = st.ppid;
        return 0;
}

/* Still the same process, with the same parent: the path did not change
 * under the walk (a process that exits reparents its children). */
static int hop_unchanged(const char *proc_root, const Hop *h) {
        ProcStat st;
        int r = proc_stat_read(proc_root, h->ref.pid, &st);

        if (r == -ENOENT || (r == 0 && (st.starttime != h->ref.starttime || st.ppid != h->ppid || st.state == 'Z')))
                return -ESRCH;
        return r;
}

int peer_monitor_find(const char *proc_root, pid_t peer, uid_t uid, PeerMonitor *ret, char **ret_why) {
        Hop path[PEER_MONITOR_MAX_DEPTH + 1], top;
        _cleanup_(proc_exe_done) ProcExe mon_exe = {}, ses_exe = {};
        size_t n = 0;
        int r;

        *ret_why = NULL;
        if (uid == 0)
                return refuse(ret_why, "it runs as root; sessions are registered for the user they belong to");
        r = hop_read(proc_root, peer, &path[0]);
        if (r < 0)
                return r;
        if (path[0].ruid != uid || path[0].euid != uid)
                return refuse(ret_why, "PID %d no longer runs as UID %u", (int) peer, (unsigned) uid);
        n = 1;

        for (;;) {
                pid_t pp = path[n - 1].ppid;

                if (pp <= 1)
                        return refuse(ret_why, "PID %d has no ssh session above it (its parent is PID %d)",
                                      (int) path[n - 1].ref.pid, (int) pp);
                r = hop_read(proc_root, pp, &top);
                if (r < 0)
                        return r;
                if (top.ruid == uid && top.euid == uid) {
                        if (n > PEER_MONITOR_MAX_DEPTH)
                                return refuse(ret_why, "more than %d processes of the user above PID %d",
                                              PEER_MONITOR_MAX_DEPTH, (int) peer);
                        path[n++] = top;
                        continue;
                }
                break;
        }
        if (top.ruid != 0 || top.euid != 0)
                return refuse(ret_why, "above it runs PID %d of UID %u, neither the user nor root", (int) top.ref.pid,
                              (unsigned) top.euid);

        /* top is root: it must be sshd's monitor, and path[n-1] the session
         * process it forked. */
        r = proc_exe_read(proc_root, top.ref.pid, &mon_exe);
        if (r < 0)
                return r == -ENOENT ? -ESRCH : r;
        if (!exe_is_sshd(mon_exe.path))
                return refuse(ret_why, "the first root process above it, PID %d, runs %s, not sshd",
                              (int) top.ref.pid, mon_exe.path);
        r = proc_exe_read(proc_root, path[n - 1].ref.pid, &ses_exe);
        if (r < 0)
                return r == -ENOENT ? -ESRCH : r;
        if (ses_exe.dev != mon_exe.dev || ses_exe.ino != mon_exe.ino)
                return refuse(ret_why, "PID %d below sshd's PID %d runs %s, not sshd's own session process",
                              (int) path[n - 1].ref.pid, (int) top.ref.pid, ses_exe.path);

        /* sshd's listener, or PID 1 (socket activation; a listener that
         * exited since). Its start time only helps to protect it. */
        ProcStat pst;
        if (top.ppid <= 0)
                return refuse(ret_why, "sshd's PID %d has no parent", (int) top.ref.pid);
        if (proc_stat_read(proc_root, top.ppid, &pst) < 0)
                pst.starttime = 0;

        /* Read again from the top: a process that exited meanwhile would
         * have reparented the rest, and a PID read twice may name another. */
        r = hop_unchanged(proc_root, &top);
        for (size_t i = n; r >= 0 && i > 0; i--)
                r = hop_unchanged(proc_root, &path[i - 1]);
        if (r < 0)
                return r;

        *ret = (PeerMonitor) {
                .monitor = top.ref,
                .parent = { .pid = top.ppid, .starttime = pst.starttime },
                .session = path[n - 1].ref,
                .peer = path[0].ref,
        };
        return 0;
}
