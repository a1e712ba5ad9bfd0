/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Ending a silent session, in the order of DESIGN.md section 4: the journal
 * entry first; then SIGTERM to sshd's monitor, which closes the session the
 * way sshd does (close_session, SIGHUP to the shell, a wtmp logout); then,
 * KillGraceSec later, SIGKILL for whatever the session left behind. Never
 * SIGKILL the monitor first: its child would live on without close_session. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup_kill.h"
#include "daemon.h"
#include "log.h"
#include "logind.h"
#include "proc.h"
#include "process_kill.h"
#include "session_fields.h"

static void report_dry_run(Session *s) {
        _cleanup_(fields_free) Fields f = {};

        /* Once per silence: input that comes and goes again is a new one. */
        if (s->dry_run_reported && s->dry_run_bytes == s->sock.bytes_received)
                return;
        s->dry_run_reported = true;
        s->dry_run_bytes = s->sock.bytes_received;
        session_fields(s, &f);
        log_struct(LOG_NOTICE, MESSAGE_ID_SESSION_DRY_RUN, f.v,
                   "Dry run: would end %s: no input for %s (limit %s)", f.label, f.silence, f.timeout);
}

static int on_kill_timer(sd_event_source *src, uint64_t usec, void *userdata);

void session_end(Session *s, uint64_t now) {
        Daemon *d = s->daemon;
        _cleanup_(fields_free) Fields f = {};
        ProcStat st;
        int fd, r;

        if (s->eff.dry_run) {
                report_dry_run(s);
                /* Look again a timeout later; quiet unless input moved. */
                s->deadline = now + s->eff.input_timeout_usec;
                return;
        }

        fd = pidfd_open_checked(d->proc_root, s->rec.sshd_pid, s->rec.sshd_starttime, &st);
        if (fd < 0) {
                s->state = SESSION_UNWATCHABLE;
                s->deadline = 0;
                session_fields(s, &f);
                log_struct(LOG_WARNING, MESSAGE_ID_SESSION_UNWATCHABLE, f.v,
                           "Not ending %s: its sshd process %s", f.label,
                           fd == -ESRCH ? "is gone or its PID was reused" : strerror(-fd));
                return;
        }
        s->pidfd = fd;
        s->listener_pid = st.ppid;
        s->ended_silence_usec = s->silence_usec;

        session_fields(s, &f);
        log_struct(LOG_NOTICE, MESSAGE_ID_SESSION_ENDED, f.v, "Ended %s: no input for %s (limit %s)", f.label,
                   f.silence, f.timeout);

        if (syscall(SYS_pidfd_send_signal, s->pidfd, SIGTERM, NULL, 0) < 0 && errno != ESRCH)
                log_warning_errno(-errno, "Cannot send SIGTERM to sshd PID %d", (int) s->rec.sshd_pid);

        s->state = SESSION_ENDING;
        s->deadline = 0;
        r = sd_event_add_time(d->event, &s->kill_timer, CLOCK_MONOTONIC, now + s->eff.kill_grace_usec, 1000,
                              on_kill_timer, s);
        if (r < 0) {
                log_error_errno(r, "Cannot arm the kill timer; killing leftovers now");
                (void) on_kill_timer(NULL, now, s);
        }
}

/* Protected cgroups: those of PID 1, of this daemon and of sshd's listener. */
static bool cgroup_usable(Session *s) {
        Daemon *d = s->daemon;
        char *protected[3] = {};
        pid_t pids[3] = { 1, getpid(), s->listener_pid };
        bool ok;

        if (!s->rec.cgroup || !*s->rec.cgroup)
                return false;
        for (size_t i = 0; i < 3; i++)
                if (pids[i] > 0 && proc_cgroup_read(d->proc_root, pids[i], &protected[i]) < 0)
                        protected[i] = NULL;
        /* Without the listener's cgroup we cannot tell: do not guess. */
        ok = protected[2] && cgroup_kill_allowed(s->rec.cgroup, protected, 3);
        for (size_t i = 0; i < 3; i++)
                free(protected[i]);
        return ok;
}

static int kill_leftovers(Session *s, const char **ret_how) {
        Daemon *d = s->daemon;
        _cleanup_free_ char *mount = NULL;
        int r;

        /* Both cgroup ways below need the v2 mount; the audit way does not. */
        if (cgroup2_mount_point("/proc/self/mountinfo", &mount) < 0)
                mount = NULL;

        if (s->rec.session_id && session_id_matches_cgroup(s->rec.session_id, s->rec.cgroup)) {
                /* logind owns the scope: ask it rather than write into its cgroup.
                 * Count first, for the log; logind does the killing. */
                int n = mount ? cgroup_count_procs(mount, s->rec.cgroup) : 0;
                if (n == -ENOENT) {
                        /* sshd closed cleanly and nothing stayed: logind has
                         * already removed the scope and the session. */
                        *ret_how = "logind: the session was already gone";
                        return 0;
                }
                r = logind_kill_session(d, s->rec.session_id);
                if (r >= 0) {
                        *ret_how = "logind";
                        return n < 0 ? 0 : n;
                }
        }
        if (mount && cgroup_usable(s)) {
                r = cgroup_kill(mount, s->rec.cgroup);
                if (r >= 0) {
                        *ret_how = "cgroup.kill";
                        return r;
                }
                log_warning_errno(r, "Cannot kill cgroup %s; killing by audit session", s->rec.cgroup);
        }
        *ret_how = s->rec.audit_session != AUDIT_SESSION_UNSET ? "audit session" : "process tree";
        return process_kill_session(d->proc_root, s->rec.audit_session, s->rec.sshd_pid, s->rec.sshd_starttime,
                                    s->listener_pid);
}

static int on_kill_timer(sd_event_source *src, uint64_t usec, void *userdata) {
        Session *s = userdata;
        Daemon *d = s->daemon;
        _cleanup_(fields_free) Fields f = {};
        const char *how = "?";
        char killed[32];
        int n;

        s->kill_timer = sd_event_source_disable_unref(s->kill_timer);
        n = kill_leftovers(s, &how);
        s->pidfd = safe_close(s->pidfd);
        s->silence_usec = s->ended_silence_usec;
        snprintf(killed, sizeof(killed), "KILLED_PIDS=%d", n < 0 ? 0 : n);
        session_fields_extra(s, killed, &f);
        if (n < 0)
                log_struct(LOG_WARNING, NULL, f.v, "Cannot kill what is left of %s: %s", f.label, strerror(-n));
        else
                log_struct(LOG_INFO, NULL, f.v, "Killed %d leftover process%s of %s (%s)", n, n == 1 ? "" : "es",
                           f.label, how);

        s->state = SESSION_ENDED;
        if (s->record_gone)
                session_drop(d, s);
        daemon_notify_status(d);
        return 0;
}
