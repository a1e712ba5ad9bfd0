/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <syslog.h>

#include "macro.h"

/* Structured logging for the daemon and tools (docs/design.md, section 9): to the
 * journal with MESSAGE_ID and fields when journald is there, else one line on
 * stderr that carries the same fields, so tests on hosts without journald
 * can read them. Not for the PAM module, which uses pam_syslog. */

#define MESSAGE_ID_SESSION_WATCHED  "4c2ba311a05a4709ba96cf25424c5a90"
#define MESSAGE_ID_SESSION_ENDED    "ffa2c22415ca4dff88de52a663886246"
#define MESSAGE_ID_SESSION_DRY_RUN  "d212121192f942389023d3017b40cde0"
#define MESSAGE_ID_DAEMON_STARTED   "a21ecc70344042c1a43a227fb9b3e571"
#define MESSAGE_ID_SESSION_UNWATCHABLE "17a1fbaf79fe4559b08f168afbf5f033"
#define MESSAGE_ID_SESSION_CLOSED_DEAD "c6aa9e92fec447a7b65e65958bd80be5"
#define MESSAGE_ID_CONNECTION_UNRECORDED "a40577c7d47b4c03acb31973c37186b4"
#define MESSAGE_ID_SESSION_IDLE_WARNED "6a7dd862fe054c56a9e1fedff79ff861"
#define MESSAGE_ID_SESSION_IDLE_ENDED "396f0c162af3482fa8033554d67f9cf8"
#define MESSAGE_ID_SESSION_IDLE_UNSEEN "5ae381bc9afc4f2f83af8634766de3b5"

#define LOG_IDENTIFIER "sshd-watchdog"

void log_set_max_level(int level);

/* fields: NULL-terminated "KEY=VALUE" strings, may be NULL. */
_printf_(4, 5) void log_struct(int priority, const char *message_id, char *const *fields, const char *fmt, ...);

_printf_(2, 3) void log_msg(int priority, const char *fmt, ...);
/* Logs with ": <strerror(-error)>" appended; returns error (a negative errno). */
_printf_(3, 4) int log_errno(int priority, int error, const char *fmt, ...);

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_error_errno(e, ...) log_errno(LOG_ERR, e, __VA_ARGS__)
#define log_warning_errno(e, ...) log_errno(LOG_WARNING, e, __VA_ARGS__)
#define log_debug_errno(e, ...) log_errno(LOG_DEBUG, e, __VA_ARGS__)
