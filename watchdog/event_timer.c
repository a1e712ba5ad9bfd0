/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "event_timer.h"

int event_timer_arm(sd_event *e, sd_event_source **s, uint64_t usec, uint64_t accuracy,
                    sd_event_time_handler_t handler, void *userdata) {
        int r;

        if (usec == 0)
                return *s ? sd_event_source_set_enabled(*s, SD_EVENT_OFF) : 0;
        if (!*s) {
                r = sd_event_add_time(e, s, CLOCK_MONOTONIC, usec, accuracy, handler, userdata);
                if (r < 0)
                        *s = NULL;
                return r < 0 ? r : 0;
        }
        r = sd_event_source_set_time(*s, usec);
        if (r < 0)
                return r;
        r = sd_event_source_set_enabled(*s, SD_EVENT_ONESHOT);
        return r < 0 ? r : 0;
}

uint64_t event_timer_when(sd_event_source *s) {
        int enabled = SD_EVENT_OFF;
        uint64_t t;

        if (!s || sd_event_source_get_enabled(s, &enabled) < 0 || enabled == SD_EVENT_OFF ||
            sd_event_source_get_time(s, &t) < 0)
                return 0;
        return t;
}
