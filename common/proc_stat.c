/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "file_read.h"
#include "macro.h"
#include "proc.h"

/* Real stat lines are ~300 bytes; comm is at most 64 bytes even for kthreads. */
#define PROC_STAT_MAX 4096

int proc_stat_parse(const char *text, ProcStat *ret) {
        const char *p = strrchr(text, ')');
        ProcStat st = {};
        char field[32];
        int r;

        if (!p || !strchr(text, '('))
                return -EBADMSG;
        p++;

        /* Fields 3 (state) to 22 (starttime), separated by single spaces. */
        for (unsigned i = 3; i <= 22; i++) {
                size_t n;

                if (*p != ' ')
                        return -EBADMSG;
                p++;
                n = strcspn(p, " \n");
                if (n == 0 || n >= sizeof(field))
                        return -EBADMSG;
                memcpy(field, p, n);
                field[n] = '\0';
                p += n;

                if (i == 3) {
                        if (n != 1)
                                return -EBADMSG;
                        st.state = field[0];
                } else if (i == 4) {
                        uint32_t ppid;
                        /* 0 for PID 1 and kthreadd. */
                        r = parse_u32(field, &ppid);
                        if (r < 0 || ppid > INT32_MAX)
                                return -EBADMSG;
                        st.ppid = (pid_t) ppid;
                } else if (i == 20) {
                        r = parse_u32(field, &st.num_threads);
                        if (r < 0)
                                return -EBADMSG;
                } else if (i == 22) {
                        r = parse_u64(field, &st.starttime);
                        if (r < 0)
                                return -EBADMSG;
                }
        }

        *ret = st;
        return 0;
}

int proc_stat_read(const char *proc_root, pid_t pid, ProcStat *ret) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        int r;

        r = proc_pid_path(proc_root, pid, "stat", &path);
        if (r < 0)
                return r;
        r = read_file_at(AT_FDCWD, path, PROC_STAT_MAX, &text, NULL);
        if (r < 0)
                return r;
        return proc_stat_parse(text, ret);
}
