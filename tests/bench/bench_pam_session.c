/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_pam_session [PAIRS]: the cost pam_sshd_watchdog adds to a login.
 *
 * Times PAIRS (default 10000) pam_open_session + pam_close_session pairs
 * through real Linux-PAM under pam_wrapper, once with our module as the whole
 * session stack and once with pam_permit alone (libpam's own dispatch), and
 * prints median, p99 and max of each, and the median difference. The state
 * directory is on tmpfs (/dev/shm), as /run is on a real host.
 */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pwd.h>
#include <sys/stat.h>

#include <security/pam_appl.h>

#include "pam_wrap.h"

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

static uint64_t now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000 + (uint64_t) ts.tv_nsec;
}

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data) {
        (void) n;
        (void) msg;
        (void) resp;
        (void) data;
        return PAM_CONV_ERR;
}

/* Returns the median in ns, or 0 on failure. */
static uint64_t bench(const char *service, const char *user, unsigned pairs) {
        struct pam_conv c = { conv, NULL };
        pam_handle_t *pamh = NULL;
        uint64_t *t = calloc(pairs, sizeof(uint64_t)), median;
        int r;

        if (!t)
                abort();
        r = pam_start(service, user, &c, &pamh);
        if (r != PAM_SUCCESS) {
                fprintf(stderr, "pam_start(%s): %s\n", service, pam_strerror(pamh, r));
                return 0;
        }
        (void) pam_set_item(pamh, PAM_RHOST, "198.51.100.7");

        for (unsigned i = 0; i < pairs; i++) {
                uint64_t t0 = now_ns();
                r = pam_open_session(pamh, 0);
                if (r == PAM_SUCCESS)
                        r = pam_close_session(pamh, 0);
                t[i] = now_ns() - t0;
                if (r != PAM_SUCCESS) {
                        fprintf(stderr, "%s: pair %u: %s\n", service, i, pam_strerror(pamh, r));
                        return 0;
                }
        }
        pam_end(pamh, PAM_SUCCESS);

        qsort(t, pairs, sizeof(uint64_t), cmp_u64);
        median = t[pairs / 2];
        printf("%-22s pairs=%u median=%.1fus p99=%.1fus max=%.1fus\n", service, pairs, median / 1e3,
               t[(size_t) (pairs * 0.99)] / 1e3, t[pairs - 1] / 1e3);
        free(t);
        return median;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st;
        (void) flag;
        (void) ftw;
        (void) remove(path);
        return 0;
}

int main(int argc, char **argv) {
        unsigned pairs = 10000;
        char *root, *stack;
        const char *dir = getenv("PAM_WRAPPER_SERVICE_DIR");
        struct passwd *pw;
        uint64_t ours, base;
        FILE *f;

        if (argc > 1)
                pairs = (unsigned) strtoul(argv[1], NULL, 10);
        if (pairs < 100) {
                fprintf(stderr, "usage: %s [PAIRS>=100]\n", argv[0]);
                return 2;
        }

        if (!getenv("PAM_WRAPPER")) {
                char tmpl[] = "/dev/shm/swd-bench.XXXXXX", *services;
                if (!mkdtemp(tmpl)) {
                        perror("mkdtemp");
                        return 1;
                }
                if (asprintf(&services, "%s/services", tmpl) < 0 || mkdir(services, 0700) < 0)
                        abort();
                if (asprintf(&stack, "%s/swd-bench", services) < 0 || !(f = fopen(stack, "we")))
                        abort();
                fprintf(f, "session required %s statedir=%s/state\n", MODULE_PATH, tmpl);
                fclose(f);
                free(stack);
                if (asprintf(&stack, "%s/swd-baseline", services) < 0 || !(f = fopen(stack, "we")))
                        abort();
                fprintf(f, "session required %s/pam_permit.so\n", SYSTEM_SECUREDIR);
                fclose(f);
                free(stack);
                pam_wrap_reexec(argv, services, true);
        }
        pam_wrap_at_exit();
        if (!dir || strncmp(dir, "/dev/shm/swd-bench.", 19) != 0)
                return 1;
        root = strdup(dir);
        *strrchr(root, '/') = '\0';

        setvbuf(stdout, NULL, _IOLBF, 0);
        pw = getpwuid(geteuid());
        if (!pw)
                return 1;
        base = bench("swd-baseline", pw->pw_name, pairs);
        ours = bench("swd-bench", pw->pw_name, pairs);
        if (base && ours)
                printf("module cost (median difference): %.1fus per open+close pair\n",
                       ((double) ours - (double) base) / 1e3);
        (void) nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
        free(root);
        return base && ours ? 0 : 1;
}
