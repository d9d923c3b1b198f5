/* SPDX-License-Identifier: MIT */
/* Link layers: Ethernet II with 802.1Q/802.1ad/QinQ tags and MPLS label stacks,
 * Linux cooked capture v1 (SLL) and v2 (SLL2), BSD loopback (DLT_NULL, DLT_LOOP)
 * and raw IPv4/IPv6, as libpcap's link-layer header types document them. */
#include <pcap/dlt.h>

#include "decode/internal.h"

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86DD
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88A8
#define ETH_QINQ_OLD 0x9100
#define ETH_MPLS 0x8847
#define ETH_MPLS_MC 0x8848
#define ETH_PPPOE 0x8864

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

static enum frame_result mpls_decode(struct decoder *d, struct pctx *pc, struct rd r)
{
	pc->dg.encap |= ENC_MPLS;
	for (int i = 0; i < 16; i++) {
		uint32_t lse = rd_be32(&r);
		if (r.bad)
			return decode_short(pc);
		if (lse & 0x100) /* bottom of stack */
			return ip_decode(d, pc, r);
	}
	return FR_MALFORMED;
}

static enum frame_result ethertype_decode(struct decoder *d, struct pctx *pc, uint16_t type,
					  struct rd r)
{
	switch (type) {
	case ETH_IPV4:
		return ip4_decode(d, pc, r);
	case ETH_IPV6:
		return ip6_decode(d, pc, r);
	case ETH_MPLS:
	case ETH_MPLS_MC:
		return mpls_decode(d, pc, r);
	case ETH_PPPOE: {
		/* RFC 2516 session: ver/type, code, session id, length; then PPP protocol */
		rd_skip(&r, 4);
		uint16_t plen = rd_be16(&r);
		if (r.bad)
			return decode_short(pc);
		struct rd ppp = rd_sub(&r, plen);
		if (ppp.bad)
			return decode_short(pc);
		uint16_t proto = rd_be16(&ppp);
		if (ppp.bad)
			return decode_short(pc);
		if (proto == 0x0021)
			return ip4_decode(d, pc, ppp);
		if (proto == 0x0057)
			return ip6_decode(d, pc, ppp);
		return FR_NOT_IP;
	}
	default:
		return FR_NOT_IP;
	}
}

/* Ethernet II, inlined into link_decode (every frame of most captures). */
static inline __attribute__((always_inline)) enum frame_result eth_body(struct decoder *d, struct pctx *pc,
									 struct rd r)
{
	struct rd_fixed h = rd_take(&r, 14); /* the addresses, then the type */
	if (!h.p)
		return decode_short(pc);
	uint16_t type = rd_at_be16(h, 12);
	if (type == ETH_IPV4)
		return ip4_decode(d, pc, r); /* untagged IPv4, the most of most captures */
	for (int tags = 0; tags < 8 && (type == ETH_VLAN || type == ETH_QINQ || type == ETH_QINQ_OLD);
	     tags++) {
		pc->dg.encap |= ENC_VLAN;
		rd_skip(&r, 2); /* TCI */
		type = rd_be16(&r);
	}
	if (r.bad)
		return decode_short(pc);
	if (type <= 1500)
		return FR_NOT_IP; /* 802.3 length: LLC/SNAP, STP, ... */
	return ethertype_decode(d, pc, type, r);
}

enum frame_result eth_decode(struct decoder *d, struct pctx *pc, struct rd r)
{
	return eth_body(d, pc, r);
}

/* DLT_NULL stores the address family in the capturing host's byte order. */
static bool null_family_is_ip(uint32_t fam)
{
	/* AF_INET 2; AF_INET6: 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS), 10 (Linux) */
	return fam == 2 || fam == 24 || fam == 28 || fam == 30 || fam == 10;
}

enum frame_result link_decode(struct decoder *d, struct pctx *pc, struct rd r, int dlt)
{
	if (dlt == DLT_EN10MB) /* the most of most captures: before the switch */
		return eth_body(d, pc, r);
	switch (dlt) {
	case DLT_LINUX_SLL: {
		if (!rd_skip(&r, 14))
			return decode_short(pc);
		uint16_t proto = rd_be16(&r);
		if (r.bad)
			return decode_short(pc);
		return ethertype_decode(d, pc, proto, r);
	}
	case DLT_LINUX_SLL2: {
		uint16_t proto = rd_be16(&r);
		if (!rd_skip(&r, 18))
			return decode_short(pc);
		return ethertype_decode(d, pc, proto, r);
	}
	case DLT_NULL: {
		struct rd h = r;
		uint32_t le = rd_le32(&h);
		rd_skip(&r, 4);
		if (r.bad)
			return decode_short(pc);
		uint32_t be = (le >> 24) | ((le >> 8) & 0xff00) | ((le << 8) & 0xff0000) | (le << 24);
		if (!null_family_is_ip(le) && !null_family_is_ip(be))
			return FR_NOT_IP;
		return ip_decode(d, pc, r);
	}
	case DLT_LOOP: {
		uint32_t fam = rd_be32(&r);
		if (r.bad)
			return decode_short(pc);
		if (!null_family_is_ip(fam))
			return FR_NOT_IP;
		return ip_decode(d, pc, r);
	}
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return ip_decode(d, pc, r);
	default:
		return FR_UNSUPPORTED_LINK;
	}
}
