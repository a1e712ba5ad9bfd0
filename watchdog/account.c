/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "macro.h"
#include "passwd_lookup.h"

typedef struct Entry {
        char *key;      /* "uid:name" */
        Account account;
} Entry;

typedef struct Found {
        char *name;
        gid_t gid;
        bool found;
} Found;

static int account_getpw(const char *name, uid_t uid, Found *ret) {
        PasswdEntry e;
        int r = passwd_lookup(name, uid, &e);

        if (r == -ESRCH)
                return 0;
        if (r < 0)
                return r;
        if (e.uid != uid) {
                passwd_entry_done(&e);
                return 0; /* another account of that name now */
        }
        ret->name = e.name;
        ret->gid = e.gid;
        ret->found = true;
        return 0;
}

/* By name first (aliases of one UID stay apart), then by UID. */
static int account_lookup(const char *name, uid_t uid, Found *ret) {
        int r;

        *ret = (Found) {};
        r = account_getpw(name, uid, ret);
        if (r < 0 || ret->found)
                return r;
        return account_getpw(NULL, uid, ret);
}

static void groups_free(char **names, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
}

static int account_groups(const Found *a, char ***ret, size_t *ret_n) {
        _cleanup_free_ gid_t *gids = NULL;
        char **names = NULL;
        int n = 16;
        size_t k = 0;

        *ret = NULL;
        *ret_n = 0;
        for (;;) {
                gid_t *p = reallocarray(gids, (size_t) n, sizeof(gid_t));
                if (!p)
                        return -ENOMEM;
                gids = p;
                int m = n;
                if (getgrouplist(a->name, a->gid, gids, &m) >= 0) {
                        n = m;
                        break;
                }
                if (m <= n || m > 65536)
                        return -EIO;
                n = m;
        }
        names = calloc((size_t) n, sizeof(char *));
        if (!names)
                return -ENOMEM;
        for (int i = 0; i < n; i++) {
                struct group *gr;
                errno = 0;
                gr = getgrgid(gids[i]);
                if (!gr && !nss_not_found(errno)) {
                        int e = errno;
                        groups_free(names, k);
                        return -e;
                }
                if (gr && (names[k] = strdup(gr->gr_name)))
                        k++;
        }
        *ret = names;
        *ret_n = k;
        return 0;
}

static int account_resolve(const char *name, uid_t uid, Account *ret) {
        Found a;
        int r;

        *ret = (Account) {};
        r = account_lookup(name, uid, &a);
        if (r < 0)
                return r;
        if (!a.found)
                return (ret->name = strdup(name)) ? 0 : -ENOMEM;
        r = account_groups(&a, &ret->groups, &ret->n_groups);
        if (r < 0) {
                free(a.name);
                return r;
        }
        ret->name = a.name;
        return 0;
}

int account_cache_get(AccountCache *c, const char *name, uid_t uid, const Account **ret) {
        _cleanup_free_ char *key = NULL;
        Entry *e;
        int r;

        if (asprintf(&key, "%u:%s", (unsigned) uid, name) < 0)
                return -ENOMEM;
        e = name_map_get(&c->map, key);
        if (e) {
                *ret = &e->account;
                return 0;
        }
        e = calloc(1, sizeof(Entry));
        if (!e)
                return -ENOMEM;
        r = account_resolve(name, uid, &e->account);
        if (r < 0) {
                free(e);
                return r;
        }
        e->key = TAKE_PTR(key);
        r = name_map_put(&c->map, e->key, e);
        if (r < 0) {
                free(e->key);
                groups_free(e->account.groups, e->account.n_groups);
                free(e->account.name);
                free(e);
                return r;
        }
        *ret = &e->account;
        return 0;
}

void account_cache_done(AccountCache *c) {
        for (size_t i = 0; i < c->map.capacity; i++) {
                Entry *e = c->map.values[i];
                if (!e)
                        continue;
                groups_free(e->account.groups, e->account.n_groups);
                free(e->account.name);
                free(e->key);
                free(e);
        }
        name_map_done(&c->map);
}
