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

#include "ending_store.h"
#include "file_read.h"
#include "file_write.h"
#include "macro.h"

int ending_store_write(int dir_fd, const Ending *e, const char *boot_id) {
        _cleanup_free_ char *record = NULL, *text = NULL;
        size_t size = 0;
        FILE *f;
        int r;

        r = session_record_format(&e->rec, &record);
        if (r < 0)
                return r;
        f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;
        fputs(record, f);
        fprintf(f, "ENDING_BOOT_ID=%s\n", boot_id);
        fprintf(f, "ENDING_REASON=%s\n", ending_reason_to_string(e->reason));
        fprintf(f, "KILL_AT_USEC=%" PRIu64 "\n", e->kill_at);
        fprintf(f, "SILENT_USEC=%" PRIu64 "\n", e->silence_usec);
        fprintf(f, "TIMEOUT_USEC=%" PRIu64 "\n", e->timeout_usec);
        fprintf(f, "GRACE_USEC=%" PRIu64 "\n", e->grace_usec);
        fprintf(f, "BYTES_RECEIVED=%" PRIu64 "\n", e->bytes_received);
        if (e->reason == ENDING_IDLE) {
                fprintf(f, "IDLE_USEC=%" PRIu64 "\n", e->idle_usec);
                fprintf(f, "IDLE_TIMEOUT_USEC=%" PRIu64 "\n", e->idle_timeout_usec);
        }
        if (e->term_parent.pid > 0)
                fprintf(f, "TERM_PARENT=%d %" PRIu64 "\n", (int) e->term_parent.pid, e->term_parent.starttime);
        for (size_t i = 0; i < e->n_tree && i < ENDING_TREE_MAX; i++)
                fprintf(f, "PROCESS=%d %" PRIu64 "\n", (int) e->tree[i].pid, e->tree[i].starttime);
        if (ferror(f)) {
                (void) fclose(f);
                return -ENOMEM;
        }
        if (fclose(f) != 0)
                return -ENOMEM;
        return write_file_atomic(dir_fd, e->name, text);
}

typedef struct Parse {
        Ending *e;
        char *boot_id;
        unsigned seen; /* bit per single key */
} Parse;

enum {
        SEEN_BOOT = 1 << 0,
        SEEN_REASON = 1 << 1,
        SEEN_KILL_AT = 1 << 2,
        SEEN_SILENT = 1 << 3,
        SEEN_TIMEOUT = 1 << 4,
        SEEN_GRACE = 1 << 5,
        SEEN_BYTES = 1 << 6,
        SEEN_TERM_PARENT = 1 << 7,
        SEEN_IDLE = 1 << 8,
        SEEN_IDLE_TIMEOUT = 1 << 9,
        SEEN_REQUIRED = SEEN_BOOT | SEEN_REASON | SEEN_KILL_AT | SEEN_SILENT | SEEN_TIMEOUT | SEEN_GRACE | SEEN_BYTES,
};

const char *ending_reason_to_string(EndingReason r) {
        switch (r) {
        case ENDING_SILENT:
                return "silent";
        case ENDING_CLOSED:
                return "closed";
        case ENDING_IDLE:
                return "idle";
        case ENDING_SSHD_GONE:
        case _ENDING_REASON_MAX:
                break;
        }
        return "sshd-gone";
}

/* "PID STARTTIME" */
static int parse_ref(const char *v, ProcRef *ret) {
        const char *sp = strchr(v, ' ');
        char pid[16];

        if (!sp || (size_t) (sp - v) >= sizeof(pid))
                return -EBADMSG;
        memcpy(pid, v, (size_t) (sp - v));
        pid[sp - v] = '\0';
        if (parse_pid(pid, &ret->pid) < 0 || parse_u64(sp + 1, &ret->starttime) < 0)
                return -EBADMSG;
        return 0;
}

static int once(Parse *p, unsigned bit) {
        if (p->seen & bit)
                return -EBADMSG;
        p->seen |= bit;
        return 0;
}

static int extra_cb(const char *key, const char *value, void *userdata) {
        Parse *p = userdata;
        Ending *e = p->e;
        int r;

        if (strcmp(key, "PROCESS") == 0) {
                ProcRef ref;
                ProcRef *v;
                if (parse_ref(value, &ref) < 0 || e->n_tree >= ENDING_TREE_MAX)
                        return -EBADMSG;
                v = reallocarray(e->tree, e->n_tree + 1, sizeof(ProcRef));
                if (!v)
                        return -ENOMEM;
                v[e->n_tree++] = ref;
                e->tree = v;
                return 0;
        }
        if (strcmp(key, "ENDING_BOOT_ID") == 0) {
                if ((r = once(p, SEEN_BOOT)) < 0)
                        return r;
                return boot_id_parse(value, p->boot_id) < 0 || strlen(value) != BOOT_ID_LENGTH ? -EBADMSG : 0;
        }
        if (strcmp(key, "ENDING_REASON") == 0) {
                if ((r = once(p, SEEN_REASON)) < 0)
                        return r;
                for (EndingReason x = 0; x < _ENDING_REASON_MAX; x++)
                        if (strcmp(value, ending_reason_to_string(x)) == 0) {
                                e->reason = x;
                                return 0;
                        }
                return -EBADMSG;
        }
        if (strcmp(key, "TERM_PARENT") == 0) {
                if ((r = once(p, SEEN_TERM_PARENT)) < 0)
                        return r;
                return parse_ref(value, &e->term_parent);
        }
        static const struct {
                const char *key;
                unsigned bit;
                size_t offset;
        } numbers[] = {
                { "KILL_AT_USEC", SEEN_KILL_AT, offsetof(Ending, kill_at) },
                { "SILENT_USEC", SEEN_SILENT, offsetof(Ending, silence_usec) },
                { "TIMEOUT_USEC", SEEN_TIMEOUT, offsetof(Ending, timeout_usec) },
                { "GRACE_USEC", SEEN_GRACE, offsetof(Ending, grace_usec) },
                { "BYTES_RECEIVED", SEEN_BYTES, offsetof(Ending, bytes_received) },
                { "IDLE_USEC", SEEN_IDLE, offsetof(Ending, idle_usec) },
                { "IDLE_TIMEOUT_USEC", SEEN_IDLE_TIMEOUT, offsetof(Ending, idle_timeout_usec) },
        };
        for (size_t i = 0; i < ELEMENTSOF(numbers); i++)
                if (strcmp(key, numbers[i].key) == 0) {
                        if ((r = once(p, numbers[i].bit)) < 0)
                                return r;
                        return parse_u64(value, (uint64_t *) ((uint8_t *) e + numbers[i].offset)) < 0 ? -EBADMSG : 0;
                }
        return -EBADMSG;
}

int ending_store_parse(const char *text, size_t size, Ending *e, char ret_boot_id[static BOOT_ID_LENGTH + 1]) {
        Parse p = { .e = e, .boot_id = ret_boot_id };
        int r;

        r = session_record_parse_extra(text, size, ENDING_FILE_MAX, &e->rec, NULL, extra_cb, &p);
        /* A closed ending carries the record close_session marked. */
        if (r >= 0 && ((p.seen & SEEN_REQUIRED) != SEEN_REQUIRED || (e->reason == ENDING_CLOSED) != (e->rec.closed_usec != 0))) {
                session_record_done(&e->rec);
                r = -EBADMSG;
        }
        if (r < 0) {
                free(e->tree);
                e->tree = NULL;
                e->n_tree = 0;
        }
        return r;
}

int ending_store_read(int dir_fd, Ending *e, char ret_boot_id[static BOOT_ID_LENGTH + 1]) {
        _cleanup_free_ char *text = NULL;
        _cleanup_close_ int fd = -1;
        pid_t pid;
        uint64_t starttime;
        struct stat st;
        size_t size;
        int r;

        if (session_record_parse_name(e->name, &pid, &starttime) < 0)
                return -EINVAL;
        fd = openat(dir_fd, e->name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return errno == ELOOP ? -EPERM : negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 07777) != 0600)
                return -EPERM;
        r = read_fd_full(fd, ENDING_FILE_MAX, &text, &size);
        if (r < 0)
                return r;
        r = ending_store_parse(text, size, e, ret_boot_id);
        if (r < 0)
                return r;
        if (e->rec.sshd_pid != pid || e->rec.sshd_starttime != starttime) {
                session_record_done(&e->rec);
                free(e->tree);
                e->tree = NULL;
                e->n_tree = 0;
                return -EBADMSG;
        }
        return 0;
}

int ending_store_remove(int dir_fd, const char *name) {
        if (unlinkat(dir_fd, name, 0) < 0)
                return negative_errno();
        return 0;
}
