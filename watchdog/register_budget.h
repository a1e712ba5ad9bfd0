/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <systemd/sd-event.h>

/* What local users can make the daemon do through register.sock, which
 * every user may connect to: bounded, so that a loop of connections costs
 * the daemon a small share of a CPU and journald a few lines, and never
 * drowns the entries that say which sessions were ended.
 *
 *   - all users together: at most REGISTER_ACCEPT_PER_SEC connections are
 *     accepted a second; the rest wait in the listen backlog (and the
 *     helper's connect with them, up to its timeout);
 *   - one user: at most REGISTER_WORK_PER_SEC registrations looked at a
 *     second and REGISTER_IN_FLIGHT_PER_UID waiting at once (for systemd);
 *     beyond that, "NO busy" without looking;
 *   - refusals: REGISTER_LOG_BURST logged one by one per user and
 *     REGISTER_LOG_INTERVAL_USEC, then one entry that counts the rest. */
#define REGISTER_ACCEPT_PER_SEC 500
#define REGISTER_WORK_PER_SEC 64
#define REGISTER_IN_FLIGHT_PER_UID 16
#define REGISTER_LOG_BURST 5
#define REGISTER_LOG_INTERVAL_USEC (30ULL * 1000000ULL)

typedef struct RegisterBudget RegisterBudget;

int register_budget_new(sd_event *event, RegisterBudget **ret);
RegisterBudget *register_budget_free(RegisterBudget *b);

/* Whether one more connection may be accepted at now. When not, accepting
 * pauses until *ret_resume. */
bool register_budget_accept(RegisterBudget *b, uint64_t now, uint64_t *ret_resume);
/* Whether a registration of uid may be looked at now: 1 and an in-flight
 * slot, to give back with register_budget_end(); 0 when over its budget
 * (counted as a refusal); -ENOMEM. */
int register_budget_begin(RegisterBudget *b, uid_t uid, uint64_t now);
void register_budget_end(RegisterBudget *b, uid_t uid);
/* Whether a refusal of uid may be logged one by one now; if not it is
 * counted, and the count logged when the interval is over. */
bool register_budget_log(RegisterBudget *b, uid_t uid, uint64_t now);
