/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The configuration reader, main file and drop-ins: the input is split at
 * each "\n%%\n" into watchdog.conf and watchdog.conf.d/NN.conf, written to a
 * private directory, and loaded as the daemon loads them. Every error must
 * name a file and a line. */
#include "config.h"

#include <assert.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf_file.h"
#include "fuzz.h"

/* On tmpfs when there is one: the files are rewritten for every input. */
static char dir[64];

static void remove_dir(void) {
        char path[160];

        for (unsigned i = 0; i < 8; i++) {
                snprintf(path, sizeof(path), "%s/watchdog.conf.d/%02u.conf", dir, i);
                (void) unlink(path);
        }
        snprintf(path, sizeof(path), "%s/watchdog.conf.d", dir);
        (void) rmdir(path);
        snprintf(path, sizeof(path), "%s/watchdog.conf", dir);
        (void) unlink(path);
        (void) rmdir(dir);
}

static void make_dir(void) {
        struct stat st;

        snprintf(dir, sizeof(dir), "%s/swd-fuzz-config.XXXXXX",
                 stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp");
        if (!mkdtemp(dir))
                abort();
        atexit(remove_dir);
}

static void write_file(const char *path, const char *text, size_t n) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert(fd >= 0);
        assert(write(fd, text, n) == (ssize_t) n);
        close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char main_path[128], dropins[128], path[160];
        const char *p = (const char *) data, *end = p + size;
        char *error = NULL;
        unsigned n = 0;
        Config c;

        static FILE *null;

        if (!dir[0]) {
                make_dir();
                if (!(null = fopen("/dev/null", "we")))
                        abort();
        }
        snprintf(main_path, sizeof(main_path), "%s/watchdog.conf", dir);
        snprintf(dropins, sizeof(dropins), "%s/watchdog.conf.d", dir);
        (void) mkdir(dropins, 0700);
        for (unsigned i = 0; i < 8; i++) {
                snprintf(path, sizeof(path), "%s/%02u.conf", dropins, i);
                (void) unlink(path);
        }
        while (p <= end && n < 9) {
                const char *sep = memmem(p, (size_t) (end - p), "\n%%\n", 4);
                size_t len = sep ? (size_t) (sep - p) : (size_t) (end - p);
                if (n == 0)
                        write_file(main_path, p, len);
                else {
                        snprintf(path, sizeof(path), "%s/%02u.conf", dropins, n - 1);
                        write_file(path, p, len);
                }
                n++;
                if (!sep)
                        break;
                p = sep + 4;
        }
        if (config_load(main_path, true, &c, &error) >= 0) {
                config_print(&c, null);
                Effective eff;
                char *groups[] = { (char *) "wheel", (char *) "contractors" };
                config_resolve(&c, "alice", groups, 2, &eff);
                assert(eff.input_timeout_usec <= INPUT_TIMEOUT_MAX_USEC);
                assert(eff.kill_grace_usec <= KILL_GRACE_MAX_USEC);
                config_done(&c);
        } else {
                /* "file:line: message", or "file: message" for the file itself. */
                assert(error && strncmp(error, dir, strlen(dir)) == 0);
                free(error);
        }
        return 0;
}
