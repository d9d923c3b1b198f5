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

/* The breaks of every call across points, counted (the verdict, first). */
#define MP_SUMMARY_MAX 16
struct mp_summary {
	size_t groups, with_findings;
	unsigned n, more;
	struct {
		struct mp_break b;
		unsigned calls;
	} k[MP_SUMMARY_MAX];
};
void mp_summary_add(struct mp_summary *s, const struct mp_group *g);
/* "SIP from the caller lost between nat-in and nat-out (points 2 and 3)". */
void mp_break_text(const struct multipoint *mp, const struct mp_break *b, char *buf, size_t cap);
/* "phone -> nat-in -> ..." and how the order was found. */
void mp_path_text(const struct multipoint *mp, char *buf, size_t cap);
void mp_order_text(const struct multipoint *mp, char *buf, size_t cap);

/* The section heading, the path and the verdict; then one block per group
 * (call multipoint_each with report_multipoint_text). */
void report_multipoint_text_head(FILE *f, const struct multipoint *mp, const struct mp_summary *sum,
				 const struct text_style *st);
/* The path and the verdict in JSON (members of across_points). */
void report_multipoint_json_head(struct jw *w, const struct multipoint *mp);
void report_multipoint_text(FILE *f, const struct multipoint *mp, const struct mp_group *g,
			    const struct text_style *st);
void report_multipoint_json(struct jw *w, const struct multipoint *mp, const struct mp_group *g);

#endif
