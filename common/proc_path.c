/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "proc.h"

int proc_pid_path(const char *proc_root, pid_t pid, const char *entry, char **ret) {
        if (pid <= 0)
                return -EINVAL;
        if (asprintf(ret, "%s/%d/%s", proc_root ?: PROC_ROOT_DEFAULT, (int) pid, entry) < 0)
                return -ENOMEM;
        return 0;
}
