/* SPDX-License-Identifier: MIT */
/* Raw SIP messages pasted one after another, with or without blank lines,
 * CRLF or LF, noise between them, each line maybe behind a log prefix
 * ("[date] ...", "2024-05-02 09:20:00.123 [DEBUG] ", syslog's "Mon DD
 * HH:MM:SS host prog[pid]: "), a quote prefix ("> ") or terminal colours
 * (docs/traces.md). Raw has no header lines of its own: the shared line
 * reader (trace_lines.c) finds its messages by their start lines, and this
 * file gives the time of a message that no format header describes.
 * Written by hand: no library finds SIP messages inside a log. */
#include "source/trace_format.h"

void trace_raw_time(struct trace_msg *m, uint8_t kind, int64_t ts, uint8_t prefix_kind, int64_t prefix_ts,
		    uint32_t lines_since)
{
	if (kind != TT_NONE) {
		m->time_kind = kind;
		m->ts_ns = ts;
	} else if (prefix_kind != TT_NONE && lines_since <= 3) {
		m->time_kind = prefix_kind;
		m->ts_ns = prefix_ts;
	}
}

const struct trace_format_def trace_format_raw = {
	.id = TRACE_RAW,
	.next = trace_lines_next,
	.text = trace_lines_text,
};
