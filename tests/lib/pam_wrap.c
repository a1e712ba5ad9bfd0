/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "as_sshd.h"
#include "pam_wrap.h"

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st, (void) flag, (void) ftw;
        (void) remove(path);
        return 0;
}

/* pam_wrapper 1.1.4 copies the services into /tmp/pam.X with a "pid" file
 * and removes it in a destructor, which does not run under valgrind or on a
 * crash. Remove the one that names this process, and only that one. */
static void remove_own_pwrap_dir(void) {
        DIR *d = opendir("/tmp");
        struct dirent *de;
        char self[32];

        if (!d)
                return;
        snprintf(self, sizeof(self), "%d", (int) getpid());
        while ((de = readdir(d))) {
                char path[300], pid[32] = "";
                FILE *f;

                if (strncmp(de->d_name, "pam.", 4) != 0 || strlen(de->d_name) != 5)
                        continue;
                snprintf(path, sizeof(path), "/tmp/%s/pid", de->d_name);
                if (!(f = fopen(path, "re")))
                        continue;
                if (!fgets(pid, sizeof(pid), f))
                        pid[0] = '\0';
                fclose(f);
                pid[strcspn(pid, "\n")] = '\0';
                if (strcmp(pid, self) != 0)
                        continue;
                snprintf(path, sizeof(path), "/tmp/%s", de->d_name);
                (void) nftw(path, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
        }
        closedir(d);
}

void pam_wrap_at_exit(void) {
        (void) atexit(remove_own_pwrap_dir);
}

void pam_wrap_reexec(char **argv, const char *service_dir, bool as_sshd) {
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

        char self[PATH_MAX];
        self_exe(self, sizeof(self));
        if (as_sshd) {
                exec_as_sshd(self, argv);
                exit(EXIT_FAILURE);
        }
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
