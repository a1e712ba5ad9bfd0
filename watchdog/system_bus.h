/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

typedef struct Daemon Daemon;

/* d->bus, open and attached to the loop, or a negative errno. */
int system_bus_ready(Daemon *d);
