/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "account.h"
#include "clock.h"
#include "conf_file.h"
#include "deadline_queue.h"
#include "name_map.h"
#include "proc.h"
#include "session_record.h"
#include "tcp_input.h"

typedef enum SessionState {
        SESSION_PENDING,     /* its record, limits or socket could not be had for a reason that may pass: retried */
        SESSION_WATCHING,    /* timed: has a socket and a deadline */
        SESSION_UNTIMED,     /* exempt, or InputTimeoutSec=0: left alone */
        SESSION_UNWATCHABLE, /* no TCP socket, a bad record: logged once, left alone */
        SESSION_CLOSING,     /* its connection is gone and sshd is closing it: looked at again later */
        SESSION_ENDING,      /* handed to an Ending */
        _SESSION_STATE_MAX,
} SessionState;

typedef struct Daemon Daemon;

typedef struct Session {
        Daemon *daemon;
        char *name;               /* record file name, "<pid>-<starttime>" */
        SessionRecord rec;
        bool has_record;          /* rec was read */
        bool has_limits;          /* eff was resolved */
        char *account;            /* the account's own name, for [User:] and ExemptUsers */
        Effective eff;
        SessionState state;       /* set with session_set_state() */
        TcpInput sock;
        uint64_t deadline;        /* CLOCK_MONOTONIC usec: next look (input, retry, closing); 0 = none;
                                   * set with session_set_deadline() */
        QueueEntry due;           /* in Daemon.deadlines while it has a deadline */
        size_t slot;              /* its index in Daemon.sessions */
        uint64_t silence_usec;    /* at the last reading */
        uint64_t read_at;         /* CLOCK_MONOTONIC of that reading, as the clock says (not the loop's "now") */
        unsigned failures;        /* transient failures in a row, for the backoff */
        char *why;                /* why it is not watched (UNWATCHABLE), or what is retried (PENDING) */
        bool trouble_logged;      /* the first of them was logged */
        bool dry_run_reported;    /* this silence was reported once already */
        sd_event_source *monitor_exit; /* registered sessions: a pidfd of the monitor, for its exit */
        int connection;           /* registered sessions: our own descriptor of the monitor's connection,
                                   * to read how it ended when the monitor exits; -1: none */
        uint64_t dry_run_bytes;
} Session;

typedef enum EndingReason {
        ENDING_SILENT,     /* client input silent for longer than the limit */
        ENDING_SSHD_GONE,  /* sshd's monitor died without closing the session */
        ENDING_CLOSED,     /* sshd or the kernel gave up on a dead client first and closed the
                            * session: its record says so (CLOSED_*), and what it left is killed */
} EndingReason;

/* A session being ended: from the SIGTERM to sshd's monitor until what it
 * left is killed. It outlives the session's record (sshd removes it within
 * milliseconds) and the daemon (it is persisted in the state directory). */
typedef struct Ending {
        Daemon *daemon;
        char *name;               /* the record's name */
        SessionRecord rec;
        EndingReason reason;
        uint64_t kill_at;         /* CLOCK_MONOTONIC usec */
        uint64_t kill_due;        /* kill_at as first set: the SIGTERM plus the grace */
        uint64_t first_sweep;     /* when its first SIGKILL sweep began; 0: not yet */
        uint64_t silence_usec, timeout_usec, grace_usec;
        uint64_t bytes_received;
        ProcRef term_parent;      /* the monitor's parent when it was sent SIGTERM; pid 0: none */
        ProcRef *tree;            /* the monitor's process tree then */
        size_t n_tree;
        bool term_pending;        /* SIGTERM could not be sent yet: retried until kill_at */
        /* the kill, once due */
        unsigned rounds;
        unsigned killed_tree, killed_audit, killed_cgroup;
        int logind_procs;         /* what logind's scope held when it was asked; -1: not asked */
        bool logind_pending;      /* asked, no answer yet */
        bool logind_failed;       /* logind said no: the other ways, next round */
        bool cgroup_failed;       /* cgroup.kill could not be written */
        bool monitor_killed;      /* the monitor itself got SIGKILL: close_session never runs */
        char *notes;              /* what was not done and why, for the final entry */
} Ending;

typedef struct LogindQueue LogindQueue;

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
        sd_event_source *registry; /* <state_dir>/register.sock, for sshd-watchdog-exec */
        sd_event_source *registry_resume; /* accepting again, after a pause for REGISTER_ACCEPT_PER_SEC */
        struct RegisterBudget *register_budget; /* what users can make us do through it */
        struct UnrecordedScan *unrecorded; /* connections of sshd's with no record; NULL: not looked for */
        bool scopes;              /* systemd runs: registered sessions get a scope of their own */
        bool scope_pids_only;     /* systemd takes no PIDFDs= (before 253): scopes are started by PID */
        uint64_t started_at;      /* CLOCK_MONOTONIC */
        uint64_t ended_total;     /* sessions ended since the start */
        uint64_t closed_dead_total; /* of them, closed by sshd or the kernel when the client died */
        Session **sessions;       /* in no particular order */
        size_t n_sessions;
        NameMap by_name;          /* record name -> Session */
        DeadlineQueue deadlines;  /* sessions by deadline, for the timer */
        size_t n_state[_SESSION_STATE_MAX]; /* sessions in each state, for the status */
        Ending **endings;
        size_t n_endings;
        bool ready;
};


/* The delay before the next try after `failures` transient failures in a
 * row: 100 ms doubling to 5 s, so that errors that pass are retried soon
 * and errors that last cost little. */
uint64_t retry_delay_usec(unsigned failures);

/* <state_dir>/endings, opened (and checked) once and kept: a thousand
 * endings at once would open it a thousand times. A borrowed fd, or a
 * negative errno (logged). (The sessions directory is never kept open: its
 * inotify watch must see it go.) */
int daemon_endings_dir(Daemon *d);

/* logind.c: the system bus, opened on first use and again after it
 * closed, attached to the loop. */
int daemon_bus_ready(Daemon *d);

/* session.c */
Session *session_find(Daemon *d, const char *name);
int session_add(Daemon *d, const char *name);
int sessions_add_names(Daemon *d, char **names, size_t n);
/* The record was written anew under its name: read it again. */
int session_replaced(Daemon *d, const char *name);
/* The record is gone: forget the session. */
void session_remove(Daemon *d, const char *name);
void session_drop(Daemon *d, Session *s);
void session_free(Session *s);
/* Resolves the limits again (reload); <0 when the user's groups cannot be read now. */
int session_resolve_limits(Daemon *d, Session *s, AccountCache *cache);
/* Tries again what failed transiently for PENDING sessions that are due. */
void sessions_retry_due(Daemon *d, uint64_t now);
/* A transient failure: look again after the backoff; logged once. */
void session_trouble(Session *s, uint64_t now, const char *what, int error);
void session_unwatchable(Session *s, const char *why);
bool session_timed(const Session *s);
/* The only ways to change a session's state and deadline: they keep the
 * deadline queue and the state counts true. */
void session_set_state(Session *s, SessionState state);
void session_set_deadline(Session *s, uint64_t deadline);
/* Sessions whose deadline is at most `until`, into a new array (NULL, 0
 * when none or out of memory). */
Session **sessions_due(Daemon *d, uint64_t until, size_t *ret_n);

/* record_watch.c */
int record_watch_start(Daemon *d);

/* input_check.c */
void daemon_reschedule(Daemon *d);
int input_check_due(Daemon *d, uint64_t now);

/* status.c: STATUS= for the service manager, at most once a second. */
void daemon_notify_status(Daemon *d);
/* Within a long batch (thousands of sessions at start or reload, each
 * maybe an NSS round trip): WATCHDOG=1 when a quarter of WatchdogSec has
 * passed since the last, so that the service manager's watchdog sees work
 * going on, not a hang. Cheap enough to call per session. */
void daemon_progress(Daemon *d);

/* ending.c */
/* Ends these sessions (silent, or whose sshd is gone): journal, the
 * monitor's process tree, persisted, SIGTERM; the kill KillGraceSec later. */
void endings_begin(Daemon *d, Session **sessions, size_t n, uint64_t now);
/* Pending endings from the state directory, at start. */
int endings_load(Daemon *d);
Ending *ending_find(Daemon *d, const char *name);
void endings_reschedule(Daemon *d);
/* The kill is over: the final entry, the persisted file and the record go. */
void ending_finish(Ending *e);
void ending_free(Ending *e);
void ending_note(Ending *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* leftovers.c */
/* Kills what these endings left, proving first what each way would kill. */
void leftovers_kill(Daemon *d, Ending **endings, size_t n);
