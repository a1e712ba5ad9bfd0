/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "journal_queue.h"
#include "log.h"

static int use_stderr = -1; /* -1: decide on first use */
static int max_level = LOG_INFO;

void log_set_max_level(int level) {
        max_level = level;
}

static bool to_stderr(void) {
        if (use_stderr < 0) {
                const char *e = getenv("SSHD_WATCHDOG_LOG");
                use_stderr = (e && strcmp(e, "stderr") == 0) ||
                             access("/run/systemd/journal/socket", W_OK) < 0;
        }
        return use_stderr;
}

static void write_stderr(int priority, const char *message_id, char *const *fields, const char *message) {
        /* "<N>" lets systemd and readers of a plain log see the priority. */
        fprintf(stderr, "<%d>%s", priority, message);
        if (message_id || (fields && fields[0])) {
                fputs(" [", stderr);
                if (message_id)
                        fprintf(stderr, "MESSAGE_ID=%s", message_id);
                for (size_t i = 0; fields && fields[i]; i++)
                        fprintf(stderr, "%s%s", i || message_id ? " " : "", fields[i]);
                fputc(']', stderr);
        }
        fputc('\n', stderr);
        fflush(stderr);
}

static void log_send(int priority, const char *message_id, char *const *fields, const char *message) {
        char prio[16], *msg = NULL, *mid = NULL;
        struct iovec iov[64];
        size_t n = 0;

        if (priority > max_level)
                return;
        if (to_stderr()) {
                write_stderr(priority, message_id, fields, message);
                return;
        }

        snprintf(prio, sizeof(prio), "PRIORITY=%d", priority);
        if (asprintf(&msg, "MESSAGE=%s", message) < 0) {
                write_stderr(priority, message_id, fields, message);
                return;
        }
        iov[n++] = (struct iovec) { prio, strlen(prio) };
        iov[n++] = (struct iovec) { (char *) "SYSLOG_IDENTIFIER=" LOG_IDENTIFIER, strlen("SYSLOG_IDENTIFIER=" LOG_IDENTIFIER) };
        iov[n++] = (struct iovec) { msg, strlen(msg) };
        if (message_id && asprintf(&mid, "MESSAGE_ID=%s", message_id) >= 0)
                iov[n++] = (struct iovec) { mid, strlen(mid) };
        for (size_t i = 0; fields && fields[i] && n < sizeof(iov) / sizeof(iov[0]); i++)
                iov[n++] = (struct iovec) { fields[i], strlen(fields[i]) };

        /* Without waiting for journald, when the daemon's loop is attached;
         * what that cannot send (a datagram too large) goes the usual way. */
        if ((!journal_queue_attached() || journal_queue_send(iov, n) < 0) && sd_journal_sendv(iov, (int) n) < 0)
                write_stderr(priority, message_id, fields, message);
        free(msg);
        free(mid);
}

static void log_vsend(int priority, const char *message_id, char *const *fields, const char *fmt, va_list ap) {
        char *message = NULL;

        if (priority > max_level)
                return;
        if (vasprintf(&message, fmt, ap) < 0)
                message = NULL;
        log_send(priority, message_id, fields, message ?: fmt);
        free(message);
}

void log_struct(int priority, const char *message_id, char *const *fields, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        log_vsend(priority, message_id, fields, fmt, ap);
        va_end(ap);
}

void log_msg(int priority, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        log_vsend(priority, NULL, NULL, fmt, ap);
        va_end(ap);
}

int log_errno(int priority, int error, const char *fmt, ...) {
        char *message = NULL, *full = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&message, fmt, ap) < 0)
                message = NULL;
        va_end(ap);
        if (asprintf(&full, "%s: %s", message ?: fmt, strerror(error < 0 ? -error : error)) < 0)
                full = NULL;
        log_send(priority, NULL, NULL, full ?: fmt);
        free(message);
        free(full);
        return error < 0 ? error : -error;
}
