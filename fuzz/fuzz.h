/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The fuzzer's bytes as a NUL-terminated string, for parsers that take
 * text (a NUL inside ends it early, as it would for the real reader). */
static inline char *fuzz_text(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);
        if (!s)
                abort();
        memcpy(s, data, size);
        s[size] = '\0';
        return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
