/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "conf_file.h"
#include "file_read.h"
#include "macro.h"
#include "time_span.h"

/* inih as Debian builds it reads lines of at most INI_MAX_LINE - 1 bytes and
 * splits longer ones silently; our reader refuses them instead. */
#define LINE_MAX_BYTES 199
#define CONFIG_FILE_MAX (1024 * 1024)

void config_init(Config *c) {
        *c = (Config) {
                .watchdog = {
                        .input_timeout_usec = INPUT_TIMEOUT_DEFAULT_USEC,
                        .kill_grace_usec = KILL_GRACE_DEFAULT_USEC,
                        .idle_warn_usec = IDLE_WARN_DEFAULT_USEC,
                        .has_input_timeout = true,
                        .has_kill_grace = true,
                        .has_idle_timeout = true,
                        .has_idle_warn = true,
                },
                .unrecorded_scan_usec = UNRECORDED_SCAN_DEFAULT_USEC,
        };
}

static void strv_free(char **v, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

static void sections_free(ConfigSection *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(s[i].name);
        free(s);
}

void config_done(Config *c) {
        strv_free(c->exempt_users, c->n_exempt_users);
        strv_free(c->exempt_groups, c->n_exempt_groups);
        strv_free(c->files, c->n_files);
        sections_free(c->users, c->n_users);
        sections_free(c->groups, c->n_groups);
        config_init(c);
}

static int strv_push(char ***v, size_t *n, const char *s) {
        char *d = strdup(s), **p;
        if (!d)
                return -ENOMEM;
        p = reallocarray(*v, *n + 1, sizeof(char *));
        if (!p) {
                free(d);
                return -ENOMEM;
        }
        p[(*n)++] = d;
        *v = p;
        return 0;
}

typedef enum SectionKind {
        SECTION_NONE,
        SECTION_WATCHDOG,
        SECTION_USER,
        SECTION_GROUP,
} SectionKind;

typedef struct Parser {
        Config *config;
        const char *file_name;
        const char *text;  /* what the reader hands to inih, line by line */
        size_t pos;
        unsigned line;
        bool in_section;
        char *error;       /* the first error, "file:line: message" */
} Parser;

_printf_(2, 3) static int parser_error(Parser *p, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;

        if (p->error)
                return 0; /* keep the first */
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        if (asprintf(&p->error, "%s:%u: %s", p->file_name, p->line, msg ?: "out of memory") < 0)
                p->error = NULL;
        return 0;
}

/* Names as useradd and groupadd take them, and nothing that could confuse
 * a log line. */
static bool name_ok(const char *s) {
        if (!*s || strlen(s) > 256 || *s == '-')
                return false;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
                      *s == '_' || *s == '-' || *s == '.' || (*s == '$' && s[1] == '\0')))
                        return false;
        return true;
}

static SectionKind section_kind(const char *section, const char **ret_name) {
        *ret_name = NULL;
        if (strcmp(section, "Watchdog") == 0)
                return SECTION_WATCHDOG;
        if (strncmp(section, "User:", 5) == 0) {
                *ret_name = section + 5;
                return SECTION_USER;
        }
        if (strncmp(section, "Group:", 6) == 0) {
                *ret_name = section + 6;
                return SECTION_GROUP;
        }
        return SECTION_NONE;
}

/* Checks a "[...]" line as it goes by: inih does not report empty sections. */
static void check_section_line(Parser *p, const char *line, size_t n) {
        const char *close = memchr(line, ']', n), *name;
        _cleanup_free_ char *section = NULL;

        if (!close) {
                parser_error(p, "section header without ']'");
                return;
        }
        for (const char *q = close + 1; q < line + n; q++)
                if (*q != ' ' && *q != '\t' && *q != '\r') {
                        parser_error(p, "text after section header");
                        return;
                }
        section = strndup(line + 1, (size_t) (close - line - 1));
        if (!section) {
                parser_error(p, "out of memory");
                return;
        }
        switch (section_kind(section, &name)) {
        case SECTION_NONE:
                parser_error(p, "unknown section [%s]: expected [Watchdog], [User:NAME] or [Group:NAME]", section);
                return;
        case SECTION_USER:
        case SECTION_GROUP:
                if (!name_ok(name))
                        parser_error(p, "invalid name in section [%s]", section);
                return;
        case SECTION_WATCHDOG:
                return;
        }
}

/* inih's line source: one line per call, refusing what inih would mangle. */
static char *reader(char *str, int num, void *stream) {
        Parser *p = stream;
        const char *line = p->text + p->pos, *nl;
        size_t n, skip;

        if (p->error || p->text[p->pos] == '\0')
                return NULL;
        p->line++;
        nl = strchr(line, '\n');
        n = nl ? (size_t) (nl - line) : strlen(line);
        p->pos += n + (nl ? 1 : 0);

        if (n > LINE_MAX_BYTES || (int) n + 2 > num) {
                parser_error(p, "line too long (%zu bytes, at most %d)", n, LINE_MAX_BYTES);
                return NULL;
        }
        skip = strspn(line, " \t");
        if (skip < n && line[skip] != '#' && line[skip] != ';' && line[skip] != '\r') {
                if (skip > 0) {
                        /* inih would glue it to the previous value. */
                        parser_error(p, "line starts with white space; continuation lines are not supported");
                        return NULL;
                }
                if (line[0] == '[') {
                        check_section_line(p, line, n);
                        if (p->error)
                                return NULL;
                        p->in_section = true;
                } else if (!p->in_section) {
                        parser_error(p, "assignment outside of a section");
                        return NULL;
                }
        }
        memcpy(str, line, n);
        str[n] = '\n';
        str[n + 1] = '\0';
        return str;
}

static ConfigSection *section_get(ConfigSection **v, size_t *n, const char *name) {
        ConfigSection *p;

        for (size_t i = 0; i < *n; i++)
                if (strcmp((*v)[i].name, name) == 0)
                        return &(*v)[i];
        p = reallocarray(*v, *n + 1, sizeof(ConfigSection));
        if (!p)
                return NULL;
        *v = p;
        p = &(*v)[*n];
        *p = (ConfigSection) { .name = strdup(name) };
        if (!p->name)
                return NULL;
        (*n)++;
        return p;
}

static int parse_bool(const char *v, bool *ret) {
        static const char *const yes[] = { "1", "yes", "true", "on" }, *const no[] = { "0", "no", "false", "off" };
        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strcasecmp(v, yes[i]) == 0)
                        return *ret = true, 0;
                if (strcasecmp(v, no[i]) == 0)
                        return *ret = false, 0;
        }
        return -EINVAL;
}

/* Space-separated names; an empty value resets the list, as in systemd. */
static int parse_name_list(Parser *p, const char *key, const char *value, char ***v, size_t *n) {
        _cleanup_free_ char *copy = strdup(value);
        char *save = NULL;

        if (!copy)
                return parser_error(p, "out of memory");
        if (!*value) {
                strv_free(*v, *n);
                *v = NULL;
                *n = 0;
                return 1;
        }
        for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
                if (!name_ok(w))
                        return parser_error(p, "%s=: invalid name '%s'", key, w);
                if (strv_push(v, n, w) < 0)
                        return parser_error(p, "out of memory");
        }
        return 1;
}

static int parse_span(Parser *p, const char *key, const char *value, uint64_t max, const char *max_text,
                      uint64_t *ret, bool *has) {
        uint64_t v;
        int r = time_span_parse(value, &v);
        if (r == -ERANGE)
                return parser_error(p, "%s=: time span '%s' is too large", key, value);
        if (r < 0)
                return parser_error(p, "%s=: invalid time span '%s' (examples: 90s, 5min, 1h 30min; 0 = never)", key,
                                    value);
        if (v > max)
                return parser_error(p, "%s=: at most %s, not '%s'", key, max_text, value);
        *ret = v;
        *has = true;
        return 1;
}

static int handler(void *userdata, const char *section, const char *key, const char *value) {
        Parser *p = userdata;
        Config *c = p->config;
        const char *name;
        Limits *limits;

        if (p->error)
                return 0;

        switch (section_kind(section, &name)) {
        case SECTION_WATCHDOG:
                limits = &c->watchdog;
                if (strcmp(key, "DryRun") == 0) {
                        if (parse_bool(value, &c->dry_run) < 0)
                                return parser_error(p, "DryRun=: expected yes or no, not '%s'", value);
                        return 1;
                }
                if (strcmp(key, "EndUnrecorded") == 0) {
                        if (parse_bool(value, &c->end_unrecorded) < 0)
                                return parser_error(p, "EndUnrecorded=: expected yes or no, not '%s'", value);
                        return 1;
                }
                if (strcmp(key, "UnrecordedScanSec") == 0) {
                        bool has;
                        int r = parse_span(p, key, value, UNRECORDED_SCAN_MAX_USEC, "1h", &c->unrecorded_scan_usec, &has);
                        if (r > 0 && c->unrecorded_scan_usec > 0 && c->unrecorded_scan_usec < 1000000)
                                return parser_error(p, "UnrecordedScanSec=: at least 1s, or 0 for none, not '%s'",
                                                    value);
                        return r;
                }
                if (strcmp(key, "ExemptUsers") == 0)
                        return parse_name_list(p, key, value, &c->exempt_users, &c->n_exempt_users);
                if (strcmp(key, "ExemptGroups") == 0)
                        return parse_name_list(p, key, value, &c->exempt_groups, &c->n_exempt_groups);
                break;
        case SECTION_USER:
        case SECTION_GROUP: {
                bool user = strncmp(section, "User:", 5) == 0;
                ConfigSection *s = user ? section_get(&c->users, &c->n_users, name)
                                        : section_get(&c->groups, &c->n_groups, name);
                if (!s)
                        return parser_error(p, "out of memory");
                limits = &s->limits;
                if (strcmp(key, "DryRun") == 0 || strcmp(key, "ExemptUsers") == 0 || strcmp(key, "ExemptGroups") == 0 ||
                    strcmp(key, "EndUnrecorded") == 0 || strcmp(key, "UnrecordedScanSec") == 0)
                        return parser_error(p, "%s= is valid only in [Watchdog] (InputTimeoutSec=0 exempts one %s)",
                                            key, user ? "user" : "group");
                break;
        }
        default:
                return parser_error(p, "unknown section [%s]", section);
        }

        if (strcmp(key, "InputTimeoutSec") == 0)
                return parse_span(p, key, value, INPUT_TIMEOUT_MAX_USEC,
                                  "49d (the kernel counts the silence in 32-bit milliseconds)",
                                  &limits->input_timeout_usec, &limits->has_input_timeout);
        if (strcmp(key, "KillGraceSec") == 0)
                return parse_span(p, key, value, KILL_GRACE_MAX_USEC, "1h", &limits->kill_grace_usec,
                                  &limits->has_kill_grace);
        if (strcmp(key, "IdleTimeoutSec") == 0) {
                int r = parse_span(p, key, value, IDLE_TIMEOUT_MAX_USEC, "49d", &limits->idle_timeout_usec,
                                   &limits->has_idle_timeout);
                /* The kernel keeps a terminal's idle time in 8 s steps:
                 * a shorter limit would end sessions of users who type. */
                if (r > 0 && limits->idle_timeout_usec > 0 && limits->idle_timeout_usec < 10 * UINT64_C(1000000))
                        return parser_error(p, "IdleTimeoutSec=: at least 10s, or 0 for none, not '%s'", value);
                return r;
        }
        if (strcmp(key, "IdleWarnSec") == 0)
                return parse_span(p, key, value, IDLE_WARN_MAX_USEC, "24h", &limits->idle_warn_usec,
                                  &limits->has_idle_warn);
        return parser_error(p, "unknown key '%s' in [%s]", key, section);
}

int config_parse_text(Config *c, const char *text, const char *file_name, char **ret_error) {
        Parser p = { .config = c, .file_name = file_name, .text = text };
        int r;

        if (strlen(text) > CONFIG_FILE_MAX) {
                if (asprintf(ret_error, "%s: file too large", file_name) < 0)
                        *ret_error = NULL;
                return -EFBIG;
        }
        r = ini_parse_stream(reader, &p, handler, &p);
        if (!p.error && r > 0) {
                /* inih's own complaint: a line that is neither "[section]" nor "key = value". */
                p.line = (unsigned) r;
                parser_error(&p, "syntax error: expected [Section] or Key=Value");
        }
        if (!p.error && r < 0)
                parser_error(&p, "out of memory");
        if (p.error) {
                *ret_error = p.error;
                return -EINVAL;
        }
        return 0;
}

static int load_file(Config *c, const char *path, bool must_exist, char **ret_error) {
        _cleanup_free_ char *text = NULL;
        int r;

        r = read_file_at(AT_FDCWD, path, CONFIG_FILE_MAX, &text, NULL);
        if (r == -ENOENT && !must_exist)
                return 0;
        if (r < 0) {
                if (asprintf(ret_error, "%s: %s", path, r == -EFBIG ? "file too large" : strerror(-r)) < 0)
                        *ret_error = NULL;
                return r;
        }
        r = config_parse_text(c, text, path, ret_error);
        if (r < 0)
                return r;
        return strv_push(&c->files, &c->n_files, path);
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int config_load(const char *path, bool must_exist, Config *ret, char **ret_error) {
        _cleanup_free_ char *dropin_dir = NULL;
        _cleanup_closedir_ DIR *d = NULL;
        char **names = NULL;
        size_t n_names = 0;
        Config c;
        int r;

        *ret_error = NULL;
        config_init(&c);
        r = load_file(&c, path, must_exist, ret_error);
        if (r < 0)
                goto fail;

        if (asprintf(&dropin_dir, "%s.d", path) < 0) {
                r = -ENOMEM;
                goto fail;
        }
        d = opendir(dropin_dir);
        if (!d && errno != ENOENT) {
                r = negative_errno();
                if (asprintf(ret_error, "%s: %s", dropin_dir, strerror(-r)) < 0)
                        *ret_error = NULL;
                goto fail;
        }
        for (struct dirent *de; d && (errno = 0, de = readdir(d));) {
                size_t len = strlen(de->d_name);
                if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".conf") != 0)
                        continue;
                if (strv_push(&names, &n_names, de->d_name) < 0) {
                        r = -ENOMEM;
                        goto fail;
                }
        }
        if (n_names > 0) /* qsort(NULL, 0, ...) is undefined */
                qsort(names, n_names, sizeof(char *), cmp_str);
        for (size_t i = 0; i < n_names; i++) {
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s/%s", dropin_dir, names[i]) < 0) {
                        r = -ENOMEM;
                        goto fail;
                }
                r = load_file(&c, p, true, ret_error);
                if (r < 0)
                        goto fail;
        }
        strv_free(names, n_names);
        *ret = c;
        return 0;

fail:
        strv_free(names, n_names);
        config_done(&c);
        if (!*ret_error && asprintf(ret_error, "%s: %s", path, strerror(-r)) < 0)
                *ret_error = NULL;
        return r;
}

static bool strv_contains(char *const *v, size_t n, const char *s) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(v[i], s) == 0)
                        return true;
        return false;
}

/* What one [User:] or [Group:] section sets, over what came before. */
static void apply_section(const Limits *l, const char *kind, const char *name, Effective *ret) {
        if (l->has_input_timeout) {
                ret->input_timeout_usec = l->input_timeout_usec;
                snprintf(ret->source, sizeof(ret->source), "[%s:%s]", kind, name);
        }
        if (l->has_kill_grace)
                ret->kill_grace_usec = l->kill_grace_usec;
        if (l->has_idle_timeout)
                ret->idle_timeout_usec = l->idle_timeout_usec;
        if (l->has_idle_warn)
                ret->idle_warn_usec = l->idle_warn_usec;
}

/* The user's own section and the first matching group's, or NULL. */
static void find_sections(const Config *c, const char *user, char *const *groups, size_t n_groups,
                          const ConfigSection **ret_u, const ConfigSection **ret_g) {
        const ConfigSection *u = NULL, *g = NULL;

        for (size_t i = 0; i < c->n_users && !u; i++)
                if (strcmp(c->users[i].name, user) == 0)
                        u = &c->users[i];
        for (size_t i = 0; i < c->n_groups && !g; i++)
                if (strv_contains(groups, n_groups, c->groups[i].name))
                        g = &c->groups[i];
        *ret_u = u;
        *ret_g = g;
}

void config_idle_source(const Config *c, const char *user, char *const *groups, size_t n_groups, char *buf,
                        size_t size) {
        const ConfigSection *u, *g;

        find_sections(c, user, groups, n_groups, &u, &g);
        if (u && u->limits.has_idle_timeout)
                snprintf(buf, size, "[User:%s]", u->name);
        else if (g && g->limits.has_idle_timeout)
                snprintf(buf, size, "[Group:%s]", g->name);
        else
                snprintf(buf, size, "[Watchdog]");
}

void config_resolve(const Config *c, const char *user, char *const *groups, size_t n_groups, Effective *ret) {
        const ConfigSection *u, *g;

        *ret = (Effective) {
                .input_timeout_usec = c->watchdog.input_timeout_usec,
                .kill_grace_usec = c->watchdog.kill_grace_usec,
                .idle_timeout_usec = c->watchdog.idle_timeout_usec,
                .idle_warn_usec = c->watchdog.idle_warn_usec,
                .dry_run = c->dry_run,
        };
        snprintf(ret->source, sizeof(ret->source), "[Watchdog]");

        ret->exempt = strv_contains(c->exempt_users, c->n_exempt_users, user);
        for (size_t i = 0; i < n_groups && !ret->exempt; i++)
                ret->exempt = strv_contains(c->exempt_groups, c->n_exempt_groups, groups[i]);

        find_sections(c, user, groups, n_groups, &u, &g);
        /* Key by key, the group's first: a [User:] section that sets only
         * the timeout still takes its group's or the default grace. */
        if (g)
                apply_section(&g->limits, "Group", g->name, ret);
        if (u)
                apply_section(&u->limits, "User", u->name, ret);
        /* A warning needs time to be answered, and a limit needs time
         * before it: never more than half the limit. */
        if (ret->idle_warn_usec > ret->idle_timeout_usec / 2)
                ret->idle_warn_usec = ret->idle_timeout_usec / 2;
}

static void print_limits(FILE *f, const Limits *l, const Limits *base) {
        char a[TIME_SPAN_MAX], b[TIME_SPAN_MAX];
        uint64_t t = l->has_input_timeout ? l->input_timeout_usec : base->input_timeout_usec;
        uint64_t k = l->has_kill_grace ? l->kill_grace_usec : base->kill_grace_usec;

        fprintf(f, "InputTimeoutSec=%s%s\n", t == 0 ? "0 (never)" : time_span_format(a, t, 0),
                l->has_input_timeout ? "" : "  (inherited)");
        fprintf(f, "KillGraceSec=%s%s\n", time_span_format(b, k, 0), l->has_kill_grace ? "" : "  (inherited)");
        t = l->has_idle_timeout ? l->idle_timeout_usec : base->idle_timeout_usec;
        k = l->has_idle_warn ? l->idle_warn_usec : base->idle_warn_usec;
        fprintf(f, "IdleTimeoutSec=%s%s\n", t == 0 ? "0 (never)" : time_span_format(a, t, 0),
                l->has_idle_timeout ? "" : "  (inherited)");
        fprintf(f, "IdleWarnSec=%s%s\n", k == 0 ? "0 (no warning)" : time_span_format(b, k, 0),
                l->has_idle_warn ? "" : "  (inherited)");
}

static void print_list(FILE *f, const char *key, char *const *v, size_t n) {
        fprintf(f, "%s=", key);
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%s%s", i ? " " : "", v[i]);
        fputc('\n', f);
}

void config_print(const Config *c, FILE *f) {
        fprintf(f, "# files read: ");
        if (c->n_files == 0)
                fprintf(f, "none (built-in defaults)");
        for (size_t i = 0; i < c->n_files; i++)
                fprintf(f, "%s%s", i ? ", " : "", c->files[i]);
        fprintf(f, "\n[Watchdog]\n");
        print_limits(f, &c->watchdog, &c->watchdog);
        fprintf(f, "DryRun=%s\n", c->dry_run ? "yes" : "no");
        char t[TIME_SPAN_MAX];
        fprintf(f, "UnrecordedScanSec=%s\n", time_span_format(t, c->unrecorded_scan_usec, 0));
        fprintf(f, "EndUnrecorded=%s\n", c->end_unrecorded ? "yes" : "no");
        print_list(f, "ExemptUsers", c->exempt_users, c->n_exempt_users);
        print_list(f, "ExemptGroups", c->exempt_groups, c->n_exempt_groups);
        for (size_t i = 0; i < c->n_users; i++) {
                fprintf(f, "\n[User:%s]\n", c->users[i].name);
                print_limits(f, &c->users[i].limits, &c->watchdog);
        }
        for (size_t i = 0; i < c->n_groups; i++) {
                fprintf(f, "\n[Group:%s]\n", c->groups[i].name);
                print_limits(f, &c->groups[i].limits, &c->watchdog);
        }
}
