/* SPDX-License-Identifier: MIT */
/* Test helper: builds link/IP/UDP/TCP frames in memory (checksums left zero,
 * which the decoder does not verify). */
#ifndef DEADAIR_TESTS_PKTBUILD_H
#define DEADAIR_TESTS_PKTBUILD_H

#include <stdint.h>
#include <string.h>

struct pkt {
	uint8_t b[70000];
	size_t n;
};

static inline void put(struct pkt *p, const void *d, size_t n)
{
	memcpy(p->b + p->n, d, n);
	p->n += n;
}
static inline void put8(struct pkt *p, uint8_t v) { p->b[p->n++] = v; }
static inline void put16(struct pkt *p, uint16_t v) { put8(p, (uint8_t)(v >> 8)); put8(p, (uint8_t)v); }
static inline void put32(struct pkt *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p, (uint16_t)v); }
static inline void set16(struct pkt *p, size_t at, uint16_t v) { p->b[at] = (uint8_t)(v >> 8); p->b[at + 1] = (uint8_t)v; }

static inline void eth(struct pkt *p, uint16_t type)
{
	static const uint8_t mac[12] = { 0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6 };
	put(p, mac, 12);
	put16(p, type);
}

/* IPv4 header; returns the offset of the total-length field to patch. */
static inline size_t ip4(struct pkt *p, uint8_t proto, const uint8_t src[4], const uint8_t dst[4],
			 uint16_t id, uint16_t frag)
{
	put8(p, 0x45);
	put8(p, 0);
	size_t at = p->n;
	put16(p, 0);
	put16(p, id);
	put16(p, frag);
	put8(p, 64);
	put8(p, proto);
	put16(p, 0);
	put(p, src, 4);
	put(p, dst, 4);
	return at;
}

static inline void udp(struct pkt *p, uint16_t sport, uint16_t dport, const void *payload, size_t n)
{
	put16(p, sport);
	put16(p, dport);
	put16(p, (uint16_t)(8 + n));
	put16(p, 0);
	put(p, payload, n);
}

static inline void tcp(struct pkt *p, uint16_t sport, uint16_t dport, uint32_t seq, uint8_t flags,
		       const void *payload, size_t n)
{
	put16(p, sport);
	put16(p, dport);
	put32(p, seq);
	put32(p, 0);
	put8(p, 0x50);
	put8(p, flags);
	put16(p, 65535);
	put32(p, 0);
	put(p, payload, n);
}

/* Ethernet + IPv4 + UDP in one go. */
static inline void eth_udp4(struct pkt *p, const uint8_t src[4], const uint8_t dst[4], uint16_t sport,
			    uint16_t dport, const void *payload, size_t n)
{
	p->n = 0;
	eth(p, 0x0800);
	size_t ipstart = p->n;
	size_t at = ip4(p, 17, src, dst, 1, 0x4000);
	udp(p, sport, dport, payload, n);
	set16(p, at, (uint16_t)(p->n - ipstart));
}

static inline void eth_tcp4(struct pkt *p, const uint8_t src[4], const uint8_t dst[4], uint16_t sport,
			    uint16_t dport, uint32_t seq, uint8_t flags, const void *payload, size_t n)
{
	p->n = 0;
	eth(p, 0x0800);
	size_t ipstart = p->n;
	size_t at = ip4(p, 6, src, dst, 1, 0x4000);
	tcp(p, sport, dport, seq, flags, payload, n);
	set16(p, at, (uint16_t)(p->n - ipstart));
}

#endif
