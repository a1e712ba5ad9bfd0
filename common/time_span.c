/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "time_span.h"

static const struct {
        const char *suffix;
        uint64_t usec;
} units[] = {
        /* Longer suffixes before their prefixes ("msec" before "ms" before "m"). */
        { "seconds", USEC_PER_SEC },  { "second", USEC_PER_SEC }, { "sec", USEC_PER_SEC },
        { "s", USEC_PER_SEC },        { "minutes", USEC_PER_MINUTE }, { "minute", USEC_PER_MINUTE },
        { "min", USEC_PER_MINUTE },   { "months", USEC_PER_MONTH }, { "month", USEC_PER_MONTH },
        { "msec", USEC_PER_MSEC },    { "ms", USEC_PER_MSEC },    { "m", USEC_PER_MINUTE },
        { "hours", USEC_PER_HOUR },   { "hour", USEC_PER_HOUR },  { "hr", USEC_PER_HOUR },
        { "h", USEC_PER_HOUR },       { "days", USEC_PER_DAY },   { "day", USEC_PER_DAY },
        { "d", USEC_PER_DAY },        { "weeks", USEC_PER_WEEK }, { "week", USEC_PER_WEEK },
        { "w", USEC_PER_WEEK },       { "M", USEC_PER_MONTH },    { "years", USEC_PER_YEAR },
        { "year", USEC_PER_YEAR },    { "y", USEC_PER_YEAR },     { "usec", 1 },
        { "us", 1 },                  { "µs", 1 },                { "μs", 1 },
};

static bool is_space(char c) {
        return c == ' ' || c == '\t';
}

int time_span_parse(const char *s, uint64_t *ret_usec) {
        uint64_t total = 0;
        bool any = false;
        const char *p = s;

        if (!s)
                return -EINVAL;

        for (;;) {
                uint64_t whole = 0, frac_num = 0, frac_den = 1, unit = USEC_PER_SEC;
                bool digits = false;

                while (is_space(*p))
                        p++;
                if (*p == '\0')
                        break;

                for (; *p >= '0' && *p <= '9'; p++) {
                        unsigned d = (unsigned) (*p - '0');
                        if (whole > (UINT64_MAX - d) / 10)
                                return -ERANGE;
                        whole = whole * 10 + d;
                        digits = true;
                }
                if (*p == '.') {
                        p++;
                        for (; *p >= '0' && *p <= '9'; p++) {
                                /* Digits past microsecond precision change nothing. */
                                if (frac_den < UINT64_C(1000000000)) {
                                        frac_num = frac_num * 10 + (unsigned) (*p - '0');
                                        frac_den *= 10;
                                }
                                digits = true;
                        }
                }
                if (!digits)
                        return -EINVAL;

                while (is_space(*p))
                        p++;
                if (*p != '\0' && !(*p >= '0' && *p <= '9')) {
                        size_t i;
                        for (i = 0; i < ELEMENTSOF(units); i++) {
                                size_t n = strlen(units[i].suffix);
                                if (strncmp(p, units[i].suffix, n) == 0 &&
                                    (p[n] == '\0' || is_space(p[n]) || (p[n] >= '0' && p[n] <= '9'))) {
                                        unit = units[i].usec;
                                        p += n;
                                        break;
                                }
                        }
                        if (i == ELEMENTSOF(units))
                                return -EINVAL;
                } else if (any || *p != '\0')
                        /* Only a lone number may omit its unit ("90"); "1h 30" is a typo. */
                        return -EINVAL;

                if (whole > UINT64_MAX / unit)
                        return -ERANGE;
                uint64_t v = whole * unit;
                /* frac_num < frac_den <= 10^9: both products stay below 2^64. */
                uint64_t frac = (unit / frac_den) * frac_num + (unit % frac_den) * frac_num / frac_den;
                if (v > UINT64_MAX - frac)
                        return -ERANGE;
                v += frac;
                if (total > UINT64_MAX - v)
                        return -ERANGE;
                total += v;
                any = true;
        }

        if (!any)
                return -EINVAL;
        *ret_usec = total;
        return 0;
}

char *time_span_format(char buf[static TIME_SPAN_MAX], uint64_t usec, uint64_t accuracy) {
        static const struct {
                const char *suffix;
                uint64_t usec;
        } table[] = {
                { "y", USEC_PER_YEAR },   { "month", USEC_PER_MONTH }, { "w", USEC_PER_WEEK },
                { "d", USEC_PER_DAY },    { "h", USEC_PER_HOUR },      { "min", USEC_PER_MINUTE },
                { "s", USEC_PER_SEC },    { "ms", USEC_PER_MSEC },     { "us", 1 },
        };
        size_t len = 0;

        if (accuracy > 1)
                usec -= usec % accuracy;
        if (usec == 0) {
                snprintf(buf, TIME_SPAN_MAX, "0");
                return buf;
        }

        buf[0] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(table) && usec > 0; i++) {
                uint64_t n = usec / table[i].usec;
                if (n == 0)
                        continue;
                usec -= n * table[i].usec;
                int k = snprintf(buf + len, TIME_SPAN_MAX - len, "%s%" PRIu64 "%s",
                                 len > 0 ? " " : "", n, table[i].suffix);
                if (k < 0 || (size_t) k >= TIME_SPAN_MAX - len)
                        break; /* cannot happen with TIME_SPAN_MAX, but never overrun */
                len += (size_t) k;
        }
        return buf;
}
