/* SPDX-License-Identifier: MIT */
/* --anonymize (anonymize.h). Written here because no Debian library rewrites
 * SIP and SDP text with pseudonyms that stay consistent with the IP headers
 * (tcprewrite and pktanon map addresses in headers only, and leave the SIP
 * text, where numbers and addresses are, as it was). Here: the pseudonym
 * tables and the packets (link, IP, UDP, ICMP quotes, STUN, RTCP SDES); the
 * text is anonymize_text.c's. Every length is checked against the frame
 * before a byte is read. */
#include "pipeline/anonymize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/anonymize_internal.h"
#include "proto/classify.h"

struct anon *anon_new(void)
{
	struct anon *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->seen = calloc(MAX_MAP, sizeof(*a->seen));
	a->addrs = calloc(MAX_MAP, sizeof(*a->addrs));
	a->users = calloc(MAX_MAP, sizeof(*a->users));
	a->hosts = calloc(MAX_MAP, sizeof(*a->hosts));
	a->names = calloc(MAX_MAP, sizeof(*a->names));
	if (!a->seen || !a->addrs || !a->users || !a->hosts || !a->names) {
		anon_free(a);
		return NULL;
	}
	return a;
}

void anon_free(struct anon *a)
{
	if (!a)
		return;
	free(a->seen);
	free(a->addrs);
	free(a->users);
	free(a->hosts);
	free(a->names);
	free(a);
}

static bool seen_has(const struct anon *a, const struct addr *ad)
{
	for (size_t i = 0; i < a->n_seen; i++)
		if (addr_eq(&a->seen[i], ad))
			return true;
	return false;
}

void anon_note_addr(struct anon *a, const struct addr *ad)
{
	if (ad->family && !seen_has(a, ad) && a->n_seen < MAX_MAP)
		a->seen[a->n_seen++] = *ad;
}

/* Addresses a pseudonym is not needed for: what they say is no secret and
 * rules read them (0.0.0.0 is hold, 127.0.0.1 and multicast are what they are). */
static bool addr_keep(const struct addr *ad)
{
	if (addr_is_unspecified(ad) || addr_is_loopback(ad))
		return true;
	if (ad->family == 4)
		return ad->b[0] >= 224;
	return ad->b[0] == 0xFF;
}

/* The next candidate of a pool: public IPv4 from the three documentation
 * networks, then 198.18.0.0/15; private from 10.200.0.0/16; CGNAT from
 * 100.100.0.0/16; link-local 169.254.200.0/24; IPv6 2001:db8::/32,
 * fd00:db8::/32 and fe80::/64. */
static void candidate(struct anon *a, const struct addr *orig, struct addr *out)
{
	memset(out, 0, sizeof(*out));
	out->family = orig->family;
	if (orig->family == 4) {
		unsigned k;
		if (addr_is_private(orig)) {
			k = ++a->next_priv4;
			out->b[0] = 10, out->b[1] = 200, out->b[2] = (uint8_t)(k >> 8), out->b[3] = (uint8_t)k;
		} else if (addr_is_cgnat(orig)) {
			k = ++a->next_cg4;
			out->b[0] = 100, out->b[1] = 100, out->b[2] = (uint8_t)(k >> 8), out->b[3] = (uint8_t)k;
		} else if (addr_is_linklocal(orig)) {
			k = ++a->next_ll4;
			out->b[0] = 169, out->b[1] = 254, out->b[2] = 200, out->b[3] = (uint8_t)k;
		} else {
			k = a->next_pub4++;
			static const uint8_t nets[3][3] = { { 192, 0, 2 }, { 198, 51, 100 }, { 203, 0, 113 } };
			if (k < 3 * 253) {
				memcpy(out->b, nets[k / 253], 3);
				out->b[3] = (uint8_t)(1 + k % 253);
			} else {
				k -= 3 * 253;
				out->b[0] = 198, out->b[1] = (uint8_t)(18 + ((k >> 16) & 1));
				out->b[2] = (uint8_t)(k >> 8), out->b[3] = (uint8_t)k;
			}
		}
		if ((out->b[3] == 0 || out->b[3] == 255) && !addr_is_linklocal(orig))
			out->b[3] = 1; /* taken again below if that one is in use */
	} else {
		unsigned k;
		if (addr_is_linklocal(orig)) {
			k = ++a->next_ll6;
			out->b[0] = 0xfe, out->b[1] = 0x80;
		} else if (addr_is_private(orig)) {
			k = ++a->next_priv6;
			out->b[0] = 0xfd, out->b[2] = 0x0d, out->b[3] = 0xb8;
		} else {
			k = ++a->next_pub6;
			out->b[0] = 0x20, out->b[1] = 0x01, out->b[2] = 0x0d, out->b[3] = 0xb8;
		}
		out->b[12] = (uint8_t)(k >> 24), out->b[13] = (uint8_t)(k >> 16);
		out->b[14] = (uint8_t)(k >> 8), out->b[15] = (uint8_t)k;
	}
}

/* The pseudonym of an address, the same every time. */
struct addr anon_map_addr(struct anon *a, const struct addr *orig)
{
	if (!orig->family || addr_keep(orig))
		return *orig;
	for (size_t i = 0; i < a->n_addrs; i++)
		if (addr_eq(&a->addrs[i].orig, orig))
			return a->addrs[i].pseudo;
	struct addr p;
	for (unsigned tries = 0;; tries++) {
		candidate(a, orig, &p);
		bool used = seen_has(a, &p);
		for (size_t i = 0; !used && i < a->n_addrs; i++)
			used = addr_eq(&a->addrs[i].pseudo, &p);
		if (!used || tries > 100000)
			break;
	}
	if (a->n_addrs < MAX_MAP) {
		a->addrs[a->n_addrs].orig = *orig;
		a->addrs[a->n_addrs].pseudo = p;
		a->n_addrs++;
	}
	return p;
}

static void map_raw(struct anon *a, uint8_t *b, bool v6)
{
	struct addr o, p;
	if (v6)
		addr_v6(&o, b);
	else
		addr_v4(&o, b);
	p = anon_map_addr(a, &o);
	memcpy(b, p.b, v6 ? 16 : 4);
}

/* A pseudonym from a table of strings, the k-th new one of its kind made from k. */
const char *anon_map_str(struct smap *m, size_t *n, const char *orig, size_t len, enum pseudo_kind kind,
			 unsigned *counter)
{
	char key[MAX_TOKEN];
	if (len >= sizeof(key))
		len = sizeof(key) - 1;
	memcpy(key, orig, len);
	key[len] = '\0';
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(m[i].orig, key))
			return m[i].pseudo;
	if (*n >= MAX_MAP) /* a table full: one pseudonym for the rest */
		return kind == PS_NUMBER ? "5550199999" : kind == PS_USER ? "user0"
		     : kind == PS_HOST ? "host0.example.invalid" : "anon 0";
	struct smap *e = &m[(*n)++];
	char *dst = e->pseudo;
	++*counter;
	switch (kind) {
	case PS_NUMBER: snprintf(dst, 48, "55501%05u", *counter); break;
	case PS_USER: snprintf(dst, 48, "user%u", *counter); break;
	case PS_HOST: snprintf(dst, 48, "host%u.example.invalid", *counter); break;
	case PS_NAME: snprintf(dst, 48, "anon %u", *counter); break;
	}
	memcpy(e->orig, key, len + 1);
	return dst;
}
/* ---- packets ---- */

long anon_ip_offset(int linktype, const uint8_t *p, size_t n)
{
	size_t off;
	uint16_t et;
	switch (linktype) {
	case 1: /* Ethernet */
		if (n < 14)
			return -1;
		off = 12;
		et = (uint16_t)((p[off] << 8) | p[off + 1]);
		while ((et == 0x8100 || et == 0x88a8 || et == 0x9100) && off + 6 <= n) {
			off += 4;
			et = (uint16_t)((p[off] << 8) | p[off + 1]);
		}
		off += 2;
		return (et == 0x0800 || et == 0x86DD) && off < n ? (long)off : -1;
	case 113: /* Linux SLL */
		if (n < 16)
			return -1;
		et = (uint16_t)((p[14] << 8) | p[15]);
		return et == 0x0800 || et == 0x86DD ? 16 : -1;
	case 276: /* Linux SLL2 */
		if (n < 20)
			return -1;
		et = (uint16_t)((p[0] << 8) | p[1]);
		return et == 0x0800 || et == 0x86DD ? 20 : -1;
	case 12: case 14: case 101: case 228: case 229: /* raw IP */
		return n > 0 ? 0 : -1;
	case 0: case 108: /* BSD loopback: a 4-byte family */
		return n > 4 ? 4 : -1;
	default:
		return -1;
	}
}

static uint32_t sum16(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)((p[i] << 8) | p[i + 1]);
	if (n & 1)
		s += (uint32_t)(p[n - 1] << 8);
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xFFFF) + (s >> 16);
	return (uint16_t)~s;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* STUN attributes that carry an address (RFC 5389, 8656, 5780), rewritten in place. */
static void rewrite_stun(struct anon *a, uint8_t *p, size_t n)
{
	if (n < 20)
		return;
	size_t len = (size_t)((p[2] << 8) | p[3]);
	size_t end = 20 + len < n ? 20 + len : n;
	size_t at = 20;
	while (at + 4 <= end) {
		uint16_t type = (uint16_t)((p[at] << 8) | p[at + 1]);
		size_t al = (size_t)((p[at + 2] << 8) | p[at + 3]);
		uint8_t *v = p + at + 4;
		if (at + 4 + al > end)
			break;
		bool xor = type == 0x0020 || type == 0x8020 || type == 0x0012 || type == 0x0016;
		bool plain = type == 0x0001 || type == 0x0004 || type == 0x0005 || type == 0x802b || type == 0x802c;
		if ((xor || plain) && al >= 8) {
			bool v6 = v[1] == 2;
			if (!v6 || al >= 20) {
				uint8_t b[16];
				size_t k = v6 ? 16 : 4;
				for (size_t i = 0; i < k; i++)
					b[i] = xor ? (uint8_t)(v[4 + i] ^ p[4 + i]) : v[4 + i];
				map_raw(a, b, v6);
				for (size_t i = 0; i < k; i++)
					v[4 + i] = xor ? (uint8_t)(b[i] ^ p[4 + i]) : b[i];
			}
		}
		at += 4 + ((al + 3) & ~(size_t)3);
	}
}

/* RTCP SDES items (CNAME, NAME, EMAIL, PHONE ...): text overwritten, lengths kept. */
static void rewrite_rtcp(uint8_t *p, size_t n)
{
	size_t at = 0;
	while (at + 4 <= n) {
		size_t plen = ((size_t)((p[at + 2] << 8) | p[at + 3]) + 1) * 4;
		size_t end = at + plen < n ? at + plen : n;
		if (p[at + 1] == 202) {
			size_t c = at + 4;
			unsigned chunks = p[at] & 31;
			for (unsigned k = 0; k < chunks && c + 4 <= end; k++) {
				c += 4;
				while (c < end && p[c] != 0) {
					if (c + 2 > end)
						break;
					size_t il = p[c + 1];
					for (size_t i = 0; i < il && c + 2 + i < end; i++)
						p[c + 2 + i] = 'x';
					c += 2 + il;
				}
				c = (c + 4) & ~(size_t)3;
			}
		}
		at += plen;
	}
}

/* The quoted packet of an ICMP error: its addresses, and a quoted SIP text
 * rewritten and fitted to the length it had. */
static void rewrite_icmp_quote(struct anon *a, uint8_t *q, size_t n, bool v6)
{
	size_t ihl;
	if (!v6) {
		if (n < 20 || q[0] >> 4 != 4)
			return;
		ihl = (size_t)(q[0] & 15) * 4;
		map_raw(a, q + 12, false);
		map_raw(a, q + 16, false);
		put16(q + 10, 0);
		put16(q + 10, fold(sum16(0, q, ihl < n ? ihl : n)));
	} else {
		if (n < 40 || q[0] >> 4 != 6)
			return;
		ihl = 40;
		map_raw(a, q + 8, true);
		map_raw(a, q + 24, true);
	}
	if (n <= ihl + 8)
		return;
	uint8_t *pl = q + ihl + 8;
	size_t pn = n - ihl - 8;
	if (classify_payload(pl, pn, 0, 0) != PK_SIP)
		return;
	uint8_t tmp[4096];
	struct tb t = { tmp, 0, sizeof(tmp), false };
	anon_rewrite_sip(&t, a, pl, pn);
	size_t k = t.n < pn ? t.n : pn;
	memcpy(pl, tmp, k);
	memset(pl + k, ' ', pn - k);
}

static void map_mac(struct anon *a, uint8_t *m)
{
	static const uint8_t zero[6], bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	if (!memcmp(m, zero, 6) || !memcmp(m, bcast, 6) || (m[0] & 1))
		return;
	unsigned i;
	for (i = 0; i < a->n_macs; i++)
		if (!memcmp(a->macs[i], m, 6))
			break;
	if (i == a->n_macs && a->n_macs < 256)
		memcpy(a->macs[a->n_macs++], m, 6);
	uint8_t p[6] = { 0x02, 0, 0, 0, (uint8_t)(i >> 8), (uint8_t)(i + 1) };
	memcpy(m, p, 6);
}

size_t anon_frame(struct anon *a, int linktype, const uint8_t *p, size_t n, uint8_t *out, size_t cap,
		  const char **why)
{
	*why = "a frame too large to rewrite";
	if (cap < 65536 || n > cap - 65536)
		return 0;
	*why = "a link type that is not anonymized";
	long lo = anon_ip_offset(linktype, p, n);
	if (lo < 0 || (size_t)lo > cap)
		return 0;
	size_t off = (size_t)lo;
	memcpy(out, p, off);
	if (linktype == 1) {
		map_mac(a, out);
		map_mac(a, out + 6);
	} else if (linktype == 113 && n >= 12) {
		memset(out + 6, 0, 8);
	} else if (linktype == 276 && n >= 20) {
		memset(out + 12, 0, 8);
	}
	const uint8_t *ip = p + off;
	size_t in = n - off;
	bool v6 = in >= 1 && ip[0] >> 4 == 6;
	size_t ihl, iplen;
	uint8_t proto;
	*why = "not IP, or an IP header cut short";
	if (!v6) {
		if (in < 20 || ip[0] >> 4 != 4)
			return 0;
		ihl = (size_t)(ip[0] & 15) * 4;
		iplen = (size_t)((ip[2] << 8) | ip[3]);
		proto = ip[9];
		if (ihl < 20 || ihl > in || iplen < ihl)
			return 0;
		if ((((ip[6] << 8) | ip[7]) & 0x3FFF) != 0) {
			*why = "an IP fragment (a fragmented message is not rewritten)";
			return 0;
		}
	} else {
		if (in < 40)
			return 0;
		ihl = 40;
		iplen = 40 + (size_t)((ip[4] << 8) | ip[5]);
		proto = ip[6];
	}
	if (proto != 17 && proto != 1 && proto != 58) {
		*why = proto == 6 ? "SIP over TCP (not rewritten)" : "a transport that is not anonymized";
		return 0;
	}
	size_t have = in < iplen ? in : iplen;  /* bytes of the IP packet in the frame */
	size_t trailer = in > iplen ? in - iplen : 0;
	if (off + ihl + 8 > cap || have < ihl + (proto == 17 ? 8u : 4u)) {
		*why = "a header cut short";
		return 0;
	}
	uint8_t *oip = out + off;
	memcpy(oip, ip, ihl);
	if (!v6) {
		map_raw(a, oip + 12, false);
		map_raw(a, oip + 16, false);
	} else {
		map_raw(a, oip + 8, true);
		map_raw(a, oip + 24, true);
	}
	const uint8_t *l4 = ip + ihl;
	size_t l4n = have - ihl;
	uint8_t *ol4 = oip + ihl;
	size_t room = cap - off - ihl - trailer;
	size_t new_l4n;
	bool full = in >= iplen; /* the whole packet is in the frame: checksums can be made */
	if (proto == 17) {
		size_t ulen = (size_t)((l4[4] << 8) | l4[5]);
		size_t pn = (ulen >= 8 && ulen - 8 <= l4n - 8) ? ulen - 8 : l4n - 8;
		const uint8_t *pl = l4 + 8;
		memcpy(ol4, l4, 8);
		uint16_t sp = (uint16_t)((l4[0] << 8) | l4[1]), dp = (uint16_t)((l4[2] << 8) | l4[3]);
		enum payload_kind k = classify_payload(pl, pn, sp, dp);
		if (k == PK_SIP && full) {
			struct tb t = { ol4 + 8, 0, room > 65535 - 8 - ihl ? 65535 - 8 - ihl : room - 8, false };
			anon_rewrite_sip(&t, a, pl, pn);
			if (t.over) {
				*why = "a SIP message that grew past 64 KiB";
				return 0;
			}
			pn = t.n;
		} else {
			if (pn > room - 8)
				return 0;
			memcpy(ol4 + 8, pl, pn);
			if (k == PK_STUN)
				rewrite_stun(a, ol4 + 8, pn);
			else if (k == PK_RTCP)
				rewrite_rtcp(ol4 + 8, pn);
			else if (k == PK_SIP) {
				*why = "a SIP message cut by the snap length";
				return 0;
			}
		}
		/* bytes past the UDP length inside the IP packet are kept */
		size_t extra = l4n - 8 > (ulen >= 8 ? ulen - 8 : l4n - 8) ? l4n - 8 - (ulen - 8) : 0;
		if (k == PK_SIP && full)
			extra = 0;
		if (extra) {
			memcpy(ol4 + 8 + pn, pl + (ulen - 8), extra);
		}
		new_l4n = 8 + pn + extra;
		if (k == PK_SIP && full)
			put16(ol4 + 4, (uint32_t)(8 + pn));
	} else {
		if (l4n > room)
			return 0;
		memcpy(ol4, l4, l4n);
		new_l4n = l4n;
		if (l4n > 8)
			rewrite_icmp_quote(a, ol4 + 8, l4n - 8, proto == 58);
	}
	size_t new_iplen = full ? ihl + new_l4n : iplen;
	if (new_iplen > 65535 + (v6 ? 40u : 0u)) {
		*why = "a packet that grew past 64 KiB";
		return 0;
	}
	if (!v6) {
		put16(oip + 2, (uint32_t)new_iplen);
		put16(oip + 10, 0);
		put16(oip + 10, fold(sum16(0, oip, ihl)));
	} else {
		put16(oip + 4, (uint32_t)(new_iplen - 40));
	}
	/* transport checksums over what changed (when the whole packet is there) */
	if (proto == 17) {
		put16(ol4 + 6, 0);
		if (full) {
			uint32_t s = sum16(0, v6 ? oip + 8 : oip + 12, v6 ? 32 : 8);
			s += 17 + (uint32_t)new_l4n;
			s = sum16(s, ol4, new_l4n);
			uint16_t c = fold(s);
			put16(ol4 + 6, c ? c : 0xFFFF);
		}
	} else if (full) {
		put16(ol4 + 2, 0);
		uint32_t s = 0;
		if (proto == 58) {
			s = sum16(0, oip + 8, 32);
			s += 58 + (uint32_t)new_l4n;
		}
		put16(ol4 + 2, fold(sum16(s, ol4, new_l4n)));
	}
	memcpy(oip + (full ? new_iplen : have), ip + have, trailer);
	return off + (full ? new_iplen : have) + trailer;
}
