/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "file_read.h"
#include "macro.h"
#include "proc.h"

int proc_sessionid_parse(const char *text, size_t len, uint32_t *ret) {
        char buf[16];
        uint32_t id;

        if (len > 0 && text[len - 1] == '\n')
                len--;
        if (len == 0 || len >= sizeof(buf) || memchr(text, '\0', len))
                return -EBADMSG;
        memcpy(buf, text, len);
        buf[len] = '\0';
        if (parse_u32(buf, &id) < 0)
                return -EBADMSG;
        if (id == AUDIT_SESSION_UNSET)
                return -ENODATA;
        *ret = id;
        return 0;
}

int proc_sessionid_read(const char *proc_root, pid_t pid, uint32_t *ret) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        size_t len;
        int r;

        r = proc_pid_path(proc_root, pid, "sessionid", &path);
        if (r < 0)
                return r;
        r = read_file_at(AT_FDCWD, path, 32, &text, &len);
        if (r < 0)
                return r;
        return proc_sessionid_parse(text, len, ret);
}
