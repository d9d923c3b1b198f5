/* SPDX-License-Identifier: MIT */
/* Hard limits in one place. Hitting one is counted and reported, never silent. */
#ifndef DEADAIR_CORE_LIMITS_H
#define DEADAIR_CORE_LIMITS_H

#include <stddef.h>
#include <stdint.h>

struct limits {
	unsigned frag_entries;       /* IP datagrams being reassembled at once */
	unsigned frag_pieces;        /* fragments per datagram */
	int64_t frag_timeout_ns;     /* capture time after which an incomplete datagram is dropped */
	unsigned tcp_flows;          /* TCP directions with SIP being reassembled */
	size_t tcp_buffer;           /* bytes buffered per TCP direction */
	unsigned tcp_pending;        /* out-of-order segments held per direction */
	int64_t tcp_idle_ns;         /* a TCP direction idle this long is dropped */
	int64_t tcp_gap_wait_ns;     /* capture time a hole in a TCP direction is waited for (a
				      * retransmission fills it) before it is given up */
	unsigned tunnel_depth;       /* nested encapsulations (IP-in-IP, GRE, ERSPAN, HEP) */
};

static inline struct limits limits_default(void)
{
	struct limits l = {
		.frag_entries = 1024,
		.frag_pieces = 64,
		.frag_timeout_ns = 30LL * 1000000000LL,
		.tcp_flows = 16384,
		.tcp_buffer = 512u * 1024u,
		.tcp_pending = 64,
		.tcp_idle_ns = 600LL * 1000000000LL,
		.tcp_gap_wait_ns = 3LL * 1000000000LL,
		.tunnel_depth = 4,
	};
	return l;
}

#endif
