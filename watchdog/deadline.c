/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "deadline.h"

uint64_t deadline_from_silence(uint64_t now, uint64_t silence, uint64_t timeout) {
        if (silence >= timeout)
                return now;
        uint64_t left = timeout - silence;
        return now > UINT64_MAX - left ? UINT64_MAX : now + left;
}
