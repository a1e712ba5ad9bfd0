/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every reader of what the kernel writes in /proc (and sysfs): stat, cgroup,
 * sessionid, status, boot_id, fd links, mountinfo, cgroup.procs, children,
 * a pty master's fdinfo. The first
 * byte picks the parser, so one corpus covers them all and crashers name
 * it. */
#include "config.h"

#include <assert.h>

#include "cgroup_fs.h"
#include "fuzz.h"
#include "proc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s, *out = NULL, boot[BOOT_ID_LENGTH + 1];
        pid_t *pids = NULL;
        ProcStat st;
        uint32_t id;
        uint64_t inode;
        uid_t r, e;
        size_t n;

        if (size < 1)
                return 0;
        s = fuzz_text(data + 1, size - 1);
        switch (data[0] % 10) {
        case 0:
                if (proc_stat_parse(s, &st) == 0)
                        assert(st.state != '\0');
                break;
        case 1:
                if (proc_cgroup_parse(s, &out) == 0)
                        assert(out[0] == '/');
                break;
        case 2:
                (void) proc_sessionid_parse((const char *) data + 1, size - 1, &id);
                break;
        case 3:
                (void) proc_status_parse_uids(s, &r, &e);
                break;
        case 4:
                if (boot_id_parse(s, boot) == 0)
                        assert(strlen(boot) == BOOT_ID_LENGTH);
                break;
        case 5:
                (void) socket_link_inode(s, &inode);
                break;
        case 6:
                if (mountinfo_find_cgroup2(s, &out) == 0)
                        assert(out[0] == '/');
                break;
        case 7:
                if (cgroup_procs_parse(s, &pids, &n) == 0)
                        for (size_t i = 0; i < n; i++)
                                assert(pids[i] > 0);
                break;
        case 8: {
                size_t allocated = 0;
                n = 0;
                if (proc_children_parse(s, &pids, &n, &allocated) == 0)
                        for (size_t i = 0; i < n; i++)
                                assert(pids[i] > 0);
                break;
        }
        case 9:
                (void) proc_fdinfo_tty_index(s, &id);
                break;
        }
        free(out);
        free(pids);
        free(s);
        return 0;
}
