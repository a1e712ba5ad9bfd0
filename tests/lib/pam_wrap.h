/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* Runs the calling test under pam_wrapper: when PAM_WRAPPER is not yet set,
 * re-executes /proc/self/exe with libpam_wrapper.so preloaded, so the test
 * works the same from `make check`, by hand, or under a debugger. PAM service
 * files then come from service_dir instead of /etc/pam.d. With as_sshd, it
 * runs as a hard link named sshd (in <self>.as-sshd/), since the module
 * acts only in a process that runs sshd's file. */
void pam_wrap_reexec(char **argv, const char *service_dir, bool as_sshd);

/* In the wrapped process: remove pam_wrapper's /tmp/pam.X of this PID at
 * exit (under valgrind its own destructor does not get to). */
void pam_wrap_at_exit(void);

/* Writes service_dir/name with the given stack text. */
void pam_wrap_write_service(const char *service_dir, const char *name, const char *stack);
