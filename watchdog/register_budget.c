/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "event_timer.h"
#include "id_map.h"
#include "log.h"
#include "macro.h"
#include "ratelimit.h"
#include "register_budget.h"
#include "time_span.h"

typedef struct UidBudget {
        uid_t uid;
        RateLimit work, log;
        uint64_t busy;       /* refused for its budget since the last summary */
        unsigned in_flight;
} UidBudget;

struct RegisterBudget {
        sd_event *event;
        RateLimit accept;
        RateLimit accept_log; /* "accepting more slowly", at most once per interval */
        UidBudget *uids;
        size_t n_uids, allocated;
        IdMap by_uid;         /* uid -> index into uids */
        sd_event_source *summary; /* at the end of an interval with refusals not logged */
};

int register_budget_new(sd_event *event, RegisterBudget **ret) {
        RegisterBudget *b = calloc(1, sizeof(*b));

        if (!b)
                return -ENOMEM;
        b->event = sd_event_ref(event);
        b->accept = RATELIMIT_INIT(USEC_PER_SEC, REGISTER_ACCEPT_PER_SEC);
        b->accept_log = RATELIMIT_INIT(REGISTER_LOG_INTERVAL_USEC, 1);
        *ret = b;
        return 0;
}

RegisterBudget *register_budget_free(RegisterBudget *b) {
        if (!b)
                return NULL;
        sd_event_source_disable_unref(b->summary);
        sd_event_unref(b->event);
        id_map_done(&b->by_uid);
        free(b->uids);
        free(b);
        return NULL;
}

bool register_budget_accept(RegisterBudget *b, uint64_t now, uint64_t *ret_resume) {
        if (ratelimit_below(&b->accept, now))
                return true;
        *ret_resume = ratelimit_end(&b->accept);
        if (ratelimit_below(&b->accept_log, now))
                log_warning("Registrations come faster than %d a second: accepting them more slowly",
                            REGISTER_ACCEPT_PER_SEC);
        return false;
}

static UidBudget *budget_of(RegisterBudget *b, uid_t uid) {
        uint64_t k;

        if (id_map_get(&b->by_uid, uid, &k))
                return &b->uids[k];
        if (b->n_uids == b->allocated) {
                size_t n = b->allocated ? b->allocated * 2 : 8;
                UidBudget *v = reallocarray(b->uids, n, sizeof(UidBudget));
                if (!v)
                        return NULL;
                b->uids = v;
                b->allocated = n;
        }
        if (id_map_put(&b->by_uid, uid, b->n_uids) < 0)
                return NULL;
        b->uids[b->n_uids] = (UidBudget) { .uid = uid,
                                           .work = RATELIMIT_INIT(USEC_PER_SEC, REGISTER_WORK_PER_SEC),
                                           .log = RATELIMIT_INIT(REGISTER_LOG_INTERVAL_USEC, REGISTER_LOG_BURST) };
        return &b->uids[b->n_uids++];
}

/* The interval is over: one entry per user whose refusals were not all
 * logged, and the budgets of users that left nothing to remember go. */
static int on_summary(sd_event_source *s, uint64_t usec, void *userdata) {
        RegisterBudget *b = userdata;
        size_t kept = 0;

        id_map_done(&b->by_uid);
        for (size_t i = 0; i < b->n_uids; i++) {
                UidBudget *u = &b->uids[i];
                uint64_t quiet = ratelimit_take_suppressed(&u->log);

                if (quiet > 0)
                        log_notice("Refused %" PRIu64 " more registrations of UID %u in the last 30s (%" PRIu64
                                   " of them over its budget), not logged one by one",
                                   quiet, (unsigned) u->uid, u->busy < quiet ? u->busy : quiet);
                u->busy = 0;
                if (u->in_flight == 0 && ratelimit_end(&u->work) <= usec && ratelimit_end(&u->log) <= usec)
                        continue;
                b->uids[kept] = *u;
                (void) id_map_put(&b->by_uid, u->uid, kept); /* the map shrinks: room enough */
                kept++;
        }
        b->n_uids = kept;
        return 0;
}

static void summary_later(RegisterBudget *b, uint64_t now) {
        if (event_timer_when(b->summary) != 0)
                return;
        /* Failing, the count waits for the next refusal. */
        (void) event_timer_arm(b->event, &b->summary, now + REGISTER_LOG_INTERVAL_USEC, USEC_PER_SEC, on_summary, b);
}

int register_budget_begin(RegisterBudget *b, uid_t uid, uint64_t now) {
        UidBudget *u = budget_of(b, uid);

        if (!u)
                return -ENOMEM;
        if (u->in_flight >= REGISTER_IN_FLIGHT_PER_UID || !ratelimit_below(&u->work, now)) {
                u->busy++;
                return 0;
        }
        u->in_flight++;
        return 1;
}

void register_budget_end(RegisterBudget *b, uid_t uid) {
        uint64_t k;

        if (id_map_get(&b->by_uid, uid, &k) && b->uids[k].in_flight > 0)
                b->uids[k].in_flight--;
}

bool register_budget_log(RegisterBudget *b, uid_t uid, uint64_t now) {
        UidBudget *u = budget_of(b, uid);

        if (!u)
                return false;
        if (ratelimit_below(&u->log, now))
                return true;
        summary_later(b, now);
        return false;
}
