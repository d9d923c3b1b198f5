/* SPDX-License-Identifier: MIT */
/* HTML for a call seen at several capture points: the points and their
 * clocks, what changed between them, each direction's media per point, and
 * the findings of the comparison, with links to the call at each point. */
#ifndef DEADAIR_REPORT_HTML_MULTIPOINT_H
#define DEADAIR_REPORT_HTML_MULTIPOINT_H

#include <stdio.h>

#include "analyze/multipoint.h"
#include "report/multipoint_report.h"

/* The comparison's head, first in the report: the path, how it was ordered,
 * the verdict (each break once, between neighbours). */
void html_multipoint_head(FILE *f, const struct multipoint *mp, const struct mp_summary *sum);
/* Writes <article class="call across" id="xN">; n is the group's number (1-based). */
void html_multipoint(FILE *f, const struct multipoint *mp, const struct mp_group *g, unsigned n);

#endif
