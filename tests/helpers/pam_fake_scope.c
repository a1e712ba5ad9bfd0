/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pam_fake_scope.so cgroot=DIR [noenv]: what pam_systemd does that our
 * module and daemon can see, without systemd: the login gets a cgroup of its
 * own, DIR/session-<pid>.scope, holding sshd's monitor, and (unless noenv)
 * XDG_SESSION_ID=<pid> in the PAM environment. With tests/helpers/fake-logind
 * serving DIR, the daemon's logind path runs against it; with noenv, the
 * cgroup.kill path runs. For tests only.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv) {
        const char *cgroot = NULL;
        char dir[4096], procs[4200], env[64];
        int env_on = 1, fd;

        for (int i = 0; i < argc; i++)
                if (strncmp(argv[i], "cgroot=", 7) == 0)
                        cgroot = argv[i] + 7;
                else if (strcmp(argv[i], "noenv") == 0)
                        env_on = 0;
        if (!cgroot)
                return PAM_SESSION_ERR;

        snprintf(dir, sizeof(dir), "%s/session-%d.scope", cgroot, (int) getpid());
        snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
        if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
                pam_syslog(pamh, LOG_ERR, "mkdir %s: %m", dir);
                return PAM_SESSION_ERR;
        }
        fd = open(procs, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || dprintf(fd, "%d\n", (int) getpid()) < 0) {
                pam_syslog(pamh, LOG_ERR, "cannot move into %s: %m", dir);
                if (fd >= 0)
                        close(fd);
                return PAM_SESSION_ERR;
        }
        close(fd);
        snprintf(env, sizeof(env), "XDG_SESSION_ID=%d", (int) getpid());
        if (env_on && pam_putenv(pamh, env) != PAM_SUCCESS)
                return PAM_SESSION_ERR;
        return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv) {
        return PAM_SUCCESS;
}
