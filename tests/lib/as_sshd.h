/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The PAM module acts only in a process that runs a file named sshd (or
 * sshd-session). exec_as_sshd() re-executes the calling program, whose
 * resolved path is `self`, as a hard link of itself named sshd in
 * <self>.as-sshd/, with the same argv; it returns only on failure (said
 * on stderr). running_as_sshd() tells whether that already happened. */
void exec_as_sshd(const char *self, char **argv);
int running_as_sshd(void);

/* /proc/self/exe resolved (valgrind's --trace-children follows a real path
 * but not the magic link); exits on failure. */
void self_exe(char *buf, size_t size);
