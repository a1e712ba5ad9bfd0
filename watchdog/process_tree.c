/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "id_map.h"
#include "macro.h"
#include "proc_walk.h"
#include "process_tree.h"

typedef struct Entry {
        pid_t pid, ppid;
        uint64_t starttime;
} Entry;

typedef struct Collect {
        Entry *v;
        size_t n, allocated;
} Collect;

static int collect_cb(pid_t pid, const ProcStat *st, void *userdata) {
        Collect *c = userdata;

        if (c->n == c->allocated) {
                size_t m = c->allocated ? c->allocated * 2 : 512;
                Entry *p = reallocarray(c->v, m, sizeof(Entry));
                if (!p)
                        return -ENOMEM;
                c->v = p;
                c->allocated = m;
        }
        c->v[c->n++] = (Entry) { .pid = pid, .ppid = st->ppid, .starttime = st->starttime };
        return 0;
}

static int cmp_entry(const void *a, const void *b) {
        pid_t x = ((const Entry *) a)->pid, y = ((const Entry *) b)->pid;
        return x < y ? -1 : x > y;
}

static int append(ProcRef **v, size_t *n, const Entry *e) {
        ProcRef *p = reallocarray(*v, *n + 1, sizeof(ProcRef));
        if (!p)
                return -ENOMEM;
        p[(*n)++] = (ProcRef) { .pid = e->pid, .starttime = e->starttime };
        *v = p;
        return 0;
}

int process_tree_snapshot(const char *proc_root, const ProcRef *roots, size_t n_roots, ProcRef **ret,
                          size_t *ret_n) {
        Collect c = {};
        IdMap root_of = {};
        int r;

        for (size_t i = 0; i < n_roots; i++) {
                ret[i] = NULL;
                ret_n[i] = 0;
        }
        if (n_roots == 0)
                return 0;
        for (size_t i = 0; i < n_roots; i++) {
                r = id_map_put(&root_of, (uint64_t) roots[i].pid, i);
                if (r < 0)
                        goto out;
        }
        r = proc_walk(proc_root, collect_cb, &c);
        if (r < 0)
                goto out;
        if (c.n > 0)
                qsort(c.v, c.n, sizeof(Entry), cmp_entry);

        for (size_t i = 0; i < c.n; i++) {
                const Entry *e = &c.v[i];
                /* Up the parent chain until a root, PID 1, or a link that
                 * cannot be one (a parent younger than its child: a reused
                 * PID). Bounded, should the snapshot hold a loop. */
                for (unsigned depth = 0; e && depth < 4096; depth++) {
                        uint64_t k;
                        if (id_map_get(&root_of, (uint64_t) e->pid, &k) && roots[k].starttime == e->starttime) {
                                r = append(&ret[k], &ret_n[k], &c.v[i]);
                                if (r < 0)
                                        goto out;
                                break;
                        }
                        if (e->ppid <= 1)
                                break;
                        Entry key = { .pid = e->ppid };
                        const Entry *parent = bsearch(&key, c.v, c.n, sizeof(Entry), cmp_entry);
                        if (parent && parent->starttime > e->starttime)
                                break;
                        e = parent;
                }
        }
        r = 0;
out:
        if (r < 0)
                for (size_t i = 0; i < n_roots; i++) {
                        free(ret[i]);
                        ret[i] = NULL;
                        ret_n[i] = 0;
                }
        free(c.v);
        id_map_done(&root_of);
        return r;
}
