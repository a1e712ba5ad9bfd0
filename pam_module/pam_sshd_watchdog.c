/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pam_sshd_watchdog: records each ssh login for sshd-watchdog.
 *
 * PAM runs open_session and close_session in sshd's privileged monitor
 * (root's process of the connection), which holds its TCP socket, so
 * getpid() names the process the daemon watches and later signals. The
 * module only writes or removes one small file: no network, no D-Bus, no
 * fork inside sshd, and by default it never fails a login. Anywhere but
 * in sshd (su, login, cron through common-session) it returns PAM_IGNORE.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "cgroup_fs.h"
#include "clock.h"
#include "connection_end.h"
#include "login_proof.h"
#include "macro.h"
#include "passwd_lookup.h"
#include "proc.h"
#include "session_record.h"
#include "ssh_connection.h"

typedef struct Options {
        const char *state_dir;
        bool debug;
        bool strict;
} Options;

static void parse_options(pam_handle_t *pamh, int argc, const char **argv, Options *o) {
        *o = (Options) { .state_dir = SESSION_STATE_DIR_DEFAULT };

        for (int i = 0; i < argc; i++) {
                if (strncmp(argv[i], "statedir=", 9) == 0 && argv[i][9] == '/')
                        o->state_dir = argv[i] + 9;
                else if (strcmp(argv[i], "debug") == 0)
                        o->debug = true;
                else if (strcmp(argv[i], "strict") == 0)
                        o->strict = true;
                else
                        pam_syslog(pamh, LOG_ERR, "unknown or invalid option ignored: %s", argv[i]);
        }
}

/* What a failure returns: the login goes on unless the admin asked for strict. */
static int failure(const Options *o) {
        return o->strict ? PAM_SESSION_ERR : PAM_SUCCESS;
}

static const char *get_item_string(pam_handle_t *pamh, int item) {
        const void *v = NULL;

        if (pam_get_item(pamh, item, &v) != PAM_SUCCESS)
                return NULL;
        return v;
}

static int self_starttime(pam_handle_t *pamh, pid_t pid, uint64_t *ret) {
        ProcStat st;
        int r = proc_stat_read(NULL, pid, &st);

        if (r < 0) {
                pam_syslog(pamh, LOG_ERR, "cannot read /proc/%d/stat: %s", (int) pid, strerror(-r));
                return r;
        }
        *ret = st.starttime;
        return 0;
}

static int open_dir(pam_handle_t *pamh, const Options *o, bool create) {
        int fd = session_dir_open(o->state_dir, create);

        if (fd == -EPERM)
                pam_syslog(pamh, LOG_ERR,
                           "refusing %s/" SESSION_DIR_NAME ": not a directory owned by UID %u with mode 0700",
                           o->state_dir, (unsigned) geteuid());
        else if (fd < 0)
                pam_syslog(pamh, LOG_ERR, "cannot open %s/" SESSION_DIR_NAME ": %s", o->state_dir,
                           strerror(-fd));
        return fd;
}

/* The account's own name comes back too: with sssd, "ALICE" or
 * "alice@EXAMPLE" is alice. Unlike pam_modutil_getpwnam(), nothing is kept
 * on the PAM handle. */
static int lookup_user(const char *user, uid_t *ret_uid, char **ret_name) {
        PasswdEntry e;
        int r = passwd_lookup(user, 0, &e);

        if (r < 0)
                return r;
        *ret_uid = e.uid;
        *ret_name = e.name;
        return 0;
}

/* Returns the id of the monitor's cgroup when it was made for this login
 * (login_proof.h), or 0. */
static uint64_t own_cgroup_id(pam_handle_t *pamh, const char *cgroup, pid_t self, pid_t parent) {
        _cleanup_free_ char *mount = NULL;
        const char *why;
        uint64_t id;
        int r;

        if (!*cgroup)
                return 0;
        r = cgroup2_mount_find(NULL, &mount);
        if (r >= 0)
                r = login_cgroup_proof(NULL, mount, cgroup, self, parent, true, &id, &why);
        if (r < 0) {
                pam_syslog(pamh, LOG_WARNING, "cannot read cgroup %s: no proof that it is this login's own", cgroup);
                return 0;
        }
        return r > 0 ? id : 0;
}

static uint32_t own_audit_session(pam_handle_t *pamh, const char *cgroup, pid_t self, pid_t parent) {
        const char *why;
        uint32_t id;
        int r = login_audit_proof(NULL, cgroup, self, parent, &id, &why);

        if (r < 0)
                pam_syslog(pamh, LOG_WARNING, "cannot read audit session ids: %s", strerror(-r));
        else if (r == 0 && strstr(why, "inherited"))
                pam_syslog(pamh, LOG_NOTICE, "audit session not recorded: %s", why);
        return r > 0 ? id : AUDIT_SESSION_UNSET;
}

/* What a record borrows or owns while it is being written. */
typedef struct Collected {
        char *user;       /* the account's own name */
        char *cgroup;
        char boot_id[BOOT_ID_LENGTH + 1];
} Collected;

static void collected_done(Collected *c) {
        free(c->user);
        free(c->cgroup);
}

/* Fills rec with strings from PAM and from c, which outlive it. */
/* The PAM environment is not proof: a user's ~/.pam_environment can set
 * XDG_SESSION_ID when pam_env's user_readenv runs before us. It is kept
 * only if the kernel put us in that session's scope, and the scope was
 * made for this login (not inherited from whoever started sshd). */
static char *own_logind_session(pam_handle_t *pamh, const char *xdg_session, const SessionRecord *rec) {
        if (!xdg_session || !*xdg_session)
                return NULL;
        if (!session_id_matches_cgroup(xdg_session, rec->cgroup)) {
                pam_syslog(pamh, LOG_WARNING,
                           "XDG_SESSION_ID=%s does not match cgroup %s: not recording a logind session "
                           "(is this module after pam_systemd?)",
                           xdg_session, rec->cgroup[0] ? rec->cgroup : "(none)");
                return NULL;
        }
        if (rec->cgroup_id == 0) {
                pam_syslog(pamh, LOG_WARNING,
                           "logind session %s was not made for this login (sshd runs inside it): not recording it",
                           xdg_session);
                return NULL;
        }
        return (char *) xdg_session;
}

static int collect(pam_handle_t *pamh, SessionRecord *rec, Collected *c) {
        const char *user, *rhost, *service, *xdg_session;
        uid_t uid = (uid_t) -1;
        ProcStat parent;
        uint64_t inode;
        int r;

        user = get_item_string(pamh, PAM_USER);
        if (!user || !*user) {
                pam_syslog(pamh, LOG_ERR, "no user name: session not recorded");
                return -EINVAL;
        }
        r = lookup_user(user, &uid, &c->user);
        if (r < 0) {
                pam_syslog(pamh, LOG_ERR, "cannot look up user %s: %s: session not recorded", user,
                           r == -ESRCH ? "no such user" : strerror(-r));
                return r;
        }
        rhost = get_item_string(pamh, PAM_RHOST);
        service = get_item_string(pamh, PAM_SERVICE);
        xdg_session = pam_getenv(pamh, "XDG_SESSION_ID"); /* set when pam_systemd ran first */

        *rec = SESSION_RECORD_NULL;
        rec->user = c->user;
        rec->uid = uid;
        rec->remote_host = (char *) (rhost ?: "");
        rec->service = (char *) (service ?: "");
        rec->sshd_pid = getpid();
        rec->parent_pid = getppid();

        r = self_starttime(pamh, rec->sshd_pid, &rec->sshd_starttime);
        if (r < 0)
                return r;
        r = proc_stat_read(NULL, rec->parent_pid, &parent);
        rec->parent_starttime = r < 0 ? 0 : parent.starttime;
        r = proc_boot_id(NULL, c->boot_id);
        if (r < 0) {
                pam_syslog(pamh, LOG_ERR, "cannot read the boot id: %s: session not recorded", strerror(-r));
                return r;
        }
        rec->boot_id = c->boot_id;

        /* Without cgroup v2 there is no cgroup to name: the daemon then falls
         * back to the audit session. */
        r = proc_cgroup_read(NULL, rec->sshd_pid, &c->cgroup);
        if (r < 0 && r != -ENODATA)
                pam_syslog(pamh, LOG_WARNING, "cannot read cgroup of PID %d: %s", (int) rec->sshd_pid,
                           strerror(-r));
        rec->cgroup = c->cgroup ?: (char *) "";
        rec->cgroup_id = own_cgroup_id(pamh, rec->cgroup, rec->sshd_pid, rec->parent_pid);
        rec->session_id = own_logind_session(pamh, xdg_session, rec);
        rec->audit_session = own_audit_session(pamh, rec->cgroup, rec->sshd_pid, rec->parent_pid);

        r = connection_socket_find(pam_getenv(pamh, "SSH_CONNECTION"), rhost, &inode);
        if (r >= 0)
                rec->socket_inode = inode;
        else if (r == -EEXIST)
                pam_syslog(pamh, LOG_WARNING,
                           "cannot tell which of this process's TCP connections is the client's: "
                           "sshd-watchdog will not time this session");

        rec->opened_usec = realtime_now();
        return 0;
}

/* pam-auth-update puts us in common-session, which su, login, cron and
 * sudo run too: act only inside sshd's monitor, known by the file it runs
 * (sshd, or sshd-session from OpenSSH 9.8), never by its title. The PAM
 * service name is no help: sshd names it after its argv[0]. When the
 * executable cannot be read, act: a record of something else is only
 * logged as unwatchable by the daemon, a lost sshd session is not. */
static bool in_sshd(pam_handle_t *pamh, const Options *o) {
        _cleanup_(proc_exe_done) ProcExe e = {};
        int r = proc_exe_read(NULL, getpid(), &e);

        if (r < 0) {
                pam_syslog(pamh, LOG_WARNING, "cannot read /proc/self/exe (%s): taking this for sshd", strerror(-r));
                return true;
        }
        if (exe_is_sshd(e.path))
                return true;
        if (o->debug)
                pam_syslog(pamh, LOG_DEBUG, "not sshd (%s): ignored", e.path);
        return false;
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv) {
        _cleanup_(collected_done) Collected c = {};
        _cleanup_close_ int dir_fd = -1;
        SessionRecord rec;
        Options o;
        int r;

        parse_options(pamh, argc, argv, &o);
        if (!in_sshd(pamh, &o))
                return PAM_IGNORE;

        r = collect(pamh, &rec, &c);
        if (r < 0)
                return failure(&o);

        dir_fd = open_dir(pamh, &o, true);
        if (dir_fd < 0)
                return failure(&o);

        r = session_record_write(dir_fd, &rec);
        if (r == -EINVAL)
                /* A name or host the line-based record cannot hold (control
                 * characters): say loudly that this session goes unwatched. */
                pam_syslog(pamh, LOG_ERR,
                           "session of UID %u NOT watched by sshd-watchdog: its user name or remote host "
                           "cannot be recorded",
                           (unsigned) rec.uid);
        else if (r < 0)
                pam_syslog(pamh, LOG_ERR, "cannot write session record in %s/" SESSION_DIR_NAME ": %s",
                           o.state_dir, strerror(-r));
        if (r < 0)
                return failure(&o);
        if (o.debug)
                pam_syslog(pamh, LOG_DEBUG,
                           "recorded session of %s from %s: sshd PID %d, cgroup %s%s, logind session %s, "
                           "audit session %d, socket %llu",
                           rec.user, rec.remote_host, (int) rec.sshd_pid, rec.cgroup[0] ? rec.cgroup : "-",
                           rec.cgroup_id ? " (own)" : "", rec.session_id ?: "-",
                           rec.audit_session == AUDIT_SESSION_UNSET ? -1 : (int) rec.audit_session,
                           (unsigned long long) rec.socket_inode);
        return PAM_SUCCESS;
}

/* The client died under the session (connection_end.h): the record stays,
 * marked closed, for the daemon to kill what the session left. Returns 1
 * when so marked, 0 when the client left by itself (or nothing tells), <0
 * when the mark could not be written. */
static int mark_closed_if_dead(pam_handle_t *pamh, const Options *o, int dir_fd, const char *name) {
        _cleanup_(session_record_done) SessionRecord rec = SESSION_RECORD_NULL;
        ConnectionEnd end;
        ConnectionEndBy by;
        int fd, r;

        r = session_record_read(dir_fd, name, &rec);
        if (r < 0 || rec.socket_inode == 0 || rec.closed_usec != 0)
                return 0;
        fd = connection_socket_fd(rec.socket_inode);
        if (fd < 0 || connection_end_read(fd, &end) < 0)
                return 0;
        by = connection_end_by(&end);
        if (o->debug)
                pam_syslog(pamh, LOG_DEBUG, "connection at close: state %u, client silent %u ms, %u unacknowledged",
                           (unsigned) end.state, (unsigned) end.silence_ms, (unsigned) end.unacked);
        if (by == CONNECTION_END_CLIENT)
                return 0;
        rec.closed_usec = realtime_now();
        rec.closed_silence_usec = (uint64_t) end.silence_ms * 1000;
        rec.closed_by = by;
        r = session_record_write(dir_fd, &rec);
        if (r < 0)
                return r;
        pam_syslog(pamh, LOG_INFO,
                   "%s gave up on the client after %u ms of silence: sshd-watchdog kills what the session left",
                   by == CONNECTION_END_SSHD ? "sshd" : "the kernel", (unsigned) end.silence_ms);
        return 1;
}

PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv) {
        _cleanup_close_ int dir_fd = -1;
        _cleanup_free_ char *name = NULL;
        uint64_t starttime;
        pid_t pid = getpid();
        Options o;
        int r;

        parse_options(pamh, argc, argv, &o);
        if (!in_sshd(pamh, &o))
                return PAM_IGNORE;

        r = self_starttime(pamh, pid, &starttime);
        if (r < 0)
                return failure(&o);
        dir_fd = open_dir(pamh, &o, false);
        if (dir_fd == -ENOENT) /* nothing was ever recorded here */
                return PAM_SUCCESS;
        if (dir_fd < 0)
                return failure(&o);
        if (session_record_name(pid, starttime, &name) < 0)
                return failure(&o);

        r = mark_closed_if_dead(pamh, &o, dir_fd, name);
        if (r > 0)
                return PAM_SUCCESS;
        if (r < 0) {
                /* Left as it is: the daemon finds its sshd gone, and kills
                 * what the session left all the same. */
                pam_syslog(pamh, LOG_ERR, "cannot mark the session record of PID %d closed: %s; leaving it",
                           (int) pid, strerror(-r));
                return PAM_SUCCESS;
        }

        r = session_record_remove(dir_fd, pid, starttime);
        if (r == -ENOENT) {
                /* open_session failed (and said so) or never ran. */
                if (o.debug)
                        pam_syslog(pamh, LOG_DEBUG, "no session record for PID %d", (int) pid);
                return PAM_SUCCESS;
        }
        if (r < 0) {
                pam_syslog(pamh, LOG_ERR, "cannot remove session record of PID %d: %s", (int) pid, strerror(-r));
                return failure(&o);
        }
        if (o.debug)
                pam_syslog(pamh, LOG_DEBUG, "removed session record of PID %d", (int) pid);
        return PAM_SUCCESS;
}
