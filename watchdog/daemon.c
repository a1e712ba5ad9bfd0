/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon object: made from the command line's options, started (event
 * loop, signals, what is on disk, the sockets), run until a signal to
 * exit, reloaded on SIGHUP, freed. What it watches and ends lives in the
 * files named in docs/design.md, section 2. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <systemd/sd-daemon.h>

#include "cgroup_fs.h"
#include "clock.h"
#include "control.h"
#include "daemon.h"
#include "ending.h"
#include "input_check.h"
#include "journal_queue.h"
#include "log.h"
#include "logind.h"
#include "macro.h"
#include "record_watch.h"
#include "register.h"
#include "status.h"
#include "time_span.h"
#include "unrecorded.h"

static int load_config(Daemon *d, Config *ret) {
        _cleanup_free_ char *error = NULL;
        int r = config_load(d->config_path, d->config_must_exist, ret, &error);
        if (r < 0)
                log_error("%s", error ?: "cannot load the configuration");
        return r;
}

/* With the sessions it found, by state: at start-up the only entry that
 * names them all (watch_started()). */
static void log_started(Daemon *d, const char *what) {
        char t[TIME_SPAN_MAX], g[TIME_SPAN_MAX], n[6][32], idle[2 * TIME_SPAN_MAX + 48] = "";
        char *fields[] = { n[0], n[1], n[2], n[3], n[4], n[5], NULL };
        size_t *c = d->n_state;

        snprintf(n[0], sizeof(n[0]), "SESSIONS=%zu", d->n_sessions);
        snprintf(n[1], sizeof(n[1]), "SESSIONS_TIMED=%zu", c[SESSION_WATCHING]);
        snprintf(n[2], sizeof(n[2]), "SESSIONS_UNTIMED=%zu", c[SESSION_UNTIMED]);
        snprintf(n[3], sizeof(n[3]), "SESSIONS_UNWATCHABLE=%zu", c[SESSION_UNWATCHABLE]);
        snprintf(n[4], sizeof(n[4]), "SESSIONS_RETRIED=%zu", c[SESSION_PENDING]);
        snprintf(n[5], sizeof(n[5]), "SESSIONS_ENDING=%zu", c[SESSION_CLOSING] + c[SESSION_ENDING]);
        if (d->config.watchdog.idle_timeout_usec > 0) {
                char a[TIME_SPAN_MAX], b[TIME_SPAN_MAX];
                snprintf(idle, sizeof(idle), " IdleTimeoutSec=%s IdleWarnSec=%s",
                         time_span_format(a, d->config.watchdog.idle_timeout_usec, 0),
                         time_span_format(b, d->config.watchdog.idle_warn_usec, 0));
        }
        log_struct(LOG_INFO, MESSAGE_ID_DAEMON_STARTED, fields,
                   "%s: InputTimeoutSec=%s KillGraceSec=%s%s%s, %zu file%s read; %zu session%s: %zu timed, "
                   "%zu untimed, %zu unwatchable, %zu retried, %zu ending",
                   what, d->config.watchdog.input_timeout_usec ? time_span_format(t, d->config.watchdog.input_timeout_usec, 0) : "0 (never)",
                   time_span_format(g, d->config.watchdog.kill_grace_usec, 0), idle,
                   d->config.dry_run ? " DryRun=yes" : "",
                   d->config.n_files, d->config.n_files == 1 ? "" : "s", d->n_sessions,
                   d->n_sessions == 1 ? "" : "s", c[SESSION_WATCHING], c[SESSION_UNTIMED],
                   c[SESSION_UNWATCHABLE], c[SESSION_PENDING], c[SESSION_CLOSING] + c[SESSION_ENDING]);
}

int daemon_reload(Daemon *d) {
        AccountCache accounts = {};
        Config c;
        uint64_t now;

        (void) sd_notify(false, "RELOADING=1");
        if (load_config(d, &c) < 0) {
                log_error("Keeping the running configuration");
                (void) sd_notify(false, "READY=1");
                return -EINVAL;
        }
        config_done(&d->config);
        d->config = c;

        /* New limits for everyone: re-read every timed session now. */
        (void) sd_event_now(d->event, CLOCK_MONOTONIC, &now);
        for (size_t i = 0; i < d->n_sessions; i++) {
                Session *s = d->sessions[i];
                int r;
                if (s->state != SESSION_WATCHING && s->state != SESSION_UNTIMED)
                        continue;
                r = session_resolve_limits(d, s, &accounts);
                status_progress(d);
                if (r < 0)
                        log_warning_errno(r, "Session %s keeps its limits: cannot look up its user's account and "
                                             "groups",
                                          s->name);
                session_set_state(s, session_timed(s) ? SESSION_WATCHING : SESSION_UNTIMED);
                session_set_deadline(s, session_timed(s) ? now : 0);
                idle_watch_update(s, now);
        }
        account_cache_done(&accounts);
        (void) unrecorded_configure(d);
        log_started(d, "Configuration reloaded");
        (void) input_check_due(d, now);
        input_check_reschedule(d);
        (void) sd_notify(false, "READY=1");
        status_notify(d);
        return 0;
}

static int on_sighup(sd_event_source *src, const struct signalfd_siginfo *si, void *userdata) {
        (void) daemon_reload(userdata);
        return 0;
}

/* After every event: whatever the handler did to the sessions' deadlines,
 * the deadline timer is at the earliest of them, and the status follows.
 * No handler has to remember it. */
static int on_post(sd_event_source *src, void *userdata) {
        Daemon *d = userdata;

        input_check_reschedule(d);
        idle_check_reschedule(d);
        status_notify(d);
        return 0;
}

static int on_exit_signal(sd_event_source *src, const struct signalfd_siginfo *si, void *userdata) {
        Daemon *d = userdata;
        (void) sd_notify(false, "STOPPING=1");
        /* Pending endings are on disk already: a restart finishes them. */
        log_info("Exiting on signal %u; sessions keep their records%s, a restart picks them up", si->ssi_signo,
                 d->n_endings > 0 ? " and endings in progress are saved" : "");
        return sd_event_exit(d->event, 0);
}

/* Each ending opens a pidfd now and then, and a thousand sessions end at
 * once when an office uplink dies: the soft limit of 1024 is not the
 * daemon's to keep. */
static void raise_fd_limit(Daemon *d) {
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                rl.rlim_cur = rl.rlim_max = 1024;
        if (rl.rlim_cur < rl.rlim_max) {
                struct rlimit want = { .rlim_cur = rl.rlim_max, .rlim_max = rl.rlim_max };
                if (setrlimit(RLIMIT_NOFILE, &want) < 0)
                        log_debug("Cannot raise the file descriptor limit to %llu: %m", (unsigned long long) rl.rlim_max);
                else
                        rl.rlim_cur = rl.rlim_max;
        }
        d->spare_fds = rl.rlim_cur / 4 < 1024 ? (size_t) (rl.rlim_cur / 4) : 1024;
}

int daemon_new(const DaemonOptions *o, Daemon **ret) {
        Daemon *d;

        d = calloc(1, sizeof(Daemon));
        if (!d)
                return log_error_errno(-ENOMEM, "Cannot start");
        d->started_at = monotonic_now();
        d->diag_fd = d->endings_fd = -1;
        config_init(&d->config);
        d->config_path = strdup(o->config_path);
        d->state_dir = strdup(o->state_dir);
        if (!d->config_path || !d->state_dir ||
            asprintf(&d->sessions_path, "%s/" SESSION_DIR_NAME, o->state_dir) < 0) {
                d->sessions_path = NULL;
                daemon_free(d);
                return log_error_errno(-ENOMEM, "Cannot start");
        }
        d->config_must_exist = o->config_must_exist;
        /* auto: a scope of their own where systemd runs the host */
        d->scopes = o->scopes >= 0 ? o->scopes > 0 : sd_booted() > 0;
        if (load_config(d, &d->config) < 0) {
                daemon_free(d);
                return -EINVAL;
        }
        *ret = d;
        return 0;
}

static int event_start(Daemon *d) {
        sigset_t mask;
        int r;

        sigemptyset(&mask);
        sigaddset(&mask, SIGHUP);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(-errno, "Cannot block the signals the loop handles");
        r = sd_event_default(&d->event);
        if (r < 0)
                return log_error_errno(r, "Cannot create the event loop");
        if ((r = sd_event_add_signal(d->event, NULL, SIGHUP, on_sighup, d)) < 0 ||
            (r = sd_event_add_signal(d->event, NULL, SIGTERM, on_exit_signal, d)) < 0 ||
            (r = sd_event_add_signal(d->event, NULL, SIGINT, on_exit_signal, d)) < 0)
                return log_error_errno(r, "Cannot handle signals");
        r = sd_event_add_post(d->event, NULL, on_post, d);
        if (r < 0)
                return log_error_errno(r, "Cannot create the event loop");
        /* WatchdogSec= in the unit: sd-event sends WATCHDOG=1 on its own
         * between events, status_progress() within long batches. */
        if (sd_event_set_watchdog(d->event, true) > 0 && sd_watchdog_enabled(false, &d->watchdog_usec) <= 0)
                d->watchdog_usec = 0;
        r = journal_queue_attach(d->event);
        if (r < 0)
                log_debug("Cannot write to the journal without waiting: %s", strerror(-r));
        return 0;
}

int daemon_start(Daemon *d) {
        int r;

        raise_fd_limit(d);
        r = proc_boot_id(NULL, d->boot_id);
        if (r < 0)
                return log_error_errno(r, "Cannot read the boot id");
        if (cgroup2_mount_find(NULL, &d->cgroup_mount) < 0) {
                d->cgroup_mount = NULL;
                log_info("No cgroup v2 file system: sessions are ended by process tree and audit session only");
        }
        r = event_start(d);
        if (r < 0)
                return r;
        d->diag_fd = tcp_diag_open();
        if (d->diag_fd < 0)
                return log_error_errno(d->diag_fd, "Cannot open a NETLINK_SOCK_DIAG socket");
        /* Endings first: a session whose record is still there is being ended. */
        r = endings_load(d);
        if (r < 0)
                return r;
        r = record_watch_start(d);
        if (r < 0)
                return r;
        /* Without it sshd-watchdogctl cannot see us; the watching goes on. */
        (void) control_listen(d);
        /* Without it ForceCommand sessions go unwatched (the helper says so); the rest goes on. */
        (void) register_listen(d);
        (void) unrecorded_configure(d);
        input_check_reschedule(d);

        log_started(d, "Started");
        d->ready = true;
        (void) sd_notify(false, "READY=1");
        status_notify(d);
        return 0;
}

int daemon_run(Daemon *d) {
        int r = sd_event_loop(d->event);
        if (r < 0 && r != -ENOENT)
                log_error_errno(r, "Event loop failed");
        return r;
}

Daemon *daemon_free(Daemon *d) {
        if (!d)
                return NULL;
        /* What the journal has not taken yet, with a bound on the wait. */
        journal_queue_detach(2 * USEC_PER_SEC);
        for (size_t i = 0; i < d->n_sessions; i++)
                session_free(d->sessions[i]);
        free(d->sessions);
        name_map_done(&d->by_name);
        deadline_queue_done(&d->deadlines);
        deadline_queue_done(&d->idle_deadlines);
        /* The queue first: no logind answer may reach a freed ending. */
        logind_queue_free(d);
        for (size_t i = 0; i < d->n_endings; i++) {
                d->endings[i]->daemon = NULL;
                ending_free(d->endings[i]);
        }
        free(d->endings);
        sd_event_source_disable_unref(d->timer);
        sd_event_source_disable_unref(d->idle_timer);
        sd_event_source_disable_unref(d->kill_timer);
        sd_event_source_disable_unref(d->status_timer);
        sd_event_source_disable_unref(d->inotify);
        control_done(d);
        register_done(d);
        unrecorded_done(d);
        sd_bus_flush_close_unref(d->bus);
        sd_event_unref(d->event);
        safe_close(d->diag_fd);
        safe_close(d->endings_fd);
        config_done(&d->config);
        free(d->config_path);
        free(d->state_dir);
        free(d->sessions_path);
        free(d->cgroup_mount);
        free(d);
        return NULL;
}
