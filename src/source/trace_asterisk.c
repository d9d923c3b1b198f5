/* SPDX-License-Identifier: MIT */
/* Asterisk's SIP debug output in a log or on the CLI: res_pjsip_logger
 * ("pjsip set logger on": "<--- Received SIP request (N bytes) from
 * UDP:addr:port --->", "<--- Transmitting SIP response ...") and chan_sip
 * ("sip set debug on": "<--- SIP read from ...", "<------------->",
 * "Transmitting (NAT) to ...", "Retransmitting #N ..."), with or without the
 * log prefix (docs/traces.md).
 * Written by hand: these are Asterisk's own log lines, which no library reads. */
#include "source/trace_format.h"

#include <string.h>

static uint32_t number_in_parens(struct sv s)
{
	size_t o = sv_find_char(s, '(');
	if (o >= s.n)
		return 0;
	uint64_t v = 0;
	size_t used = 0;
	if (!sv_prefix_u64(sv_sub(s, o + 1, s.n), 1u << 30, &v, &used) || !used)
		return 0;
	return (uint32_t)v;
}

/* Asterisk: res_pjsip_logger and chan_sip. */
static enum trace_marker asterisk_marker(struct sv s, struct trace_ctx *c)
{
	{
		/* every line below starts with one of these */
		struct sv t0 = sv_trim(s);
		if (!t0.n || (t0.p[0] != '<' && t0.p[0] != '-' && t0.p[0] != 'T' && t0.p[0] != 'R'))
			return TM_NONE;
	}
	if (trace_all_of(sv_trim(s), '-', 3) && sv_trim(s).n == 3)
		return TM_END; /* chan_sip 1.4: "---" after a transmitted message */
	struct sv t = sv_trim(s);
	if (sv_starts(t, "<----") && t.n <= 20 && trace_all_of(sv_sub(t, 1, t.n - 1), '-', 3))
		return TM_END; /* "<------------->" */
	if (sv_starts(t, "--- (") && sv_find(t, SV_LIT(" headers "), false) < t.n)
		return TM_END;
	bool recv;
	struct sv rest;
	size_t at;
	if (sv_starts(t, "<--- Received SIP ") || sv_starts(t, "<--- Transmitting SIP ")) {
		recv = t.p[5] == 'R';
		at = sv_find(t, recv ? SV_LIT(" from ") : SV_LIT(" to "), false);
		if (at >= t.n)
			return TM_NONE;
		rest = sv_sub(t, at + (recv ? 6 : 4), t.n);
	} else if (sv_starts(t, "<--- SIP read from ") || sv_starts(t, "<-- SIP read from ")) {
		recv = true;
		rest = sv_sub(t, t.p[3] == '-' ? 19 : 18, t.n);
	} else if ((((t.n && t.p[0] == 'T') || sv_starts(t, "<--- ") || sv_starts(t, "Reliably ")) &&
		    (at = sv_find(t, SV_LIT("Transmitting ("), false)) < t.n &&
		    (at == 0 || sv_starts(t, "<--- ") || sv_starts(t, "Reliably "))) ||
		   (sv_starts(t, "Retransmitting #") && (at = 0) == 0)) {
		recv = false;
		size_t to = sv_find(sv_sub(t, at, t.n), SV_LIT(") to "), false);
		if (to >= t.n - at)
			return TM_NONE;
		rest = sv_sub(t, at + to + 5, t.n);
	} else {
		return TM_NONE;
	}
	/* the end: " --->" or ":" */
	size_t arrow = sv_find(rest, SV_LIT(" --->"), false);
	if (arrow < rest.n)
		rest.n = arrow;
	while (rest.n && (rest.p[rest.n - 1] == ':' || rest.p[rest.n - 1] == ' '))
		rest.n--;
	memset(c, 0, sizeof(*c));
	c->valid = true;
	c->fmt = TRACE_ASTERISK;
	c->dir = recv ? TD_RECV : TD_SEND;
	c->declared = number_in_parens(t);
	/* "UDP:192.0.2.1:5060" or "192.0.2.1:5060" */
	size_t colon = sv_find_char(rest, ':');
	if (colon < rest.n && colon <= 5 && trace_transport_of(rest)) {
		c->transport = trace_transport_of(rest);
		rest = sv_sub(rest, colon + 1, rest.n);
	}
	struct addr a;
	uint16_t port;
	if (trace_parse_hostport(rest, &a, &port))
		trace_ctx_set_peer(c, &a, port);
	return TM_CONTEXT;
}

const struct trace_format_def trace_format_asterisk = {
	.id = TRACE_ASTERISK,
	.marker = asterisk_marker,
	.next = trace_lines_next,
	.text = trace_lines_text,
};
