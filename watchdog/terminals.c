/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "idle_time.h"
#include "log.h"
#include "macro.h"
#include "process_kill.h"
#include "terminals.h"

/* UNIX98_PTY_SLAVE_MAJOR: /dev/pts/N is (136, N) for every N. */
#define PTY_SLAVE_MAJOR 136

/* The slave as the monitor sees it: through its root, so that a monitor
 * in another mount namespace names its own devpts. */
static int slave_path(const char *proc_root, pid_t monitor, uint32_t index, char **ret) {
        char entry[64];

        snprintf(entry, sizeof(entry), "root/dev/pts/%" PRIu32, index);
        return proc_pid_path(proc_root, monitor, entry, ret);
}

static bool slave_is_ours(const struct stat *st, uint32_t index, uid_t uid) {
        return S_ISCHR(st->st_mode) && major(st->st_rdev) == PTY_SLAVE_MAJOR && minor(st->st_rdev) == index &&
               st->st_uid == uid;
}

/* The terminal's atime, when it is the session's own: 1, 0 when it is
 * not (closed meanwhile, or not the user's), <0 on failure. */
static int slave_atime(const char *proc_root, pid_t monitor, uint32_t index, uid_t uid, int64_t *ret) {
        _cleanup_free_ char *path = NULL;
        struct stat st;
        int r = slave_path(proc_root, monitor, index, &path);

        if (r < 0)
                return r;
        if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : negative_errno();
        if (!slave_is_ours(&st, index, uid)) {
                log_debug("%s is not a terminal of UID %u; not counted", path, (unsigned) uid);
                return 0;
        }
        *ret = (int64_t) st.st_atim.tv_sec;
        return 1;
}

static const TerminalSeen *seen_find(const TerminalSeen *v, size_t n, uint32_t index) {
        for (size_t i = 0; i < n; i++)
                if (v[i].index == index)
                        return &v[i];
        return NULL;
}

int terminals_look(const char *proc_root, ProcRef monitor, uid_t uid, uint64_t mono_now, uint64_t real_now,
                   TerminalSeen **seen, size_t *n) {
        _cleanup_free_ PtyMaster *masters = NULL;
        _cleanup_free_ TerminalSeen *next = NULL;
        size_t n_indexes = 0, k = 0;
        ProcStat st;
        int r;

        r = proc_pty_masters(proc_root, monitor.pid, &masters, &n_indexes);
        if (r == -ENOENT)
                return -ESRCH;
        if (r < 0)
                return r;
        /* The descriptors were the monitor's if it is still the same
         * process after they were listed. */
        r = proc_stat_read(proc_root, monitor.pid, &st);
        if (r == -ENOENT || (r == 0 && st.starttime != monitor.starttime))
                return -ESRCH;
        if (r < 0)
                return r;

        if (n_indexes > 0 && !(next = calloc(n_indexes, sizeof(TerminalSeen))))
                return -ENOMEM;
        for (size_t i = 0; i < n_indexes; i++) {
                int64_t atime;
                r = slave_atime(proc_root, monitor.pid, masters[i].index, uid, &atime);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                const TerminalSeen *old = seen_find(*seen, *n, masters[i].index);
                next[k].index = masters[i].index;
                next[k].master_fd = masters[i].fd;
                next[k].atime_sec = atime;
                next[k].active = old && old->atime_sec == atime ? old->active
                                                                : idle_active_until(atime, mono_now, real_now);
                k++;
        }
        free(*seen);
        *seen = k > 0 ? TAKE_PTR(next) : NULL;
        *n = k;
        return 0;
}

uint64_t terminals_active(const TerminalSeen *seen, size_t n) {
        uint64_t active = 0;

        for (size_t i = 0; i < n; i++)
                if (seen[i].active > active)
                        active = seen[i].active;
        return active;
}

/* A descriptor of the slave of the monitor's master `fd`, if that is
 * still the master of terminal `index` and the slave is the user's. */
static int open_slave(int pidfd, const TerminalSeen *t, uid_t uid, const char **ret_step) {
        _cleanup_close_ int master = (int) syscall(SYS_pidfd_getfd, pidfd, t->master_fd, 0);
        unsigned index;
        struct stat st;
        int fd;

        *ret_step = "pidfd_getfd";
        if (master < 0)
                return negative_errno();
        *ret_step = "TIOCGPTN";
        if (ioctl(master, TIOCGPTN, &index) < 0 || index != t->index)
                return -ENOTTY; /* closed and reused for something else */
        /* O_NOCTTY: a root daemon never takes a user's terminal as its
         * own; O_NONBLOCK: a full or stopped terminal costs us this line,
         * not the event loop. */
        *ret_step = "TIOCGPTPEER";
        fd = ioctl(master, TIOCGPTPEER, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        *ret_step = "not the user's terminal";
        if (fstat(fd, &st) < 0 || !slave_is_ours(&st, t->index, uid)) {
                safe_close(fd);
                return -EPERM;
        }
        return fd;
}

size_t terminals_write(const char *proc_root, ProcRef monitor, uid_t uid, const TerminalSeen *seen, size_t n,
                       const char *text, int *ret_error, const char **ret_step) {
        _cleanup_close_ int pidfd = pidfd_open_checked(proc_root, monitor.pid, monitor.starttime, NULL);
        size_t written = 0, len = strlen(text);

        *ret_error = 0;
        *ret_step = "pidfd_open";
        if (pidfd < 0) {
                *ret_error = pidfd;
                return 0;
        }
        for (size_t i = 0; i < n; i++) {
                const char *step;
                _cleanup_close_ int fd = open_slave(pidfd, &seen[i], uid, &step);
                if (fd < 0) {
                        *ret_error = fd;
                        *ret_step = step;
                        continue;
                }
                if (write(fd, text, len) < 0) {
                        *ret_error = negative_errno();
                        *ret_step = "write";
                } else
                        written++;
        }
        return written;
}
