/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "cgroup_fs.h"
#include "login_proof.h"
#include "macro.h"
#include "proc.h"

/* How far up a process of the cgroup is followed to the monitor. */
#define DESCENT_MAX_DEPTH 64

bool login_parent_is_birth_parent(const char *proc_root, pid_t parent, const char *monitor_cgroup) {
        _cleanup_(proc_exe_done) ProcExe e = {};

        if (parent == 1)
                return cgroup_is_connection_unit(monitor_cgroup);
        /* sshd's listener, by the file it runs; a subreaper that adopted an
         * orphaned monitor runs something else. */
        return parent > 1 && proc_exe_read(proc_root, parent, &e) >= 0 && exe_is_sshd(e.path);
}

typedef struct Descent {
        const char *proc_root;
        pid_t monitor;
        bool alone;
} Descent;

/* 0 when pid is the monitor or below it; 1 when not (or when it cannot be
 * told: then it is not proven ours). */
static int not_of_monitor(pid_t pid, void *userdata) {
        const Descent *d = userdata;

        for (unsigned i = 0; i < DESCENT_MAX_DEPTH; i++) {
                ProcStat st;

                if (pid == d->monitor)
                        return 0;
                if (d->alone || pid <= 1 || proc_stat_read(d->proc_root, pid, &st) < 0)
                        return 1;
                pid = st.ppid;
        }
        return 1;
}

int login_cgroup_proof(const char *proc_root, const char *cgroup_mount, const char *cgroup, pid_t monitor,
                       pid_t parent, bool monitor_alone, uint64_t *ret_id, const char **ret_why) {
        _cleanup_free_ char *parent_cgroup = NULL;
        _cleanup_close_ int fd = -1;
        Descent d = { .proc_root = proc_root, .monitor = monitor, .alone = monitor_alone };
        int r;

        *ret_id = 0;
        *ret_why = NULL;
        if (!cgroup || !*cgroup || strcmp(cgroup, "/") == 0) {
                *ret_why = "it is in no cgroup of its own (the root, or no cgroup v2)";
                return 0;
        }
        if (!login_parent_is_birth_parent(proc_root, parent, cgroup)) {
                *ret_why = "its parent is not sshd's listener (sshd was restarted, or it was started otherwise)";
                return 0;
        }
        r = proc_cgroup_read(proc_root, parent, &parent_cgroup);
        if (r < 0)
                return r;
        if (strcmp(parent_cgroup, cgroup) == 0) {
                *ret_why = "it is sshd's own cgroup, shared with every session";
                return 0;
        }
        if (!cgroup_mount)
                return -ENOENT;
        fd = cgroup_open(cgroup_mount, cgroup);
        if (fd < 0)
                return fd;
        r = cgroup_walk_procs(fd, not_of_monitor, &d);
        if (r < 0)
                return r;
        if (r > 0) {
                *ret_why = "it holds processes that are not the login's";
                return 0;
        }
        r = cgroup_fd_id(fd, ret_id);
        return r < 0 ? r : 1;
}

int login_audit_proof(const char *proc_root, const char *monitor_cgroup, pid_t monitor, pid_t parent,
                      uint32_t *ret_id, const char **ret_why) {
        uint32_t id, parent_id;
        int r;

        *ret_why = NULL;
        r = proc_sessionid_read(proc_root, monitor, &id);
        if (r == -ENODATA || r == -ENOENT) {
                *ret_why = "no audit session is set (pam_loginuid did not run, or no audit support)";
                return 0;
        }
        if (r < 0)
                return r;
        if (!login_parent_is_birth_parent(proc_root, parent, monitor_cgroup)) {
                *ret_why = "its parent is not sshd's listener: the audit session may be inherited";
                return 0;
        }
        r = proc_sessionid_read(proc_root, parent, &parent_id);
        if (r == 0 && parent_id == id) {
                *ret_why = "it is inherited from sshd's parent (is pam_loginuid before this module?)";
                return 0;
        }
        if (r < 0 && r != -ENODATA)
                return r; /* cannot tell: no proof */
        *ret_id = id;
        return 1;
}
