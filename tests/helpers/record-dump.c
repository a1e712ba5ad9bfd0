/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * record-dump STATE_DIR [NAME]: reads session records through the same
 * validating reader the daemon uses and prints them as KEY=VALUE, one blank
 * line between records. Exit 1 if any record is refused. The shell tests use
 * it so that a record passing them is one the daemon would accept.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "session_record.h"

static int dump(int dir_fd, const char *name) {
        _cleanup_free_ char *text = NULL;
        SessionRecord rec = SESSION_RECORD_NULL;
        int r;

        r = session_record_read(dir_fd, name, &rec);
        if (r < 0) {
                fprintf(stderr, "record-dump: %s: %s\n", name, strerror(-r));
                return r;
        }
        r = session_record_format(&rec, &text);
        session_record_done(&rec);
        if (r < 0) {
                fprintf(stderr, "record-dump: %s: cannot format: %s\n", name, strerror(-r));
                return r;
        }
        printf("NAME=%s\n%s", name, text);
        return 0;
}

int main(int argc, char **argv) {
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int dir_fd, failed = 0, first = 1;

        if (argc < 2 || argc > 3) {
                fprintf(stderr, "usage: record-dump STATE_DIR [NAME]\n");
                return 2;
        }
        dir_fd = session_dir_open(argv[1], false);
        if (dir_fd < 0) {
                fprintf(stderr, "record-dump: %s/" SESSION_DIR_NAME ": %s\n", argv[1], strerror(-dir_fd));
                return 1;
        }
        if (argc == 3) {
                int r = dump(dir_fd, argv[2]);
                close(dir_fd);
                return r < 0;
        }

        d = fdopendir(dir_fd);
        if (!d) {
                fprintf(stderr, "record-dump: fdopendir: %s\n", strerror(errno));
                close(dir_fd);
                return 1;
        }
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                if (!first)
                        putchar('\n');
                first = 0;
                if (dump(dirfd(d), de->d_name) < 0)
                        failed = 1;
        }
        return failed;
}
