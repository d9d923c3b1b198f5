/* SPDX-License-Identifier: MIT */
/* HEPv3 (Homer encapsulation protocol, "HEP3" header and generic chunks 1-16):
 * capture agents wrap the packets they saw, with the original addresses, ports
 * and time, in UDP datagrams to a collector. Pure parser. */
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
	uint32_t capture_id;   /* chunk 12 */
	const uint8_t *payload; /* chunk 15, or chunk 16 (compressed) */
	size_t payload_len;
	bool compressed;
	unsigned n_chunks;
};

/* Parses one HEP3 packet at the start of p[0..n). ST_OK when the header and
 * all chunks fit in the declared total length; ST_UNSUPPORTED for HEP v1/v2. */
enum status hep3_parse(const uint8_t *p, size_t n, struct hep_info *h);

#endif
