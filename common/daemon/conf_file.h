/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* /etc/sshd-watchdog/watchdog.conf and its drop-ins (docs/design.md, section 8). */

#define CONFIG_FILE_DEFAULT "/etc/sshd-watchdog/watchdog.conf"
#define INPUT_TIMEOUT_DEFAULT_USEC (15 * 60 * UINT64_C(1000000))
#define KILL_GRACE_DEFAULT_USEC (10 * UINT64_C(1000000))
/* tcpi_last_data_recv is a u32 of milliseconds (49.7 days): a longer limit
 * could never be reached. */
#define INPUT_TIMEOUT_MAX_USEC (49 * 24 * 3600 * UINT64_C(1000000))
/* Between sshd's clean close (milliseconds) and the kill of what is left;
 * longer means nothing, and keeps now + grace far from wrapping. */
#define KILL_GRACE_MAX_USEC (3600 * UINT64_C(1000000))
/* How often connections of sshd's with no record are looked for; one is
 * reported when a second look still finds it without one. */
#define UNRECORDED_SCAN_DEFAULT_USEC (30 * UINT64_C(1000000))
#define UNRECORDED_SCAN_MAX_USEC (3600 * UINT64_C(1000000))
/* The idle-user policy (docs/design.md, section 11): off unless set. */
#define IDLE_TIMEOUT_MAX_USEC (49 * 24 * 3600 * UINT64_C(1000000))
#define IDLE_WARN_DEFAULT_USEC (60 * UINT64_C(1000000))
#define IDLE_WARN_MAX_USEC (24 * 3600 * UINT64_C(1000000))

typedef struct Limits {
        uint64_t input_timeout_usec; /* 0: never end the session */
        uint64_t kill_grace_usec;
        uint64_t idle_timeout_usec;  /* 0: no idle-user limit */
        uint64_t idle_warn_usec;     /* 0: no warning */
        bool has_input_timeout;
        bool has_kill_grace;
        bool has_idle_timeout;
        bool has_idle_warn;
} Limits;

typedef struct ConfigSection {
        char *name;       /* the user or group name */
        Limits limits;
} ConfigSection;

typedef struct Config {
        Limits watchdog;  /* [Watchdog] */
        bool dry_run;
        uint64_t unrecorded_scan_usec; /* UnrecordedScanSec=; 0: no scan */
        bool end_unrecorded;    /* EndUnrecorded=: record and watch them as sessions */
        char **exempt_users;
        size_t n_exempt_users;
        char **exempt_groups;
        size_t n_exempt_groups;
        ConfigSection *users;   /* [User:NAME] */
        size_t n_users;
        ConfigSection *groups;  /* [Group:NAME], in the order they first appear */
        size_t n_groups;
        char **files;           /* what was read, in order */
        size_t n_files;
} Config;

/* What applies to one user. */
typedef struct Effective {
        uint64_t input_timeout_usec;
        uint64_t kill_grace_usec;
        uint64_t idle_timeout_usec;  /* 0: the idle-user policy does not apply */
        uint64_t idle_warn_usec;     /* how long before the idle ending the warning comes; 0: none */
        bool dry_run;
        bool exempt;
        char source[272];   /* "[Watchdog]", "[User:alice]", "[Group:x]": where the timeout came from */
} Effective;

void config_init(Config *c);
void config_done(Config *c);

/* Loads path, then every path.d/ *.conf in lexical order, each overriding what
 * came before. A missing main file is fine unless must_exist. On error
 * returns <0 and sets *ret_error to "file:line: message" (heap). */
int config_load(const char *path, bool must_exist, Config *ret, char **ret_error);

/* Parses one file's text into c (exposed for tests). */
int config_parse_text(Config *c, const char *text, const char *file_name, char **ret_error);

/* [User:NAME] > first matching [Group:NAME] > [Watchdog]. groups are the
 * names of the user's groups (primary first). */
void config_resolve(const Config *c, const char *user, char *const *groups, size_t n_groups, Effective *ret);

/* Where IdleTimeoutSec= came from for that user, "[Watchdog]",
 * "[User:alice]", "[Group:x]" (apart from Effective: only sessions under
 * the idle limit keep it). */
void config_idle_source(const Config *c, const char *user, char *const *groups, size_t n_groups, char *buf,
                        size_t size);

/* The effective settings per section, like `sshd -T`. */
void config_print(const Config *c, FILE *f);
