/* SPDX-License-Identifier: MIT */
/* sngrep's "Save as .txt" export: "YYYY/MM/DD HH:MM:SS.usec src:port ->
 * dst:port", the message, a blank line (save_msg_txt() in sngrep's
 * ui_save.c; docs/traces.md).
 * Written by hand: sngrep's text export is read by no library. */
#include "source/trace_format.h"

#include <string.h>

static enum trace_marker sngrep_marker(struct sv s, struct trace_ctx *c)
{
	struct sv t = sv_trim(s);
	if (!t.n || t.p[0] < '0' || t.p[0] > '9')
		return TM_NONE; /* the header starts with the year */
	int64_t ts;
	uint8_t k;
	size_t used = trace_parse_time(t, &ts, &k);
	if (!used || k != TT_FULL || used + 1 >= t.n || t.p[used] != ' ')
		return TM_NONE;
	struct trace_ctx n;
	memset(&n, 0, sizeof(n));
	if (!trace_arrow_pair(sv_sub(t, used + 1, t.n), &n))
		return TM_NONE;
	/* nothing after the destination */
	n.valid = true;
	n.fmt = TRACE_SNGREP;
	n.ts = ts;
	n.time_kind = TT_FULL;
	*c = n;
	return TM_CONTEXT;
}

const struct trace_format_def trace_format_sngrep = {
	.id = TRACE_SNGREP,
	.marker = sngrep_marker,
	.next = trace_lines_next,
	.text = trace_lines_text,
};
