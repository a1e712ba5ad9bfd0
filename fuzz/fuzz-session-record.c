/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The session record reader: whatever it accepts formats back to text that
 * it reads again as the same record. */
#include "config.h"

#include <assert.h>

#include "fuzz.h"
#include "session_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        SessionRecord rec = SESSION_RECORD_NULL, again = SESSION_RECORD_NULL;
        char *text = NULL, *text2 = NULL;
        unsigned line;

        if (session_record_parse((const char *) data, size, &rec, &line) < 0)
                return 0;
        assert(session_record_format(&rec, &text) == 0);
        assert(session_record_parse(text, strlen(text), &again, NULL) == 0);
        assert(session_record_format(&again, &text2) == 0);
        assert(strcmp(text, text2) == 0);
        session_record_done(&rec);
        session_record_done(&again);
        free(text);
        free(text2);
        return 0;
}
