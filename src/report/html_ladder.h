/* SPDX-License-Identifier: MIT */
/* The SIP ladder of a call as inline SVG: one column per endpoint address:port,
 * one arrow per message with its method or status, time and frame, SDP
 * summaries on hover and a link to the offer/answer table. */
#ifndef DEADAIR_REPORT_HTML_LADDER_H
#define DEADAIR_REPORT_HTML_LADDER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "calls/model.h"

#define HTML_LADDER_MAX_ROWS 500   /* messages drawn per call; the rest are counted */

/* Draws the ladder; element ids start with idp ("p1-c3"): rows are idp-mN. unit
 * names what frame numbers count: "frame" (captures) or "line" (pasted traces). */
void html_ladder(FILE *f, const struct call *c, const char *idp, const char *unit);
/* Index of the ladder row of the message in frame, or -1 when none is drawn. */
int html_ladder_row_of_frame(const struct call *c, uint64_t frame);
/* "offer: audio 10.0.0.1:4000 sendrecv PCMU,PCMA" (plain text, not escaped). */
void html_ladder_sdp_summary(const struct sdp_rec *r, const char *unit, char *buf, size_t cap);
/* "INVITE", "200 OK", "487 Request Terminated (INVITE)" (plain text). */
void html_ladder_label(const struct msg_rec *m, char *buf, size_t cap);

#endif
