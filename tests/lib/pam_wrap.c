/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pam_wrap.h"

void pam_wrap_reexec(char **argv, const char *service_dir) {
        const char *on = getenv("PAM_WRAPPER"), *preload = getenv("LD_PRELOAD");
        char *value = NULL;

        if (on && strcmp(on, "1") == 0)
                return;

        /* pam_wrapper must come after a sanitizer runtime that asks to be first. */
        if (preload && *preload) {
                if (asprintf(&value, "%s:%s", preload, PAM_WRAPPER_LIB) < 0)
                        abort();
        } else if (!(value = strdup(PAM_WRAPPER_LIB)))
                abort();

        if (setenv("LD_PRELOAD", value, 1) < 0 || setenv("PAM_WRAPPER", "1", 1) < 0 ||
            setenv("PAM_WRAPPER_SERVICE_DIR", service_dir, 1) < 0 ||
            /* RTLD_DEEPBIND breaks the sanitizers' interposition; harmless
             * otherwise. pam_wrapper 1.1.4 (Debian 12) reads the variable
             * under uid_wrapper's name, later versions under its own. */
            setenv("PAM_WRAPPER_DISABLE_DEEPBIND", "1", 1) < 0 ||
            setenv("UID_WRAPPER_DISABLE_DEEPBIND", "1", 1) < 0) {
                perror("setenv");
                exit(EXIT_FAILURE);
        }
        free(value);

        /* The resolved path, not /proc/self/exe itself: valgrind's
         * --trace-children follows a real path but not the magic link. */
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n < 0 || (size_t) n >= sizeof(self) - 1) {
                fprintf(stderr, "cannot resolve /proc/self/exe: %s\n", n < 0 ? strerror(errno) : "too long");
                exit(EXIT_FAILURE);
        }
        self[n] = '\0';
        execv(self, argv);
        fprintf(stderr, "cannot re-exec %s under pam_wrapper: %s\n", self, strerror(errno));
        exit(EXIT_FAILURE);
}

void pam_wrap_write_service(const char *service_dir, const char *name, const char *stack) {
        char *path;
        FILE *f;

        if (asprintf(&path, "%s/%s", service_dir, name) < 0)
                abort();
        f = fopen(path, "we");
        if (!f || fputs(stack, f) < 0 || fclose(f) != 0) {
                fprintf(stderr, "cannot write PAM service %s: %s\n", path, strerror(errno));
                abort();
        }
        free(path);
}
