/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "file_read.h"
#include "macro.h"
#include "proc.h"

/* A status file is ~1.5 KiB; the "Uid:" line comes early. */
#define PROC_STATUS_MAX (64 * 1024)

static int parse_uid_field(const char **p, uid_t *ret) {
        char field[16];
        size_t n;
        uint32_t v;

        *p += strspn(*p, "\t ");
        n = strcspn(*p, "\t \n");
        if (n == 0 || n >= sizeof(field))
                return -EBADMSG;
        memcpy(field, *p, n);
        field[n] = '\0';
        *p += n;
        if (parse_u32(field, &v) < 0 || v == UINT32_MAX)
                return -EBADMSG;
        *ret = (uid_t) v;
        return 0;
}

int proc_status_parse_uids(const char *text, uid_t *ret_ruid, uid_t *ret_euid) {
        for (const char *line = text; *line;) {
                size_t n = strcspn(line, "\n");

                if (n >= 4 && strncmp(line, "Uid:", 4) == 0) {
                        const char *p = line + 4;
                        uid_t r, e;
                        if (parse_uid_field(&p, &r) < 0 || parse_uid_field(&p, &e) < 0)
                                return -EBADMSG;
                        *ret_ruid = r;
                        *ret_euid = e;
                        return 0;
                }
                line += n;
                if (*line == '\n')
                        line++;
        }
        return -EBADMSG;
}

int proc_status_uids(const char *proc_root, pid_t pid, uid_t *ret_ruid, uid_t *ret_euid) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        int r;

        r = proc_pid_path(proc_root, pid, "status", &path);
        if (r < 0)
                return r;
        r = read_file_at(AT_FDCWD, path, PROC_STATUS_MAX, &text, NULL);
        if (r < 0)
                return r;
        return proc_status_parse_uids(text, ret_ruid, ret_euid);
}
