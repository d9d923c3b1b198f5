/* SPDX-License-Identifier: MIT */
/* A call's SIP messages as they were on the wire (the bytes the calls stage
 * kept, calls/raw.c): split into start line, header lines and body for the
 * renderers, and written whole in text and JSON. */
#ifndef DEADAIR_REPORT_RAW_MESSAGE_H
#define DEADAIR_REPORT_RAW_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "calls/model.h"
#include "core/sv.h"
#include "report/call_report.h"
#include "report/json.h"

/* The bytes kept of message m (empty when none were). */
struct sv raw_message_bytes(const struct call *c, const struct msg_rec *m);

/* One line of a message's head: a header with its continuation lines
 * (RFC 3261 7.3.1 folding), or the start line. */
struct raw_field {
	struct sv line;   /* the whole field as written, line ends inside a folded one kept, the last left out */
	struct sv name;   /* the header name, trimmed (empty for the start line or a line without ':') */
	struct sv value;  /* after the ':', trimmed at its start */
	bool blank;       /* (when false is returned) the head ended with its blank line */
};

/* Walks a message's head: *rest starts as the whole message; each call gives
 * the next field and returns true, until the blank line that ends the head
 * (then *rest is the body) or the end of the bytes (then *rest is empty). */
bool raw_message_field(struct sv *rest, struct raw_field *out, bool first);

/* Text (`--messages -v`): every message kept, whole, escaped for a terminal. */
void report_messages_text(FILE *f, const struct call *c, const struct text_style *st);
/* JSON: the "raw" member of message m (start line, headers, body), or null
 * when its bytes were not kept. Only for a call whose bytes were asked for. */
void report_message_raw_json(struct jw *w, const struct call *c, const struct msg_rec *m);
/* JSON: the call's "raw_messages" member (bytes kept, messages cut, left out). */
void report_messages_raw_json(struct jw *w, const struct call *c);

#endif
