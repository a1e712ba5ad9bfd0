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

static int append_ref(ProcRef **v, uint32_t **threads, size_t *n, size_t *allocated, ProcRef ref, uint32_t t) {
        if (*n == *allocated) {
                size_t m = *allocated ? *allocated * 2 : 8;
                ProcRef *p = reallocarray(*v, m, sizeof(ProcRef));
                if (!p)
                        return -ENOMEM;
                *v = p;
                uint32_t *q = reallocarray(*threads, m, sizeof(uint32_t));
                if (!q)
                        return -ENOMEM;
                *threads = q;
                *allocated = m;
        }
        (*threads)[*n] = t;
        (*v)[(*n)++] = ref;
        return 0;
}

/* The tree of one root, through the children files: what the kernel knows
 * of these processes alone, whatever else runs on the host. Breadth first;
 * the list is the queue. */
static int tree_by_children(const char *proc_root, const ProcRef *root, const ProcStat *root_stat, ProcRef **ret,
                            size_t *ret_n) {
        _cleanup_free_ ProcRef *v = NULL;
        _cleanup_free_ uint32_t *threads = NULL; /* beside v: each one's thread count */
        size_t n = 0, allocated = 0;
        IdMap seen = {};
        ProcStat st;
        int r;

        *ret = NULL;
        *ret_n = 0;
        if (root_stat) {
                st = *root_stat;
                r = 0;
        } else
                r = proc_stat_read(proc_root, root->pid, &st);
        if (r == -ENOENT || r == -ESRCH || (r == 0 && (st.starttime != root->starttime || st.state == 'Z')))
                return 0; /* gone, or its PID is someone else's now */
        if (r < 0)
                return r;
        if ((r = append_ref(&v, &threads, &n, &allocated, *root, st.num_threads)) < 0 ||
            (r = id_map_put(&seen, (uint64_t) root->pid, 0)) < 0)
                goto out;

        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ pid_t *children = NULL;
                size_t k = 0;

                r = proc_children(proc_root, v[i].pid, threads[i], &children, &k);
                if (r == -ENOENT)
                        continue; /* exited meanwhile: its children are no longer its */
                if (r < 0)
                        goto out;
                for (size_t j = 0; j < k; j++) {
                        ProcStat cs;
                        /* Still this node's child, and younger than it. */
                        if (id_map_get(&seen, (uint64_t) children[j], NULL) ||
                            proc_stat_read(proc_root, children[j], &cs) < 0 || cs.ppid != v[i].pid ||
                            cs.starttime < v[i].starttime || cs.state == 'Z')
                                continue;
                        if ((r = append_ref(&v, &threads, &n, &allocated, (ProcRef) { children[j], cs.starttime },
                                            cs.num_threads)) < 0 ||
                            (r = id_map_put(&seen, (uint64_t) children[j], n - 1)) < 0)
                                goto out;
                }
        }
        *ret = TAKE_PTR(v);
        *ret_n = n;
        r = 0;
out:
        id_map_done(&seen);
        return r;
}

static void trees_clear(ProcessTree *const *trees, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(trees[i]->procs);
                trees[i]->procs = NULL;
                trees[i]->n_procs = 0;
        }
}

int process_tree_snapshot(const char *proc_root, ProcessTree *const *trees, size_t n_roots) {
        Collect c = {};
        IdMap root_of = {};
        int r;

        for (size_t i = 0; i < n_roots; i++) {
                trees[i]->procs = NULL;
                trees[i]->n_procs = 0;
        }
        if (n_roots == 0)
                return 0;
        /* Each root's own processes, when the kernel lists children; a
         * thousand sessions ending at once then cost what they hold, not a
         * thousand walks over every process on the host. */
        r = 0;
        for (size_t i = 0; i < n_roots && r >= 0; i++)
                if (trees[i]->root.pid > 0)
                        r = tree_by_children(proc_root, &trees[i]->root,
                                             trees[i]->has_root_stat ? &trees[i]->root_stat : NULL,
                                             &trees[i]->procs, &trees[i]->n_procs);
        if (r != -EOPNOTSUPP)
                goto out;
        trees_clear(trees, n_roots);
        for (size_t i = 0; i < n_roots; i++) {
                r = id_map_put(&root_of, (uint64_t) trees[i]->root.pid, i);
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
                        if (id_map_get(&root_of, (uint64_t) e->pid, &k) && trees[k]->root.starttime == e->starttime) {
                                ProcessTree *t = trees[k];
                                ProcRef *p = reallocarray(t->procs, t->n_procs + 1, sizeof(ProcRef));
                                r = p ? 0 : -ENOMEM;
                                if (p) {
                                        t->procs = p;
                                        p[t->n_procs++] = (ProcRef) { .pid = c.v[i].pid, .starttime = c.v[i].starttime };
                                }
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
                trees_clear(trees, n_roots);
        free(c.v);
        id_map_done(&root_of);
        return r;
}
