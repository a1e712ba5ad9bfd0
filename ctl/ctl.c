/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sshd-watchdogctl: what the running daemon sees and will do, from its
 * control socket (common/control_socket.h). It computes nothing the daemon
 * did not say: the time left is the daemon's, from the kernel's silence at
 * the moment of asking. Output follows loginctl: a table for people, a
 * legend line, --json for programs. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "control_socket.h"
#include "unix_connect.h"
#include "macro.h"
#include "proc.h"
#include "session_record.h"
#include "time_span.h"

/* Exit codes (sshd-watchdogctl(1)). */
#define EXIT_NOT_RUNNING 3
#define ANSWER_MAX (64u * 1024 * 1024)
#define ANSWER_TIMEOUT_MS 10000
#define MAX(a, b) ((a) > (b) ? (a) : (b))

typedef struct Block {
        char **kv; /* "KEY=VALUE" pointers into the answer */
        size_t n;
} Block;

typedef struct Answer {
        char *text;
        Block *blocks;
        size_t n_blocks;
} Answer;

static const char *get(const Block *b, const char *key) {
        size_t len = strlen(key);
        for (size_t i = 0; i < b->n; i++)
                if (strncmp(b->kv[i], key, len) == 0 && b->kv[i][len] == '=')
                        return b->kv[i] + len + 1;
        return NULL;
}

static uint64_t get_u64(const Block *b, const char *key, bool *ok) {
        const char *v = get(b, key);
        uint64_t u = 0;
        if (!v || parse_u64(v, &u) < 0) {
                if (ok)
                        *ok = false;
                return 0;
        }
        if (ok)
                *ok = true;
        return u;
}

static void answer_done(Answer *a) {
        for (size_t i = 0; i < a->n_blocks; i++)
                free(a->blocks[i].kv);
        free(a->blocks);
        free(a->text);
}

/* Splits the answer in place into blocks of lines. */
static int answer_parse(Answer *a) {
        char *p = a->text;

        while (*p) {
                Block *nb = realloc(a->blocks, (a->n_blocks + 1) * sizeof(Block));
                if (!nb)
                        return -ENOMEM;
                a->blocks = nb;
                Block *b = &a->blocks[a->n_blocks++];
                *b = (Block) {};
                while (*p && *p != '\n') {
                        char *eol = strchr(p, '\n');
                        if (!eol)
                                return -EBADMSG; /* cut short */
                        *eol = '\0';
                        if (!strchr(p, '='))
                                return -EBADMSG;
                        char **nkv = realloc(b->kv, (b->n + 1) * sizeof(char *));
                        if (!nkv)
                                return -ENOMEM;
                        b->kv = nkv;
                        b->kv[b->n++] = p;
                        p = eol + 1;
                }
                if (*p == '\n')
                        p++;
        }
        if (a->n_blocks == 0 || !get(&a->blocks[0], "VERSION"))
                return -EBADMSG;
        return 0;
}

/* Connects and reads the whole answer; EXIT_NOT_RUNNING semantics for the
 * errors that mean no daemon listens. */
static int answer_fetch(const char *state_dir, Answer *a) {
        _cleanup_close_ int fd = unix_connect(state_dir, CONTROL_SOCKET_NAME, 0);
        size_t size = 0, allocated = 0;
        int r;

        if (fd < 0)
                return fd;
        for (;;) {
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                r = poll(&pfd, 1, ANSWER_TIMEOUT_MS);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (r == 0)
                        return -ETIMEDOUT;
                if (allocated - size < 4096) {
                        if (allocated >= ANSWER_MAX)
                                return -EFBIG;
                        allocated = allocated ? allocated * 2 : 65536;
                        char *t = realloc(a->text, allocated + 1);
                        if (!t)
                                return -ENOMEM;
                        a->text = t;
                }
                ssize_t k = read(fd, a->text + size, allocated - size);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                size += (size_t) k;
        }
        if (!a->text)
                return -EBADMSG; /* closed without a word: refused (not root) */
        a->text[size] = '\0';
        if (strlen(a->text) != size)
                return -EBADMSG;
        return answer_parse(a);
}

static bool is_session(const Block *b) {
        return get(b, "SESSION") != NULL;
}

static const char *session_label(const Block *b) {
        return get(b, "SESSION_ID") ?: get(b, "SESSION");
}

static void format_since(char *buf, size_t size, uint64_t realtime_usec) {
        time_t t = (time_t) (realtime_usec / USEC_PER_SEC);
        struct tm tm;
        if (realtime_usec == 0 || !localtime_r(&t, &tm) || strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm) == 0)
                snprintf(buf, size, "-");
}

static const char *span(char buf[static TIME_SPAN_MAX], const Block *b, const char *key) {
        bool ok;
        uint64_t v = get_u64(b, key, &ok);
        if (!ok)
                return "-";
        return time_span_format(buf, v, USEC_PER_SEC);
}

static void json_string(FILE *f, const char *s) {
        fputc('"', f);
        for (; s && *s; s++) {
                unsigned char c = (unsigned char) *s;
                if (c == '"' || c == '\\')
                        fprintf(f, "\\%c", c);
                else if (c < 0x20)
                        fprintf(f, "\\u%04x", c);
                else
                        fputc(c, f);
        }
        fputc('"', f);
}

static void json_field_string(FILE *f, bool *first, const char *name, const char *value) {
        if (!value)
                return;
        fprintf(f, "%s\"%s\":", *first ? "" : ",", name);
        json_string(f, value);
        *first = false;
}

static void json_field_u64(FILE *f, bool *first, const Block *b, const char *name, const char *key) {
        bool ok;
        uint64_t v = get_u64(b, key, &ok);
        if (!ok)
                return;
        fprintf(f, "%s\"%s\":%" PRIu64, *first ? "" : ",", name, v);
        *first = false;
}

static int list_json(const Answer *a) {
        bool first_session = true;

        printf("[");
        for (size_t i = 1; i < a->n_blocks; i++) {
                const Block *b = &a->blocks[i];
                bool first = true;
                if (!is_session(b))
                        continue;
                printf("%s{", first_session ? "" : ",");
                first_session = false;
                json_field_string(stdout, &first, "record", get(b, "SESSION"));
                json_field_string(stdout, &first, "session", get(b, "SESSION_ID"));
                json_field_string(stdout, &first, "user", get(b, "USER"));
                json_field_u64(stdout, &first, b, "uid", "UID");
                json_field_string(stdout, &first, "remote_host", get(b, "REMOTE_HOST"));
                json_field_u64(stdout, &first, b, "sshd_pid", "SSHD_PID");
                json_field_u64(stdout, &first, b, "opened_usec", "OPENED_USEC");
                json_field_string(stdout, &first, "state", get(b, "STATE"));
                json_field_string(stdout, &first, "why", get(b, "WHY"));
                json_field_u64(stdout, &first, b, "silent_usec", "SILENT_USEC");
                json_field_u64(stdout, &first, b, "limit_usec", "LIMIT_USEC");
                json_field_string(stdout, &first, "limit_source", get(b, "LIMIT_SOURCE"));
                json_field_u64(stdout, &first, b, "left_usec", "LEFT_USEC");
                json_field_u64(stdout, &first, b, "kill_in_usec", "KILL_IN_USEC");
                json_field_string(stdout, &first, "ending_reason", get(b, "ENDING_REASON"));
                json_field_string(stdout, &first, "idle_rule", get(b, "IDLE_RULE"));
                json_field_u64(stdout, &first, b, "idle_limit_usec", "IDLE_LIMIT_USEC");
                json_field_u64(stdout, &first, b, "idle_warn_usec", "IDLE_WARN_USEC");
                json_field_string(stdout, &first, "idle_limit_source", get(b, "IDLE_LIMIT_SOURCE"));
                json_field_u64(stdout, &first, b, "idle_terminals", "IDLE_TERMINALS");
                json_field_u64(stdout, &first, b, "idle_usec", "IDLE_USEC");
                json_field_u64(stdout, &first, b, "idle_left_usec", "IDLE_LEFT_USEC");
                json_field_string(stdout, &first, "idle_warned", get(b, "IDLE_WARNED"));
                printf("}");
        }
        printf("]\n");
        return 0;
}

/* The IDLE column: the idle time where the idle limit applies, else why
 * it does not ("off", "exempt", "no terminal"). */
static const char *idle_column(char buf[static TIME_SPAN_MAX], const Block *b) {
        const char *rule = get(b, "IDLE_RULE");
        bool ok;
        uint64_t v = get_u64(b, "IDLE_USEC", &ok);

        if (ok)
                return time_span_format(buf, v, USEC_PER_SEC);
        return rule ?: "-";
}

static const char *idle_left_column(char buf[static TIME_SPAN_MAX], const Block *b) {
        bool ok;
        uint64_t v = get_u64(b, "IDLE_LEFT_USEC", &ok);

        if (!ok)
                return "-";
        time_span_format(buf, v, USEC_PER_SEC);
        if (get(b, "IDLE_WARNED"))
                strcat(buf, "!"); /* warned: typing now keeps it */
        return buf;
}

static int list_table(const Answer *a, bool legend) {
        size_t n = 0, w_session = 7, w_user = 4, w_from = 4, w_source = 6, w_idle = 8;

        for (size_t i = 1; i < a->n_blocks; i++) {
                const Block *b = &a->blocks[i];
                if (!is_session(b))
                        continue;
                n++;
                w_session = MAX(w_session, strlen(session_label(b)));
                w_user = MAX(w_user, strlen(get(b, "USER") ?: "-"));
                w_from = MAX(w_from, strlen(get(b, "REMOTE_HOST") ?: "-"));
                w_source = MAX(w_source, strlen(get(b, "LIMIT_SOURCE") ?: "-"));
                if (!get(b, "IDLE_USEC"))
                        w_idle = MAX(w_idle, strlen(get(b, "IDLE_RULE") ?: "-"));
        }
        if (legend)
                printf("%-*s %-*s %-*s %-19s %-8s %-8s %-*s %-8s %-*s %-9s %s\n", (int) w_session, "SESSION", (int) w_user,
                       "USER", (int) w_from, "FROM", "SINCE", "SILENT", "LIMIT", (int) w_source, "SET BY", "LEFT",
                       (int) w_idle, "IDLE", "IDLE LEFT", "STATE");
        for (size_t i = 1; i < a->n_blocks; i++) {
                const Block *b = &a->blocks[i];
                char since[32], silent[TIME_SPAN_MAX], limit[TIME_SPAN_MAX], left[TIME_SPAN_MAX], idle[TIME_SPAN_MAX],
                        idle_left[TIME_SPAN_MAX + 1];
                const char *state = get(b, "STATE") ?: "-", *why = get(b, "WHY");
                bool ok;
                if (!is_session(b))
                        continue;
                format_since(since, sizeof(since), get_u64(b, "OPENED_USEC", NULL));
                uint64_t kill_in = get_u64(b, "KILL_IN_USEC", &ok);
                printf("%-*s %-*s %-*s %-19s %-8s %-8s %-*s %-8s %-*s %-9s %s", (int) w_session, session_label(b),
                       (int) w_user, get(b, "USER") ?: "-", (int) w_from, get(b, "REMOTE_HOST") ?: "-", since,
                       span(silent, b, "SILENT_USEC"), span(limit, b, "LIMIT_USEC"), (int) w_source,
                       get(b, "LIMIT_SOURCE") ?: "-", ok ? "-" : span(left, b, "LEFT_USEC"), (int) w_idle,
                       idle_column(idle, b), idle_left_column(idle_left, b), state);
                if (ok) {
                        char t[TIME_SPAN_MAX];
                        const char *reason = get(b, "ENDING_REASON");
                        printf(" (%skilling leftovers in %s)", reason && strcmp(reason, "idle") == 0 ? "idle; " : "",
                               time_span_format(t, kill_in, USEC_PER_SEC / 10));
                } else if (why)
                        printf(" (%s)", why);
                printf("\n");
        }
        if (legend)
                printf("\n%zu session%s listed.\n", n, n == 1 ? "" : "s");
        return 0;
}

static void count_states(const Answer *a, size_t counts[], const char *const states[], size_t n_states) {
        for (size_t i = 1; i < a->n_blocks; i++) {
                const char *state = get(&a->blocks[i], "STATE");
                for (size_t k = 0; state && k < n_states; k++)
                        if (strcmp(state, states[k]) == 0)
                                counts[k]++;
        }
}

static const char *const STATES[] = CONTROL_STATES;

static int status(const Answer *a) {
        const Block *d = &a->blocks[0];
        size_t counts[ELEMENTSOF(STATES)] = {};
        char up[TIME_SPAN_MAX];
        bool any = false;

        count_states(a, counts, STATES, ELEMENTSOF(STATES));
        printf("sshd-watchdog: running, PID %s, up %s\n", get(d, "PID") ?: "?", span(up, d, "UPTIME_USEC"));
        printf("State directory: %s\n", get(d, "STATE_DIRECTORY") ?: "?");
        for (size_t i = 0; i < d->n; i++)
                if (strncmp(d->kv[i], "CONFIG_FILE=", 12) == 0) {
                        printf("%s %s\n", any ? "               " : "Configuration:", d->kv[i] + 12);
                        any = true;
                }
        if (!any)
                printf("Configuration: built-in defaults (no file)\n");
        printf("Sessions:");
        any = false;
        for (size_t k = 0; k < ELEMENTSOF(STATES); k++)
                if (counts[k] > 0) {
                        printf("%s %zu %s", any ? "," : "", counts[k], STATES[k]);
                        any = true;
                }
        printf("%s\n", any ? "" : " none");
        printf("Ended since start: %" PRIu64 "\n", get_u64(d, "ENDED_TOTAL", NULL));
        printf("Of them closed by sshd or the kernel, the client dead: %" PRIu64 "\n",
               get_u64(d, "CLOSED_DEAD_TOTAL", NULL));
        printf("Of them ended idle (IdleTimeoutSec=): %" PRIu64 "; idle warnings given: %" PRIu64 "\n",
               get_u64(d, "IDLE_ENDED_TOTAL", NULL), get_u64(d, "IDLE_WARNED_TOTAL", NULL));
        return 0;
}

/* Prometheus text for node_exporter's textfile collector; no per-user
 * labels (a fleet's cardinality stays the number of states). */
static const uint64_t BUCKETS_SEC[] = { 10, 60, 300, 900, 1800, 3600, 14400 };

static int metrics(const Answer *a) {
        const Block *d = &a->blocks[0];
        size_t counts[ELEMENTSOF(STATES)] = {}, bucket[ELEMENTSOF(BUCKETS_SEC)] = {}, n = 0;
        double sum = 0;

        count_states(a, counts, STATES, ELEMENTSOF(STATES));
        printf("# HELP sshd_watchdog_up Whether the daemon answered.\n# TYPE sshd_watchdog_up gauge\nsshd_watchdog_up 1\n");
        printf("# HELP sshd_watchdog_sessions Sessions the daemon knows, by state.\n# TYPE sshd_watchdog_sessions gauge\n");
        for (size_t k = 0; k < ELEMENTSOF(STATES); k++)
                printf("sshd_watchdog_sessions{state=\"%s\"} %zu\n", STATES[k], counts[k]);
        printf("# HELP sshd_watchdog_sessions_ended_total Sessions ended since the daemon started.\n"
               "# TYPE sshd_watchdog_sessions_ended_total counter\n"
               "sshd_watchdog_sessions_ended_total %" PRIu64 "\n",
               get_u64(d, "ENDED_TOTAL", NULL));
        printf("# HELP sshd_watchdog_dead_sessions_closed_total Of them, sessions that sshd or the kernel closed when "
               "the client died, whose leftovers the daemon killed.\n"
               "# TYPE sshd_watchdog_dead_sessions_closed_total counter\n"
               "sshd_watchdog_dead_sessions_closed_total %" PRIu64 "\n",
               get_u64(d, "CLOSED_DEAD_TOTAL", NULL));
        printf("# HELP sshd_watchdog_idle_sessions_ended_total Of them, sessions ended because their user typed "
               "nothing for IdleTimeoutSec (their client was alive).\n"
               "# TYPE sshd_watchdog_idle_sessions_ended_total counter\n"
               "sshd_watchdog_idle_sessions_ended_total %" PRIu64 "\n",
               get_u64(d, "IDLE_ENDED_TOTAL", NULL));
        printf("# HELP sshd_watchdog_idle_warnings_total Idle warnings written to users' terminals.\n"
               "# TYPE sshd_watchdog_idle_warnings_total counter\n"
               "sshd_watchdog_idle_warnings_total %" PRIu64 "\n",
               get_u64(d, "IDLE_WARNED_TOTAL", NULL));
        for (size_t i = 1; i < a->n_blocks; i++) {
                const Block *b = &a->blocks[i];
                const char *state = get(b, "STATE");
                bool ok;
                if (!state || (strcmp(state, CONTROL_STATE_WATCHING) != 0 && strcmp(state, CONTROL_STATE_DRY_RUN) != 0))
                        continue;
                uint64_t silent = get_u64(b, "SILENT_USEC", &ok);
                if (!ok)
                        continue;
                n++;
                sum += (double) silent / USEC_PER_SEC;
                for (size_t k = 0; k < ELEMENTSOF(BUCKETS_SEC); k++)
                        if (silent <= BUCKETS_SEC[k] * USEC_PER_SEC)
                                bucket[k]++;
        }
        printf("# HELP sshd_watchdog_silence_seconds Input silence of the watched sessions now.\n"
               "# TYPE sshd_watchdog_silence_seconds histogram\n");
        for (size_t k = 0; k < ELEMENTSOF(BUCKETS_SEC); k++)
                printf("sshd_watchdog_silence_seconds_bucket{le=\"%" PRIu64 "\"} %zu\n", BUCKETS_SEC[k], bucket[k]);
        printf("sshd_watchdog_silence_seconds_bucket{le=\"+Inf\"} %zu\n", n);
        printf("sshd_watchdog_silence_seconds_sum %.3f\nsshd_watchdog_silence_seconds_count %zu\n", sum, n);
        return 0;
}

static void help(void) {
        printf("sshd-watchdogctl [OPTIONS] [COMMAND]\n\n"
               "Show what sshd-watchdog sees and will do.\n\n"
               "Commands:\n"
               "  list             one line per session: silent for, limit, time left, state (default)\n"
               "  status           the daemon, its configuration files, sessions by state\n"
               "  metrics          Prometheus text for node_exporter's textfile collector\n\n"
               "Options:\n"
               "  --json           list: a JSON array instead of the table\n"
               "  --no-legend      list: no header and no count line\n"
               "  --state-dir DIR  the daemon's state directory (default: " SESSION_STATE_DIR_DEFAULT ")\n"
               "  --version        print the version and exit\n"
               "  --help           print this help and exit\n\n"
               "Exit status: 0 done; 1 error; 2 usage; 3 the daemon is not running.\n");
}

/* Says why the daemon's answer could not be had; the exit status. */
static int fetch_failed(const char *state_dir, const char *command, int r) {
        if (r == -ENOENT || r == -ECONNREFUSED) {
                fprintf(stderr, "sshd-watchdog is not running (no one listens on %s/" CONTROL_SOCKET_NAME ")\n",
                        state_dir);
                if (strcmp(command, "metrics") == 0)
                        printf("# HELP sshd_watchdog_up Whether the daemon answered.\n"
                               "# TYPE sshd_watchdog_up gauge\nsshd_watchdog_up 0\n");
                return EXIT_NOT_RUNNING;
        }
        if (r == -EACCES || r == -EPERM)
                fprintf(stderr, "sshd-watchdogctl: %s/" CONTROL_SOCKET_NAME ": %s (root only)\n", state_dir,
                        strerror(-r));
        else if (r == -EBADMSG && geteuid() != 0)
                fprintf(stderr, "sshd-watchdogctl: the daemon answers root only\n");
        else
                fprintf(stderr, "sshd-watchdogctl: cannot read the daemon's answer from %s/" CONTROL_SOCKET_NAME
                                ": %s\n",
                        state_dir, strerror(-r));
        return EXIT_FAILURE;
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "json", no_argument, NULL, 'j' },
                { "no-legend", no_argument, NULL, 'l' },
                { "state-dir", required_argument, NULL, 's' },
                { "version", no_argument, NULL, 'V' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        const char *state_dir = SESSION_STATE_DIR_DEFAULT, *command = "list";
        bool json = false, legend = true;
        Answer a = {};
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'j':
                        json = true;
                        break;
                case 'l':
                        legend = false;
                        break;
                case 's':
                        state_dir = optarg;
                        break;
                case 'V':
                        printf("sshd-watchdogctl " PACKAGE_VERSION "\n");
                        return EXIT_SUCCESS;
                case 'h':
                        help();
                        return EXIT_SUCCESS;
                default:
                        return 2;
                }
        if (optind < argc)
                command = argv[optind++];
        if (optind < argc) {
                fprintf(stderr, "sshd-watchdogctl: unexpected argument '%s'\n", argv[optind]);
                return 2;
        }
        if (strcmp(command, "list") != 0 && strcmp(command, "status") != 0 && strcmp(command, "metrics") != 0) {
                fprintf(stderr, "sshd-watchdogctl: unknown command '%s' (list, status, metrics)\n", command);
                return 2;
        }
        if (json && strcmp(command, "list") != 0) {
                fprintf(stderr, "sshd-watchdogctl: --json applies to list only\n");
                return 2;
        }

        r = answer_fetch(state_dir, &a);
        if (r < 0) {
                answer_done(&a);
                return fetch_failed(state_dir, command, r);
        }
        if (strcmp(command, "status") == 0)
                r = status(&a);
        else if (strcmp(command, "metrics") == 0)
                r = metrics(&a);
        else
                r = json ? list_json(&a) : list_table(&a, legend);
        answer_done(&a);
        if (fflush(stdout) != 0 || ferror(stdout)) {
                perror("sshd-watchdogctl: stdout");
                return EXIT_FAILURE;
        }
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
