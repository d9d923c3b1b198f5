/* SPDX-License-Identifier: MIT */
/* Content-based classification of transport payloads (RFC 7983, RFC 5761). */
#include "proto/classify.h"

#include <stdbool.h>

#include "core/rd.h"
#include "proto/rtcp.h"
#include "proto/rtp.h"
#include "proto/sip.h"
#include "proto/stun.h"

const char *payload_kind_str(enum payload_kind k)
{
	switch (k) {
	case PK_OTHER: return "other";
	case PK_SIP: return "SIP";
	case PK_RTP: return "RTP";
	case PK_RTCP: return "RTCP";
	case PK_STUN: return "STUN";
	case PK_DTLS: return "DTLS";
	case PK_ZRTP: return "ZRTP";
	case PK_KEEPALIVE: return "keep-alive";
	case PK__COUNT: break;
	}
	return "?";
}

static bool all_crlf(struct rd r)
{
	if (!rd_left(&r))
		return false;
	while (rd_left(&r)) {
		uint8_t c = rd_u8(&r);
		if (c != '\r' && c != '\n')
			return false;
	}
	return true;
}

/* Every byte is read through the bounded cursor: a payload shorter than a
 * check expects reads as zeros past its end (rd_peek), never beyond it. */
enum payload_kind classify_payload_rtp(const uint8_t *p, size_t n, uint16_t sport, uint16_t dport,
				       struct rtp_hdr *hdr)
{
	struct rd r = rd_make(p, n);
	if (n == 0)
		return PK_OTHER;
	/* RTP and RTCP first, the most of most captures: the ranges of the
	 * first byte below do not overlap, and CR and LF are not in this one */
	uint8_t b = rd_peek(&r, 0);
	if (b >= 128 && b <= 191) {
		if (sport < 1024 || dport < 1024)
			return PK_OTHER;
		uint8_t pt = rd_peek(&r, 1);
		if (n >= 2 && rtp_is_rtcp_pt(pt)) {
			if (rtcp_compound_valid(p, n))
				return PK_RTCP;
			/* SRTCP (RFC 3711) appends an index and tag after the compound, and
			 * some stacks pad datagrams: accept a sound first packet of type
			 * SR..XR that fits */
			if (n < 8 || pt < 200 || pt > 207)
				return PK_OTHER;
			struct rd h = r;
			rd_skip(&h, 2);
			size_t first = ((size_t)rd_be16(&h) + 1) * 4;
			return (!h.bad && first <= n) ? PK_RTCP : PK_OTHER;
		}
		if (rtp_parse(p, n, hdr) == ST_OK)
			return PK_RTP;
		return PK_OTHER;
	}
	if (n <= 4 && all_crlf(r))
		return PK_KEEPALIVE;
	if (b <= 3) {
		return stun_looks_like(p, n) ? PK_STUN : PK_OTHER;
	}
	if (b >= 16 && b <= 19)
		return (n >= 12 && rd_peek(&r, 4) == 'Z' && rd_peek(&r, 5) == 'R' && rd_peek(&r, 6) == 'T' &&
			rd_peek(&r, 7) == 'P')
			       ? PK_ZRTP
			       : PK_OTHER;
	if (b >= 20 && b <= 63) {
		/* DTLS record: type 20..25, version 0xFEFF/0xFEFD/0xFEFC */
		if (n >= 13 && b <= 25 && rd_peek(&r, 1) == 0xfe && rd_peek(&r, 2) >= 0xfc)
			return PK_DTLS;
	}
	if (sip_looks_like(p, n))
		return PK_SIP;
	return PK_OTHER;
}

enum payload_kind classify_payload(const uint8_t *p, size_t n, uint16_t sport, uint16_t dport)
{
	struct rtp_hdr hdr;
	return classify_payload_rtp(p, n, sport, dport, &hdr);
}
