/* SPDX-License-Identifier: MIT */
/* Renders calls seen at several capture points: the points, the clocks'
 * offset, what changed between points, each direction's media per point, and
 * the findings that only a comparison of points can give. */
#ifndef DEADAIR_REPORT_MULTIPOINT_REPORT_H
#define DEADAIR_REPORT_MULTIPOINT_REPORT_H

#include <stdio.h>

#include "analyze/multipoint.h"
#include "report/call_report.h"
#include "report/json.h"

/* The section heading and one block per group (call multipoint_each with these). */
void report_multipoint_text_head(FILE *f, const struct multipoint *mp, size_t groups, const struct text_style *st);
void report_multipoint_text(FILE *f, const struct multipoint *mp, const struct mp_group *g,
			    const struct text_style *st);
void report_multipoint_json(struct jw *w, const struct multipoint *mp, const struct mp_group *g);

#endif
