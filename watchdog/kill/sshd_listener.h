/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "id_map.h"

/* sshd's listeners, as the kernel shows them when something is about to be
 * killed: root's processes that run an sshd executable and hold a
 * listening TCP socket (a user's session process listens for its forwards). Whatever a record says (its recorded parent may be long gone,
 * replaced by a new listener in the same service cgroup), no such process
 * and no cgroup holding one is ever killed. An sshd executable in another
 * network namespace, whose sockets this one cannot see, counts as one too:
 * the sessions the daemon watches share its namespace. */
typedef struct SshdListeners {
        const char *proc_root;  /* NULL: /proc */
        IdMap listening;        /* inodes of this namespace's listening TCP sockets */
        uint64_t netns;         /* this process's network namespace (its inode); 0: unknown */
} SshdListeners;

/* One socket dump, for a batch of kills. */
int sshd_listeners_load(SshdListeners *l, const char *proc_root, int diag_fd);
void sshd_listeners_done(SshdListeners *l);

typedef enum SshdListenerKind {
        SSHD_LISTENER_NONE = 0,
        SSHD_LISTENER_HERE,      /* holds a listening socket of this network namespace */
        SSHD_LISTENER_ELSEWHERE, /* an sshd executable in another network namespace */
        SSHD_LISTENER_UNKNOWN,   /* its executable or descriptors could not be read */
} SshdListenerKind;

/* Which of them PID is; -ESRCH when it is gone. */
int sshd_listener_kind(const SshdListeners *l, pid_t pid);

/* 1 when PID is one of them, of any kind; 0 when not; -ESRCH when it is
 * gone. An unreadable executable or descriptor table counts as one (<0
 * other than -ESRCH is never returned): what cannot be told is not killed. */
int sshd_listener_is(const SshdListeners *l, pid_t pid);
