/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "as_sshd.h"

void self_exe(char *buf, size_t size) {
        ssize_t n = readlink("/proc/self/exe", buf, size - 1);

        if (n < 0 || (size_t) n >= size - 1) {
                fprintf(stderr, "cannot resolve /proc/self/exe: %s\n", n < 0 ? strerror(errno) : "too long");
                exit(EXIT_FAILURE);
        }
        buf[n] = '\0';
}

int running_as_sshd(void) {
        char self[4096];
        const char *base;

        self_exe(self, sizeof(self));
        base = strrchr(self, '/');
        return strcmp(base ? base + 1 : self, "sshd") == 0;
}

void exec_as_sshd(const char *self, char **argv) {
        char *dir, *link_path;

        if (asprintf(&dir, "%s.as-sshd", self) < 0 || asprintf(&link_path, "%s/sshd", dir) < 0)
                abort();
        if ((mkdir(dir, 0755) < 0 && errno != EEXIST) || (unlink(link_path) < 0 && errno != ENOENT) ||
            link(self, link_path) < 0) {
                fprintf(stderr, "cannot link %s as %s: %s\n", self, link_path, strerror(errno));
                exit(EXIT_FAILURE);
        }
        free(dir);
        execv(link_path, argv);
        fprintf(stderr, "cannot re-exec %s: %s\n", link_path, strerror(errno));
        free(link_path);
}
