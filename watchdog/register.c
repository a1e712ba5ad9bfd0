/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sessions that sshd-watchdog-exec registers: ForceCommand on hosts or
 * Match blocks without our PAM module. The helper connects as the user;
 * everything the record says comes from the kernel: who the peer is
 * (SO_PEERCRED, and a pidfd so a reused PID is caught), which sshd monitor
 * it runs under (peer_monitor.c), the monitor's TCP connection, cgroup and
 * audit session. The record is the same one the PAM module writes, marked
 * REGISTERED=exec: nothing removes it at logout but the daemon, when the
 * monitor exits.
 *
 * When sshd runs every session in its own service (a systemd host without
 * pam_systemd), a session has no cgroup of its own to end it by: the daemon
 * asks systemd for a scope around the helper first (transient_scope.c) and
 * answers once the kernel shows the helper in it, so that the user's
 * command starts inside. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cgroup_fs.h"
#include "clock.h"
#include "daemon.h"
#include "event_timer.h"
#include "log.h"
#include "login_proof.h"
#include "macro.h"
#include "passwd_lookup.h"
#include "peer_monitor.h"
#include "register.h"
#include "register_budget.h"
#include "register_socket.h"
#include "time_span.h"
#include "transient_scope.h"
#include "unix_listen.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

#define REGISTER_IN_FLIGHT_MAX 64
/* How long a scope may take to hold the helper: less than the helper waits. */
#define SCOPE_WAIT_USEC (3 * USEC_PER_SEC)
#define SCOPE_POLL_USEC (5 * USEC_PER_MSEC)

typedef struct Registration {
        Daemon *daemon;
        int fd;                 /* the helper's connection */
        int pidfd;              /* the helper, as the kernel named it at connect */
        PeerMonitor pm;
        char *name;             /* the record's */
        char *unit;             /* the scope being started or joined; NULL: none */
        bool joining;           /* the record exists: only the helper moves */
        SessionRecord rec;      /* owns its strings */
        sd_bus_slot *slot;
        sd_event_source *timer;
        uint64_t accepted_at;   /* CLOCK_MONOTONIC */
        uid_t uid;              /* the peer's, with an in-flight slot of its budget */
        uint64_t give_up;       /* CLOCK_MONOTONIC */
        struct Registration *next, *prev;
} Registration;

static void registration_free(Registration *g) {
        if (g->prev)
                g->prev->next = g->next;
        else
                g->daemon->registrations = g->next;
        if (g->next)
                g->next->prev = g->prev;
        g->daemon->n_registrations--;
        register_budget_end(g->daemon->register_budget, g->uid);
        sd_bus_slot_unref(g->slot);
        sd_event_source_disable_unref(g->timer);
        safe_close(g->fd);
        safe_close(g->pidfd);
        free(g->name);
        free(g->unit);
        session_record_done(&g->rec);
        free(g);
}

/* One line, then EOF; the helper runs the command whatever it reads. */
_printf_(2, 3) static void answer(int fd, const char *fmt, ...) {
        _cleanup_free_ char *line = NULL;
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vasprintf(&line, fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        for (char *p = line; *p; p++)
                if ((unsigned char) *p < 0x20)
                        *p = ' ';
        if (send(fd, line, (size_t) n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 ||
            send(fd, "\n", 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
                log_debug("Cannot answer a registration: %m");
}

static bool pidfd_alive(int pidfd) {
        return syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) >= 0;
}

typedef struct Connections {
        const uint64_t *inodes; /* the monitor's sockets, sorted */
        size_t n_inodes;
        TcpInput found;
        unsigned n_found;
} Connections;

static int connection_cb(const TcpInput *in, void *userdata) {
        Connections *c = userdata;

        if (socket_inode_find(c->inodes, c->n_inodes, in->inode) && c->n_found++ == 0)
                c->found = *in;
        return 0;
}

/* The monitor's connection: only a monitor with exactly one TCP socket is
 * timed (without PAM there is no SSH_CONNECTION to choose by; sshd itself
 * holds no other). Its sockets from /proc/PID/fd, which of them are TCP
 * from one sock_diag dump: reading /proc/PID/net/tcp instead makes the
 * kernel walk every bucket of its TCP hash, 7 ms a login here. */
static void collect_connection(Daemon *d, SessionRecord *rec) {
        _cleanup_free_ uint64_t *inodes = NULL;
        Connections c = {};

        if (proc_socket_inodes(d->proc_root, rec->sshd_pid, &inodes, &c.n_inodes) < 0 || c.n_inodes == 0)
                return;
        c.inodes = inodes;
        if (tcp_diag_dump(d->diag_fd, connection_cb, &c) < 0 || c.n_found != 1)
                return;
        if (tcp_input_peer_string(&c.found, &rec->remote_host) < 0)
                return;
        rec->socket_inode = c.found.inode;
}

int register_collect(Daemon *d, const ProcRef *monitor, const ProcRef *parent, uid_t uid, RegisteredBy by,
                     SessionRecord *rec, bool *ret_sshds_cgroup) {
        const char *why;
        uint32_t audit;
        int r;

        *rec = SESSION_RECORD_NULL;
        rec->uid = uid;
        rec->sshd_pid = monitor->pid;
        rec->sshd_starttime = monitor->starttime;
        rec->parent_pid = parent->pid;
        rec->parent_starttime = parent->starttime;
        rec->registered = by;
        PasswdEntry pw;
        r = passwd_lookup(NULL, uid, &pw);
        if (r < 0)
                return r;
        rec->user = pw.name;
        rec->service = strdup(by == REGISTERED_EXEC ? "sshd-watchdog-exec" : "sshd-watchdog");
        rec->boot_id = strdup(d->boot_id);
        if (!rec->service || !rec->boot_id)
                return -ENOMEM;
        collect_connection(d, rec);
        if (!rec->remote_host && !(rec->remote_host = strdup("")))
                return -ENOMEM;

        r = proc_cgroup_read(d->proc_root, rec->sshd_pid, &rec->cgroup);
        if (r == -ENODATA)
                rec->cgroup = strdup("");
        else if (r < 0)
                return r;
        if (!rec->cgroup)
                return -ENOMEM;
        /* The PAM module's proofs (login_proof.h): another manager's cgroup
         * made for this connection alone (a logind scope, sshd@.service) is
         * this login's own; sshd's own, or one an orphaned monitor sits in,
         * is not. */
        r = login_cgroup_proof(d->proc_root, d->cgroup_mount, rec->cgroup, rec->sshd_pid, rec->parent_pid, false,
                               &rec->cgroup_id, &why);
        if (r <= 0 && rec->cgroup[0])
                log_info("Session %d-%" PRIu64 ": cgroup %s is not the login's own: %s", (int) monitor->pid,
                         monitor->starttime, rec->cgroup, r < 0 ? strerror(-r) : why);
        *ret_sshds_cgroup = r <= 0;
        r = login_audit_proof(d->proc_root, rec->cgroup, rec->sshd_pid, rec->parent_pid, &audit, &why);
        if (r > 0)
                rec->audit_session = audit;

        rec->opened_usec = realtime_now();
        return 0;
}

static void finish_record(Registration *g, const char *scope_note) {
        Daemon *d = g->daemon;
        _cleanup_close_ int dir_fd = session_dir_open(d->state_dir, true);
        int r;

        r = dir_fd < 0 ? dir_fd : session_record_write(dir_fd, &g->rec);
        if (r < 0) {
                log_error_errno(r, "Cannot write the record of session %s of %s (registered by PID %d)", g->name,
                                g->rec.user, (int) g->pm.peer.pid);
                answer(g->fd, "NO cannot write its record: %s", strerror(-r));
                return;
        }
        /* How long the helper waited: NSS and systemd are in it. */
        log_info("Registered session %s of %s from %s: sshd PID %d, %s, in %" PRIu64 " us", g->name, g->rec.user,
                 g->rec.remote_host[0] ? g->rec.remote_host : "(no TCP connection)", (int) g->rec.sshd_pid,
                 scope_note, monotonic_now() - g->accepted_at);
        answer(g->fd, "OK watched %s", g->name);
}

/* Whether cgroup is <...>/unit. */
static bool cgroup_is_unit(const char *cgroup, const char *unit) {
        size_t n = strlen(cgroup), u = strlen(unit);

        return n > u && cgroup[n - u - 1] == '/' && strcmp(cgroup + n - u, unit) == 0;
}

/* Handles one helper; returns true when it is answered and done with. */
/* Whether the helper is in the scope now; <0 when it cannot be told. */
static int helper_in_scope(Registration *g, char **ret_cgroup) {
        _cleanup_free_ char *cg = NULL;
        int r;

        r = proc_cgroup_read(g->daemon->proc_root, g->pm.peer.pid, &cg);
        if (r < 0)
                return r;
        if (!cgroup_is_unit(cg, g->unit))
                return 0;
        if (ret_cgroup)
                *ret_cgroup = TAKE_PTR(cg);
        return 1;
}

/* The helper is in the scope, the scope failed, or the wait is over. */
static void scope_settled(Registration *g, const char *failure) {
        Daemon *d = g->daemon;
        _cleanup_free_ char *cg = NULL, *note = NULL;
        uint64_t id;

        if (!failure) {
                /* Alive still: then the PID that systemd moved was the helper's. */
                if (!pidfd_alive(g->pidfd))
                        failure = "the helper exited meanwhile";
                else if (helper_in_scope(g, &cg) <= 0)
                        failure = "its cgroup cannot be read";
        }
        if (g->joining) {
                if (failure)
                        log_warning("Cannot move PID %d into the scope %s of session %s: %s; it is ended with the "
                                    "session's process tree",
                                    (int) g->pm.peer.pid, g->unit, g->name, failure);
                answer(g->fd, "OK already %s", g->name);
                return;
        }
        if (!failure) {
                _cleanup_close_ int fd = d->cgroup_mount ? cgroup_open(d->cgroup_mount, cg) : -ENOENT;
                _cleanup_free_ pid_t *procs = NULL;
                size_t n = 0;
                if (fd < 0 || cgroup_fd_id(fd, &id) < 0 || cgroup_read_procs(fd, &procs, &n) < 0)
                        failure = "its cgroup cannot be opened";
                else if (n != 1 || procs[0] != g->pm.peer.pid)
                        /* Named by PID (systemd 252), or joined by someone
                         * else: only a scope of the helper alone is proof. */
                        failure = "the scope holds other processes than the helper";
        }
        if (failure) {
                log_warning("No scope of its own for session %s of %s (%s): it will be ended by its process tree",
                            g->name, g->rec.user, failure);
                finish_record(g, "no scope of its own");
                return;
        }
        free(g->rec.cgroup);
        g->rec.cgroup = TAKE_PTR(cg);
        g->rec.cgroup_id = id;
        if (asprintf(&note, "scope %s", g->unit) < 0)
                note = NULL;
        finish_record(g, note ?: "a scope of its own");
}

static int on_poll(sd_event_source *src, uint64_t usec, void *userdata) {
        Registration *g = userdata;
        int r = helper_in_scope(g, NULL);

        if (r == 0 && usec < g->give_up) {
                (void) event_timer_arm(g->daemon->event, &g->timer, usec + SCOPE_POLL_USEC, 0, on_poll, g);
                return 0;
        }
        scope_settled(g, r > 0 ? NULL : r < 0 ? "its cgroup cannot be read" : "systemd did not move it in time");
        registration_free(g);
        return 0;
}

static int scope_begin(Registration *g);

static void on_scope_reply(void *userdata, int r, const char *error_message) {
        Registration *g = userdata;
        Daemon *d = g->daemon;
        _cleanup_free_ char *failure = NULL;

        g->slot = sd_bus_slot_unref(g->slot);
        if (r == -EPROTONOSUPPORT && !d->scope_pids_only) {
                d->scope_pids_only = true;
                log_info("systemd takes no PIDFDs= (before systemd 253): scopes are started by PID, and checked to hold "
                         "the helper alone");
                r = scope_begin(g);
                if (r >= 0)
                        return;
        }
        if (r < 0) {
                if (asprintf(&failure, "systemd: %s", error_message ?: strerror(-r)) < 0)
                        failure = NULL;
                scope_settled(g, failure ?: "systemd refused");
                registration_free(g);
                return;
        }
        r = event_timer_arm(d->event, &g->timer, monotonic_now(), 0, on_poll, g);
        if (r < 0) {
                scope_settled(g, "cannot wait for the scope");
                registration_free(g);
        }
}

/* Asks for the scope (or to join it); the answer comes from on_poll. */
static int scope_begin(Registration *g) {
        Daemon *d = g->daemon;
        _cleanup_free_ char *description = NULL;

        g->give_up = monotonic_now() + SCOPE_WAIT_USEC;
        if (g->joining)
                return transient_scope_attach(d, g->unit, g->pm.peer.pid, on_scope_reply, g, &g->slot);
        if (asprintf(&description, "ssh session of %s from %s (sshd-watchdog)", g->rec.user,
                     g->rec.remote_host[0] ? g->rec.remote_host : "unknown") < 0)
                return -ENOMEM;
        return transient_scope_start(d, g->unit, description, g->pm.peer.pid, g->pidfd, on_scope_reply, g, &g->slot);
}

/* Another helper of the same connection, still being registered. */
static bool registering_already(const Registration *g) {
        for (Registration *o = g->daemon->registrations; o; o = o->next)
                if (o != g && o->name && strcmp(o->name, g->name) == 0)
                        return true;
        return false;
}

static bool registration_start(Registration *g, uid_t uid) {
        Daemon *d = g->daemon;
        _cleanup_(session_record_done) SessionRecord old = SESSION_RECORD_NULL;
        _cleanup_free_ char *why = NULL;
        _cleanup_close_ int dir_fd = -1;
        bool sshds_cgroup;
        int r;

        r = peer_monitor_find(d->proc_root, g->pm.peer.pid, uid, &g->pm, &why);
        if (r == 0 && !pidfd_alive(g->pidfd))
                r = -ESRCH; /* the PID we read may name another process now */
        if (r == -EPERM) {
                if (register_budget_log(d->register_budget, uid, g->accepted_at))
                        log_notice("Refused to register PID %d of UID %u: %s", (int) g->pm.peer.pid, (unsigned) uid,
                                   why ?: "not below an sshd monitor of that user");
                answer(g->fd, "NO %s", why ?: "not below an sshd monitor of that user");
                return true;
        }
        if (r < 0) {
                if (register_budget_log(d->register_budget, uid, g->accepted_at))
                        log_errno(LOG_NOTICE, r, "Cannot register PID %d of UID %u", (int) g->pm.peer.pid,
                                  (unsigned) uid);
                answer(g->fd, "NO cannot read its processes: %s", strerror(-r));
                return true;
        }
        r = session_record_name(g->pm.monitor.pid, g->pm.monitor.starttime, &g->name);
        if (r < 0)
                return answer(g->fd, "NO out of memory"), true;

        /* Recorded already: by PAM (a Match block on a PAM host), or by the
         * helper of an earlier channel of this connection. */
        if (registering_already(g)) {
                answer(g->fd, "OK already %s", g->name);
                return true;
        }
        dir_fd = session_dir_open(d->state_dir, true);
        r = dir_fd < 0 ? dir_fd : session_record_read(dir_fd, g->name, &old);
        if (r == 0) {
                if (!old.registered || old.cgroup_id == 0 || !d->scopes ||
                    transient_scope_name(g->name, &g->unit) < 0 || !cgroup_is_unit(old.cgroup, g->unit)) {
                        answer(g->fd, "OK already %s", g->name);
                        return true;
                }
                g->joining = true;
                r = scope_begin(g);
                if (r < 0) {
                        log_warning_errno(r, "Cannot move PID %d into the scope %s", (int) g->pm.peer.pid, g->unit);
                        answer(g->fd, "OK already %s", g->name);
                        return true;
                }
                return false;
        }
        if (r != -ENOENT) {
                log_warning_errno(r, "Cannot read session record %s", g->name);
                answer(g->fd, "NO cannot read its record: %s", strerror(-r));
                return true;
        }

        r = register_collect(d, &g->pm.monitor, &g->pm.parent, uid, REGISTERED_EXEC, &g->rec, &sshds_cgroup);
        if (r < 0) {
                log_warning_errno(r, "Cannot register session %s of UID %u", g->name, (unsigned) uid);
                answer(g->fd, "NO %s", r == -ESRCH ? "no such user" : strerror(-r));
                return true;
        }
        if (!sshds_cgroup || !d->scopes || !g->rec.cgroup[0]) {
                finish_record(g, g->rec.cgroup_id ? "in a cgroup of its own" : "ended by its process tree");
                return true;
        }
        r = transient_scope_name(g->name, &g->unit);
        if (r >= 0)
                r = scope_begin(g);
        if (r < 0) {
                log_warning_errno(r, "Cannot ask systemd for a scope for session %s", g->name);
                finish_record(g, "no scope of its own");
                return true;
        }
        return false;
}

static int peer_pidfd(int fd, pid_t pid) {
        int pidfd = -1;
        socklen_t len = sizeof(pidfd);

        /* Linux 6.5: the peer itself, whatever its PID names later. Before,
         * a pidfd now, checked alive after the walk. */
        if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) == 0 && pidfd >= 0)
                return pidfd;
        pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        return pidfd < 0 ? negative_errno() : pidfd;
}

static int on_resume(sd_event_source *src, uint64_t usec, void *userdata) {
        Daemon *d = userdata;

        (void) sd_event_source_set_enabled(d->registry, SD_EVENT_ON);
        return 0;
}

/* Over REGISTER_ACCEPT_PER_SEC: the connections wait in the backlog. */
static void pause_accepting(Daemon *d, uint64_t until) {
        if (event_timer_arm(d->event, &d->registry_resume, until, USEC_PER_MSEC, on_resume, d) < 0)
                return; /* accept on rather than never again */
        (void) sd_event_source_set_enabled(d->registry, SD_EVENT_OFF);
}

static int on_accept(sd_event_source *src, int lfd, uint32_t revents, void *userdata) {
        Daemon *d = userdata;
        _cleanup_close_ int fd = -1;
        struct ucred cred;
        socklen_t len = sizeof(cred);
        uint64_t now = monotonic_now(), resume;
        Registration *g;
        int r;

        if (!register_budget_accept(d->register_budget, now, &resume)) {
                pause_accepting(d, resume);
                return 0;
        }
        fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) {
                if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
                        log_debug("Cannot accept a registration: %m");
                return 0;
        }
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
                log_debug("Cannot read the credentials of a registration: %m");
                return 0;
        }
        if (d->n_registrations >= REGISTER_IN_FLIGHT_MAX) {
                if (register_budget_log(d->register_budget, cred.uid, now))
                        log_warning("Too many registrations at once; refusing PID %d of UID %u", (int) cred.pid,
                                    (unsigned) cred.uid);
                answer(fd, "NO busy");
                return 0;
        }
        r = register_budget_begin(d->register_budget, cred.uid, now);
        if (r <= 0) {
                /* Counted, and said in the next summary: a loop of
                 * connections costs no more than these few calls each. */
                if (register_budget_log(d->register_budget, cred.uid, now))
                        log_notice("Refused a registration of PID %d of UID %u: %s", (int) cred.pid,
                                   (unsigned) cred.uid, r == 0 ? "too many from that user" : strerror(-r));
                answer(fd, "NO busy");
                return 0;
        }
        g = calloc(1, sizeof(*g));
        if (!g) {
                register_budget_end(d->register_budget, cred.uid);
                answer(fd, "NO out of memory");
                return 0;
        }
        *g = (Registration) { .daemon = d, .fd = TAKE_FD(fd), .pidfd = -1, .rec = SESSION_RECORD_NULL, .uid = cred.uid,
                              .pm.peer.pid = cred.pid, .accepted_at = now, .next = d->registrations };
        if (g->next)
                g->next->prev = g;
        d->registrations = g;
        d->n_registrations++;

        g->pidfd = peer_pidfd(g->fd, cred.pid);
        if (g->pidfd < 0) {
                answer(g->fd, "NO it exited");
                registration_free(g);
                return 0;
        }
        if (registration_start(g, cred.uid))
                registration_free(g);
        return 0;
}

int register_listen(Daemon *d) {
        int r = register_budget_new(d->event, &d->register_budget);
        if (r < 0)
                return log_error_errno(r, "Cannot listen for registrations");
        /* Every user's helper connects; who it is, the kernel says. */
        return unix_listen(d->event, d->state_dir, REGISTER_SOCKET_NAME, 0666, REGISTER_IN_FLIGHT_MAX, on_accept, d,
                           &d->registry);
}

void register_done(Daemon *d) {
        while (d->registrations)
                registration_free(d->registrations);
        d->registry = sd_event_source_disable_unref(d->registry);
        d->registry_resume = sd_event_source_disable_unref(d->registry_resume);
        d->register_budget = register_budget_free(d->register_budget);
}
