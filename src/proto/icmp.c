/* SPDX-License-Identifier: MIT */
/* ICMP and ICMPv6 error messages and the packet they quote (RFC 792, RFC 1812
 * section 4.3.2.3, RFC 4443 sections 3.1 and 3.3). Written by hand: libpcap
 * and the kernel's headers offer structs to cast bytes onto, which this
 * project does not do; the whole format is two headers read through rd. */
#include "proto/icmp.h"

#include "core/rd.h"

const char *icmp_kind_str(uint8_t kind)
{
	switch (kind) {
	case ICMP_PORT_UNREACHABLE: return "port unreachable";
	case ICMP_HOST_UNREACHABLE: return "host unreachable";
	case ICMP_PROHIBITED: return "administratively prohibited";
	case ICMP_PROTO_UNREACHABLE: return "protocol unreachable";
	case ICMP_FRAG_NEEDED: return "fragmentation needed";
	case ICMP_TIME_EXCEEDED: return "time exceeded";
	default: return "unreachable";
	}
}

static uint8_t kind_v4(uint8_t type, uint8_t code)
{
	if (type == 11)
		return ICMP_TIME_EXCEEDED;
	switch (code) {
	case 0: case 1: case 6: case 7: return ICMP_HOST_UNREACHABLE;
	case 2: return ICMP_PROTO_UNREACHABLE;
	case 3: return ICMP_PORT_UNREACHABLE;
	case 4: return ICMP_FRAG_NEEDED;
	case 9: case 10: case 13: return ICMP_PROHIBITED;
	default: return ICMP_OTHER;
	}
}

static uint8_t kind_v6(uint8_t type, uint8_t code)
{
	if (type == 3)
		return ICMP_TIME_EXCEEDED;
	switch (code) {
	case 0: case 2: case 3: return ICMP_HOST_UNREACHABLE;
	case 1: case 5: case 6: return ICMP_PROHIBITED;
	case 4: return ICMP_PORT_UNREACHABLE;
	default: return ICMP_OTHER;
	}
}

enum status icmp_error_parse(const uint8_t *p, size_t n, bool v6, struct icmp_error *e)
{
	*e = (struct icmp_error){ 0 };
	struct rd r = rd_make(p, n);
	e->v6 = v6;
	e->type = rd_u8(&r);
	e->code = rd_u8(&r);
	rd_skip(&r, 6); /* checksum, unused / next-hop MTU */
	if (r.bad)
		return ST_TRUNCATED;
	if (!v6 && e->type != 3 && e->type != 11)
		return ST_UNSUPPORTED;
	if (v6 && e->type != 1 && e->type != 3)
		return ST_UNSUPPORTED;
	e->kind = v6 ? kind_v6(e->type, e->code) : kind_v4(e->type, e->code);
	/* the quoted IP header */
	uint8_t vihl = rd_peek(&r, 0);
	size_t total = 0;
	if (!v6) {
		if ((vihl >> 4) != 4)
			return rd_left(&r) ? ST_MALFORMED : ST_TRUNCATED;
		size_t ihl = (size_t)(vihl & 0x0f) * 4;
		struct rd h = r;
		rd_skip(&h, 2);
		total = rd_be16(&h);
		e->q_ip_id = rd_be16(&h);
		rd_skip(&h, 2);
		rd_u8(&h); /* TTL as it arrived at the router: not the sender's */
		e->q_proto = rd_u8(&h);
		rd_skip(&h, 2);
		const uint8_t *src = rd_bytes(&h, 4), *dst = rd_bytes(&h, 4);
		if (h.bad)
			return ST_TRUNCATED;
		if (ihl < 20)
			return ST_MALFORMED;
		addr_v4(&e->q_src, src);
		addr_v4(&e->q_dst, dst);
		if (!rd_skip(&r, ihl))
			return ST_TRUNCATED;
		total = total >= ihl ? total - ihl : 0;
	} else {
		if ((vihl >> 4) != 6)
			return rd_left(&r) ? ST_MALFORMED : ST_TRUNCATED;
		struct rd h = r;
		rd_skip(&h, 4);
		total = rd_be16(&h);
		e->q_proto = rd_u8(&h); /* next header; extension headers are not followed */
		rd_u8(&h);
		const uint8_t *src = rd_bytes(&h, 16), *dst = rd_bytes(&h, 16);
		if (h.bad)
			return ST_TRUNCATED;
		addr_v6(&e->q_src, src);
		addr_v6(&e->q_dst, dst);
		rd_skip(&r, 40);
	}
	if (e->q_proto != 17)
		return ST_OK;
	e->q_sport = rd_be16(&r);
	e->q_dport = rd_be16(&r);
	uint16_t ulen = rd_be16(&r);
	rd_skip(&r, 2);
	if (r.bad)
		return ST_TRUNCATED;
	/* what was quoted of the payload, no more than the headers say it had */
	size_t left = rd_left(&r);
	size_t claimed = ulen >= 8 ? (size_t)ulen - 8 : 0;
	if (total >= 8 && total - 8 < claimed)
		claimed = total - 8;
	e->q_payload = r.p;
	e->q_payload_len = left < claimed ? left : claimed;
	return ST_OK;
}
