/* SPDX-License-Identifier: MIT */
/* What a pasted SIP trace gave and what it cannot tell, as text and JSON:
 * its format, how good its times and addresses are, and the questions of the
 * diagnostic walk that only a capture with RTP answers. */
#ifndef DEADAIR_REPORT_TRACE_REPORT_H
#define DEADAIR_REPORT_TRACE_REPORT_H

#include <stdio.h>

#include "report/json.h"
#include "source/trace.h"

/* The header of a trace input (in place of the capture header). */
void report_trace_header_text(FILE *f, unsigned point, const char *name, const struct trace_facts *t);
/* The closing lines: what a signalling-only input cannot answer. */
void report_trace_limits_text(FILE *f, const struct trace_facts *t);
/* The "trace" object of a capture entry in the JSON report. */
void report_trace_json(struct jw *w, const struct trace_facts *t);

#endif
