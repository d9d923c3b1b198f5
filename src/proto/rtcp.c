/* SPDX-License-Identifier: MIT */
/* RTCP compound packets: SR, RR, SDES, BYE and APP (RFC 3550 section 6), the
 * feedback messages of RFC 4585, and XR with the VoIP metrics block (RFC 3611).
 * Each packet is read inside a window of (length+1)*4 bytes, and every inner
 * length (report blocks, SDES items, BYE reason, XR blocks) narrows it again. */
#include "proto/rtcp.h"

#include <string.h>

#define RTCP_HDR_LEN 4
#define RTCP_BLOCK_LEN 24
#define XR_VOIP_BT 7
#define XR_VOIP_BODY 32 /* block bytes after the 4-byte block header */
#define SDES_END 0
#define SDES_CNAME 1

static bool is_rtcp_type(uint8_t pt)
{
	/* RFC 5761 section 4: the RTCP packet types live in 192..223. */
	return pt >= 192 && pt <= 223;
}

/* Text from SDES and BYE without the NUL bytes some stacks append to it. */
static struct sv text_sv(const uint8_t *p, size_t n)
{
	struct rd r = rd_make(p, n);
	while (n > 0 && rd_peek(&r, n - 1) == 0)
		n--;
	return sv_make((const char *)p, n);
}

/* Sign-extends a 24-bit two's complement value without shifting into the sign. */
static int32_t sext24(uint32_t v)
{
	return (int32_t)(v ^ 0x800000u) - 0x800000;
}

static enum status parse_blocks(struct rd *r, struct rtcp_pkt *pkt)
{
	for (unsigned i = 0; i < pkt->count; i++) {
		struct rd b = rd_sub(r, RTCP_BLOCK_LEN);
		if (b.bad)
			return ST_MALFORMED;
		struct rtcp_report_block *rb = &pkt->blocks[i];
		rb->ssrc = rd_be32(&b);
		rb->fraction_lost = rd_u8(&b);
		rb->cum_lost = sext24(rd_be24(&b));
		rb->ext_high_seq = rd_be32(&b);
		rb->jitter = rd_be32(&b);
		rb->lsr = rd_be32(&b);
		rb->dlsr = rd_be32(&b);
		pkt->n_blocks = (uint8_t)(i + 1);
	}
	/* Anything after the blocks is a profile-specific extension. */
	return ST_OK;
}

static enum status parse_sr(struct rd *r, struct rtcp_pkt *pkt)
{
	pkt->ssrc = rd_be32(r);
	pkt->ntp = rd_be64(r);
	pkt->rtp_ts = rd_be32(r);
	pkt->pkt_count = rd_be32(r);
	pkt->octet_count = rd_be32(r);
	if (r->bad)
		return ST_MALFORMED;
	return parse_blocks(r, pkt);
}

static enum status parse_rr(struct rd *r, struct rtcp_pkt *pkt)
{
	pkt->ssrc = rd_be32(r);
	if (r->bad)
		return ST_MALFORMED;
	return parse_blocks(r, pkt);
}

/* One SDES chunk: SSRC/CSRC, then items up to a null item and padding to the
 * next 32-bit boundary (RFC 3550 section 6.5). A chunk that runs exactly to the
 * end of the window without a null item is tolerated. */
static enum status parse_sdes_chunk(struct rd *r, struct rtcp_pkt *pkt, bool first)
{
	const uint8_t *start = r->p;
	uint32_t src = rd_be32(r);
	bool have_cname = false;

	if (r->bad)
		return ST_MALFORMED;
	if (first)
		pkt->ssrc = src;
	for (;;) {
		if (rd_left(r) == 0)
			return ST_OK;
		uint8_t type = rd_u8(r);
		if (type == SDES_END)
			break;
		uint8_t len = rd_u8(r);
		const uint8_t *text = rd_bytes(r, len);
		if (r->bad)
			return ST_MALFORMED;
		if (first && type == SDES_CNAME && !have_cname) {
			pkt->cname = text_sv(text, len);
			have_cname = true;
		}
	}
	size_t used = (size_t)(r->p - start);
	size_t pad = (4 - used % 4) % 4;
	rd_skip(r, pad < rd_left(r) ? pad : rd_left(r));
	return ST_OK;
}

static enum status parse_sdes(struct rd *r, struct rtcp_pkt *pkt)
{
	for (unsigned i = 0; i < pkt->count; i++) {
		enum status st = parse_sdes_chunk(r, pkt, i == 0);
		if (st != ST_OK)
			return st;
	}
	return ST_OK;
}

static enum status parse_bye(struct rd *r, struct rtcp_pkt *pkt)
{
	for (unsigned i = 0; i < pkt->count; i++) {
		uint32_t src = rd_be32(r);
		if (r->bad)
			return ST_MALFORMED;
		if (i == 0)
			pkt->ssrc = src;
	}
	if (rd_left(r) == 0)
		return ST_OK;
	uint8_t len = rd_u8(r);
	const uint8_t *text = rd_bytes(r, len);
	if (r->bad)
		return ST_MALFORMED;
	pkt->bye_reason = text_sv(text, len);
	return ST_OK;
}

static enum status parse_app(struct rd *r, struct rtcp_pkt *pkt)
{
	pkt->ssrc = rd_be32(r);
	const uint8_t *name = rd_bytes(r, 4);
	if (r->bad)
		return ST_MALFORMED;
	/* The name is meant to be ASCII; anything else would reach reports. */
	for (size_t i = 0; i < 4; i++)
		pkt->app_name[i] = (name[i] >= 0x20 && name[i] < 0x7f) ? (char)name[i] : '?';
	pkt->app_name[4] = '\0';
	return ST_OK;
}

static enum status parse_fb(struct rd *r, struct rtcp_pkt *pkt)
{
	/* RFC 4585 section 6.1: sender SSRC, media source SSRC, FCI. */
	pkt->ssrc = rd_be32(r);
	rd_be32(r);
	return r->bad ? ST_MALFORMED : ST_OK;
}

static void parse_xr_voip(struct rd *b, struct rtcp_xr_voip *v)
{
	v->ssrc = rd_be32(b);
	v->loss_rate = rd_u8(b);
	v->discard_rate = rd_u8(b);
	v->burst_density = rd_u8(b);
	v->gap_density = rd_u8(b);
	v->burst_duration = rd_be16(b);
	v->gap_duration = rd_be16(b);
	v->round_trip_delay = rd_be16(b);
	v->end_system_delay = rd_be16(b);
	rd_skip(b, 4); /* signal level, noise level, RERL, Gmin */
	v->r_factor = rd_u8(b);
	rd_u8(b);      /* external R factor */
	v->mos_lq = rd_u8(b);
	v->mos_cq = rd_u8(b);
	/* RX config, reserved and the jitter buffer fields are not kept. */
}

/* RFC 3611 section 3: SSRC, then blocks of BT, type-specific byte and a block
 * length counting 32-bit words minus one, the 4-byte block header included. */
static enum status parse_xr(struct rd *r, struct rtcp_pkt *pkt)
{
	pkt->ssrc = rd_be32(r);
	if (r->bad)
		return ST_MALFORMED;
	while (rd_left(r) > 0) {
		uint8_t bt = rd_u8(r);
		rd_u8(r);
		uint16_t words = rd_be16(r);
		struct rd b = rd_sub(r, (size_t)words * 4);
		if (r->bad)
			return ST_MALFORMED;
		if (pkt->n_xr_blocks < UINT8_MAX)
			pkt->n_xr_blocks++;
		if (bt == XR_VOIP_BT && !pkt->has_voip) {
			if (rd_left(&b) < XR_VOIP_BODY)
				return ST_MALFORMED;
			parse_xr_voip(&b, &pkt->voip);
			pkt->has_voip = true;
		}
	}
	return ST_OK;
}

void rtcp_iter_init(struct rtcp_iter *it, const uint8_t *p, size_t n)
{
	it->r = rd_make(p, n);
	it->index = 0;
	it->done = false;
}

static enum status parse_body(struct rd *body, struct rtcp_pkt *pkt)
{
	switch (pkt->pt) {
	case RTCP_SR: return parse_sr(body, pkt);
	case RTCP_RR: return parse_rr(body, pkt);
	case RTCP_SDES: return parse_sdes(body, pkt);
	case RTCP_BYE: return parse_bye(body, pkt);
	case RTCP_APP: return parse_app(body, pkt);
	case RTCP_RTPFB:
	case RTCP_PSFB: return parse_fb(body, pkt);
	case RTCP_XR: return parse_xr(body, pkt);
	default:
		/* Another RTCP type: framing is known, the body is not decoded.
		 * Nearly all of them start with the sender's SSRC. */
		if (rd_left(body) >= 4)
			pkt->ssrc = rd_be32(body);
		return ST_OK;
	}
}

/* Reads one packet header and its window; the body window excludes padding. */
static enum status read_packet(struct rd *r, struct rtcp_pkt *pkt)
{
	if (rd_left(r) < RTCP_HDR_LEN)
		return ST_TRUNCATED;
	uint8_t b0 = rd_u8(r);
	pkt->pt = rd_u8(r);
	uint16_t length = rd_be16(r);
	pkt->padding = (b0 & 0x20) != 0;
	pkt->count = b0 & 0x1f;
	pkt->len = ((size_t)length + 1) * 4;
	if (b0 >> 6 != 2 || !is_rtcp_type(pkt->pt))
		return ST_MALFORMED;
	if (rd_left(r) < pkt->len - RTCP_HDR_LEN)
		return ST_TRUNCATED;
	struct rd body = rd_sub(r, pkt->len - RTCP_HDR_LEN);
	if (pkt->padding) {
		/* The last byte counts the padding, itself included. */
		size_t left = rd_left(&body);
		uint8_t pad = left ? rd_peek(&body, left - 1) : 0;
		if (pad == 0 || pad > left)
			return ST_MALFORMED;
		struct rd inner = rd_sub(&body, left - pad);
		return parse_body(&inner, pkt);
	}
	return parse_body(&body, pkt);
}

enum status rtcp_next(struct rtcp_iter *it, struct rtcp_pkt *pkt, bool *more)
{
	memset(pkt, 0, sizeof(*pkt));
	if (it->done || it->r.bad || rd_left(&it->r) == 0) {
		it->done = true;
		*more = false;
		return ST_TRUNCATED;
	}
	enum status st = read_packet(&it->r, pkt);
	it->index++;
	if (st != ST_OK || rd_left(&it->r) == 0)
		it->done = true;
	*more = !it->done;
	return st;
}

bool rtcp_compound_valid(const uint8_t *p, size_t n)
{
	struct rd r = rd_make(p, n);
	bool first = true;

	if (n < RTCP_HDR_LEN)
		return false;
	while (rd_left(&r) > 0) {
		uint8_t b0 = rd_u8(&r);
		uint8_t pt = rd_u8(&r);
		size_t len = ((size_t)rd_be16(&r) + 1) * 4;
		if (r.bad || b0 >> 6 != 2 || !is_rtcp_type(pt))
			return false;
		if (first && (pt < RTCP_SR || pt > RTCP_XR))
			return false;
		if (!rd_skip(&r, len - RTCP_HDR_LEN))
			return false;
		/* Padding belongs on the last packet only (RFC 3550 section 6.4.1). */
		if ((b0 & 0x20) && rd_left(&r) > 0)
			return false;
		first = false;
	}
	return true;
}
