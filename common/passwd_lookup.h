/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

typedef struct PasswdEntry {
        char *name; /* the account's own name (pw_name) */
        uid_t uid;
        gid_t gid;
} PasswdEntry;

/* getpwnam_r(name), or getpwuid_r(uid) when name is NULL, with a buffer
 * that grows on ERANGE: no fixed size that a long gecos field or an NSS
 * module could overflow, and nothing kept. -ESRCH when there is no such
 * account (in any of the ways NSS modules say so); another negative errno
 * when it could not be looked up (LDAP down: may pass). */
/* Errors of the NSS functions (getpwnam(3), getgrgid(3)) that mean "no
 * such entry" rather than "could not look". */
bool nss_not_found(int e);

int passwd_lookup(const char *name, uid_t uid, PasswdEntry *ret);
void passwd_entry_done(PasswdEntry *e);
