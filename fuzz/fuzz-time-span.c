/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Time spans: what is accepted formats back to a span that parses to the
 * same value. */
#include "config.h"

#include <assert.h>

#include "fuzz.h"
#include "time_span.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s = fuzz_text(data, size), buf[TIME_SPAN_MAX];
        uint64_t v, again;

        if (time_span_parse(s, &v) >= 0) {
                time_span_format(buf, v, 0);
                assert(time_span_parse(buf, &again) == 0);
                assert(again == v);
        }
        free(s);
        return 0;
}
