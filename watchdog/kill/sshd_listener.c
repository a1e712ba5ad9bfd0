/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "macro.h"
#include "proc.h"
#include "sshd_listener.h"
#include "tcp_input.h"

static int listening_cb(const TcpInput *in, void *userdata) {
        SshdListeners *l = userdata;
        return id_map_put(&l->listening, in->inode, 1);
}

static uint64_t netns_of(const char *proc_root, pid_t pid) {
        _cleanup_free_ char *path = NULL;
        struct stat st;

        if (proc_pid_path(proc_root, pid, "ns/net", &path) < 0 || stat(path, &st) < 0)
                return 0;
        return (uint64_t) st.st_ino;
}

int sshd_listeners_load(SshdListeners *l, const char *proc_root, int diag_fd) {
        int r;

        *l = (SshdListeners) { .proc_root = proc_root, .netns = netns_of(proc_root, getpid()) };
        r = tcp_diag_dump_listening(diag_fd, listening_cb, l);
        if (r < 0)
                sshd_listeners_done(l);
        return r;
}

void sshd_listeners_done(SshdListeners *l) {
        id_map_done(&l->listening);
}

int sshd_listener_kind(const SshdListeners *l, pid_t pid) {
        _cleanup_(proc_exe_done) ProcExe e = {};
        _cleanup_free_ uint64_t *inodes = NULL;
        uint64_t ns, v;
        size_t n = 0;
        int r;

        r = proc_exe_read(l->proc_root, pid, &e);
        if (r == -ENOENT || r == -ESRCH) {
                ProcStat st;
                /* A kernel thread has no executable. */
                return proc_stat_read(l->proc_root, pid, &st) == 0 ? SSHD_LISTENER_NONE : -ESRCH;
        }
        if (r < 0)
                return SSHD_LISTENER_UNKNOWN;
        if (!exe_is_sshd(e.path))
                return SSHD_LISTENER_NONE;
        /* A user's session process listens too, for its -R and X11
         * forwards; the listener is root's. */
        uid_t ruid, euid;
        r = proc_status_uids(l->proc_root, pid, &ruid, &euid);
        if (r == -ENOENT || r == -ESRCH)
                return -ESRCH;
        if (r == 0 && ruid != 0 && euid != 0)
                return SSHD_LISTENER_NONE;
        ns = netns_of(l->proc_root, pid);
        if (ns != 0 && l->netns != 0 && ns != l->netns)
                return SSHD_LISTENER_ELSEWHERE;
        r = proc_socket_inodes(l->proc_root, pid, &inodes, &n);
        if (r == -ENOENT || r == -ESRCH)
                return -ESRCH;
        if (r < 0)
                return SSHD_LISTENER_UNKNOWN;
        for (size_t i = 0; i < n; i++)
                if (id_map_get(&l->listening, inodes[i], &v))
                        return SSHD_LISTENER_HERE;
        return SSHD_LISTENER_NONE;
}

int sshd_listener_is(const SshdListeners *l, pid_t pid) {
        int k = sshd_listener_kind(l, pid);
        return k < 0 ? k : k != SSHD_LISTENER_NONE;
}
