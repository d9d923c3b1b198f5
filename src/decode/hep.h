/* SPDX-License-Identifier: MIT */
/* HEPv3 (Homer encapsulation protocol, "HEP3" header and generic chunks 1-16)
 * and its fixed-header predecessors HEPv1/v2: capture agents wrap the packets
 * they saw, with the original addresses, ports and time, in UDP datagrams (or,
 * HEPv3, a TCP stream) to a collector. Pure parsers. */
#ifndef DEADAIR_DECODE_HEP_H
#define DEADAIR_DECODE_HEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/status.h"

struct hep_info {
	size_t total_len;      /* the whole HEP3 packet */
	uint8_t family;        /* 2 AF_INET, 10 AF_INET6 (chunk 1) */
	uint8_t ip_proto;      /* chunk 2: 17 UDP, 6 TCP, 132 SCTP */
	struct addr src, dst;  /* chunks 3/4 or 5/6 */
	uint16_t sport, dport; /* chunks 7/8 */
	uint32_t ts_sec, ts_usec; /* chunks 9/10 */
	uint8_t proto_type;    /* chunk 11: 1 SIP, 5 RTCP, 8 H.323, ... */
	uint32_t capture_id;   /* chunk 12 (HEPv2: the 16-bit captid) */
	uint8_t version;       /* 1, 2 or 3 */
	const uint8_t *payload; /* chunk 15, or chunk 16 (compressed) */
	size_t payload_len;
	bool compressed;
	unsigned n_chunks;
};

/* Parses one HEP3 packet at the start of p[0..n). ST_OK when the header and
 * all chunks fit in the declared total length; ST_UNSUPPORTED for HEP v1/v2. */
enum status hep3_parse(const uint8_t *p, size_t n, struct hep_info *h);

/* HEPv1/v2 (an 8-byte header: version, header length, family, protocol, ports;
 * the two addresses; v2 then a time header of seconds, microseconds and a
 * 16-bit capture ID, which agents write in their own byte order) followed by
 * the payload up to n, the end of the datagram. ST_MALFORMED when p is not one. */
enum status hep2_parse(const uint8_t *p, size_t n, struct hep_info *h);

/* Either, by the first bytes: "HEP3", or version 1 or 2. */
enum status hep_parse(const uint8_t *p, size_t n, struct hep_info *h);

/* An RTCP report sent as JSON (HEP payload type 5) rebuilt into out[0..cap)
 * as the SR or RR it describes (hep_rtcp.c): its length, or -1 when p[0..n)
 * is not such a report or does not fit. */
long hep_rtcp_from_json(const uint8_t *p, size_t n, uint8_t *out, size_t cap);

#endif
