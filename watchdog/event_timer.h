/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include <systemd/sd-event.h>

/* A one-shot CLOCK_MONOTONIC timer that is created on first use and moved
 * after, as systemd's event_reset_time() does: every timer of the daemon
 * is one of these. usec 0 turns it off. Returns 0, or a negative errno
 * (the timer is then off, or as it was). */
int event_timer_arm(sd_event *e, sd_event_source **s, uint64_t usec, uint64_t accuracy,
                    sd_event_time_handler_t handler, void *userdata);

/* When an armed timer fires; 0 when there is none, or it is off. */
uint64_t event_timer_when(sd_event_source *s);
