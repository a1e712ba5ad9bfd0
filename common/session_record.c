/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_read.h"
#include "file_write.h"
#include "macro.h"
#include "proc.h"
#include "session_record.h"

void session_record_done(SessionRecord *rec) {
        free(rec->user);
        free(rec->remote_host);
        free(rec->service);
        free(rec->boot_id);
        free(rec->cgroup);
        free(rec->session_id);
        *rec = SESSION_RECORD_NULL;
}

static int dup_or_null(const char *s, char **ret) {
        *ret = NULL;
        if (!s)
                return 0;
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

int session_record_copy(const SessionRecord *src, SessionRecord *ret) {
        SessionRecord c = *src;

        c.user = c.remote_host = c.service = c.boot_id = c.cgroup = c.session_id = NULL;
        if (dup_or_null(src->user, &c.user) < 0 || dup_or_null(src->remote_host, &c.remote_host) < 0 ||
            dup_or_null(src->service, &c.service) < 0 || dup_or_null(src->boot_id, &c.boot_id) < 0 ||
            dup_or_null(src->cgroup, &c.cgroup) < 0 || dup_or_null(src->session_id, &c.session_id) < 0) {
                session_record_done(&c);
                return -ENOMEM;
        }
        *ret = c;
        return 0;
}

int session_record_name(pid_t pid, uint64_t starttime, char **ret) {
        if (pid <= 0)
                return -EINVAL;
        if (asprintf(ret, "%d-%" PRIu64, (int) pid, starttime) < 0)
                return -ENOMEM;
        return 0;
}

int session_record_parse_name(const char *name, pid_t *ret_pid, uint64_t *ret_starttime) {
        const char *dash = strchr(name, '-');
        char pid_text[16];
        size_t n;

        if (!dash)
                return -EINVAL;
        n = (size_t) (dash - name);
        if (n == 0 || n >= sizeof(pid_text))
                return -EINVAL;
        memcpy(pid_text, name, n);
        pid_text[n] = '\0';
        if (parse_pid(pid_text, ret_pid) < 0)
                return -EINVAL;
        if (parse_u64(dash + 1, ret_starttime) < 0)
                return -EINVAL;
        return 0;
}

enum {
        VALUE_EMPTY_OK = 1 << 0,
        VALUE_SPACE_OK = 1 << 1,
        VALUE_SLASH_OK = 1 << 2,
};

/* Values end up in a line-based file and in journal messages: no control
 * characters ever, bounded length, and per key what may be empty or hold
 * spaces or slashes. */
static bool value_ok(const char *v, size_t max, unsigned flags) {
        size_t n;

        if (!v)
                return false;
        n = strlen(v);
        if (n > max || (n == 0 && !(flags & VALUE_EMPTY_OK)))
                return false;
        for (const unsigned char *p = (const unsigned char *) v; *p; p++) {
                if (*p < 0x20 || *p == 0x7f)
                        return false;
                if (*p == ' ' && !(flags & VALUE_SPACE_OK))
                        return false;
                if (*p == '/' && !(flags & VALUE_SLASH_OK))
                        return false;
        }
        return true;
}

/* Directory services allow spaces in account names ("John Smith"), and a
 * PAM application may put anything in PAM_RHOST: a space is harmless in a
 * KEY=VALUE line, so it is kept rather than leave the session unwatched. */
static bool user_ok(const char *v) {
        return value_ok(v, 256, VALUE_SPACE_OK); /* LOGIN_NAME_MAX */
}

static bool remote_host_ok(const char *v) {
        return value_ok(v, 1025, VALUE_EMPTY_OK | VALUE_SPACE_OK | VALUE_SLASH_OK); /* NI_MAXHOST */
}

static bool service_ok(const char *v) {
        return value_ok(v, 256, 0);
}

/* A path the kernel printed: absolute, and no "." or ".." component that
 * could make a path built from it name another cgroup. */
static bool cgroup_ok(const char *v) {
        if (!value_ok(v, 4096, VALUE_EMPTY_OK | VALUE_SPACE_OK | VALUE_SLASH_OK))
                return false;
        if (v[0] == '\0')
                return true;
        if (v[0] != '/')
                return false;
        for (const char *c = v + 1; *c;) {
                size_t n = strcspn(c, "/");
                if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
                        return v[1] == '\0'; /* "/" alone is the root */
                c += n;
                if (*c == '/')
                        c++;
        }
        return true;
}

static bool boot_id_ok(const char *v) {
        char id[BOOT_ID_LENGTH + 1];
        return v && strlen(v) == BOOT_ID_LENGTH && boot_id_parse(v, id) == 0;
}

/* logind ids are short alphanumerics ("7", "c2"). */
static bool session_id_ok(const char *v) {
        if (!v || !*v || strlen(v) > 64)
                return false;
        for (; *v; v++)
                if (!((*v >= '0' && *v <= '9') || (*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z')))
                        return false;
        return true;
}

static bool record_ok(const SessionRecord *rec) {
        if (rec->registered > REGISTERED_FOUND)
                return false;
        if (rec->version == 1) {
                if (rec->parent_pid != 0 || rec->boot_id || rec->cgroup_id != 0 || rec->socket_inode != 0 ||
                    rec->registered)
                        return false;
        } else if (rec->version != 2 || rec->parent_pid <= 0 || !boot_id_ok(rec->boot_id))
                return false;
        if (rec->closed_usec != 0 && (rec->version < 2 || !connection_end_by_to_string(rec->closed_by)))
                return false;
        return user_ok(rec->user) && rec->uid != (uid_t) -1 && remote_host_ok(rec->remote_host) &&
               service_ok(rec->service) && rec->sshd_pid > 0 && cgroup_ok(rec->cgroup) &&
               (!rec->session_id || session_id_ok(rec->session_id)) && rec->opened_usec > 0;
}

int session_record_format(const SessionRecord *rec, char **ret) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        FILE *f;

        if (!record_ok(rec))
                return -EINVAL;

        f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;
        fprintf(f, "VERSION=%u\n", rec->version);
        fprintf(f, "USER=%s\n", rec->user);
        fprintf(f, "UID=%" PRIu32 "\n", (uint32_t) rec->uid);
        fprintf(f, "REMOTE_HOST=%s\n", rec->remote_host);
        fprintf(f, "SERVICE=%s\n", rec->service);
        fprintf(f, "SSHD_PID=%d\n", (int) rec->sshd_pid);
        fprintf(f, "SSHD_STARTTIME=%" PRIu64 "\n", rec->sshd_starttime);
        if (rec->version >= 2) {
                fprintf(f, "PARENT_PID=%d\n", (int) rec->parent_pid);
                fprintf(f, "PARENT_STARTTIME=%" PRIu64 "\n", rec->parent_starttime);
                fprintf(f, "BOOT_ID=%s\n", rec->boot_id);
        }
        fprintf(f, "CGROUP=%s\n", rec->cgroup);
        if (rec->cgroup_id != 0)
                fprintf(f, "CGROUP_ID=%" PRIu64 "\n", rec->cgroup_id);
        if (rec->session_id)
                fprintf(f, "SESSION_ID=%s\n", rec->session_id);
        if (rec->audit_session != AUDIT_SESSION_UNSET)
                fprintf(f, "AUDIT_SESSION=%" PRIu32 "\n", rec->audit_session);
        if (rec->socket_inode != 0)
                fprintf(f, "SOCKET_INODE=%" PRIu64 "\n", rec->socket_inode);
        fprintf(f, "OPENED_USEC=%" PRIu64 "\n", rec->opened_usec);
        if (rec->registered)
                fprintf(f, "REGISTERED=%s\n", rec->registered == REGISTERED_FOUND ? "found" : "exec");
        if (rec->closed_usec != 0) {
                fprintf(f, "CLOSED_USEC=%" PRIu64 "\n", rec->closed_usec);
                fprintf(f, "CLOSED_SILENCE_USEC=%" PRIu64 "\n", rec->closed_silence_usec);
                fprintf(f, "CLOSED_BY=%s\n", connection_end_by_to_string(rec->closed_by));
        }
        if (ferror(f)) {
                (void) fclose(f);
                return -ENOMEM;
        }
        if (fclose(f) != 0)
                return -ENOMEM;

        *ret = TAKE_PTR(text);
        return 0;
}

enum {
        KEY_VERSION,
        KEY_USER,
        KEY_UID,
        KEY_REMOTE_HOST,
        KEY_SERVICE,
        KEY_SSHD_PID,
        KEY_SSHD_STARTTIME,
        KEY_PARENT_PID,
        KEY_PARENT_STARTTIME,
        KEY_BOOT_ID,
        KEY_CGROUP,
        KEY_CGROUP_ID,
        KEY_SESSION_ID,
        KEY_AUDIT_SESSION,
        KEY_SOCKET_INODE,
        KEY_OPENED_USEC,
        KEY_REGISTERED,
        KEY_CLOSED_USEC,
        KEY_CLOSED_SILENCE_USEC,
        KEY_CLOSED_BY,
        _KEY_MAX,
};

/* Which version requires the key (0: optional), and from which one it may appear. */
static const struct {
        const char *name;
        unsigned required_from, allowed_from;
} keys[_KEY_MAX] = {
        [KEY_VERSION] = { "VERSION", 1, 1 },
        [KEY_USER] = { "USER", 1, 1 },
        [KEY_UID] = { "UID", 1, 1 },
        [KEY_REMOTE_HOST] = { "REMOTE_HOST", 1, 1 },
        [KEY_SERVICE] = { "SERVICE", 1, 1 },
        [KEY_SSHD_PID] = { "SSHD_PID", 1, 1 },
        [KEY_SSHD_STARTTIME] = { "SSHD_STARTTIME", 1, 1 },
        [KEY_PARENT_PID] = { "PARENT_PID", 2, 2 },
        [KEY_PARENT_STARTTIME] = { "PARENT_STARTTIME", 2, 2 },
        [KEY_BOOT_ID] = { "BOOT_ID", 2, 2 },
        [KEY_CGROUP] = { "CGROUP", 1, 1 },
        [KEY_CGROUP_ID] = { "CGROUP_ID", 0, 2 },
        [KEY_SESSION_ID] = { "SESSION_ID", 0, 1 },
        [KEY_AUDIT_SESSION] = { "AUDIT_SESSION", 0, 1 },
        [KEY_SOCKET_INODE] = { "SOCKET_INODE", 0, 2 },
        [KEY_OPENED_USEC] = { "OPENED_USEC", 1, 1 },
        [KEY_REGISTERED] = { "REGISTERED", 0, 2 },
        [KEY_CLOSED_USEC] = { "CLOSED_USEC", 0, 2 },
        [KEY_CLOSED_SILENCE_USEC] = { "CLOSED_SILENCE_USEC", 0, 2 },
        [KEY_CLOSED_BY] = { "CLOSED_BY", 0, 2 },
};

static int dup_value(const char *v, bool (*ok)(const char *), char **ret) {
        if (!ok(v))
                return -EBADMSG;
        *ret = strdup(v);
        return *ret ? 0 : -ENOMEM;
}

static int parse_value(unsigned key, const char *v, SessionRecord *rec) {
        uint32_t u32;
        uint64_t u64;

        switch (key) {
        case KEY_VERSION:
                if (parse_u32(v, &u32) < 0 || u32 < 1 || u32 > SESSION_RECORD_VERSION)
                        return -EPROTONOSUPPORT;
                rec->version = u32;
                return 0;
        case KEY_USER:
                return dup_value(v, user_ok, &rec->user);
        case KEY_UID:
                if (parse_u32(v, &u32) < 0 || u32 == UINT32_MAX)
                        return -EBADMSG;
                rec->uid = (uid_t) u32;
                return 0;
        case KEY_REMOTE_HOST:
                return dup_value(v, remote_host_ok, &rec->remote_host);
        case KEY_SERVICE:
                return dup_value(v, service_ok, &rec->service);
        case KEY_SSHD_PID:
                return parse_pid(v, &rec->sshd_pid) < 0 ? -EBADMSG : 0;
        case KEY_SSHD_STARTTIME:
                return parse_u64(v, &rec->sshd_starttime) < 0 ? -EBADMSG : 0;
        case KEY_PARENT_PID:
                return parse_pid(v, &rec->parent_pid) < 0 ? -EBADMSG : 0;
        case KEY_PARENT_STARTTIME:
                return parse_u64(v, &rec->parent_starttime) < 0 ? -EBADMSG : 0;
        case KEY_BOOT_ID:
                return dup_value(v, boot_id_ok, &rec->boot_id);
        case KEY_CGROUP:
                return dup_value(v, cgroup_ok, &rec->cgroup);
        case KEY_CGROUP_ID:
                return parse_u64(v, &rec->cgroup_id) < 0 || rec->cgroup_id == 0 ? -EBADMSG : 0;
        case KEY_SOCKET_INODE:
                return parse_u64(v, &rec->socket_inode) < 0 || rec->socket_inode == 0 ? -EBADMSG : 0;
        case KEY_SESSION_ID:
                return dup_value(v, session_id_ok, &rec->session_id);
        case KEY_AUDIT_SESSION:
                if (parse_u32(v, &u32) < 0 || u32 == AUDIT_SESSION_UNSET)
                        return -EBADMSG;
                rec->audit_session = u32;
                return 0;
        case KEY_OPENED_USEC:
                if (parse_u64(v, &u64) < 0 || u64 == 0)
                        return -EBADMSG;
                rec->opened_usec = u64;
                return 0;
        case KEY_REGISTERED:
                if (strcmp(v, "exec") == 0)
                        rec->registered = REGISTERED_EXEC;
                else if (strcmp(v, "found") == 0)
                        rec->registered = REGISTERED_FOUND;
                else
                        return -EBADMSG;
                return 0;
        case KEY_CLOSED_USEC:
                return parse_u64(v, &rec->closed_usec) < 0 || rec->closed_usec == 0 ? -EBADMSG : 0;
        case KEY_CLOSED_SILENCE_USEC:
                return parse_u64(v, &rec->closed_silence_usec) < 0 ? -EBADMSG : 0;
        case KEY_CLOSED_BY:
                return connection_end_by_from_string(v, &rec->closed_by) < 0 ? -EBADMSG : 0;
        }
        return -EBADMSG;
}

int session_record_parse(const char *text, size_t size, SessionRecord *ret, unsigned *ret_line) {
        return session_record_parse_extra(text, size, SESSION_RECORD_MAX_SIZE, ret, ret_line, NULL, NULL);
}

int session_record_parse_extra(const char *text, size_t size, size_t max_size, SessionRecord *ret,
                               unsigned *ret_line, session_record_extra_cb extra, void *userdata) {
        _cleanup_(session_record_done) SessionRecord rec = SESSION_RECORD_NULL;
        bool seen[_KEY_MAX] = {};
        unsigned line_no = 0;
        size_t pos = 0;
        int r;

        if (ret_line)
                *ret_line = 0;
        if (size > max_size)
                return -EFBIG;
        if (memchr(text, '\0', size))
                return -EBADMSG;

        while (pos < size) {
                const char *line = text + pos, *nl, *eq;
                char value[SESSION_RECORD_MAX_LINE + 1];
                size_t n, klen;
                unsigned k;

                line_no++;
                if (ret_line)
                        *ret_line = line_no;

                nl = memchr(line, '\n', size - pos);
                if (!nl) /* a record always ends in a newline: this one was cut short */
                        return -EBADMSG;
                n = (size_t) (nl - line);
                if (n > SESSION_RECORD_MAX_LINE)
                        return -E2BIG;
                eq = memchr(line, '=', n);
                if (!eq)
                        return -EBADMSG;
                klen = (size_t) (eq - line);

                for (k = 0; k < _KEY_MAX; k++)
                        if (strlen(keys[k].name) == klen && memcmp(keys[k].name, line, klen) == 0)
                                break;
                memcpy(value, eq + 1, n - klen - 1);
                value[n - klen - 1] = '\0';
                pos += n + 1;

                if (k == _KEY_MAX) {
                        char key[64];

                        if (!extra || klen == 0 || klen >= sizeof(key))
                                return -EBADMSG;
                        memcpy(key, line, klen);
                        key[klen] = '\0';
                        r = extra(key, value, userdata);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (seen[k])
                        return -EBADMSG;
                seen[k] = true;
                r = parse_value(k, value, &rec);
                if (r < 0)
                        return r;
        }

        if (ret_line)
                *ret_line = 0;
        if (!seen[KEY_VERSION])
                return -EPROTONOSUPPORT;
        for (unsigned k = 0; k < _KEY_MAX; k++) {
                if (seen[k] && rec.version < keys[k].allowed_from)
                        return -EBADMSG;
                if (!seen[k] && keys[k].required_from != 0 && rec.version >= keys[k].required_from)
                        return -EBADMSG;
        }
        if (seen[KEY_CLOSED_USEC] != seen[KEY_CLOSED_SILENCE_USEC] || seen[KEY_CLOSED_USEC] != seen[KEY_CLOSED_BY])
                return -EBADMSG;

        *ret = rec;
        rec = SESSION_RECORD_NULL;
        return 0;
}

/* Owned by us, a directory or a regular file as asked, and no access for
 * anyone else: the content decides whom we signal. */
static int check_owner_mode(int fd, mode_t type, mode_t mode) {
        struct stat st;

        if (fstat(fd, &st) < 0)
                return negative_errno();
        if ((st.st_mode & S_IFMT) != type)
                return type == S_IFDIR ? -ENOTDIR : -EPERM;
        if (st.st_uid != geteuid() || (st.st_mode & 07777) != mode)
                return -EPERM;
        return 0;
}

int session_dir_open(const char *state_dir, bool create) {
        return state_subdir_open(state_dir, SESSION_DIR_NAME, create);
}

int state_subdir_open(const char *state_dir, const char *name, bool create) {
        _cleanup_close_ int state_fd = -1, fd = -1;
        bool created = false;
        int r;

        if (!state_dir || state_dir[0] != '/')
                return -EINVAL;

        if (create && mkdir(state_dir, 0755) < 0 && errno != EEXIST)
                return negative_errno();
        state_fd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (state_fd < 0)
                return negative_errno();

        if (create) {
                if (mkdirat(state_fd, name, 0700) >= 0)
                        created = true;
                else if (errno != EEXIST)
                        return negative_errno();
        }
        fd = openat(state_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
                struct stat st;

                /* O_DIRECTORY|O_NOFOLLOW on a symlink says ENOTDIR: name it
                 * for what it is, a planted link we refuse. */
                r = negative_errno();
                if (r == -ELOOP || (r == -ENOTDIR && fstatat(state_fd, name, &st, AT_SYMLINK_NOFOLLOW) >= 0 &&
                                    S_ISLNK(st.st_mode)))
                        return -EPERM;
                return r;
        }
        /* The umask may have taken bits from what we just made. */
        if (created && fchmod(fd, 0700) < 0)
                return negative_errno();
        r = check_owner_mode(fd, S_IFDIR, 0700);
        if (r < 0)
                return r;
        return TAKE_FD(fd);
}

int session_record_write(int dir_fd, const SessionRecord *rec) {
        _cleanup_free_ char *text = NULL, *name = NULL;
        int r;

        r = session_record_format(rec, &text);
        if (r < 0)
                return r;
        if (strlen(text) > SESSION_RECORD_MAX_SIZE)
                return -EINVAL;
        r = session_record_name(rec->sshd_pid, rec->sshd_starttime, &name);
        if (r < 0)
                return r;
        /* Only this process (PID + start time) writes this name: a leftover
         * temp file can only be our own from an interrupted earlier try. */
        return write_file_atomic(dir_fd, name, text);
}

int session_record_read(int dir_fd, const char *name, SessionRecord *ret) {
        _cleanup_(session_record_done) SessionRecord rec = SESSION_RECORD_NULL;
        _cleanup_free_ char *text = NULL;
        _cleanup_close_ int fd = -1;
        uint64_t starttime;
        size_t size;
        pid_t pid;
        int r;

        if (session_record_parse_name(name, &pid, &starttime) < 0)
                return -EINVAL;

        /* O_NONBLOCK: a FIFO planted under a record name must not hang us. */
        fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return errno == ELOOP ? -EPERM : negative_errno();
        r = check_owner_mode(fd, S_IFREG, 0600);
        if (r < 0)
                return r;
        r = read_fd_full(fd, SESSION_RECORD_MAX_SIZE, &text, &size);
        if (r < 0)
                return r;
        r = session_record_parse(text, size, &rec, NULL);
        if (r < 0)
                return r;
        if (rec.sshd_pid != pid || rec.sshd_starttime != starttime)
                return -EBADMSG;

        *ret = rec;
        rec = SESSION_RECORD_NULL;
        return 0;
}

int session_record_remove(int dir_fd, pid_t pid, uint64_t starttime) {
        _cleanup_free_ char *name = NULL;
        int r;

        r = session_record_name(pid, starttime, &name);
        if (r < 0)
                return r;
        if (unlinkat(dir_fd, name, 0) < 0)
                return negative_errno();
        return 0;
}

bool session_id_matches_cgroup(const char *id, const char *cgroup) {
        const char *last;
        size_t n;

        if (!id || !session_id_ok(id) || !cgroup || !(last = strrchr(cgroup, '/')))
                return false;
        last++;
        n = strlen(id);
        return strncmp(last, "session-", 8) == 0 && strncmp(last + 8, id, n) == 0 &&
               strcmp(last + 8 + n, ".scope") == 0;
}

int session_record_this_boot(const SessionRecord *rec, const char *boot_id) {
        if (!rec->boot_id)
                return 1;
        if (!boot_id)
                return -EINVAL;
        return strcmp(rec->boot_id, boot_id) == 0;
}

int session_record_check_process(const char *proc_root, const SessionRecord *rec) {
        ProcStat st;
        int r;

        r = proc_stat_read(proc_root, rec->sshd_pid, &st);
        if (r == -ENOENT || r == -ESRCH)
                return -ESRCH;
        if (r < 0)
                return r;
        if (st.starttime != rec->sshd_starttime || st.state == 'Z' || st.state == 'X')
                return -ESRCH;
        return 0;
}
