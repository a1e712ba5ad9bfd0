/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fake-systemd --cgroot DIR --log FILE [--mode ok|fail|silent|no-move|crowd] [--pidfds yes|no]
 *
 * org.freedesktop.systemd1's StartTransientUnit and AttachProcessesToUnit,
 * for the daemon's scopes of sessions that sshd-watchdog-exec registers, on
 * a host without systemd and on whatever bus DBUS_SYSTEM_BUS_ADDRESS names.
 * A scope NAME is the real cgroup DIR/NAME, and the PIDs are moved into it
 * as systemd would: ok. Or systemd refuses (fail), never answers (silent),
 * or answers without moving anything (no-move), or moves a process of its
 * own in beside the one asked for (crowd): what the real one does only when
 * things go wrong. Like the real one, it moves processes into a
 * running unit only if it was started with Delegate=yes. Like systemd 253
 * and later it takes a start's processes as PIDFDs= too; --pidfds no
 * refuses that property as 252 does. Every call and its answer go to FILE.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

static const char *cgroot, *mode = "ok";
static bool take_pidfds = true;
static FILE *log_file;
/* Units started with Delegate=yes: the real systemd moves processes into
 * a running unit only then. */
static char *delegated[256];
static size_t n_delegated;

static bool is_delegated(const char *unit) {
        for (size_t i = 0; i < n_delegated; i++)
                if (strcmp(delegated[i], unit) == 0)
                        return true;
        return false;
}

static int move(const char *unit, const uint32_t *pids, size_t n) {
        char path[4096];
        int fd, r = 0;

        if (strchr(unit, '/') || unit[0] == '.')
                return -EINVAL;
        snprintf(path, sizeof(path), "%s/%s", cgroot, unit);
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
                return -errno;
        snprintf(path, sizeof(path), "%s/%s/cgroup.procs", cgroot, unit);
        for (size_t i = 0; i < n && r == 0; i++) {
                char pid[16];
                int len = snprintf(pid, sizeof(pid), "%u", pids[i]);
                fd = open(path, O_WRONLY | O_CLOEXEC);
                if (fd < 0)
                        return -errno;
                if (write(fd, pid, (size_t) len) != len)
                        r = -errno;
                close(fd);
        }
        return r;
}

/* The "au" of PIDs; the message is positioned at it. */
static int read_pids(sd_bus_message *m, uint32_t **ret, size_t *ret_n) {
        const void *p;
        size_t size;
        int r = sd_bus_message_read_array(m, 'u', &p, &size);

        if (r < 0)
                return r;
        *ret = malloc(size ?: 1);
        if (!*ret)
                return -ENOMEM;
        memcpy(*ret, p, size);
        *ret_n = size / sizeof(uint32_t);
        return 0;
}

/* The PID a pidfd names, from its fdinfo. */
static int pidfd_pid(int fd, uint32_t *ret) {
        char path[64], line[256];
        FILE *f;
        int r = -ENOENT;

        snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
        f = fopen(path, "re");
        if (!f)
                return -errno;
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "Pid: %u", ret) == 1) {
                        r = 0;
                        break;
                }
        fclose(f);
        return r;
}

/* The "ah" of PIDFDs, as PIDs appended to *ret. */
static int read_pidfds(sd_bus_message *m, uint32_t **ret, size_t *ret_n, size_t *ret_fds) {
        int r = sd_bus_message_enter_container(m, 'a', "h"), fd;

        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "h", &fd)) > 0) {
                uint32_t *v = realloc(*ret, (*ret_n + 1) * sizeof(uint32_t));
                if (!v)
                        return -ENOMEM;
                *ret = v;
                if ((r = pidfd_pid(fd, &v[*ret_n])) < 0)
                        return r;
                (*ret_n)++;
                (*ret_fds)++;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

/* Start's properties: the PIDs (or PIDFDs) and Delegate, the rest skipped.
 * Returns -EPROTONOSUPPORT for PIDFDs when told to be systemd 252. */
static int read_properties(sd_bus_message *m, uint32_t **ret, size_t *ret_n, bool *ret_delegate, size_t *ret_fds) {
        int r = sd_bus_message_enter_container(m, 'a', "(sv)");

        if (r < 0)
                return r;
        *ret = NULL;
        *ret_n = 0;
        while ((r = sd_bus_message_enter_container(m, 'r', "sv")) > 0) {
                const char *name;
                if ((r = sd_bus_message_read(m, "s", &name)) < 0)
                        return r;
                if (strcmp(name, "PIDs") == 0) {
                        if ((r = sd_bus_message_enter_container(m, 'v', "au")) < 0 || (r = read_pids(m, ret, ret_n)) < 0 ||
                            (r = sd_bus_message_exit_container(m)) < 0)
                                return r;
                } else if (strcmp(name, "PIDFDs") == 0) {
                        if (!take_pidfds)
                                return -EPROTONOSUPPORT;
                        if ((r = sd_bus_message_enter_container(m, 'v', "ah")) < 0 ||
                            (r = read_pidfds(m, ret, ret_n, ret_fds)) < 0 || (r = sd_bus_message_exit_container(m)) < 0)
                                return r;
                } else if (strcmp(name, "Delegate") == 0) {
                        int b;
                        if ((r = sd_bus_message_read(m, "v", "b", &b)) < 0)
                                return r;
                        *ret_delegate = b;
                } else if ((r = sd_bus_message_skip(m, "v")) < 0)
                        return r;
                if ((r = sd_bus_message_exit_container(m)) < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static int on_call(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *method = sd_bus_message_get_member(m), *unit, *other;
        uint32_t *pids = NULL;
        bool delegate = false;
        size_t n = 0, fds = 0;
        int r;

        if (strcmp(method, "StartTransientUnit") == 0)
                r = sd_bus_message_read(m, "ss", &unit, &other) < 0 ? -EBADMSG
                                                                     : read_properties(m, &pids, &n, &delegate, &fds);
        else
                r = sd_bus_message_read(m, "ss", &unit, &other) < 0 ? -EBADMSG : read_pids(m, &pids, &n);
        if (r == -EPROTONOSUPPORT) {
                free(pids);
                fprintf(log_file, "call %s refused PIDFDs\n", method);
                fflush(log_file);
                return sd_bus_reply_method_errorf(m, SD_BUS_ERROR_PROPERTY_READ_ONLY,
                                                  "Cannot set property PIDFDs, or unknown property.");
        }
        if (r < 0) {
                free(pids);
                return r;
        }
        fprintf(log_file, "call %s %s pids=%zu first=%u pidfds=%zu mode=%s\n", method, unit, n, n ? pids[0] : 0, fds,
                mode);
        fflush(log_file);

        if (strcmp(mode, "silent") == 0) {
                sd_bus_message_ref(m); /* never answered */
                free(pids);
                return 1;
        }
        if (strcmp(mode, "fail") == 0) {
                free(pids);
                return sd_bus_reply_method_errorf(m, "org.freedesktop.DBus.Error.AccessDenied",
                                                  "%s(%s) refused (injected)", method, unit);
        }
        if (strcmp(method, "AttachProcessesToUnit") == 0 && !is_delegated(unit)) {
                free(pids);
                return sd_bus_reply_method_errorf(m, "org.freedesktop.DBus.Error.NotSupported",
                                                  "Process migration not available on non-delegated units.");
        }
        if (delegate && n_delegated < 256)
                delegated[n_delegated++] = strdup(unit);
        if (strcmp(mode, "no-move") != 0 && (r = move(unit, pids, n)) < 0) {
                free(pids);
                fprintf(log_file, "cannot move into %s: %s\n", unit, strerror(-r));
                fflush(log_file);
                return sd_bus_reply_method_errorf(m, "org.freedesktop.DBus.Error.Failed", "cannot move: %s",
                                                  strerror(-r));
        }
        free(pids);
        if (strcmp(mode, "crowd") == 0) {
                /* A child of ours that sleeps, in the new scope too. */
                pid_t p = fork();
                if (p == 0) {
                        execlp("sleep", "sleep", "30", (char *) NULL);
                        _exit(127);
                }
                uint32_t extra = (uint32_t) p;
                if (p > 0 && move(unit, &extra, 1) < 0)
                        kill(p, SIGKILL);
        }
        if (strcmp(method, "StartTransientUnit") == 0)
                return sd_bus_reply_method_return(m, "o", "/org/freedesktop/systemd1/job/1");
        return sd_bus_reply_method_return(m, NULL);
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("StartTransientUnit", "ssa(sv)a(sa(sv))", "o", on_call, 0),
        SD_BUS_METHOD("AttachProcessesToUnit", "ssau", "", on_call, 0),
        SD_BUS_VTABLE_END,
};

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "cgroot", required_argument, NULL, 'c' },
                { "log", required_argument, NULL, 'l' },
                { "mode", required_argument, NULL, 'm' },
                { "pidfds", required_argument, NULL, 'p' },
                {}
        };
        sd_event *event = NULL;
        sd_bus *bus = NULL;
        sigset_t mask;
        int c, r;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 'c': cgroot = optarg; break;
                case 'l': log_file = fopen(optarg, "ae"); break;
                case 'm': mode = optarg; break;
                case 'p': take_pidfds = strcmp(optarg, "no") != 0; break;
                default: return 2;
                }
        if (!cgroot || !log_file) {
                fprintf(stderr, "usage: fake-systemd --cgroot DIR --log FILE [--mode ok|fail|silent|no-move]\n");
                return 2;
        }
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);

        if ((r = sd_event_default(&event)) < 0 || (r = sd_event_add_signal(event, NULL, SIGTERM, NULL, NULL)) < 0 ||
            (r = sd_event_add_signal(event, NULL, SIGINT, NULL, NULL)) < 0 || (r = sd_bus_open_system(&bus)) < 0 ||
            (r = sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                          manager_vtable, NULL)) < 0 ||
            (r = sd_bus_request_name(bus, "org.freedesktop.systemd1", 0)) < 0 ||
            (r = sd_bus_attach_event(bus, event, 0)) < 0) {
                fprintf(stderr, "fake-systemd: %s\n", strerror(-r));
                return 1;
        }
        fprintf(log_file, "ready\n");
        fflush(log_file);
        r = sd_event_loop(event);
        sd_bus_flush_close_unref(bus);
        sd_event_unref(event);
        return r < 0 ? 1 : 0;
}
