/* SPDX-License-Identifier: MIT */
/* Kamailio's sipdump module text files: a "====================" block of
 * "tag: rcv/snd", "time: sec.usec", "proto:", "srcip:", "srcport:",
 * "dstip:", "dstport:" lines, "~~~~~~~~~~~~~~~~~~~~", the message,
 * "||||||||||||||||||||" (sipdump_write.c; docs/traces.md).
 * Written by hand: the module's text format is read by no library. */
#include "source/trace_format.h"

#include <string.h>

static enum trace_marker kamailio_marker(struct sv s, struct trace_ctx *c)
{
	struct sv t = sv_trim(s);
	if (trace_all_of(t, '=', 20) && t.n == 20) {
		memset(c, 0, sizeof(*c));
		c->valid = true;
		c->fmt = TRACE_KAMAILIO;
		c->kam_meta = true;
		return TM_CONTEXT;
	}
	if (trace_all_of(t, '|', 20) && t.n == 20)
		return TM_END;
	if (!c->valid || c->fmt != TRACE_KAMAILIO || !c->kam_meta)
		return TM_NONE;
	if (trace_all_of(t, '~', 20) && t.n == 20) {
		c->kam_meta = false;
		c->kam_ready = true;
		return TM_CONTEXT;
	}
	size_t colon = sv_find_char(t, ':');
	if (colon >= t.n)
		return TM_NONE;
	struct sv key = sv_sub(t, 0, colon), val = sv_trim(sv_sub(t, colon + 1, t.n));
	uint64_t v;
	struct addr a;
	if (sv_eq(key, SV_LIT("tag"))) {
		c->dir = sv_starts(val, "rcv") ? TD_RECV : sv_starts(val, "snd") ? TD_SEND : TD_UNKNOWN;
	} else if (sv_eq(key, SV_LIT("time"))) {
		size_t dot = sv_find_char(val, '.');
		uint64_t sec, us = 0;
		if (sv_to_u64(sv_sub(val, 0, dot), 1ULL << 32, &sec)) {
			if (dot < val.n)
				sv_to_u64(sv_sub(val, dot + 1, val.n), 999999, &us);
			c->ts = (int64_t)sec * 1000000000LL + (int64_t)us * 1000LL;
			c->time_kind = TT_FULL;
		}
	} else if (sv_eq(key, SV_LIT("proto"))) {
		c->transport = trace_transport_of(val);
	} else if (sv_eq(key, SV_LIT("srcip")) && addr_parse(val, &a)) {
		c->src = a;
		c->has_src = true;
	} else if (sv_eq(key, SV_LIT("dstip")) && addr_parse(val, &a)) {
		c->dst = a;
		c->has_dst = true;
	} else if (sv_eq(key, SV_LIT("srcport")) && sv_to_u64(val, 65535, &v)) {
		c->sport = (uint16_t)v;
	} else if (sv_eq(key, SV_LIT("dstport")) && sv_to_u64(val, 65535, &v)) {
		c->dport = (uint16_t)v;
	}
	return TM_CONTEXT;
}

const struct trace_format_def trace_format_kamailio = {
	.id = TRACE_KAMAILIO,
	.marker = kamailio_marker,
	.next = trace_lines_next,
	.text = trace_lines_text,
};
