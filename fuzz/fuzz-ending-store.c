/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon's pending endings: a record and the ending's own keys. */
#include "config.h"

#include "ending_store.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char boot[BOOT_ID_LENGTH + 1];
        Ending e = { .rec = SESSION_RECORD_NULL };

        if (ending_store_parse((const char *) data, size, &e, boot) >= 0) {
                session_record_done(&e.rec);
                free(e.tree);
        }
        return 0;
}
