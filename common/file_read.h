/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* Reads all of fd into a NUL-terminated heap buffer. Files in /proc report a
 * size of 0, so this reads until EOF instead of trusting fstat(). Fails with
 * -EFBIG when the content exceeds max_size bytes. */
int read_fd_full(int fd, size_t max_size, char **ret, size_t *ret_size);

/* openat(dirfd, path, O_RDONLY|O_CLOEXEC|O_NOCTTY|O_NOFOLLOW) + read_fd_full(). */
int read_file_at(int dirfd, const char *path, size_t max_size, char **ret, size_t *ret_size);
