/* SPDX-License-Identifier: MIT */
/* HTML reports: one self-contained document (style and script inline, no
 * network needed to view it, a Content-Security-Policy that allows exactly its
 * own style and script). Per capture, a summary on top, then each call as it
 * finished: calls are rendered into a temporary file as they finish, so memory
 * does not grow with the packets. */
#ifndef DEADAIR_REPORT_HTML_REPORT_H
#define DEADAIR_REPORT_HTML_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze/analyze.h"
#include "analyze/patterns.h"
#include "calls/calls.h"
#include "report/html_player.h"
#include "report/summary.h"

struct html_doc_opts {
	const char *title;         /* e.g. the capture's name; NULL: "deadair report" */
	bool served;               /* a page of `deadair serve`: links back to its form */
	bool media;                /* audio is embedded: the policy allows data: media */
	/* served: the pasted trace, in a form on top of the report to edit and
	 * send again (its policy then allows forms to this server); NULL: none */
	const char *trace;
	size_t trace_len;
};

void html_doc_begin(FILE *out, const struct html_doc_opts *o);
void html_doc_end(FILE *out);
/* The policy a report's own <meta> states (and a server should send):
 * default-src 'none', style and script allowed by their SHA-256 only; with
 * media (a report with embedded audio), media-src data: too. */
void html_report_csp(char *buf, size_t cap, bool media);
/* The same for a page of `deadair serve` holding the form of a pasted trace:
 * forms may be sent to the server itself (form-action 'self'). */
void html_report_csp_form(char *buf, size_t cap, bool media, bool form);

/* One capture of a report, gathered while it is read. The functions below
 * accept NULL for h (and then do nothing). */
struct html_capture;

struct html_capture *html_capture_new(uint16_t point);
/* The input is a pasted trace: its "frame numbers" are line numbers. */
void html_capture_set_lines(struct html_capture *h, bool lines);
/* player: the call's audio (--embed-audio), or NULL. */
void html_capture_call(struct html_capture *h, const struct call *c, unsigned index, const struct findings *fs,
		       const struct walk *w, const struct html_player *player);
void html_capture_stream(struct html_capture *h, const struct stream *s);

struct html_capture_info {
	const char *name;
	const struct capture *cap;
	const struct capture_summary *sum;
	const struct calls_stats *cs;
	const struct analyzer *an;
	bool complete;             /* read to its end, and every call reported */
	bool read_all;             /* read to its end (when not complete: the report was cut short after) */
	const char *error;         /* why not complete, when not */
	const char *call_filter;   /* --call, or NULL */
	const char *selection;     /* the other call filters as given ("--from '1001'"), or NULL */
	unsigned calls_matched;    /* calls the filters left */
	const struct patterns *patterns; /* the patterns across the calls (finished), or NULL */
};

/* Writes the capture's summary, then its calls and unsignalled streams. */
void html_capture_end(struct html_capture *h, FILE *out, const struct html_capture_info *info);
void html_capture_free(struct html_capture *h);

#endif
