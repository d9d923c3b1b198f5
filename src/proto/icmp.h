/* SPDX-License-Identifier: MIT */
/* ICMP (RFC 792) and ICMPv6 (RFC 4443) error messages and the packet they
 * quote: destination unreachable (port, host, administratively prohibited)
 * and time exceeded, with the quoted IP header, UDP ports and whatever of the
 * payload the router kept (RFC 1812 asks for as much as fits in 576 bytes;
 * RFC 792 only for 8 bytes after the IP header). Pure, no allocation. */
#ifndef DEADAIR_PROTO_ICMP_H
#define DEADAIR_PROTO_ICMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/status.h"

enum icmp_kind {
	ICMP_OTHER = 0,
	ICMP_PORT_UNREACHABLE,   /* v4 3/3, v6 1/4: nothing listens on that UDP port (or a NAT
				  * without a mapping for it answers for the host behind it) */
	ICMP_HOST_UNREACHABLE,   /* v4 3/0, 3/1; v6 1/0, 1/3 */
	ICMP_PROHIBITED,         /* v4 3/9, 3/10, 3/13; v6 1/1: a firewall refused it */
	ICMP_PROTO_UNREACHABLE,  /* v4 3/2 */
	ICMP_FRAG_NEEDED,        /* v4 3/4 (path MTU) */
	ICMP_TIME_EXCEEDED,      /* v4 11, v6 3: a routing loop or a TTL too small */
};

struct icmp_error {
	uint8_t v6;              /* 1 for ICMPv6 */
	uint8_t type, code;
	uint8_t kind;            /* enum icmp_kind */
	/* the quoted packet, as the sender of the error saw it (the original
	 * packet's source is where the error goes) */
	struct addr q_src, q_dst;
	uint8_t q_proto;         /* 17 for UDP */
	uint16_t q_ip_id;        /* IPv4 identification of the quoted packet, 0 for IPv6 */
	uint16_t q_sport, q_dport; /* when the UDP header was quoted (q_proto 17) */
	const uint8_t *q_payload;  /* quoted UDP payload (may be empty: many routers keep 8 bytes) */
	size_t q_payload_len;
};

/* Parses an ICMP (v6 false) or ICMPv6 (v6 true) error message of n bytes,
 * starting at its type byte. ST_OK when it is an error message whose quoted
 * IP header (and, for UDP, its 8-byte header) could be read; ST_UNSUPPORTED
 * for other ICMP types; ST_TRUNCATED/ST_MALFORMED when the quote is short or
 * not IP. */
enum status icmp_error_parse(const uint8_t *p, size_t n, bool v6, struct icmp_error *e);

/* "port unreachable", "administratively prohibited", ... */
const char *icmp_kind_str(uint8_t kind);

#endif
