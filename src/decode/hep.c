/* SPDX-License-Identifier: MIT */
/* HEP decapsulation: the HEPv3 and HEPv1/v2 parsers, and the decode step that
 * turns a HEP packet (a HEP3 UDP payload inside a capture, or one a collector
 * received, deadair watch --hep) back into the datagram the agent captured
 * (inflating chunk 16). */
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
	h->version = 3;
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

/* HEPv1/v2 as agents write them (Kamailio's siptrace, captagent, OpenSIPS):
 * the structs hep_hdr (8 bytes), hep_iphdr (8) or hep_ip6hdr (32) and, v2,
 * hep_timehdr copied out of memory. The length byte is not to be trusted
 * (agents put the header without the time, the whole packet, or 8 in it), so
 * the header's length follows from the version and family; hep_timehdr is
 * two 32-bit fields and a 16-bit one, 12 bytes with its padding, in the
 * agent's byte order (read as little-endian, the order of every platform
 * these agents run on, with big-endian taken when it alone gives a valid
 * microsecond count). */
enum status hep2_parse(const uint8_t *p, size_t n, struct hep_info *h)
{
	memset(h, 0, sizeof(*h));
	struct rd r = rd_make(p, n);
	uint8_t version = rd_u8(&r);
	rd_skip(&r, 1); /* hp_l */
	uint8_t family = rd_u8(&r);
	uint8_t proto = rd_u8(&r);
	uint16_t sport = rd_be16(&r);
	uint16_t dport = rd_be16(&r);
	if (r.bad)
		return ST_TRUNCATED;
	if (version != 1 && version != 2)
		return ST_MALFORMED;
	if (family == 2) {
		const uint8_t *s = rd_bytes(&r, 4), *d = rd_bytes(&r, 4);
		if (!s || !d)
			return ST_TRUNCATED;
		addr_v4(&h->src, s);
		addr_v4(&h->dst, d);
	} else if (family == 10) {
		const uint8_t *s = rd_bytes(&r, 16), *d = rd_bytes(&r, 16);
		if (!s || !d)
			return ST_TRUNCATED;
		addr_v6(&h->src, s);
		addr_v6(&h->dst, d);
	} else {
		return ST_MALFORMED;
	}
	if (version == 2) {
		const uint8_t *t = rd_bytes(&r, 12);
		if (!t)
			return ST_TRUNCATED;
		uint32_t sec = (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24;
		uint32_t usec = (uint32_t)t[4] | (uint32_t)t[5] << 8 | (uint32_t)t[6] << 16 | (uint32_t)t[7] << 24;
		uint16_t captid = (uint16_t)(t[8] | t[9] << 8);
		uint32_t usec_be = (uint32_t)t[4] << 24 | (uint32_t)t[5] << 16 | (uint32_t)t[6] << 8 | (uint32_t)t[7];
		if (usec >= 1000000 && usec_be < 1000000) {
			sec = (uint32_t)t[0] << 24 | (uint32_t)t[1] << 16 | (uint32_t)t[2] << 8 | (uint32_t)t[3];
			usec = usec_be;
			captid = (uint16_t)(t[8] << 8 | t[9]);
		}
		if (usec >= 1000000)
			return ST_MALFORMED;
		h->ts_sec = sec;
		h->ts_usec = usec;
		h->capture_id = captid;
	}
	h->version = version;
	h->family = family;
	h->ip_proto = proto;
	h->sport = sport;
	h->dport = dport;
	h->proto_type = 1; /* v1/v2 carry SIP */
	h->payload = r.p;
	h->payload_len = rd_left(&r);
	h->total_len = n;
	return ST_OK;
}

enum status hep_parse(const uint8_t *p, size_t n, struct hep_info *h)
{
	if (n >= 1 && (p[0] == 1 || p[0] == 2))
		return hep2_parse(p, n, h);
	return hep3_parse(p, n, h);
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
	enum status st = hep_parse(p, n, &h);
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
	/* RTCP that the agent sent as JSON: the report it describes */
	uint8_t rtcp[8 + 20 + 31 * 24];
	if (h.proto_type == 5 && len > 0 && payload[0] == '{') {
		long got = hep_rtcp_from_json(payload, len, rtcp, sizeof(rtcp));
		if (got < 0) {
			d->st.hep_unsupported++;
			return FR_MALFORMED;
		}
		d->st.hep_rtcp_json++;
		payload = rtcp;
		len = (size_t)got;
	}
	decode_deliver(d, pc, payload, len);
	return FR_DELIVERED;
}

enum frame_result decoder_hep(struct decoder *d, const struct frame *f)
{
	struct pctx pc;
	memset(&pc, 0, sizeof(pc));
	pc.f = f;
	pc.dg.frame = f->num;
	pc.dg.ts_ns = f->ts_ns;
	pc.dg.point = f->point;
	pc.dg.iface = f->iface;
	enum frame_result r = hep_decode(d, &pc, f->data, f->caplen);
	if (pc.delivered)
		r = FR_DELIVERED;
	d->st.frames[r]++;
	return r;
}
