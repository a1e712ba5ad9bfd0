/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "file_read.h"
#include "macro.h"
#include "proc.h"

int proc_sessionid_read(const char *proc_root, pid_t pid, uint32_t *ret) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        size_t len;
        uint32_t id;
        int r;

        r = proc_pid_path(proc_root, pid, "sessionid", &path);
        if (r < 0)
                return r;
        r = read_file_at(AT_FDCWD, path, 32, &text, &len);
        if (r < 0)
                return r;
        if (len > 0 && text[len - 1] == '\n')
                text[len - 1] = '\0';
        r = parse_u32(text, &id);
        if (r < 0)
                return -EBADMSG;
        if (id == AUDIT_SESSION_UNSET)
                return -ENODATA;
        *ret = id;
        return 0;
}
