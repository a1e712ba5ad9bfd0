/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "conf_file.h"
#include "deadline_queue.h"
#include "name_map.h"
#include "proc.h"
#include "session.h"

typedef struct Ending Ending;
typedef struct LogindQueue LogindQueue;

/* What main() hands the daemon from the command line. */
typedef struct DaemonOptions {
        const char *config_path;
        bool config_must_exist;  /* named with --config: its absence is an error */
        const char *state_dir;
        int scopes;              /* --transient-scopes: -1 auto, 0 no, 1 yes */
} DaemonOptions;

/* The daemon: its configuration, its event loop and everything on it, the
 * session table and the endings in flight. One per process. */
struct Daemon {
        sd_event *event;
        sd_bus *bus;              /* system bus, opened on first use, again after it closes */
        LogindQueue *logind;
        Config config;
        char *config_path;
        bool config_must_exist;
        char *state_dir;
        char *sessions_path;      /* <state_dir>/sessions */
        const char *proc_root;    /* NULL: /proc */
        char *cgroup_mount;       /* the cgroup v2 mount; NULL: none */
        char boot_id[BOOT_ID_LENGTH + 1];
        int diag_fd;              /* NETLINK_SOCK_DIAG */
        int endings_fd;           /* <state_dir>/endings, once opened; -1 */
        size_t spare_fds;         /* how many fds a batch may keep open for a moment: a quarter of the limit */
        sd_event_source *timer;   /* at the earliest session deadline */
        sd_event_source *kill_timer; /* at the earliest ending's kill time */
        sd_event_source *inotify;
        sd_event_source *status_timer; /* the next STATUS= update */
        uint64_t status_sent;     /* CLOCK_MONOTONIC of the last one */
        uint64_t watchdog_usec;   /* WatchdogSec=, 0: none */
        uint64_t progress_sent;   /* CLOCK_MONOTONIC of our last WATCHDOG=1 */
        sd_event_source *control; /* <state_dir>/control.sock, for sshd-watchdogctl */
        struct ControlClient *control_clients; /* connected to it, being answered */
        unsigned n_control_clients;
        sd_event_source *registry; /* <state_dir>/register.sock, for sshd-watchdog-exec */
        sd_event_source *registry_resume; /* accepting again, after a pause for REGISTER_ACCEPT_PER_SEC */
        struct Registration *registrations; /* connected to it, being registered */
        unsigned n_registrations;
        struct RegisterBudget *register_budget; /* what users can make us do through it */
        struct UnrecordedScan *unrecorded; /* connections of sshd's with no record; NULL: not looked for */
        size_t n_unrecorded;      /* of them, reported (seen by two looks in a row) */
        bool scopes;              /* systemd runs: registered sessions get a scope of their own */
        bool scope_pids_only;     /* systemd takes no PIDFDs= (before 253): scopes are started by PID */
        uint64_t started_at;      /* CLOCK_MONOTONIC */
        uint64_t ended_total;     /* sessions ended since the start */
        uint64_t closed_dead_total; /* of them, closed by sshd or the kernel when the client died */
        uint64_t idle_ended_total;  /* of them, ended by the idle-user policy */
        uint64_t idle_warned_total; /* idle warnings given */
        Session **sessions;       /* in no particular order */
        size_t n_sessions;
        NameMap by_name;          /* record name -> Session */
        DeadlineQueue deadlines;  /* sessions by deadline, for the timer */
        DeadlineQueue idle_deadlines; /* sessions by their next idle look (IdleWatch) */
        sd_event_source *idle_timer; /* at the earliest of them; NULL while the policy is off */
        size_t n_state[_SESSION_STATE_MAX]; /* sessions in each state, for the status */
        Ending **endings;
        size_t n_endings;
        bool ready;
};

/* Loads the configuration (logged when bad). Nothing is watched yet. */
int daemon_new(const DaemonOptions *o, Daemon **ret);
/* The event loop, the signals, the sessions and endings on disk, the
 * sockets; then READY=1. */
int daemon_start(Daemon *d);
/* Until SIGTERM or SIGINT. */
int daemon_run(Daemon *d);
/* The configuration read again (SIGHUP): new limits for every session. A
 * bad file keeps the running configuration. */
int daemon_reload(Daemon *d);
Daemon *daemon_free(Daemon *d);
