/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "file_read.h"
#include "macro.h"
#include "proc.h"

int boot_id_parse(const char *text, char ret[static BOOT_ID_LENGTH + 1]) {
        size_t n = strcspn(text, "\n");

        if (n != BOOT_ID_LENGTH || (text[n] == '\n' && text[n + 1] != '\0'))
                return -EBADMSG;
        for (size_t i = 0; i < BOOT_ID_LENGTH; i++) {
                bool dash = i == 8 || i == 13 || i == 18 || i == 23;
                if (dash ? text[i] != '-' : !((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f')))
                        return -EBADMSG;
        }
        memcpy(ret, text, BOOT_ID_LENGTH);
        ret[BOOT_ID_LENGTH] = '\0';
        return 0;
}

/* As PID 1 sees it, through its root: systemd-nspawn mounts a boot id of
 * the container's own over the file, and a service with
 * ProtectKernelTunables= (this daemon) gets a /proc/sys without that mount,
 * so the kernel's. PID 1's view is the one every process of the machine
 * shares; without the right to look through its root, our own. */
int proc_boot_id(const char *proc_root, char ret[static BOOT_ID_LENGTH + 1]) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        int r = -ENOENT;

        if (!proc_root)
                r = read_file_at(AT_FDCWD, "/proc/1/root/proc/sys/kernel/random/boot_id", 64, &text, NULL);
        if (r < 0) {
                if (asprintf(&path, "%s/sys/kernel/random/boot_id", proc_root ?: PROC_ROOT_DEFAULT) < 0)
                        return -ENOMEM;
                r = read_file_at(AT_FDCWD, path, 64, &text, NULL);
        }
        if (r < 0)
                return r;
        return boot_id_parse(text, ret);
}
