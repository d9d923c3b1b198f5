/* SPDX-License-Identifier: MIT */
/* Renders a call (header, SIP ladder, SDP history, media per direction,
 * activity over time) and unsignalled streams, as text for people and as JSON
 * (schema in docs/json-schema.md) for tools. */
#ifndef DEADAIR_REPORT_CALL_REPORT_H
#define DEADAIR_REPORT_CALL_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "analyze/analyze.h"
#include "calls/model.h"
#include "report/json.h"

#define REPORT_SCHEMA_VERSION 1

struct text_style {
	bool color;
	unsigned strip_width; /* columns of the activity strip */
	bool lines;           /* evidence numbers are lines of a pasted trace, not frames */
};

/* "line" for a pasted trace, "frame" for a capture. */
static inline const char *style_unit(const struct text_style *st)
{
	return st && st->lines ? "line" : "frame";
}

/* fs and w may be NULL (no diagnosis). */
void report_call_text(FILE *f, const struct call *c, unsigned index, const struct text_style *st,
		      const struct findings *fs, const struct walk *w);
void report_stream_text(FILE *f, const struct stream *s, int64_t origin, const struct text_style *st);
void report_call_json(struct jw *w, const struct call *c, unsigned index, const struct findings *fs,
		      const struct walk *wk);
void report_stream_json(struct jw *w, const struct stream *s, int64_t origin);


#endif
