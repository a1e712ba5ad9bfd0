/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_proc.h"

static void die(const char *what, const char *path) {
        fprintf(stderr, "test fixture: %s %s: %s\n", what, path, strerror(errno));
        abort();
}

/* Trees not removed by their test (a failed assertion jumps past the
 * cleanup) are removed at exit. */
static char *live[64];

static void remove_leftovers(void) {
        for (size_t i = 0; i < sizeof(live) / sizeof(live[0]); i++)
                if (live[i]) {
                        tmp_tree_remove(live[i]);
                        free(live[i]);
                        live[i] = NULL;
                }
}

char *tmp_tree_new(void) {
        static bool registered;
        char *root = strdup("/tmp/swd-test.XXXXXX");
        if (!root || !mkdtemp(root))
                die("mkdtemp", "/tmp/swd-test.XXXXXX");
        if (!registered) {
                registered = atexit(remove_leftovers) == 0;
        }
        for (size_t i = 0; i < sizeof(live) / sizeof(live[0]); i++)
                if (!live[i]) {
                        live[i] = strdup(root);
                        break;
                }
        return root;
}

static char *join(const char *root, const char *rel) {
        char *p;
        if (asprintf(&p, "%s/%s", root, rel) < 0)
                abort();
        return p;
}

static void mkdir_parents(char *path) {
        for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
                *s = '\0';
                if (mkdir(path, 0755) < 0 && errno != EEXIST)
                        die("mkdir", path);
                *s = '/';
        }
}

void tmp_tree_mkdir(const char *root, const char *relpath) {
        char *p = join(root, relpath);
        mkdir_parents(p);
        if (mkdir(p, 0755) < 0 && errno != EEXIST)
                die("mkdir", p);
        free(p);
}

void tmp_tree_write(const char *root, const char *relpath, const char *content) {
        char *p = join(root, relpath);
        FILE *f;

        mkdir_parents(p);
        f = fopen(p, "we");
        if (!f)
                die("fopen", p);
        if (fputs(content, f) < 0 || fclose(f) != 0)
                die("write", p);
        free(p);
}

void tmp_tree_symlink(const char *root, const char *relpath, const char *target) {
        char *p = join(root, relpath);
        mkdir_parents(p);
        if (symlink(target, p) < 0)
                die("symlink", p);
        free(p);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st;
        (void) flag;
        (void) ftw;
        if (remove(path) < 0 && errno != ENOENT)
                fprintf(stderr, "test fixture: cannot remove %s: %s\n", path, strerror(errno));
        return 0;
}

void tmp_tree_remove(const char *root) {
        if (!root || strncmp(root, "/tmp/swd-test.", 14) != 0)
                abort(); /* never rm -rf anything we did not make */
        (void) nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
        for (size_t i = 0; i < sizeof(live) / sizeof(live[0]); i++)
                if (live[i] && live[i] != root && strcmp(live[i], root) == 0) {
                        free(live[i]);
                        live[i] = NULL;
                }
}
