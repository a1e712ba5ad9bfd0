/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "conf_file.h"
#include "session_record.h"
#include "tcp_input.h"

typedef enum SessionState {
        SESSION_WATCHING,    /* timed: has a socket and a deadline */
        SESSION_UNTIMED,     /* exempt, or InputTimeoutSec=0: left alone */
        SESSION_UNWATCHABLE, /* no TCP socket, or its process is gone: logged once, left alone */
        SESSION_ENDING,      /* SIGTERM sent, waiting KillGraceSec */
        SESSION_ENDED,       /* leftovers killed; waits for its record to go */
} SessionState;

typedef struct Daemon Daemon;

typedef struct Session {
        Daemon *daemon;
        char *name;               /* record file name, "<pid>-<starttime>" */
        SessionRecord rec;
        Effective eff;
        SessionState state;
        TcpInput sock;
        uint64_t deadline;        /* CLOCK_MONOTONIC usec; 0 = none */
        uint64_t silence_usec;    /* at the last reading */
        uint64_t ended_silence_usec;
        int pidfd;                /* the monitor's, from SIGTERM until the kill */
        pid_t listener_pid;       /* the monitor's parent when we ended it */
        sd_event_source *kill_timer;
        bool record_gone;         /* close_session ran while we were ending it */
        bool dry_run_reported;    /* this silence was reported once already */
        uint64_t dry_run_bytes;
} Session;

struct Daemon {
        sd_event *event;
        sd_bus *bus;              /* system bus, opened on first use */
        Config config;
        char *config_path;
        bool config_must_exist;
        char *state_dir;
        char *sessions_path;      /* <state_dir>/sessions */
        const char *proc_root;    /* NULL: /proc */
        int diag_fd;              /* NETLINK_SOCK_DIAG */
        sd_event_source *timer;   /* at the earliest deadline */
        sd_event_source *inotify;
        Session **sessions;
        size_t n_sessions;
        bool ready;
};

/* session.c */
Session *session_find(Daemon *d, const char *name);
int session_add(Daemon *d, const char *name);
int sessions_add_names(Daemon *d, char **names, size_t n);
/* The record is gone: forget the session (unless it is being ended). */
void session_remove(Daemon *d, const char *name);
/* Forget it now, whatever its state. */
void session_drop(Daemon *d, Session *s);
void session_free(Session *s);
void session_resolve_limits(Daemon *d, Session *s);

/* record_watch.c */
int record_watch_start(Daemon *d);

/* input_check.c */
void daemon_reschedule(Daemon *d);
int input_check_due(Daemon *d, uint64_t now);

/* terminate.c */
void session_end(Session *s, uint64_t now);

/* daemon status for sd_notify */
void daemon_notify_status(Daemon *d);
