/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Ending a session, in the order of docs/design.md, section 5: the journal entry
 * first; then SIGTERM to sshd's monitor, which closes the session the way
 * sshd does (close_session, SIGHUP to the shell, a wtmp logout); then,
 * KillGraceSec later, SIGKILL for whatever the session left behind. Never
 * SIGKILL the monitor first: its child would live on without close_session.
 *
 * Before the SIGTERM, the monitor's process tree is taken (once it exits,
 * nothing else ties its children to the session) and the ending is written
 * to the state directory: a daemon restarted in the grace still kills. No
 * file descriptor is held across the grace. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "clock.h"
#include "daemon.h"
#include "deadline.h"
#include "ending.h"
#include "idle_time.h"
#include "ending_store.h"
#include "event_timer.h"
#include "kill_plan.h"
#include "kill_round.h"
#include "log.h"
#include "logind.h"
#include "macro.h"
#include "process_kill.h"
#include "process_tree.h"
#include "session_fields.h"
#include "time_span.h"
#include "verdict.h"

/* Endings due within this much of each other share one kill pass... */
#define KILL_BATCH_WINDOW_USEC (50 * USEC_PER_MSEC)
/* ...of at most this many: the loop gets back to deadlines in between, and a
 * SIGTERM promised within a second does not wait behind a thousand kills. */
#define KILL_BATCH_MAX 64
/* How soon a SIGTERM that failed for a reason that may pass is tried again. */
#define TERM_RETRY_USEC (100 * USEC_PER_MSEC)
/* logind answers in milliseconds; when a thousand sessions close at once it
 * may take seconds, and the leftovers must not wait for it. */
#define LOGIND_PATIENCE_USEC (250 * USEC_PER_MSEC)

int endings_dir(Daemon *d) {
        if (d->endings_fd >= 0)
                return d->endings_fd;
        d->endings_fd = state_subdir_open(d->state_dir, ENDING_DIR_NAME, true);
        if (d->endings_fd < 0) {
                int r = log_error_errno(d->endings_fd, "Cannot open %s/" ENDING_DIR_NAME, d->state_dir);
                d->endings_fd = -1;
                return r;
        }
        return d->endings_fd;
}


static const char *closed_by_whom(ConnectionEndBy by) {
        return by == CONNECTION_END_KERNEL ? "the kernel (retransmissions timed out, or a reset)" : "sshd";
}

Ending *ending_find(Daemon *d, const char *name) {
        for (size_t i = 0; i < d->n_endings; i++)
                if (strcmp(d->endings[i]->name, name) == 0)
                        return d->endings[i];
        return NULL;
}

void ending_free(Ending *e) {
        if (!e)
                return;
        if (e->daemon)
                logind_cancel(e->daemon, e);
        session_record_done(&e->rec);
        free(e->name);
        free(e->tree);
        free(e->notes);
        free(e);
}

static int ending_add(Daemon *d, Ending *e) {
        Ending **p = reallocarray(d->endings, d->n_endings + 1, sizeof(Ending *));
        if (!p)
                return -ENOMEM;
        d->endings = p;
        d->endings[d->n_endings++] = e;
        return 0;
}

static void ending_forget(Daemon *d, Ending *e) {
        for (size_t i = 0; i < d->n_endings; i++)
                if (d->endings[i] == e) {
                        memmove(d->endings + i, d->endings + i + 1, (d->n_endings - i - 1) * sizeof(Ending *));
                        d->n_endings--;
                        return;
                }
}

/* SIGTERM through pidfd (the monitor's, checked when it was opened), or
 * through a new one checked now when pidfd is -1. */
static void send_term(Ending *e, int pidfd) {
        Daemon *d = e->daemon;
        int r;

        if (pidfd >= 0)
                r = syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0) >= 0 ? 1 : errno == ESRCH ? 0 : -errno;
        else
                r = process_signal_checked(d->proc_root, e->rec.sshd_pid, e->rec.sshd_starttime, SIGTERM);

        /* 0: it exited meanwhile (or is protected): nothing to close. */
        e->term_pending = r < 0;
        if (r < 0)
                log_warning_errno(r, "Cannot send SIGTERM to sshd PID %d yet; trying again", (int) e->rec.sshd_pid);
}

static Ending *ending_new(Daemon *d, Session *s, EndingReason reason, uint64_t now) {
        Ending *e = calloc(1, sizeof(Ending));

        if (!e)
                return NULL;
        e->daemon = d;
        e->reason = reason;
        e->logind_procs = -1;
        e->name = strdup(s->name);
        if (!e->name || session_record_copy(&s->rec, &e->rec) < 0) {
                ending_free(e);
                return NULL;
        }
        /* The account's own name in the entries, whatever was typed. */
        if (s->account && strcmp(s->account, e->rec.user) != 0) {
                char *u = strdup(s->account);
                if (u) {
                        free(e->rec.user);
                        e->rec.user = u;
                }
        }
        /* The silence now, not when it was read: this entry comes right
         * before the SIGTERM, and a big batch takes time. */
        uint64_t t = monotonic_now();
        e->silence_usec = s->silence_usec + (s->read_at > 0 && t > s->read_at ? t - s->read_at : 0);
        e->timeout_usec = s->eff.input_timeout_usec;
        e->grace_usec = s->eff.kill_grace_usec;
        e->bytes_received = s->sock.bytes_received;
        if (reason == ENDING_CLOSED)
                e->silence_usec = e->rec.closed_silence_usec;
        if (reason == ENDING_IDLE && s->idle) {
                e->idle_usec = idle_usec(s->idle->active, now);
                e->idle_timeout_usec = s->eff.idle_timeout_usec;
        }
        e->kill_at = e->kill_due = kill_plan_first(reason, now, e->grace_usec, e->rec.closed_usec, realtime_now());
        return e;
}

static void report_dry_run(Session *s, EndingReason reason) {
        _cleanup_(fields_free) Fields f = {};

        session_fields(s, &f);
        if (reason == ENDING_CLOSED)
                log_struct(LOG_NOTICE, MESSAGE_ID_SESSION_DRY_RUN, f.v,
                           "Dry run: would kill what is left of %s: %s closed it when its client had been silent "
                           "for %s",
                           f.label, closed_by_whom(s->rec.closed_by), f.silence);
        else if (reason == ENDING_SSHD_GONE)
                log_struct(LOG_NOTICE, MESSAGE_ID_SESSION_DRY_RUN, f.v,
                           "Dry run: would kill what is left of %s: its sshd exited without closing the session",
                           f.label);
        else
                log_struct(LOG_NOTICE, MESSAGE_ID_SESSION_DRY_RUN, f.v,
                           "Dry run: would end %s: no input for %s (limit %s)", f.label, f.silence, f.timeout);
}

/* A session that is over without us, and will not be ended (exempt,
 * untimed, a dry run): its record is of no use any more. */
static void drop_over(Daemon *d, Session *s, EndingReason reason) {
        _cleanup_close_ int dir_fd = session_dir_open(d->state_dir, false);

        if (!s->eff.dry_run) {
                const char *why = s->eff.exempt ? "exempt" : "InputTimeoutSec=0";
                if (reason == ENDING_CLOSED)
                        log_info("Session %s was closed by %s after its client went silent; not killing what it "
                                 "left (%s), removing its record",
                                 s->name, closed_by_whom(s->rec.closed_by), why);
                else
                        log_info("sshd PID %d of session %s exited without closing it; not ending it (%s), "
                                 "removing its record",
                                 (int) s->rec.sshd_pid, s->name, why);
        }
        if (dir_fd >= 0)
                (void) unlinkat(dir_fd, s->name, 0);
        session_drop(d, s);
}

/* sshd found gone: close_session may have marked the record closed a
 * moment ago, before we heard of it. */
static void closed_meanwhile(Daemon *d, Session *s) {
        _cleanup_(session_record_done) SessionRecord rec = SESSION_RECORD_NULL;
        _cleanup_close_ int dir_fd = session_dir_open(d->state_dir, false);

        if (dir_fd >= 0 && session_record_read(dir_fd, s->name, &rec) == 0 && rec.closed_usec != 0) {
                session_record_done(&s->rec);
                s->rec = rec;
                rec = SESSION_RECORD_NULL;
        }
}

/* One session of a batch being ended, from the look at its monitor to
 * the SIGTERM. */
typedef struct EndingStart {
        Session *s;
        EndingReason reason;
        ProcessTree tree;       /* the monitor's, taken before the SIGTERM */
        ProcRef parent;         /* the monitor's parent then */
        int pidfd;              /* the monitor's, kept for the SIGTERM; -1: none */
} EndingStart;

/* Is the session's monitor alive? If so its stat and parent are kept, and
 * its pidfd when keep_pidfd. 1 alive, 0 gone, <0 a failure that may pass
 * (EMFILE, ENOMEM): not "gone". */
static int monitor_look(Daemon *d, EndingStart *b, bool keep_pidfd) {
        Session *s = b->s;
        ProcStat st, pst;
        int fd = pidfd_open_checked(d->proc_root, s->rec.sshd_pid, s->rec.sshd_starttime, &st);

        if (fd == -ESRCH) {
                if (!s->rec.registered && s->rec.closed_usec == 0)
                        closed_meanwhile(d, s);
                return 0;
        }
        if (fd < 0)
                return fd;
        b->tree.root = session_monitor(s);
        b->tree.root_stat = st;
        b->tree.has_root_stat = true;
        if (st.ppid > 1 && proc_stat_read(d->proc_root, st.ppid, &pst) == 0)
                b->parent = (ProcRef) { .pid = st.ppid, .starttime = pst.starttime };
        if (keep_pidfd)
                b->pidfd = fd;
        else
                safe_close(fd);
        return 1;
}

/* The verdicts that make no Ending. */
static void carry_out(Daemon *d, Session *s, Verdict v, EndingReason reason, uint64_t now) {
        switch (v) {
        case VERDICT_REGISTERED_CLOSED:
                session_logged_out(d, s);
                break;
        case VERDICT_DROP:
                if (s->eff.dry_run)
                        report_dry_run(s, reason);
                drop_over(d, s, reason);
                break;
        case VERDICT_DRY_RUN:
                report_dry_run(s, reason);
                /* Look again a timeout later; quiet unless input moved. */
                s->dry_run_reported = true;
                s->dry_run_bytes = s->sock.bytes_received;
                session_set_deadline(s, now + s->eff.input_timeout_usec);
                break;
        default:
                break;
        }
}

static void log_ending_begun(const Ending *e, uint64_t now) {
        _cleanup_(fields_free) Fields f = {};
        char grace[TIME_SPAN_MAX];

        ending_fields(e, NULL, &f);
        switch (e->reason) {
        case ENDING_SILENT:
                log_struct(LOG_NOTICE, MESSAGE_ID_SESSION_ENDED, f.v, "Ended %s: no input for %s (limit %s)", f.label,
                           f.silence, f.timeout);
                break;
        case ENDING_CLOSED:
                fields_add(&f, "CLOSED_BY=%s", connection_end_by_to_string(e->rec.closed_by));
                log_struct(LOG_NOTICE, MESSAGE_ID_SESSION_CLOSED_DEAD, f.v,
                           "%s was closed by %s after %s without input from its client, which answered nothing; "
                           "killing what it left %s%s",
                           f.label, closed_by_whom(e->rec.closed_by), f.silence, e->kill_at > now ? "in " : "",
                           e->kill_at > now ? time_span_format(grace, e->kill_at - now, USEC_PER_MSEC) : "now");
                break;
        case ENDING_SSHD_GONE:
                log_struct(LOG_NOTICE, MESSAGE_ID_SESSION_ENDED, f.v,
                           "Ending %s: its sshd (PID %d) exited without closing the session", f.label,
                           (int) e->rec.sshd_pid);
                break;
        case ENDING_IDLE: {
                char idle[TIME_SPAN_MAX], limit[TIME_SPAN_MAX];
                fields_add(&f, "IDLE_USEC=%" PRIu64, e->idle_usec);
                fields_add(&f, "IDLE_TIMEOUT_USEC=%" PRIu64, e->idle_timeout_usec);
                log_struct(LOG_NOTICE, MESSAGE_ID_SESSION_IDLE_ENDED, f.v,
                           "Ended %s: its user typed nothing for %s (IdleTimeoutSec %s); its client was alive",
                           f.label, time_span_format(idle, e->idle_usec, USEC_PER_SEC),
                           time_span_format(limit, e->idle_timeout_usec, 0));
                break;
        }
        case _ENDING_REASON_MAX:
                break;
        }
}

/* The Ending of a session: made, in the table, said in the journal and
 * written to disk, all before its SIGTERM. */
static Ending *ending_start(Daemon *d, EndingStart *b, int dir_fd, uint64_t now) {
        Session *s = b->s;
        Ending *e = ending_new(d, s, b->reason, now);
        int r;

        if (!e || ending_add(d, e) < 0) {
                ending_free(e);
                session_trouble(s, now, "cannot end it", -ENOMEM);
                return NULL;
        }
        e->tree = TAKE_PTR(b->tree.procs);
        e->n_tree = b->tree.n_procs;
        e->term_parent = b->parent;
        d->ended_total++;
        if (e->reason == ENDING_CLOSED)
                d->closed_dead_total++;
        if (e->reason == ENDING_IDLE)
                d->idle_ended_total++;
        log_ending_begun(e, now);
        if (dir_fd >= 0 && (r = ending_store_write(dir_fd, e, d->boot_id)) < 0)
                log_error_errno(r, "Cannot write the pending ending of %s; a restart before its kill would miss it",
                                e->name);
        session_set_state(s, SESSION_ENDING);
        session_set_deadline(s, 0);
        return e;
}

void endings_begin(Daemon *d, Session **sessions, size_t n, uint64_t now) {
        _cleanup_free_ EndingStart *v = calloc(n ?: 1, sizeof(EndingStart));
        _cleanup_free_ ProcessTree **trees = calloc(n ?: 1, sizeof(ProcessTree *));
        size_t k = 0, kept_fds = 0;
        int dir_fd, r;

        if (!v || !trees) {
                for (size_t i = 0; i < n; i++)
                        session_trouble(sessions[i], now, "cannot end it", -ENOMEM);
                return;
        }

        /* The facts, the verdict; v[] keeps the ones to end. Pidfds are
         * kept for the SIGTERM, up to d->spare_fds, not past this batch. */
        for (size_t i = 0; i < n; i++) {
                EndingStart *b = &v[k];
                Verdict verdict;

                *b = (EndingStart) { .s = sessions[i], .pidfd = -1 };
                r = monitor_look(d, b, kept_fds < d->spare_fds);
                if (r < 0) {
                        session_trouble(b->s, now, "cannot open its sshd's process", r);
                        continue;
                }
                verdict = verdict_to_end(b->s, r > 0, &b->reason);
                if (!ending_reason_ours(b->reason))
                        b->pidfd = safe_close(b->pidfd); /* nothing to send SIGTERM to */
                if (verdict != VERDICT_END) {
                        b->pidfd = safe_close(b->pidfd);
                        carry_out(d, b->s, verdict, b->reason, now);
                        continue;
                }
                kept_fds += b->pidfd >= 0;
                trees[k++] = &b->tree;
        }

        /* Each monitor's own processes. */
        r = process_tree_snapshot(d->proc_root, trees, k);
        if (r < 0)
                log_warning_errno(r, "Cannot take the process trees of %zu ending sessions; their scopes, cgroups or "
                                     "audit sessions are still killed",
                                  k);

        dir_fd = endings_dir(d);
        _cleanup_free_ Ending **made = calloc(k ?: 1, sizeof(Ending *));
        for (size_t i = 0; i < k; i++) {
                if (made)
                        made[i] = ending_start(d, &v[i], dir_fd, now);
                else
                        session_trouble(v[i].s, now, "cannot end it", -ENOMEM);
                free(v[i].tree.procs);
        }

        /* Every entry written and every ending on disk: now the signals. */
        for (size_t i = 0; i < k; i++) {
                if (made && made[i] && ending_reason_ours(made[i]->reason))
                        send_term(made[i], v[i].pidfd);
                safe_close(v[i].pidfd);
        }
        endings_reschedule(d);
}

/* Sessions we sent SIGTERM whose close sshd has not finished: their
 * records are still there, and their grace is not over. */
static size_t closes_in_progress(Daemon *d, uint64_t now) {
        size_t n = 0;

        for (size_t i = 0; i < d->n_endings; i++) {
                Ending *e = d->endings[i];
                if (ending_reason_ours(e->reason) && e->kill_at > now && e->rounds == 0 && session_find(d, e->name))
                        n++;
        }
        return n;
}

/* Next round at once, without logind: the ending's scope is killed by us. */
static void without_logind(Daemon *d, Ending *e) {
        uint64_t now;

        e->logind_pending = false;
        e->logind_procs = -1;
        e->logind_failed = true;
        (void) sd_event_now(d->event, CLOCK_MONOTONIC, &now);
        e->kill_at = now;
        endings_reschedule(d);
}

static void on_logind(Daemon *d, void *userdata, int r, const char *error_name, const char *error_message) {
        Ending *e = userdata;

        e->logind_pending = false;
        if (r == -ENOENT)
                e->logind_procs = 0; /* its last process went meanwhile */
        if (r >= 0 || r == -ENOENT) {
                ending_finish(e);
                return;
        }
        log_warning("logind KillSession(%s) for %s failed: %s; killing what is left in its scope by PID",
                    e->rec.session_id, e->name, error_message ?: error_name ?: strerror(-r));
        ending_note(e, "logind KillSession failed (%s)", error_name ?: strerror(-r));
        without_logind(d, e);
}

static void ask_logind(Daemon *d, Ending *e, uint64_t now) {
        int r = logind_kill_session(d, e->rec.session_id, on_logind, e);

        if (r < 0) {
                ending_note(e, "cannot ask logind (%s)", strerror(-r));
                without_logind(d, e);
                return;
        }
        e->logind_pending = true;
        e->kill_at = now + LOGIND_PATIENCE_USEC;
}

/* Asked, and no answer within LOGIND_PATIENCE_USEC: this round kills what
 * is left in its scope by PID. */
static void logind_too_slow(Daemon *d, Ending *e) {
        log_info("%s: logind has not answered in 250ms; killing what is left in its scope by PID", e->name);
        ending_note(e, "logind did not answer in time");
        logind_cancel(d, e);
        e->logind_pending = false;
        e->logind_procs = -1;
        e->logind_failed = true;
}

/* One kill round for the endings that are due, and what each outcome says. */
static void endings_kill(Daemon *d, Ending **due, size_t n, uint64_t now) {
        _cleanup_free_ KillOutcome *outcomes = calloc(n, sizeof(KillOutcome));

        if (!outcomes) {
                log_error_errno(-ENOMEM, "Cannot kill leftovers now; trying again");
                for (size_t i = 0; i < n; i++)
                        due[i]->kill_at = now + TERM_RETRY_USEC;
                return;
        }
        for (size_t i = 0; i < n; i++)
                if (due[i]->logind_pending)
                        logind_too_slow(d, due[i]);
        kill_round(d, due, n, outcomes);
        for (size_t i = 0; i < n; i++)
                switch (outcomes[i]) {
                case KILL_DONE:
                        ending_finish(due[i]);
                        break;
                case KILL_ASK_LOGIND:
                        ask_logind(d, due[i], now);
                        break;
                case KILL_AGAIN:
                        break;
                }
}

static int on_kill_timer(sd_event_source *src, uint64_t usec, void *userdata) {
        Daemon *d = userdata;
        _cleanup_free_ Ending **due = calloc(d->n_endings ?: 1, sizeof(Ending *));
        size_t n = 0;
        uint64_t now;
        bool closing;

        (void) sd_event_now(d->event, CLOCK_MONOTONIC, &now);
        if (!due) {
                log_error_errno(-ENOMEM, "Cannot kill leftovers now; trying again");
                (void) event_timer_arm(d->event, &d->kill_timer, now + TERM_RETRY_USEC, USEC_PER_MSEC, on_kill_timer, d);
                return 0;
        }
        closing = closes_in_progress(d, now) > 0;
        for (size_t i = 0; i < d->n_endings; i++) {
                Ending *e = d->endings[i];
                if (e->term_pending && e->kill_at > now)
                        send_term(e, -1);
                /* Endings waiting for logind are due once its patience is out. */
                if (n >= KILL_BATCH_MAX || e->kill_at > now + (e->logind_pending ? 0 : KILL_BATCH_WINDOW_USEC))
                        continue;
                uint64_t later = kill_plan_defer(now, e->kill_due, e->rounds, e->logind_pending, closing);
                if (later != 0) {
                        e->kill_at = later;
                        continue;
                }
                due[n++] = e;
        }
        if (n > 0)
                endings_kill(d, due, n, now);
        endings_reschedule(d);
        return 0;
}

void endings_reschedule(Daemon *d) {
        uint64_t t = 0, now;
        int r;

        (void) sd_event_now(d->event, CLOCK_MONOTONIC, &now);
        for (size_t i = 0; i < d->n_endings; i++) {
                Ending *e = d->endings[i];
                t = deadline_min(t, e->kill_at ?: 1);
                if (e->term_pending)
                        t = deadline_min(t, now + TERM_RETRY_USEC);
        }
        r = event_timer_arm(d->event, &d->kill_timer, t, USEC_PER_MSEC, on_kill_timer, d);
        if (r < 0)
                log_error_errno(r, "Cannot arm the kill timer");
}

/* "3 of its process tree, 2 through logind": what really happened. */
static void describe_kills(const Ending *e, char *buf, size_t size) {
        const struct {
                unsigned n;
                const char *how;
        } parts[] = {
                { e->killed_tree, "of its process tree" },
                { e->killed_audit, "of its audit session" },
                { e->killed_cgroup, "in its cgroup" },
                { e->logind_procs > 0 ? (unsigned) e->logind_procs : 0, "through logind" },
        };
        size_t len = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(parts) && len < size; i++)
                if (parts[i].n > 0)
                        len += (size_t) snprintf(buf + len, size - len, "%s%u %s", len ? ", " : "", parts[i].n,
                                                 parts[i].how);
}

void ending_finish(Ending *e) {
        Daemon *d = e->daemon;
        _cleanup_(fields_free) Fields f = {};
        _cleanup_close_ int sessions_fd = -1;
        char killed[32], parts[256];
        int dir_fd;
        unsigned total = e->killed_tree + e->killed_audit + e->killed_cgroup +
                         (e->logind_procs > 0 ? (unsigned) e->logind_procs : 0);

        describe_kills(e, parts, sizeof(parts));
        snprintf(killed, sizeof(killed), "KILLED_PIDS=%u", total);
        ending_fields(e, killed, &f);
        /* How late the daemon was with its SIGKILLs, by its own clock: what
         * the kernel takes to tear the processes down is not in it. */
        if (e->first_sweep > 0)
                fields_add(&f, "KILL_DELAY_USEC=%" PRIu64,
                           e->first_sweep > e->kill_due ? e->first_sweep - e->kill_due : 0);
        if (total > 0)
                log_struct(LOG_INFO, NULL, f.v, "Killed %u leftover process%s of %s: %s%s%s", total,
                           total == 1 ? "" : "es", f.label, parts, e->notes ? "; " : "", e->notes ?: "");
        else
                log_struct(LOG_INFO, NULL, f.v, "Nothing of %s was left to kill%s%s", f.label,
                           e->notes ? "; " : "", e->notes ?: "");

        dir_fd = endings_dir(d);
        if (dir_fd >= 0)
                (void) ending_store_remove(dir_fd, e->name);

        /* sshd never ran close_session (it crashed, or had not closed within
         * the grace and was killed: then it may not be quite dead yet): the
         * record would stay forever. One that close_session marked closed
         * was left for us. */
        if (e->reason == ENDING_CLOSED || e->monitor_killed ||
            session_record_check_process(d->proc_root, &e->rec) == -ESRCH) {
                sessions_fd = session_dir_open(d->state_dir, false);
                if (sessions_fd >= 0 && unlinkat(sessions_fd, e->name, 0) >= 0)
                        log_debug("Removed the record of %s, whose sshd is gone", e->name);
        }
        ending_forget(d, e);
        ending_free(e);
}

int endings_load(Daemon *d) {
        _cleanup_closedir_ DIR *dir = NULL;
        struct dirent *de;
        int fd, r;

        r = endings_dir(d);
        if (r < 0)
                return r;
        /* A descriptor of its own for the listing: the kept one stays open. */
        fd = openat(r, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(negative_errno(), "Cannot read %s/" ENDING_DIR_NAME, d->state_dir);
        dir = fdopendir(fd);
        if (!dir) {
                r = negative_errno();
                safe_close(fd);
                return log_error_errno(r, "Cannot read %s/" ENDING_DIR_NAME, d->state_dir);
        }
        while ((errno = 0, de = readdir(dir))) {
                char boot_id[BOOT_ID_LENGTH + 1];
                pid_t pid;
                uint64_t st;
                Ending *e;

                if (session_record_parse_name(de->d_name, &pid, &st) < 0)
                        continue;
                e = calloc(1, sizeof(Ending));
                if (!e || !(e->name = strdup(de->d_name))) {
                        free(e);
                        return log_error_errno(-ENOMEM, "Cannot load pending endings");
                }
                e->rec = SESSION_RECORD_NULL;
                e->logind_procs = -1;
                r = ending_store_read(dirfd(dir), e, boot_id);
                if (r < 0 || strcmp(boot_id, d->boot_id) != 0) {
                        if (r < 0)
                                log_warning_errno(r, "Removing unreadable pending ending %s", de->d_name);
                        else
                                log_info("Removing pending ending %s of a previous boot", de->d_name);
                        (void) unlinkat(dirfd(dir), de->d_name, 0);
                        ending_free(e);
                        continue;
                }
                e->daemon = d;
                e->kill_due = e->kill_at;
                if (ending_add(d, e) < 0) {
                        ending_free(e);
                        return log_error_errno(-ENOMEM, "Cannot load pending endings");
                }
                log_info("Resuming the pending ending of %s", e->name);
        }
        if (errno != 0)
                return log_error_errno(negative_errno(), "Cannot read %s/" ENDING_DIR_NAME, d->state_dir);
        endings_reschedule(d);
        return 0;
}
