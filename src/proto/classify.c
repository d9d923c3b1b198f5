/* SPDX-License-Identifier: MIT */
/* Content-based classification of transport payloads (RFC 7983, RFC 5761). */
#include "proto/classify.h"

#include <stdbool.h>

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

static bool all_crlf(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != '\r' && p[i] != '\n')
			return false;
	return n > 0;
}

enum payload_kind classify_payload(const uint8_t *p, size_t n, uint16_t sport, uint16_t dport)
{
	if (n == 0)
		return PK_OTHER;
	if (n <= 4 && all_crlf(p, n))
		return PK_KEEPALIVE;
	uint8_t b = p[0];
	if (b <= 3) {
		return stun_looks_like(p, n) ? PK_STUN : PK_OTHER;
	}
	if (b >= 16 && b <= 19)
		return (n >= 12 && p[4] == 'Z' && p[5] == 'R' && p[6] == 'T' && p[7] == 'P') ? PK_ZRTP
											      : PK_OTHER;
	if (b >= 20 && b <= 63) {
		/* DTLS record: type 20..25, version 0xFEFF/0xFEFD/0xFEFC */
		if (n >= 13 && b <= 25 && p[1] == 0xfe && p[2] >= 0xfc)
			return PK_DTLS;
	}
	if (b >= 128 && b <= 191) {
		if (sport < 1024 || dport < 1024)
			return PK_OTHER;
		if (n >= 2 && rtp_is_rtcp_pt(p[1])) {
			if (rtcp_compound_valid(p, n))
				return PK_RTCP;
			/* SRTCP (RFC 3711) appends an index and tag after the compound, and
			 * some stacks pad datagrams: accept a sound first packet of type
			 * SR..XR that fits */
			size_t first = ((size_t)((uint16_t)(p[2] << 8 | p[3])) + 1) * 4;
			return (n >= 8 && p[1] >= 200 && p[1] <= 207 && first <= n) ? PK_RTCP : PK_OTHER;
		}
		struct rtp_hdr h;
		if (rtp_parse(p, n, &h) == ST_OK)
			return PK_RTP;
		return PK_OTHER;
	}
	if (sip_looks_like(p, n))
		return PK_SIP;
	return PK_OTHER;
}
