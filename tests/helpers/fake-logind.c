/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fake-logind --cgroot DIR --log FILE [--fail-kill ERROR-NAME] [--delay-ms N]
 *
 * org.freedesktop.login1's KillSession and TerminateSession, on whatever bus
 * DBUS_SYSTEM_BUS_ADDRESS names, for the daemon tests that need logind to
 * fail, to be slow, or to go away: things the real one cannot be made to do
 * on demand. Session ID's scope is DIR/session-ID.scope, as logind names
 * its own. KillSession writes cgroup.kill there (the signal is always
 * SIGKILL here) or answers with the injected error; every call, its answer
 * and the number of calls in flight go to FILE, one line each.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

static const char *cgroot, *fail_kill;
static FILE *log_file;
static unsigned delay_ms, in_flight, max_in_flight;

/* CLOCK_REALTIME in ms, to set beside the test's own timestamps. */
static unsigned long long now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (unsigned long long) ts.tv_sec * 1000 + (unsigned long long) ts.tv_nsec / 1000000;
}

static int scope_dir(const char *id, char **ret) {
        for (const char *p = id; *p; p++)
                if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z')))
                        return -EINVAL;
        return asprintf(ret, "%s/session-%s.scope", cgroot, id) < 0 ? -ENOMEM : 0;
}

/* What KillSession or TerminateSession answers; *error_name NULL is success. */
static void act(const char *method, const char *id, const char **error_name) {
        char *dir = NULL, *kill_path = NULL;
        int fd;

        *error_name = NULL;
        if (scope_dir(id, &dir) < 0 || access(dir, F_OK) < 0) {
                *error_name = "org.freedesktop.login1.NoSuchSession";
                goto out;
        }
        if (strcmp(method, "KillSession") != 0)
                goto out;
        if (fail_kill) {
                *error_name = fail_kill;
                goto out;
        }
        if (asprintf(&kill_path, "%s/cgroup.kill", dir) < 0 || (fd = open(kill_path, O_WRONLY | O_CLOEXEC)) < 0) {
                *error_name = "org.freedesktop.DBus.Error.Failed";
                goto out;
        }
        if (write(fd, "1", 1) != 1)
                *error_name = "org.freedesktop.DBus.Error.Failed";
        close(fd);
out:
        free(kill_path);
        free(dir);
}

typedef struct Pending {
        sd_bus_message *call;
        char *method, *id;
} Pending;

static int answer(Pending *p) {
        const char *error_name;
        int r;

        act(p->method, p->id, &error_name);
        if (error_name)
                r = sd_bus_reply_method_errorf(p->call, error_name, "%s(%s) failed (injected)", p->method, p->id);
        else
                r = sd_bus_reply_method_return(p->call, NULL);
        in_flight--;
        fprintf(log_file, "%s %s -> %s at %llu\n", p->method, p->id, error_name ?: "ok", now_ms());
        fflush(log_file);
        sd_bus_message_unref(p->call);
        free(p->method);
        free(p->id);
        free(p);
        return r;
}

static int on_delay(sd_event_source *s, uint64_t usec, void *userdata) {
        (void) answer(userdata);
        sd_event_source_unref(s);
        return 0;
}

static int on_call(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *method = sd_bus_message_get_member(m), *id = NULL, *who = NULL;
        int32_t signo = 0;
        Pending *p;
        int r;

        if (strcmp(method, "KillSession") == 0)
                r = sd_bus_message_read(m, "ssi", &id, &who, &signo);
        else
                r = sd_bus_message_read(m, "s", &id);
        if (r < 0)
                return r;
        in_flight++;
        if (in_flight > max_in_flight)
                max_in_flight = in_flight;
        fprintf(log_file, "call %s %s %s %d in-flight=%u max-in-flight=%u at %llu\n", method, id, who ?: "-",
                (int) signo, in_flight, max_in_flight, now_ms());
        fflush(log_file);

        p = calloc(1, sizeof(*p));
        if (!p || !(p->method = strdup(method)) || !(p->id = strdup(id)))
                return -ENOMEM;
        p->call = sd_bus_message_ref(m);
        if (delay_ms == 0)
                return answer(p) < 0 ? -EIO : 1;
        /* Accuracy 1 us: 0 would mean sd-event's default of 250 ms. */
        r = sd_event_add_time_relative(sd_bus_get_event(sd_bus_message_get_bus(m)), NULL, CLOCK_MONOTONIC,
                                       (uint64_t) delay_ms * 1000, 1, on_delay, p);
        return r < 0 ? r : 1;
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("KillSession", "ssi", "", on_call, 0),
        SD_BUS_METHOD("TerminateSession", "s", "", on_call, 0),
        SD_BUS_VTABLE_END,
};

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "cgroot", required_argument, NULL, 'c' },
                { "log", required_argument, NULL, 'l' },
                { "fail-kill", required_argument, NULL, 'f' },
                { "delay-ms", required_argument, NULL, 'd' },
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
                case 'f': fail_kill = optarg; break;
                case 'd': delay_ms = (unsigned) atoi(optarg); break;
                default: return 2;
                }
        if (!cgroot || !log_file) {
                fprintf(stderr, "usage: fake-logind --cgroot DIR --log FILE [--fail-kill NAME] [--delay-ms N]\n");
                return 2;
        }
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);

        if ((r = sd_event_default(&event)) < 0 || (r = sd_event_add_signal(event, NULL, SIGTERM, NULL, NULL)) < 0 ||
            (r = sd_event_add_signal(event, NULL, SIGINT, NULL, NULL)) < 0 || (r = sd_bus_open_system(&bus)) < 0 ||
            (r = sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/login1", "org.freedesktop.login1.Manager",
                                          manager_vtable, NULL)) < 0 ||
            (r = sd_bus_request_name(bus, "org.freedesktop.login1", 0)) < 0 ||
            (r = sd_bus_attach_event(bus, event, 0)) < 0) {
                fprintf(stderr, "fake-logind: %s\n", strerror(-r));
                return 1;
        }
        fprintf(log_file, "ready\n");
        fflush(log_file);
        r = sd_event_loop(event);
        sd_bus_flush_close_unref(bus);
        sd_event_unref(event);
        return r < 0 ? 1 : 0;
}
