/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel's NETLINK_SOCK_DIAG answers: netlink headers, inet_diag_msg,
 * attributes, tcp_info of any length. */
#include "config.h"

#include "fuzz.h"
#include "tcp_input.h"

static int cb(const TcpInput *in, void *userdata) {
        (*(size_t *) userdata) += in->inode != 0;
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        size_t count = 0;
        void *copy = malloc(size ?: 1);

        if (!copy)
                abort();
        /* The real buffer is aligned; the fuzzer's need not be. */
        memcpy(copy, data, size);
        (void) tcp_diag_parse_dump(copy, size, 1, cb, &count);
        free(copy);
        return 0;
}
