/* SPDX-License-Identifier: MIT */
/* ngrep -W byline and sipgrep: "U [YYYY/MM/DD HH:MM:SS.usec] src:port ->
 * dst:port [#N]" ("T" for TCP), each CR printed as a '.' at the line end,
 * "#" between packets, "interface:"/"filter:" lines at the top
 * (docs/traces.md).
 * Written by hand: ngrep's printed text is read by no library (libpcap reads
 * its capture files, not what it prints). */
#include "source/trace_format.h"

#include <string.h>

static enum trace_marker ngrep_marker(struct sv s, struct trace_ctx *c)
{
	struct sv t = sv_trim(s);
	if (t.n == 1 && t.p[0] == '#')
		return TM_END;
	if (sv_starts(t, "interface: ") || sv_starts(t, "filter: ") || sv_starts(t, "match: ") ||
	    sv_starts(t, "input: ") || (t.n > 1 && t.p[0] == '#' && trace_all_of(t, '#', 2)))
		return TM_NOISE;
	if (t.n < 10 || (t.p[0] != 'U' && t.p[0] != 'T' && t.p[0] != 'I') || t.p[1] != ' ')
		return TM_NONE;
	struct trace_ctx n;
	memset(&n, 0, sizeof(n));
	struct sv rest = sv_sub(t, 2, t.n);
	int64_t ts;
	uint8_t k;
	size_t used = trace_parse_time(rest, &ts, &k);
	if (used && k == TT_FULL) {
		n.ts = ts;
		n.time_kind = TT_FULL;
	}
	if (!trace_arrow_pair(rest, &n))
		return TM_NONE;
	n.valid = true;
	n.fmt = TRACE_NGREP;
	n.how = TL_NGREP_DOT;
	n.transport = t.p[0] == 'T' ? 6 : 17;
	*c = n;
	return TM_CONTEXT;
}

const struct trace_format_def trace_format_ngrep = {
	.id = TRACE_NGREP,
	.marker = ngrep_marker,
	.next = trace_lines_next,
	.text = trace_lines_text,
};
