/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "passwd_lookup.h"

bool nss_not_found(int e) {
        return e == 0 || e == ENOENT || e == ESRCH || e == EBADF || e == EPERM;
}

int passwd_lookup(const char *name, uid_t uid, PasswdEntry *ret) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 1024;

        for (;;) {
                struct passwd pw, *result = NULL;
                char *p = realloc(buf, size);
                int e;

                if (!p)
                        return -ENOMEM;
                buf = p;
                e = name ? getpwnam_r(name, &pw, buf, size, &result) : getpwuid_r(uid, &pw, buf, size, &result);
                if (e == ERANGE && size < 1024 * 1024) {
                        size *= 2;
                        continue;
                }
                if (!result)
                        return nss_not_found(e) ? -ESRCH : -e;
                ret->name = strdup(pw.pw_name);
                if (!ret->name)
                        return -ENOMEM;
                ret->uid = pw.pw_uid;
                ret->gid = pw.pw_gid;
                return 0;
        }
}

void passwd_entry_done(PasswdEntry *e) {
        free(e->name);
        e->name = NULL;
}
