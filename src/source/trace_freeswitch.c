/* SPDX-License-Identifier: MIT */
/* FreeSWITCH's sofia "siptrace on": "recv N bytes from udp/[addr]:port at
 * HH:MM:SS.usec:", the message between lines of 72 dashes, indented three
 * spaces (sofia-sip's tport_logging.c; docs/traces.md).
 * Written by hand: these are sofia-sip's own log lines, which no library reads. */
#include "source/trace_format.h"

#include <string.h>

static enum trace_marker freeswitch_marker(struct sv s, struct trace_ctx *c)
{
	struct sv t = sv_trim(s);
	if (!t.n || (t.p[0] != '-' && t.p[0] != 'r' && t.p[0] != 's'))
		return TM_NONE; /* neither the dashes nor "recv"/"send" */
	if (trace_all_of(t, '-', 40))
		return TM_END;
	bool recv = sv_starts(t, "recv ");
	if (!recv && !sv_starts(t, "send "))
		return TM_NONE;
	size_t by = sv_find(t, SV_LIT(" bytes "), false);
	size_t sp = sv_find(t, recv ? SV_LIT(" from ") : SV_LIT(" to "), false);
	size_t at = sv_find(t, SV_LIT(" at "), false);
	if (by >= t.n || sp >= t.n || at >= t.n || !(by < sp && sp < at))
		return TM_NONE;
	memset(c, 0, sizeof(*c));
	c->valid = true;
	c->fmt = TRACE_FREESWITCH;
	c->how = TL_INDENT3;
	c->dir = recv ? TD_RECV : TD_SEND;
	uint64_t v = 0;
	size_t used;
	if (sv_prefix_u64(sv_sub(t, 5, t.n), 1u << 30, &v, &used))
		c->declared = (uint32_t)v;
	struct sv hp = sv_sub(t, sp + (recv ? 6 : 4), at);
	size_t slash = sv_find_char(hp, '/');
	if (slash < hp.n) {
		c->transport = trace_transport_of(hp);
		hp = sv_sub(hp, slash + 1, hp.n);
	}
	/* ";comp=sigcomp" or "/flowinfo" after the port */
	size_t semi = sv_find_char(hp, ';');
	hp.n = semi;
	struct addr a;
	uint16_t port;
	if (trace_parse_hostport(hp, &a, &port))
		trace_ctx_set_peer(c, &a, port);
	int64_t tod;
	uint8_t k;
	if (trace_parse_time(sv_sub(t, at + 4, t.n), &tod, &k) && k == TT_TIME_OF_DAY) {
		c->ts = tod;
		c->time_kind = TT_TIME_OF_DAY;
	}
	return TM_CONTEXT;
}

const struct trace_format_def trace_format_freeswitch = {
	.id = TRACE_FREESWITCH,
	.marker = freeswitch_marker,
	.next = trace_lines_next,
	.text = trace_lines_text,
};
