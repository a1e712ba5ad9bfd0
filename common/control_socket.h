/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The daemon's control socket, <state_dir>/control.sock: root only (0600,
 * and SO_PEERCRED). A client connects and reads to EOF; it sends nothing.
 * The answer is KEY=VALUE lines in blocks separated by one empty line:
 *
 *   VERSION=1, PID, STATE_DIRECTORY, CONFIG_FILE (one per file, in the order
 *   read), SESSIONS, ENDINGS, ENDED_TOTAL, CLOSED_DEAD_TOTAL, UNRECORDED,
 *   UPTIME_USEC
 *
 * then per session (and per pending ending, STATE=ending, and per
 * connection of sshd's without a record, STATE=unrecorded):
 *
 *   SESSION (the record's name), STATE (watching, dry-run, untimed, exempt,
 *   pending, unwatchable, closing, ending), WHY (pending, unwatchable),
 *   SESSION_ID, USER, UID, REMOTE_HOST, SSHD_PID, OPENED_USEC (realtime),
 *   LIMIT_SOURCE, LIMIT_USEC, KILL_GRACE_USEC, SILENT_USEC, LEFT_USEC,
 *   BYTES_RECEIVED, KILL_IN_USEC (ending)
 *
 * Keys a block does not apply to are left out; readers ignore keys they do
 * not know. Values hold no control characters. */
#define CONTROL_SOCKET_NAME "control.sock"
#define CONTROL_VERSION 1

/* The values of STATE, each a state of the daemon's (docs/design.md, section 11). */
#define CONTROL_STATE_WATCHING "watching"       /* timed */
#define CONTROL_STATE_DRY_RUN "dry-run"         /* timed, DryRun=yes: reported, not ended */
#define CONTROL_STATE_UNTIMED "untimed"         /* InputTimeoutSec=0 */
#define CONTROL_STATE_EXEMPT "exempt"           /* ExemptUsers=, ExemptGroups= */
#define CONTROL_STATE_PENDING "pending"         /* what it needs failed for a reason that may pass: retried */
#define CONTROL_STATE_UNWATCHABLE "unwatchable" /* no TCP connection, a bad record: WHY says */
#define CONTROL_STATE_CLOSING "closing"         /* its connection is gone, sshd is closing it */
#define CONTROL_STATE_ENDING "ending"           /* ended; its leftovers are killed KILL_IN_USEC later */
#define CONTROL_STATE_UNRECORDED "unrecorded"   /* a connection of sshd's that no record names: WHY says */

/* All of them, in the order status and metrics print them. */
#define CONTROL_STATES                                                                                        \
        {                                                                                                     \
                CONTROL_STATE_WATCHING, CONTROL_STATE_DRY_RUN, CONTROL_STATE_UNTIMED, CONTROL_STATE_EXEMPT,   \
                        CONTROL_STATE_PENDING, CONTROL_STATE_UNWATCHABLE, CONTROL_STATE_CLOSING,              \
                        CONTROL_STATE_ENDING, CONTROL_STATE_UNRECORDED                                        \
        }
