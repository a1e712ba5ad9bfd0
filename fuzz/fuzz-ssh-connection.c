/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SSH_CONNECTION comes through the PAM environment, which a user's
 * ~/.pam_environment may write. */
#include "config.h"

#include <assert.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "ssh_connection.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s = fuzz_text(data, size);
        Endpoint p, l;

        if (ssh_connection_parse(s, &p, &l) == 0) {
                assert(p.family == AF_INET || p.family == AF_INET6);
                assert(p.port != 0 && l.port != 0);
        }
        (void) endpoint_parse_address(s, &p);
        free(s);
        return 0;
}
