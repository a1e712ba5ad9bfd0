/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "journal_queue.h"
#include "macro.h"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"
/* Beyond this, new entries are dropped and counted: memory is not the
 * journal's. A thousand endings make about three thousand entries. */
#define QUEUE_MAX_ENTRIES 100000
#define QUEUE_MAX_BYTES (64 * 1024 * 1024)

typedef struct Entry {
        struct Entry *next;
        size_t size;
        char data[];
} Entry;

static struct {
        struct sockaddr_un journald;
        int fd;
        sd_event_source *io;
        Entry *head, *tail;
        size_t entries, bytes;
        unsigned long long dropped;
} q = { .fd = -1 };

static int send_one(const Entry *e, int flags) {
        ssize_t k;
        do
                k = sendto(q.fd, e->data, e->size, flags | MSG_NOSIGNAL, (const struct sockaddr *) &q.journald,
                           sizeof(q.journald));
        while (k < 0 && errno == EINTR);
        return k < 0 ? negative_errno() : 0;
}

/* Sends from the head until the socket is full. 1: empty now; 0: full. */
static int flush(int flags) {
        while (q.head) {
                Entry *e = q.head;
                int r = send_one(e, flags);
                if (r == -EAGAIN)
                        return 0;
                /* Other errors (journald gone, a datagram too large): this
                 * entry is lost either way; the rest may still go. */
                if (r < 0)
                        q.dropped++;
                q.head = e->next;
                if (!q.head)
                        q.tail = NULL;
                q.entries--;
                q.bytes -= e->size;
                free(e);
        }
        return 1;
}

static int on_writable(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        if (flush(MSG_DONTWAIT) > 0)
                (void) sd_event_source_set_enabled(q.io, SD_EVENT_OFF);
        return 0;
}

int journal_queue_attach(sd_event *e) {
        return journal_queue_attach_at(e, JOURNAL_SOCKET);
}

int journal_queue_attach_at(sd_event *e, const char *socket_path) {
        int r;

        if (q.fd >= 0)
                return 0;
        if (strlen(socket_path) >= sizeof(q.journald.sun_path))
                return -ENAMETOOLONG;
        q.journald.sun_family = AF_UNIX;
        strcpy(q.journald.sun_path, socket_path);
        q.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (q.fd < 0)
                return negative_errno();
        r = sd_event_add_io(e, &q.io, q.fd, EPOLLOUT, on_writable, NULL);
        if (r < 0) {
                q.fd = safe_close(q.fd);
                return r;
        }
        (void) sd_event_source_set_enabled(q.io, SD_EVENT_OFF);
        return 0;
}

bool journal_queue_attached(void) {
        return q.fd >= 0;
}

void journal_queue_detach(unsigned long long timeout_usec) {
        unsigned long long start;

        if (q.fd < 0)
                return;
        start = monotonic_now();
        while (q.head) {
                struct pollfd p = { .fd = q.fd, .events = POLLOUT };
                if (flush(MSG_DONTWAIT) > 0)
                        break;
                unsigned long long spent = monotonic_now() - start;
                if (spent >= timeout_usec || poll(&p, 1, (int) ((timeout_usec - spent) / 1000) + 1) <= 0)
                        break;
        }
        for (Entry *e = q.head, *next; e; e = next) {
                next = e->next;
                q.dropped++;
                free(e);
        }
        if (q.dropped > 0)
                fprintf(stderr, "sshd-watchdog: %llu journal entries could not be written\n", q.dropped);
        q.head = q.tail = NULL;
        q.entries = q.bytes = 0;
        q.dropped = 0;
        q.io = sd_event_source_disable_unref(q.io);
        q.fd = safe_close(q.fd);
}

/* journald's native protocol: "KEY=VALUE\n" per field, and for a value with
 * a newline, "KEY\n", its length as 64-bit little endian, the value, "\n". */
static Entry *encode(const struct iovec *fields, size_t n) {
        size_t size = 0;
        Entry *e;
        char *p;

        for (size_t i = 0; i < n; i++)
                size += fields[i].iov_len + 1 + 8;
        e = malloc(sizeof(Entry) + size);
        if (!e)
                return NULL;
        p = e->data;
        for (size_t i = 0; i < n; i++) {
                const char *f = fields[i].iov_base, *eq = memchr(f, '=', fields[i].iov_len);
                size_t klen = eq ? (size_t) (eq - f) : fields[i].iov_len;
                size_t vlen = eq ? fields[i].iov_len - klen - 1 : 0;

                if (!eq || !memchr(eq + 1, '\n', vlen)) {
                        memcpy(p, f, fields[i].iov_len);
                        p += fields[i].iov_len;
                } else {
                        uint64_t le = htole64((uint64_t) vlen);
                        memcpy(p, f, klen);
                        p += klen;
                        *p++ = '\n';
                        memcpy(p, &le, 8);
                        p += 8;
                        memcpy(p, eq + 1, vlen);
                        p += vlen;
                }
                *p++ = '\n';
        }
        e->size = (size_t) (p - e->data);
        e->next = NULL;
        return e;
}

int journal_queue_send(const struct iovec *fields, size_t n) {
        Entry *e;
        int r;

        if (q.fd < 0)
                return -ENOTCONN;
        e = encode(fields, n);
        if (!e)
                return -ENOMEM;
        if (!q.head) {
                r = send_one(e, MSG_DONTWAIT);
                if (r != -EAGAIN) {
                        free(e);
                        return r; /* sent, or send it another way */
                }
        }
        if (q.entries >= QUEUE_MAX_ENTRIES || q.bytes + e->size > QUEUE_MAX_BYTES) {
                q.dropped++;
                free(e);
                return 0;
        }
        if (q.tail)
                q.tail->next = e;
        else
                q.head = e;
        q.tail = e;
        q.entries++;
        q.bytes += e->size;
        (void) sd_event_source_set_enabled(q.io, SD_EVENT_ON);
        return 0;
}
