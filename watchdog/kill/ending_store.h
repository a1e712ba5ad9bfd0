/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "ending.h"

/* Pending endings on disk: <state_dir>/endings/<record name>, root's, 0600,
 * written before the SIGTERM and removed when the kill is over, so that a
 * daemon restarted during KillGraceSec (or killed in the middle of the kill)
 * finishes them. The text is the session record followed by the ending's own
 * keys:
 *
 *   ENDING_BOOT_ID=...          the boot it belongs to (never act on another's)
 *   ENDING_REASON=silent|sshd-gone
 *   KILL_AT_USEC=...            CLOCK_MONOTONIC, the same clock in the same boot
 *   SILENT_USEC= TIMEOUT_USEC= GRACE_USEC= BYTES_RECEIVED=
 *   TERM_PARENT=PID STARTTIME   the monitor's parent at SIGTERM (optional)
 *   PROCESS=PID STARTTIME       the monitor's process tree then, one per line
 */

#define ENDING_DIR_NAME "endings"
#define ENDING_FILE_MAX (1024 * 1024)
/* What fits in ENDING_FILE_MAX with room to spare; the rest of a larger tree
 * is left to the session's scope, cgroup or audit session. */
#define ENDING_TREE_MAX 30000

int ending_store_write(int dir_fd, const Ending *e, const char *boot_id);
/* Fills e's persisted fields (e->name must be set). The file's boot id goes
 * to ret_boot_id. -EBADMSG and friends for a bad file. */
int ending_store_read(int dir_fd, Ending *e, char ret_boot_id[static BOOT_ID_LENGTH + 1]);
int ending_store_parse(const char *text, size_t size, Ending *e, char ret_boot_id[static BOOT_ID_LENGTH + 1]);
int ending_store_remove(int dir_fd, const char *name);
