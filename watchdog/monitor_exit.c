/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sessions that sshd-watchdog-exec registered (or that the daemon found
 * without a record) have no close_session: the end of the connection is the
 * exit of its sshd monitor, which a pidfd reports as it happens. What
 * close_session would read there, how the connection ended, the daemon
 * reads on a descriptor of the connection of its own (pidfd_getfd), which
 * keeps the socket until then. A client that left: the record goes and
 * nothing is killed (a logout leaves a nohup'd job running, as sshd does).
 * A client that had died (sshd's ClientAlive, the kernel, first): what the
 * session left is killed, as for a PAM session marked closed. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "clock.h"
#include "connection_end.h"
#include "daemon.h"
#include "ending.h"
#include "log.h"
#include "macro.h"
#include "monitor_exit.h"
#include "process_kill.h"
#include "time_span.h"

/* Whether the client had died when the connection ended; if so, the
 * session's record says so as close_session would have written it. */
static bool connection_died(Session *s) {
        ConnectionEnd end;
        ConnectionEndBy by;
        int r;

        if (s->connection < 0)
                return false;
        r = connection_end_read(s->connection, &end);
        s->connection = safe_close(s->connection);
        if (r < 0)
                return false;
        by = connection_end_by(&end);
        log_debug("Session %s: connection at its end: state %u, client silent %u ms, %u unacknowledged", s->name,
                  (unsigned) end.state, (unsigned) end.silence_ms, (unsigned) end.unacked);
        if (by == CONNECTION_END_CLIENT)
                return false;
        s->rec.closed_usec = realtime_now();
        s->rec.closed_silence_usec = (uint64_t) end.silence_ms * USEC_PER_MSEC;
        s->rec.closed_by = by;
        return true;
}

static int on_monitor_exit(sd_event_source *src, int fd, uint32_t revents, void *userdata) {
        Session *s = userdata;
        Daemon *d = s->daemon;
        uint64_t now;

        s->monitor_exit = sd_event_source_disable_unref(s->monitor_exit);
        /* Being ended: the ending removes the record when it is done. */
        if (s->state == SESSION_ENDING) {
                s->connection = safe_close(s->connection);
                return 0;
        }
        if (!connection_died(s)) {
                session_logged_out(d, s);
                return 0;
        }
        (void) sd_event_now(d->event, CLOCK_MONOTONIC, &now);
        endings_begin(d, &s, 1, now);
        return 0;
}

/* Our own descriptor of the monitor's connection, through the pidfd: kept
 * until the monitor exits. Without it a dead client is told from a logout
 * no more (and the journal says nothing: the session is watched all the
 * same). */
static void hold_connection(Session *s, int pidfd) {
        int n;

        if (s->rec.socket_inode == 0)
                return;
        n = proc_socket_fd(s->daemon->proc_root, s->rec.sshd_pid, s->rec.socket_inode);
        if (n < 0)
                return;
        s->connection = (int) syscall(SYS_pidfd_getfd, pidfd, n, 0);
        if (s->connection < 0) {
                /* Refused (a seccomp filter, no CAP_SYS_PTRACE) is worth
                 * saying: it lasts. A monitor that just exited is not. */
                if (errno == EPERM || errno == EACCES || errno == ENOSYS)
                        log_warning("Session %s: cannot hold its connection (pidfd_getfd: %m): when its sshd exits, "
                                    "a dead client cannot be told from a logout",
                                    s->name);
                else
                        log_debug("Session %s: cannot hold its connection: %m", s->name);
                s->connection = -1;
        }
}

void monitor_exit_watch(Session *s) {
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
        hold_connection(s, fd);
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
