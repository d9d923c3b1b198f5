/* SPDX-License-Identifier: MIT */
/* HEPv3 decapsulation: the parser, and the decode step that turns a HEP3 UDP
 * payload back into the datagram the agent captured (inflating chunk 16). */
#include "decode/hep.h"

#include <string.h>
#include <zlib.h>

#include "core/rd.h"
#include "decode/internal.h"

enum status hep3_parse(const uint8_t *p, size_t n, struct hep_info *h)
{
	memset(h, 0, sizeof(*h));
	struct rd r = rd_make(p, n);
	const uint8_t *magic = rd_bytes(&r, 4);
	if (!magic)
		return ST_TRUNCATED;
	if (memcmp(magic, "HEP3", 4) != 0)
		return (magic[0] == 1 || magic[0] == 2) ? ST_UNSUPPORTED : ST_MALFORMED;
	uint16_t total = rd_be16(&r);
	if (r.bad)
		return ST_TRUNCATED;
	if (total < 6)
		return ST_MALFORMED;
	if (total > n)
		return ST_TRUNCATED;
	h->total_len = total;
	struct rd c = rd_make(p + 6, (size_t)total - 6);
	while (rd_left(&c) > 0) {
		uint16_t vendor = rd_be16(&c);
		uint16_t type = rd_be16(&c);
		uint16_t len = rd_be16(&c);
		if (c.bad)
			return ST_MALFORMED;
		if (len < 6)
			return ST_MALFORMED;
		struct rd v = rd_sub(&c, (size_t)len - 6);
		if (v.bad)
			return ST_MALFORMED;
		h->n_chunks++;
		if (vendor != 0)
			continue;
		switch (type) {
		case 1: h->family = rd_u8(&v); break;
		case 2: h->ip_proto = rd_u8(&v); break;
		case 3: {
			const uint8_t *a = rd_bytes(&v, 4);
			if (a)
				addr_v4(&h->src, a);
			break;
		}
		case 4: {
			const uint8_t *a = rd_bytes(&v, 4);
			if (a)
				addr_v4(&h->dst, a);
			break;
		}
		case 5: {
			const uint8_t *a = rd_bytes(&v, 16);
			if (a)
				addr_v6(&h->src, a);
			break;
		}
		case 6: {
			const uint8_t *a = rd_bytes(&v, 16);
			if (a)
				addr_v6(&h->dst, a);
			break;
		}
		case 7: h->sport = rd_be16(&v); break;
		case 8: h->dport = rd_be16(&v); break;
		case 9: h->ts_sec = rd_be32(&v); break;
		case 10: h->ts_usec = rd_be32(&v); break;
		case 11: h->proto_type = rd_u8(&v); break;
		case 12: h->capture_id = rd_be32(&v); break;
		case 15:
		case 16:
			h->payload = v.p;
			h->payload_len = rd_left(&v);
			h->compressed = type == 16;
			break;
		default:
			break;
		}
		if (v.bad)
			return ST_MALFORMED;
	}
	return ST_OK;
}

/* Inflates a zlib or gzip stream into out; returns the length or -1. */
static long inflate_all(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 32) != Z_OK) /* 32: detect zlib or gzip header */
		return -1;
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	int rc = inflate(&z, Z_FINISH);
	long got = (long)(cap - z.avail_out);
	inflateEnd(&z);
	return rc == Z_STREAM_END ? got : -1;
}

enum frame_result hep_decode(struct decoder *d, struct pctx *pc, const uint8_t *p, size_t n)
{
	struct hep_info h;
	enum status st = hep3_parse(p, n, &h);
	if (st != ST_OK || !h.payload || !h.src.family || !h.dst.family) {
		d->st.hep_unsupported++;
		return st == ST_TRUNCATED ? decode_short(pc) : FR_UNSUPPORTED;
	}
	d->st.hep_packets++;
	if (++pc->depth > d->cfg.limits.tunnel_depth)
		return FR_UNSUPPORTED;
	pc->dg.encap |= ENC_HEP;
	pc->dg.src = h.src;
	pc->dg.dst = h.dst;
	pc->dg.sport = h.sport;
	pc->dg.dport = h.dport;
	pc->dg.transport = h.ip_proto == 6 ? TP_TCP : h.ip_proto == 132 ? TP_SCTP : TP_UDP;
	pc->dg.hep_proto = h.proto_type;
	if (h.ts_sec)
		pc->dg.ts_ns = (int64_t)h.ts_sec * 1000000000LL + (int64_t)h.ts_usec * 1000LL;
	const uint8_t *payload = h.payload;
	size_t len = h.payload_len;
	if (h.compressed) {
		long got = inflate_all(payload, len, d->scratch, d->scratch_cap);
		if (got < 0) {
			d->st.hep_unsupported++;
			return FR_MALFORMED;
		}
		pc->dg.encap |= ENC_HEP_GZIP;
		payload = d->scratch;
		len = (size_t)got;
	}
	decode_deliver(d, pc, payload, len);
	return FR_DELIVERED;
}
