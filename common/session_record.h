/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "connection_end.h"
#include "proc.h"

/* One file per ssh session, <state-dir>/sessions/<sshd-pid>-<starttime>, in
 * KEY=VALUE lines like logind's own session files (docs/design.md, section 3). The
 * PAM module writes it at open_session and removes it at close_session; the
 * daemon and the tools only read it. */

/* Version 2 added the facts that prove, later, what belongs to the login:
 * PARENT_*, BOOT_ID, CGROUP_ID, SOCKET_INODE; AUDIT_SESSION and SESSION_ID
 * are written only when they are the login's own. Version 1 records are
 * still read (their sessions opened before an upgrade); they prove nothing
 * beyond the monitor's own process tree. */
#define SESSION_RECORD_VERSION 2
#define SESSION_STATE_DIR_DEFAULT "/run/sshd-watchdog"
#define SESSION_DIR_NAME "sessions"

/* Bounds a reader enforces; a writer refuses values that break them. */
#define SESSION_RECORD_MAX_SIZE (16 * 1024)
#define SESSION_RECORD_MAX_LINE 4200 /* "CGROUP=" + a PATH_MAX path */

/* Who wrote a record other than the PAM module: the daemon, for
 * sshd-watchdog-exec (REGISTERED=exec), or for a connection it found with
 * no record, under EndUnrecorded=yes (REGISTERED=found). */
typedef enum RegisteredBy {
        REGISTERED_NO = 0,
        REGISTERED_EXEC,
        REGISTERED_FOUND,
} RegisteredBy;

typedef struct SessionRecord {
        unsigned version;        /* 1 or 2, as read; written as SESSION_RECORD_VERSION */
        char *user;              /* the account's own name (pw_name); may hold spaces */
        uid_t uid;
        char *remote_host;       /* PAM_RHOST; "" when the application set none */
        char *service;           /* PAM service name */
        pid_t sshd_pid;          /* sshd's privileged monitor for this connection */
        uint64_t sshd_starttime; /* /proc/PID/stat field 22 of sshd_pid */
        pid_t parent_pid;        /* the monitor's parent at open_session (sshd's listener); 0 in v1 */
        uint64_t parent_starttime;
        char *boot_id;           /* /proc/sys/kernel/random/boot_id at open_session; NULL in v1 */
        char *cgroup;            /* cgroup v2 path; "" on a host without cgroup v2 */
        uint64_t cgroup_id;      /* inode of the cgroup, only when it was made for this login; 0 otherwise */
        char *session_id;        /* logind's XDG_SESSION_ID, only for a logind scope of this login's own */
        uint32_t audit_session;  /* only when this login's own; AUDIT_SESSION_UNSET otherwise */
        uint64_t socket_inode;   /* sshd's TCP connection, as the module found it; 0 when unknown */
        uint64_t opened_usec;    /* CLOCK_REALTIME */
        RegisteredBy registered; /* REGISTERED=: written by the daemon, not by PAM; no close_session
                                  * removes it, so the monitor's exit is its end */
        /* Set by close_session instead of removing the record, when the
         * client had died (connection_end.h): the daemon then kills what the
         * session left, and removes the record. All three or none. */
        uint64_t closed_usec;         /* CLOSED_USEC: CLOCK_REALTIME of the close; 0: not closed */
        uint64_t closed_silence_usec; /* CLOSED_SILENCE_USEC: the client's silence at the close */
        ConnectionEndBy closed_by;    /* CLOSED_BY=sshd|kernel: who gave up on the client */
} SessionRecord;

#define SESSION_RECORD_NULL ((SessionRecord) { .version = SESSION_RECORD_VERSION, .audit_session = UINT32_MAX })


void session_record_done(SessionRecord *rec);
/* A deep copy; -ENOMEM. */
int session_record_copy(const SessionRecord *src, SessionRecord *ret);

/* "<pid>-<starttime>": the file name of a record. */
int session_record_name(pid_t pid, uint64_t starttime, char **ret);
/* Inverse of session_record_name(); -EINVAL for anything else (temp files,
 * dot files, garbage). */
int session_record_parse_name(const char *name, pid_t *ret_pid, uint64_t *ret_starttime);

/* Serialises a record; -EINVAL if any value is out of range or could not be
 * read back (control characters, overlong, missing). */
int session_record_format(const SessionRecord *rec, char **ret);
/* Parses and validates record text. On error *ret is untouched and, when
 * ret_line is not NULL, it holds the offending line number (0 for
 * whole-file problems such as a missing key). */
int session_record_parse(const char *text, size_t size, SessionRecord *ret, unsigned *ret_line);

/* The same, for files that carry a record and more (the daemon's pending
 * endings): a key the record does not know goes to extra(key, value,
 * userdata), which returns 0 to accept it and <0 to refuse the text. Such
 * files may be up to max_size bytes. */
typedef int (*session_record_extra_cb)(const char *key, const char *value, void *userdata);
int session_record_parse_extra(const char *text, size_t size, size_t max_size, SessionRecord *ret,
                               unsigned *ret_line, session_record_extra_cb extra, void *userdata);

/* Opens <state_dir>/sessions (O_DIRECTORY|O_NOFOLLOW) and checks that it is a
 * directory owned by the caller's effective UID with no group or other
 * permission bits. With create, makes state_dir (0755) and sessions (0700)
 * when missing. Returns the fd or a negative errno (-EPERM for bad
 * ownership or mode). */
int session_dir_open(const char *state_dir, bool create);
/* The same for any private subdirectory of the state dir (the daemon's
 * pending endings live in "endings"). */
int state_subdir_open(const char *state_dir, const char *name, bool create);

/* Writes the record under its name through a temporary file and rename(2),
 * mode 0600 whatever the umask. */
int session_record_write(int dir_fd, const SessionRecord *rec);

/* Reads and validates one record: no symlinks, regular file, owned by the
 * caller's effective UID, mode 0600, name matching SSHD_PID and
 * SSHD_STARTTIME. -EPERM for bad owner or mode, -EBADMSG for bad content. */
int session_record_read(int dir_fd, const char *name, SessionRecord *ret);

/* Removes a record; -ENOENT when there was none. */
int session_record_remove(int dir_fd, pid_t pid, uint64_t starttime);

/* Whether logind session `id` is the one whose scope the kernel says the
 * process is in: `cgroup` ends in "/session-<id>.scope". XDG_SESSION_ID
 * comes from the PAM environment, which pam_env's user_readenv lets a user
 * write; the cgroup comes from the kernel. Only a matching id may be used to
 * ask logind to kill a session. */
bool session_id_matches_cgroup(const char *id, const char *cgroup);

/* 0 when SSHD_PID is alive and still the process that wrote the record
 * (same start time); -ESRCH when it is gone or the PID was reused. */
int session_record_check_process(const char *proc_root, const SessionRecord *rec);

/* Whether the record was written in the running boot: 1 yes, 0 no (its
 * PIDs, audit ids and cgroups name nothing of this boot), <0 cannot tell.
 * Version 1 records carry no boot id and count as this boot's. */
int session_record_this_boot(const SessionRecord *rec, const char *boot_id);
