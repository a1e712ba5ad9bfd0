/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sessions that sshd-watchdog-exec registered have no close_session to
 * remove their record: the end of the connection is the exit of its sshd
 * monitor, which a pidfd reports as it happens. Then the record goes and
 * nothing is killed: a logout leaves a nohup'd job running, as sshd does
 * (only a silent client gets a session ended). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "process_kill.h"
#include "registered.h"

void registered_closed(Daemon *d, Session *s) {
        _cleanup_close_ int dir_fd = session_dir_open(d->state_dir, false);

        log_info("Session %s of %s closed (sshd PID %d exited); removing its record", s->name, s->rec.user,
                 (int) s->rec.sshd_pid);
        if (dir_fd >= 0 && unlinkat(dir_fd, s->name, 0) < 0 && errno != ENOENT)
                log_warning_errno(-errno, "Cannot remove session record %s", s->name);
        session_drop(d, s);
}

static int on_monitor_exit(sd_event_source *src, int fd, uint32_t revents, void *userdata) {
        Session *s = userdata;

        s->monitor_exit = sd_event_source_disable_unref(s->monitor_exit);
        /* Being ended: the ending removes the record when it is done. */
        if (s->state != SESSION_ENDING)
                registered_closed(s->daemon, s);
        return 0;
}

void registered_watch(Session *s) {
        Daemon *d = s->daemon;
        int fd, r;

        if (!s->rec.registered || s->monitor_exit)
                return;
        fd = pidfd_open_checked(d->proc_root, s->rec.sshd_pid, s->rec.sshd_starttime, NULL);
        if (fd < 0) {
                /* Gone already: its deadline finds that out. */
                if (fd != -ESRCH)
                        log_warning_errno(fd, "Cannot watch sshd PID %d of session %s for its exit; its record goes "
                                              "at its next deadline",
                                          (int) s->rec.sshd_pid, s->name);
                return;
        }
        r = sd_event_add_io(d->event, &s->monitor_exit, fd, EPOLLIN, on_monitor_exit, s);
        if (r >= 0)
                r = sd_event_source_set_io_fd_own(s->monitor_exit, true);
        if (r < 0) {
                log_warning_errno(r, "Cannot watch sshd PID %d of session %s for its exit", (int) s->rec.sshd_pid,
                                  s->name);
                s->monitor_exit = sd_event_source_disable_unref(s->monitor_exit);
                safe_close(fd);
        }
}
