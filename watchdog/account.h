/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "name_map.h"

/* The account behind a session record, as [User:] and ExemptUsers name it:
 * its own name (the record's may be what the client typed, "ALICE" or
 * "alice@EXAMPLE" with sssd) and the names of its groups, primary first.
 * An account NSS no longer knows keeps its recorded name and no groups. */
typedef struct Account {
        char *name;
        char **groups;
        size_t n_groups;
} Account;

/* One batch's lookups (the sessions found at start, a reload, a retry):
 * each (name, UID) goes to NSS once per batch, however many sessions it
 * has; with LDAP or sssd behind NSS that is the difference between one
 * round trip and ten thousand. A new batch asks again: group changes are
 * seen at the next login. */
typedef struct AccountCache {
        NameMap map;    /* "uid:name" -> Account */
} AccountCache;

/* The account for (name, uid), looked up or remembered. A negative errno
 * when NSS failed (not for "no such account"); failures are not cached. */
int account_cache_get(AccountCache *c, const char *name, uid_t uid, const Account **ret);
void account_cache_done(AccountCache *c);
