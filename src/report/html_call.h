/* SPDX-License-Identifier: MIT */
/* One call of an HTML report: its findings first (ranked, each piece of
 * evidence a link to the message or moment it cites), the diagnostic walk,
 * the SIP ladder, the media timeline, the streams and the SDP history. */
#ifndef DEADAIR_REPORT_HTML_CALL_H
#define DEADAIR_REPORT_HTML_CALL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze/analyze.h"
#include "calls/model.h"
#include "report/html_player.h"

/* Writes <article class="call" id="pP-cN">; fs, w and player may be NULL; unit
 * names what frame numbers count ("frame", or "line" for a pasted trace). */
void html_call(FILE *f, const struct call *c, uint16_t point, unsigned index, const struct findings *fs,
	       const struct walk *w, const char *unit, const struct html_player *player);
/* One <tr> of a streams table (origin: the time "t" counts from). */
void html_call_stream_row(FILE *f, const struct stream *s, int64_t origin);
/* The header row matching html_call_stream_row. */
void html_call_stream_head(FILE *f);
/* Finding i as <div id="IDP-fI">: its head (severity, id, title, the moment it
 * names, linked to IDP-tI on a timeline when there is one), explanation,
 * evidence (each <li> written by evidence()) and what to change. */
void html_finding(FILE *f, const struct finding *fd, unsigned i, const char *idp, bool timeline, int64_t origin,
		  void (*evidence)(FILE *f, void *ctx, unsigned fi, unsigned k, const struct evidence *e), void *ctx);
/* The id prefix of a call: "p1-c3". */
void html_call_id(char *buf, size_t cap, uint16_t point, unsigned index);

#endif
