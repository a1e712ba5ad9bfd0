/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "macro.h"
#include "proc_walk.h"

/* The kernel lists /proc from the PID the last getdents stopped at. A small
 * buffer keeps the listing live: processes forked during the walk, with
 * PIDs above where it is, are still listed. readdir(3) fetches 32 KiB at
 * once, a snapshot that is milliseconds old by its end, and a job that forks
 * and exits every few milliseconds is never in it. */
#define WALK_BUFFER 512

struct linux_dirent64 {
        uint64_t d_ino;
        int64_t d_off;
        unsigned short d_reclen;
        unsigned char d_type;
        char d_name[];
};

static int walk(const char *proc_root, bool zombies, proc_walk_cb cb, void *userdata) {
        _cleanup_close_ int fd = open(proc_root ?: PROC_ROOT_DEFAULT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        union {
                struct linux_dirent64 de;
                char bytes[WALK_BUFFER];
        } buf;
        int r;

        if (fd < 0)
                return negative_errno();
        for (;;) {
                long n = syscall(SYS_getdents64, fd, buf.bytes, sizeof(buf.bytes));
                if (n < 0)
                        return negative_errno();
                if (n == 0)
                        return 0;
                for (long off = 0; off < n;) {
                        const struct linux_dirent64 *de = (const struct linux_dirent64 *) (buf.bytes + off);
                        ProcStat st;
                        pid_t pid;

                        off += de->d_reclen;
                        if (parse_pid(de->d_name, &pid) < 0)
                                continue;
                        r = proc_stat_read(proc_root, pid, &st);
                        if (r == -ENOENT || r == -ESRCH)
                                continue; /* exited while we looked */
                        if (r < 0)
                                return r;
                        if (!zombies && (st.state == 'Z' || st.state == 'X'))
                                continue;
                        r = cb(pid, &st, userdata);
                        if (r < 0)
                                return r;
                }
        }
}

int proc_walk(const char *proc_root, proc_walk_cb cb, void *userdata) {
        return walk(proc_root, false, cb, userdata);
}

int proc_walk_with_zombies(const char *proc_root, proc_walk_cb cb, void *userdata) {
        return walk(proc_root, true, cb, userdata);
}
