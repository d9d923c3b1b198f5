/* SPDX-License-Identifier: MIT */
/* The call selection options of `deadair analyze` (--from, --to, --since,
 * --until, --finding, --min-severity): their values parsed and checked. */
#ifndef DEADAIR_CLI_SELECT_H
#define DEADAIR_CLI_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "+SECONDS" (from the capture's first frame: *rel set) or an absolute UTC
 * time, "YYYY-MM-DD HH:MM:SS[.frac]" or RFC 3339 ("...T...Z", "+01:00"):
 * nanoseconds since the epoch. */
bool select_parse_time(const char *s, int64_t *ns, bool *rel);
/* A finding ID of the catalog, any case, into out (its spelling); false if unknown. */
bool select_finding_id(const char *s, const char **out);
/* Appends " --OPT 'value'" (or "--OPT 'value'" first) to buf. */
void select_describe(char *buf, size_t cap, const char *opt, const char *value);

#endif
