/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "proc.h"
#include "session.h"
#include "session_record.h"

typedef enum EndingReason {
        ENDING_SILENT,     /* client input silent for longer than the limit */
        ENDING_SSHD_GONE,  /* sshd's monitor died without closing the session */
        ENDING_CLOSED,     /* sshd or the kernel gave up on a dead client first and closed the
                            * session: its record says so (CLOSED_*), and what it left is killed */
        ENDING_IDLE,       /* its user typed nothing on its terminals for IdleTimeoutSec, and was warned */
        _ENDING_REASON_MAX,
} EndingReason;

/* We end it ourselves: SIGTERM to its monitor, the kill after the grace. */
static inline bool ending_reason_ours(EndingReason r) {
        return r == ENDING_SILENT || r == ENDING_IDLE;
}
/* "silent", "sshd-gone", "closed", "idle": as the endings on disk say it. */
const char *ending_reason_to_string(EndingReason r);

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
        uint64_t idle_usec, idle_timeout_usec; /* ENDING_IDLE: the idle time then, and its limit */
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

/* <state_dir>/endings, opened (and checked) once and kept: a thousand
 * endings at once would open it a thousand times. A borrowed fd, or a
 * negative errno (logged). (The sessions directory is never kept open: its
 * inotify watch must see it go.) */
int endings_dir(Daemon *d);
