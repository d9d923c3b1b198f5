/* SPDX-License-Identifier: MIT */
/* What a transport payload is, judged from its content (RFC 7983 first-byte
 * demultiplexing of STUN/ZRTP/DTLS/TURN/RTP/RTCP, RFC 5761 RTP vs RTCP, SIP
 * start lines), so SIP is found on any port and RTP without signalling. */
#ifndef DEADAIR_PROTO_CLASSIFY_H
#define DEADAIR_PROTO_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#include "proto/rtp.h"

enum payload_kind {
	PK_OTHER = 0,
	PK_SIP,
	PK_RTP,
	PK_RTCP,
	PK_STUN,
	PK_DTLS,
	PK_ZRTP,
	PK_KEEPALIVE, /* CRLF keep-alives (RFC 5626) and similar NAT pings */
	PK__COUNT
};

const char *payload_kind_str(enum payload_kind k);

/* Classifies a UDP payload (or a framed stream message). Ports are only used
 * to keep well-known non-media services (< 1024) from passing as RTP. */
enum payload_kind classify_payload(const uint8_t *p, size_t n, uint16_t sport, uint16_t dport);
/* The same, and when the answer is PK_RTP, *h holds the header rtp_parse
 * gave (the classification parses it anyway; the caller need not again). */
enum payload_kind classify_payload_rtp(const uint8_t *p, size_t n, uint16_t sport, uint16_t dport,
				       struct rtp_hdr *h);

#endif
