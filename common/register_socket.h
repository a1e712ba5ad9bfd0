/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The daemon's registration socket, <state_dir>/register.sock, mode 0666:
 * sshd-watchdog-exec connects to it as the user and sends nothing. The
 * daemon learns who the peer is from the kernel (SO_PEERCRED, /proc), never
 * from anything the peer could write, and answers one line:
 *
 *   "OK watched NAME"  a record NAME was written: the session is watched
 *   "OK already NAME"  NAME was already recorded (by the PAM module, or by
 *                      an earlier channel of the same connection)
 *   "NO WHY"           refused (not below an sshd monitor of this user, ...)
 *
 * and closes. The helper runs the user's command whatever the answer. */
#define REGISTER_SOCKET_NAME "register.sock"
/* How long the helper waits for the answer: the daemon may have to wait
 * for systemd to set up a scope. */
#define REGISTER_TIMEOUT_MSEC 5000
