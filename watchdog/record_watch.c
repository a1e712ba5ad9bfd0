/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Follows the session records: a full scan at start (and after an inotify
 * queue overflow), then inotify events as the PAM module renames records into
 * place and removes them. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "macro.h"
#include "record_watch.h"
#include "session_settle.h"

static bool record_name_ok(const char *name) {
        pid_t pid;
        uint64_t st;
        /* Temp files are ".<name>.tmp"; anything else is not ours. */
        return session_record_parse_name(name, &pid, &st) >= 0;
}

/* Adds what is on disk and not in the table; forgets what is in the table
 * and no longer on disk. */
static int rescan(Daemon *d) {
        _cleanup_closedir_ DIR *dir = NULL;
        char **names = NULL;
        size_t n = 0;
        NameMap on_disk = {};
        int fd, r = 0;

        fd = session_dir_open(d->state_dir, false);
        if (fd < 0)
                return log_error_errno(fd, "Cannot open %s", d->sessions_path);
        dir = fdopendir(fd);
        if (!dir) {
                r = negative_errno();
                safe_close(fd);
                return log_error_errno(r, "Cannot read %s", d->sessions_path);
        }
        for (struct dirent *de; (errno = 0, de = readdir(dir));) {
                if (!record_name_ok(de->d_name))
                        continue;
                char **p = reallocarray(names, n + 1, sizeof(char *));
                if (!p || !(p[n] = strdup(de->d_name))) {
                        names = p ?: names;
                        r = -ENOMEM;
                        goto out;
                }
                names = p;
                n++;
        }
        if (errno != 0) {
                r = log_error_errno(negative_errno(), "Cannot read %s", d->sessions_path);
                goto out;
        }

        for (size_t i = 0; i < n; i++)
                if (name_map_put(&on_disk, names[i], names[i]) < 0) {
                        r = -ENOMEM;
                        goto out;
                }
        /* Backwards: a removal moves the last session into the hole, and
         * that one was looked at already. */
        for (size_t i = d->n_sessions; i > 0; i--) {
                Session *s = d->sessions[i - 1];
                if (!name_map_get(&on_disk, s->name))
                        session_remove(d, s->name);
        }
        r = sessions_add_names(d, names, n);
out:
        name_map_done(&on_disk);
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
        return r;
}

static int on_inotify(sd_event_source *src, const struct inotify_event *ev, void *userdata) {
        Daemon *d = userdata;

        if (ev->mask & IN_Q_OVERFLOW) {
                log_warning("inotify queue overflowed: rescanning %s", d->sessions_path);
                (void) rescan(d);
        } else if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
                /* Running on would be running blind: exit with failure, and
                 * let the service manager start us again, which makes the
                 * directory anew and finds what is in it. */
                log_error("%s was removed or moved: exiting, to be started again", d->sessions_path);
                return sd_event_exit(d->event, -ENOENT);
        } else if (ev->len > 0 && record_name_ok(ev->name)) {
                if (ev->mask & (IN_DELETE | IN_MOVED_FROM))
                        session_remove(d, ev->name);
                else if (ev->mask & IN_MOVED_TO)
                        (void) session_replaced(d, ev->name);
                else if (ev->mask & IN_CLOSE_WRITE)
                        (void) session_add(d, ev->name);
        }
        return 0;
}

int record_watch_start(Daemon *d) {
        int fd, r;

        /* Created when missing, with the checks the PAM module makes too. */
        fd = session_dir_open(d->state_dir, true);
        if (fd < 0)
                return log_error_errno(fd, "Cannot use %s (must be a directory owned by root, mode 0700)",
                                       d->sessions_path);
        safe_close(fd);

        /* Watch first, then scan: nothing can slip in between. */
        r = sd_event_add_inotify(d->event, &d->inotify, d->sessions_path,
                                 IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE | IN_DELETE | IN_DELETE_SELF |
                                         IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW,
                                 on_inotify, d);
        if (r < 0)
                return log_error_errno(r, "Cannot watch %s", d->sessions_path);
        return rescan(d);
}
