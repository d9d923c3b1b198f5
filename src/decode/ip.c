/* SPDX-License-Identifier: MIT */
/* IPv4 (RFC 791) and IPv6 (RFC 8200) with extension headers, fragments, and
 * the tunnels found in VoIP captures: IP-in-IP (RFC 2003), IPv6-in-IPv4
 * (RFC 4213), GRE (RFC 2784/2890) with transparent Ethernet bridging and Cisco
 * ERSPAN types I, II and III. Each length field narrows the window. */
#include "decode/internal.h"

#define PROTO_HOPOPT 0
#define PROTO_ICMP 1
#define PROTO_ICMPV6 58
#define PROTO_IPIP 4
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_IPV6 41
#define PROTO_ROUTING 43
#define PROTO_FRAGMENT 44
#define PROTO_GRE 47
#define PROTO_ESP 50
#define PROTO_AH 51
#define PROTO_NONE 59
#define PROTO_DSTOPTS 60
#define PROTO_MOBILITY 135
#define PROTO_SCTP 132

static enum frame_result tunnel_enter(struct pctx *pc, uint16_t enc)
{
	pc->dg.encap |= enc;
	if (++pc->depth > 4)
		return FR_UNSUPPORTED;
	return FR_DELIVERED; /* means: go on */
}

enum frame_result ip_decode(struct decoder *d, struct pctx *pc, struct rd r)
{
	uint8_t v = rd_peek(&r, 0) >> 4;
	if (!rd_has(&r, 1))
		return decode_short(pc);
	if (v == 4)
		return ip4_decode(d, pc, r);
	if (v == 6)
		return ip6_decode(d, pc, r);
	return FR_MALFORMED;
}

static enum frame_result reassembled(struct decoder *d, struct pctx *pc, struct frag_entry *e,
				     uint8_t proto)
{
	d->st.ip_reassembled++;
	pc->dg.encap |= ENC_IPFRAG;
	pc->dg.ttl = e->ttl;
	enum frame_result res = l4_decode(d, pc, proto, rd_make(e->buf, e->total));
	frag_release(&d->frags, e);
	return res;
}

/* UDP, inlined where IPv4 hands it on (the path of every RTP packet). */
static inline __attribute__((always_inline)) enum frame_result udp_body(struct decoder *d, struct pctx *pc,
									 struct rd r)
{
	struct rd_fixed f = rd_take(&r, 8);
	if (!f.p)
		return decode_short(pc);
	uint16_t sport = rd_at_be16(f, 0);
	uint16_t dport = rd_at_be16(f, 2);
	uint16_t ulen = rd_at_be16(f, 4);
	/* 6: checksum */
	size_t left = rd_left(&r);
	if (ulen != 0) { /* 0 only for IPv6 jumbograms (RFC 2675): take what there is */
		if (ulen < 8)
			return FR_MALFORMED;
		if ((size_t)ulen - 8 > left) {
			if (pc->snap_cut)
				return FR_TRUNCATED;
			d->st.short_frames++;
		} else {
			left = (size_t)ulen - 8;
		}
	}
	pc->dg.sport = sport;
	pc->dg.dport = dport;
	pc->dg.transport = TP_UDP;
	struct rd u = rd_sub(&r, left);
	if (rd_peek(&u, 0) == 'H' && rd_peek(&u, 1) == 'E' && rd_peek(&u, 2) == 'P' && rd_peek(&u, 3) == '3')
		return hep_decode(d, pc, u.p, rd_left(&u));
	decode_deliver(d, pc, u.p, rd_left(&u));
	return FR_DELIVERED;
}

enum frame_result udp_decode(struct decoder *d, struct pctx *pc, struct rd r)
{
	return udp_body(d, pc, r);
}

enum frame_result ip4_decode(struct decoder *d, struct pctx *pc, struct rd r)
{
	size_t avail = rd_left(&r);
	struct rd h = r;
	struct rd_fixed f = rd_take(&h, 20); /* the header without options */
	if (!f.p)
		return decode_short(pc);
	uint8_t vihl = rd_at_u8(f, 0);
	/* 1: DSCP/ECN */
	uint16_t tot = rd_at_be16(f, 2);
	uint16_t id = rd_at_be16(f, 4);
	uint16_t frag = rd_at_be16(f, 6);
	uint8_t ttl = rd_at_u8(f, 8);
	uint8_t proto = rd_at_u8(f, 9);
	/* 10: checksum */
	const uint8_t *src = f.p + 12;
	const uint8_t *dst = f.p + 16;
	size_t ihl = (size_t)(vihl & 0x0f) * 4;
	if ((vihl >> 4) != 4 || ihl < 20)
		return FR_MALFORMED;
	if (tot == 0)
		tot = (uint16_t)(avail > 0xffff ? 0xffff : avail); /* TSO: length left to the NIC */
	if (tot < ihl)
		return FR_MALFORMED;
	if (tot > avail) {
		if (pc->snap_cut)
			return FR_TRUNCATED;
		/* the frame holds less than the header claims (seen with some capture
		 * offloads); like Wireshark, decode what is there and count it */
		d->st.short_frames++;
		tot = (uint16_t)avail;
	}
	struct rd ip = rd_make(r.p, tot);
	if (!rd_skip(&ip, ihl))
		return decode_short(pc);
	addr_v4(&pc->dg.src, src);
	addr_v4(&pc->dg.dst, dst);
	pc->dg.ttl = ttl;
	pc->dg.ip_id = id;
	bool more = frag & 0x2000;
	uint32_t off = (uint32_t)(frag & 0x1fff) * 8;
	if (more || off) {
		d->st.ip_fragments++;
		struct frag_key k = { pc->dg.src, pc->dg.dst, id, proto };
		struct frag_entry *e = NULL;
		struct frag_counts fc = { &d->st.ip_frag_dropped, &d->st.ip_frag_evicted };
		enum frag_result fr = frag_add(&d->frags, &d->cfg.limits, &k, off, ip.p, rd_left(&ip),
					       more, pc->f->ts_ns, ttl, &e, &fc);
		if (fr == FRAG_DONE)
			return reassembled(d, pc, e, proto);
		return fr == FRAG_HELD ? FR_HELD : FR_UNSUPPORTED;
	}
	if (proto == PROTO_UDP)
		return udp_body(d, pc, ip); /* l4_decode's first case, without the call */
	return l4_decode(d, pc, proto, ip);
}

enum frame_result ip6_decode(struct decoder *d, struct pctx *pc, struct rd r)
{
	size_t avail = rd_left(&r);
	uint32_t vtf = rd_be32(&r);
	uint16_t plen = rd_be16(&r);
	uint8_t next = rd_u8(&r);
	uint8_t hlim = rd_u8(&r);
	const uint8_t *src = rd_bytes(&r, 16);
	const uint8_t *dst = rd_bytes(&r, 16);
	if (r.bad)
		return decode_short(pc);
	if ((vtf >> 28) != 6)
		return FR_MALFORMED;
	if (plen == 0)
		return avail > 40 ? FR_UNSUPPORTED : FR_OTHER_IP; /* jumbogram, or nothing */
	if ((size_t)plen + 40 > avail) {
		if (pc->snap_cut)
			return FR_TRUNCATED;
		d->st.short_frames++;
		plen = (uint16_t)(avail - 40);
	}
	struct rd ip = rd_make(r.p, plen);
	addr_v6(&pc->dg.src, src);
	addr_v6(&pc->dg.dst, dst);
	pc->dg.ttl = hlim;
	pc->dg.ip_id = 0;
	for (int hops = 0; hops < 16; hops++) {
		switch (next) {
		case PROTO_HOPOPT:
		case PROTO_ROUTING:
		case PROTO_DSTOPTS:
		case PROTO_MOBILITY: {
			next = rd_u8(&ip);
			uint8_t len = rd_u8(&ip);
			rd_skip(&ip, (size_t)len * 8 + 6);
			if (ip.bad)
				return decode_short(pc);
			continue;
		}
		case PROTO_AH: {
			next = rd_u8(&ip);
			uint8_t len = rd_u8(&ip);
			rd_skip(&ip, ((size_t)len + 2) * 4 - 2);
			if (ip.bad)
				return decode_short(pc);
			continue;
		}
		case PROTO_FRAGMENT: {
			uint8_t fnext = rd_u8(&ip);
			rd_u8(&ip);
			uint16_t offm = rd_be16(&ip);
			uint32_t id = rd_be32(&ip);
			if (ip.bad)
				return decode_short(pc);
			bool more = offm & 1;
			uint32_t off = (uint32_t)(offm >> 3) * 8;
			if (!more && off == 0) { /* atomic fragment */
				next = fnext;
				continue;
			}
			d->st.ip_fragments++;
			struct frag_key k = { pc->dg.src, pc->dg.dst, id, fnext };
			struct frag_entry *e = NULL;
			struct frag_counts fc = { &d->st.ip_frag_dropped, &d->st.ip_frag_evicted };
			enum frag_result fr =
				frag_add(&d->frags, &d->cfg.limits, &k, off, ip.p, rd_left(&ip), more,
					 pc->f->ts_ns, hlim, &e, &fc);
			if (fr == FRAG_DONE)
				return reassembled(d, pc, e, fnext);
			return fr == FRAG_HELD ? FR_HELD : FR_UNSUPPORTED;
		}
		case PROTO_NONE:
			return FR_OTHER_IP;
		default:
			return l4_decode(d, pc, next, ip);
		}
	}
	return FR_MALFORMED;
}

enum frame_result gre_decode(struct decoder *d, struct pctx *pc, struct rd r)
{
	uint16_t flags = rd_be16(&r);
	uint16_t proto = rd_be16(&r);
	if (r.bad)
		return decode_short(pc);
	if (flags & 0x0007)
		return FR_UNSUPPORTED; /* GRE version 1 (PPTP) */
	bool seq = flags & 0x1000;
	if (flags & 0x8000)
		rd_skip(&r, 4); /* checksum + reserved */
	if (flags & 0x2000)
		rd_skip(&r, 4); /* key */
	if (seq)
		rd_skip(&r, 4);
	if (r.bad)
		return decode_short(pc);
	enum frame_result t = tunnel_enter(pc, ENC_GRE);
	if (t != FR_DELIVERED)
		return t;
	switch (proto) {
	case 0x0800:
		return ip4_decode(d, pc, r);
	case 0x86DD:
		return ip6_decode(d, pc, r);
	case 0x6558: /* transparent Ethernet bridging */
		return eth_decode(d, pc, r);
	case 0x88BE: /* ERSPAN type II, or type I when there is no sequence number */
		pc->dg.encap |= ENC_ERSPAN;
		if (seq && !rd_skip(&r, 8))
			return decode_short(pc);
		return eth_decode(d, pc, r);
	case 0x22EB: { /* ERSPAN type III */
		pc->dg.encap |= ENC_ERSPAN;
		struct rd h = r;
		rd_skip(&h, 11);
		uint8_t last = rd_u8(&h);
		if (!rd_skip(&r, 12))
			return decode_short(pc);
		if ((last & 0x01) && !rd_skip(&r, 8)) /* O: platform-specific subheader */
			return decode_short(pc);
		return eth_decode(d, pc, r);
	}
	default:
		return FR_UNSUPPORTED;
	}
}

enum frame_result l4_decode(struct decoder *d, struct pctx *pc, uint8_t proto, struct rd r)
{
	switch (proto) {
	case PROTO_UDP:
		return udp_decode(d, pc, r);
	case PROTO_TCP:
		return tcp_decode(d, pc, r);
	case PROTO_SCTP:
		return sctp_decode(d, pc, r);
	case PROTO_IPIP: {
		enum frame_result t = tunnel_enter(pc, ENC_IPIP);
		return t == FR_DELIVERED ? ip4_decode(d, pc, r) : t;
	}
	case PROTO_IPV6: {
		enum frame_result t = tunnel_enter(pc, ENC_IPIP);
		return t == FR_DELIVERED ? ip6_decode(d, pc, r) : t;
	}
	case PROTO_GRE:
		return gre_decode(d, pc, r);
	case PROTO_ICMP:
	case PROTO_ICMPV6: {
		/* errors quoting the packet that caused them (destination unreachable:
		 * v4 type 3, v6 type 1; time exceeded: v4 11, v6 3) go on to the sink,
		 * which reads the quoted packet (proto/icmp.c); other ICMP does not */
		if (!rd_has(&r, 8))
			return FR_OTHER_IP;
		uint8_t type = rd_peek(&r, 0);
		bool v4 = proto == PROTO_ICMP;
		if ((v4 && type == 3) || (!v4 && type == 1))
			d->st.icmp_unreachable++;
		if (!((v4 && (type == 3 || type == 11)) || (!v4 && (type == 1 || type == 3))))
			return FR_OTHER_IP;
		pc->dg.transport = v4 ? TP_ICMP : TP_ICMPV6;
		pc->dg.sport = pc->dg.dport = 0;
		decode_deliver(d, pc, r.p, rd_left(&r));
		return FR_DELIVERED;
	}
	case PROTO_ESP:
	default:
		return FR_OTHER_IP;
	}
}

