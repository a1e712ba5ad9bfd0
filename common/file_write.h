/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Writes text to dir_fd/name through ".<name>.tmp" and rename(2), mode 0600
 * whatever the umask: readers see the old file or the whole new one, never
 * half of it. A temp file left by an interrupted earlier try is replaced. */
int write_file_atomic(int dir_fd, const char *name, const char *text);
