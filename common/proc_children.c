/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file_read.h"
#include "macro.h"
#include "proc.h"

/* A thread's children file lists its children's PIDs: 7 digits and a space each. */
#define PROC_CHILDREN_MAX (4 * 1024 * 1024)

int proc_children_parse(const char *text, pid_t **v, size_t *n, size_t *allocated) {
        for (const char *p = text; *p;) {
                char field[16];
                size_t len;
                pid_t pid;

                p += strspn(p, " \n");
                if (!*p)
                        break;
                len = strcspn(p, " \n");
                if (len >= sizeof(field))
                        return -EBADMSG;
                memcpy(field, p, len);
                field[len] = '\0';
                p += len;
                if (parse_pid(field, &pid) < 0)
                        return -EBADMSG;
                if (*n == *allocated) {
                        size_t m = *allocated ? *allocated * 2 : 8;
                        pid_t *q = reallocarray(*v, m, sizeof(pid_t));
                        if (!q)
                                return -ENOMEM;
                        *v = q;
                        *allocated = m;
                }
                (*v)[(*n)++] = pid;
        }
        return 0;
}

typedef struct Collect {
        pid_t *v;
        size_t n, allocated;
} Collect;

static int collect(const char *text, void *userdata) {
        Collect *c = userdata;
        return proc_children_parse(text, &c->v, &c->n, &c->allocated);
}

int proc_children(const char *proc_root, pid_t pid, uint32_t num_threads, pid_t **ret, size_t *ret_n) {
        _cleanup_free_ pid_t *v = NULL;
        size_t n = 0, allocated = 0;
        bool any = false;
        int r;

        if (num_threads == 1) {
                /* Most processes: one file, no listing of the tasks. */
                _cleanup_free_ char *file = NULL, *text = NULL;
                if (asprintf(&file, "%s/%d/task/%d/children", proc_root ?: PROC_ROOT_DEFAULT, (int) pid, (int) pid) < 0)
                        return -ENOMEM;
                r = read_file_at(AT_FDCWD, file, PROC_CHILDREN_MAX, &text, NULL);
                if (r >= 0) {
                        r = proc_children_parse(text, &v, &n, &allocated);
                        if (r < 0)
                                return r;
                        *ret = TAKE_PTR(v);
                        *ret_n = n;
                        return 0;
                }
                if (r != -ENOENT)
                        return r;
                /* Gone, or no such file, or it has threads now: the long way. */
        }

        Collect c = {};
        r = proc_tasks_read(proc_root, pid, "children", PROC_CHILDREN_MAX, collect, &c, &any);
        v = c.v;
        n = c.n;
        if (r < 0)
                return r;
        if (!any) {
                /* No thread had the file: gone meanwhile, or no kernel support. */
                _cleanup_free_ char *stat = NULL;
                if (proc_pid_path(proc_root, pid, "stat", &stat) < 0)
                        return -ENOMEM;
                return access(stat, F_OK) < 0 ? -ENOENT : -EOPNOTSUPP;
        }
        *ret = TAKE_PTR(v);
        *ret_n = n;
        return 0;
}
