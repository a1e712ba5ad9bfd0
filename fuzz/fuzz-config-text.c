/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The configuration parser on one file's text, in memory: the bulk of the
 * grammar (sections, keys, values, comments, bounds) at full speed.
 * fuzz-config covers the files and drop-ins around it. */
#include "config.h"

#include <assert.h>
#include <stdio.h>

#include "conf_file.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static FILE *null;
        char *text = fuzz_text(data, size), *error = NULL;
        char *groups[] = { (char *) "wheel", (char *) "contractors" };
        Effective eff;
        Config c;

        if (!null && !(null = fopen("/dev/null", "we")))
                abort();
        config_init(&c);
        if (config_parse_text(&c, text, "fuzz.conf", &error) >= 0) {
                config_print(&c, null);
                config_resolve(&c, "alice", groups, 2, &eff);
                assert(eff.input_timeout_usec <= INPUT_TIMEOUT_MAX_USEC);
                assert(eff.kill_grace_usec <= KILL_GRACE_MAX_USEC);
        } else {
                /* Every error names the file and, past the first, a line. */
                assert(error && strncmp(error, "fuzz.conf", 9) == 0);
                free(error);
        }
        config_done(&c);
        free(text);
        return 0;
}
