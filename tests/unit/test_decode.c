/* SPDX-License-Identifier: MIT */
/* Unit tests for the decode stage: link types, tunnels, IPv4/IPv6 fragments,
 * TCP reassembly (several messages per segment, one message over segments,
 * retransmissions, reordering), WebSocket, HEPv3, SCTP and snap-length cuts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <pcap/dlt.h>

#include "decode/decode.h"
#include "decode/hep.h"
#include "decode/websocket.h"
#include "proto/sip.h"
#include "pktbuild.h"

static const uint8_t A[4] = { 192, 0, 2, 1 }, B[4] = { 198, 51, 100, 2 };

struct got {
	unsigned n;
	char data[8][2048];
	size_t len[8];
	struct dgram dg[8];
};

static void sink(void *ctx, const struct dgram *d)
{
	struct got *g = ctx;
	if (g->n < 8) {
		size_t n = d->len < 2047 ? d->len : 2047;
		memcpy(g->data[g->n], d->data, n);
		g->data[g->n][n] = 0;
		g->len[g->n] = d->len;
		g->dg[g->n] = *d;
	}
	g->n++;
}

static struct decoder *mk(struct got *g)
{
	memset(g, 0, sizeof(*g));
	struct decode_config cfg = { .limits = limits_default(), .probe = sip_probe, .framer = sip_frame,
				     .sink = sink, .sink_ctx = g };
	return decoder_new(&cfg);
}

static enum frame_result feed(struct decoder *d, const struct pkt *p, int dlt, uint64_t num)
{
	struct frame f = { .num = num, .ts_ns = (int64_t)num * 1000000, .point = 0, .linktype = dlt,
			   .caplen = (uint32_t)p->n, .len = (uint32_t)p->n, .data = p->b };
	return decoder_frame(d, &f);
}

static void test_ethernet_vlan_udp(void **state)
{
	(void)state;
	struct got g;
	struct decoder *d = mk(&g);
	static struct pkt p;
	/* QinQ: 802.1ad outer tag, 802.1Q inner tag */
	p.n = 0;
	static const uint8_t mac[12] = { 0 };
	put(&p, mac, 12);
	put16(&p, 0x88a8);
	put16(&p, 100);
	put16(&p, 0x8100);
	put16(&p, 200);
	put16(&p, 0x0800);
	size_t ipstart = p.n;
	size_t at = ip4(&p, 17, A, B, 7, 0);
	udp(&p, 5060, 5062, "hello", 5);
	set16(&p, at, (uint16_t)(p.n - ipstart));
	put(&p, "\0\0\0\0", 4); /* Ethernet padding after the IP datagram */
	assert_int_equal(feed(d, &p, DLT_EN10MB, 1), FR_DELIVERED);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.len[0], 5);
	assert_int_equal(g.dg[0].sport, 5060);
	assert_int_equal(g.dg[0].dport, 5062);
	assert_int_equal(g.dg[0].ttl, 64);
	assert_true(g.dg[0].encap & ENC_VLAN);
	char buf[ADDR_STRLEN];
	assert_string_equal(addr_str(&g.dg[0].src, buf), "192.0.2.1");
	decoder_free(d);
}

static void test_other_link_types(void **state)
{
	(void)state;
	struct got g;
	struct decoder *d = mk(&g);
	static struct pkt ip, p;
	ip.n = 0;
	size_t at = ip4(&ip, 17, A, B, 1, 0);
	udp(&ip, 1000, 2000, "x", 1);
	set16(&ip, at, (uint16_t)ip.n);

	/* Linux SLL: 14 bytes then the protocol */
	p.n = 0;
	for (int i = 0; i < 14; i++)
		put8(&p, 0);
	put16(&p, 0x0800);
	put(&p, ip.b, ip.n);
	assert_int_equal(feed(d, &p, DLT_LINUX_SLL, 1), FR_DELIVERED);
	/* SLL2: protocol first, 20 bytes */
	p.n = 0;
	put16(&p, 0x0800);
	for (int i = 0; i < 18; i++)
		put8(&p, 0);
	put(&p, ip.b, ip.n);
	assert_int_equal(feed(d, &p, 276, 2), FR_DELIVERED);
	/* BSD loopback, family in little-endian host order and big-endian */
	p.n = 0;
	put(&p, "\x02\0\0\0", 4);
	put(&p, ip.b, ip.n);
	assert_int_equal(feed(d, &p, DLT_NULL, 3), FR_DELIVERED);
	p.n = 0;
	put(&p, "\0\0\0\x02", 4);
	put(&p, ip.b, ip.n);
	assert_int_equal(feed(d, &p, DLT_LOOP, 4), FR_DELIVERED);
	/* raw IP */
	assert_int_equal(feed(d, &ip, DLT_RAW, 5), FR_DELIVERED);
	assert_int_equal(g.n, 5);
	/* not IP, and a link type we do not know */
	p.n = 0;
	eth(&p, 0x0806);
	put(&p, "arp arp arp arp arp arp arp arp", 28);
	assert_int_equal(feed(d, &p, DLT_EN10MB, 6), FR_NOT_IP);
	assert_int_equal(feed(d, &ip, 105 /* 802.11 */, 7), FR_UNSUPPORTED_LINK);
	decoder_free(d);
}

static void test_snap_cut_is_truncated(void **state)
{
	(void)state;
	struct got g;
	struct decoder *d = mk(&g);
	static struct pkt p;
	char payload[600];
	memset(payload, 'a', sizeof(payload));
	eth_udp4(&p, A, B, 5060, 5060, payload, sizeof(payload));
	struct frame f = { .num = 1, .linktype = DLT_EN10MB, .caplen = 96, .len = (uint32_t)p.n, .data = p.b };
	assert_int_equal(decoder_frame(d, &f), FR_TRUNCATED);
	assert_int_equal(g.n, 0);
	assert_int_equal(decoder_stats(d)->snap_cut, 1);
	/* the same frame complete, but with an IP length longer than the frame:
	 * decoded as far as it goes (as Wireshark does), and counted */
	p.b[16] = 0xff;
	p.b[17] = 0xff;
	f.caplen = f.len;
	assert_int_equal(decoder_frame(d, &f), FR_DELIVERED);
	assert_int_equal(decoder_stats(d)->short_frames, 1);
	/* an IP header length below 20 is malformed */
	p.b[14] = 0x44;
	assert_int_equal(decoder_frame(d, &f), FR_MALFORMED);
	decoder_free(d);
}

static void test_ipv4_fragments_out_of_order(void **state)
{
	(void)state;
	struct got g;
	struct decoder *d = mk(&g);
	/* a 3000-byte UDP datagram in three fragments, sent last-first */
	static uint8_t dgram[3008];
	dgram[0] = 0x13;
	dgram[1] = 0xc4;
	dgram[2] = 0x13;
	dgram[3] = 0xc4;
	dgram[4] = (uint8_t)(3008 >> 8);
	dgram[5] = (uint8_t)(3008 & 0xff);
	for (size_t i = 8; i < sizeof(dgram); i++)
		dgram[i] = (uint8_t)('A' + i % 26);
	static struct pkt p;
	const size_t cuts[] = { 0, 1480, 2960, 3008 };
	const int order[] = { 2, 0, 1 };
	enum frame_result last = FR_MALFORMED;
	for (int k = 0; k < 3; k++) {
		int i = order[k];
		p.n = 0;
		eth(&p, 0x0800);
		size_t ipstart = p.n;
		bool more = i < 2;
		size_t at = ip4(&p, 17, A, B, 0x1234, (uint16_t)((more ? 0x2000 : 0) | (cuts[i] / 8)));
		put(&p, dgram + cuts[i], cuts[i + 1] - cuts[i]);
		set16(&p, at, (uint16_t)(p.n - ipstart));
		last = feed(d, &p, DLT_EN10MB, (uint64_t)k + 1);
		if (k < 2)
			assert_int_equal(last, FR_HELD);
	}
	assert_int_equal(last, FR_DELIVERED);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.len[0], 3000);
	assert_int_equal(g.dg[0].frame, 3);
	assert_true(g.dg[0].encap & ENC_IPFRAG);
	assert_int_equal(decoder_stats(d)->ip_reassembled, 1);
	assert_int_equal(decoder_held_bytes(d), 0);
	decoder_free(d);
}

/* One IPv4 fragment of datagram id, at byte offset off (a multiple of 8). */
static void frag4(struct pkt *p, uint16_t id, size_t off, bool more, const uint8_t *data, size_t n)
{
	p->n = 0;
	eth(p, 0x0800);
	size_t ipstart = p->n;
	size_t at = ip4(p, 17, A, B, id, (uint16_t)((more ? 0x2000 : 0) | (off / 8)));
	put(p, data, n);
	set16(p, at, (uint16_t)(p->n - ipstart));
}

/* frag-table-full.pcap (../shared/hostile): first fragments that never
 * complete fill the table; a later fragmented datagram still gets through,
 * the oldest stray one making room (counted), and nothing is held past the
 * limit. */
static void test_ipv4_fragment_table_full(void **state)
{
	(void)state;
	struct got g;
	struct decoder *d = mk(&g);
	struct limits lim = limits_default();
	static struct pkt p;
	static uint8_t dgram[2008];
	dgram[0] = 0x13, dgram[1] = 0xc4, dgram[2] = 0x13, dgram[3] = 0xc4;
	dgram[4] = (uint8_t)(sizeof(dgram) >> 8), dgram[5] = (uint8_t)(sizeof(dgram) & 0xff);
	for (size_t i = 8; i < sizeof(dgram); i++)
		dgram[i] = (uint8_t)('a' + i % 26);
	uint64_t num = 0;
	for (unsigned i = 0; i < lim.frag_entries + 10; i++) {
		frag4(&p, (uint16_t)(1000 + i), 0, true, dgram, 1480);
		assert_int_equal(feed(d, &p, DLT_EN10MB, ++num), FR_HELD);
	}
	assert_int_equal(decoder_stats(d)->ip_frag_evicted, 10);
	/* the datagram one second later, in two pieces */
	num += 1000;
	frag4(&p, 7, 0, true, dgram, 1480);
	assert_int_equal(feed(d, &p, DLT_EN10MB, ++num), FR_HELD);
	frag4(&p, 7, 1480, false, dgram + 1480, sizeof(dgram) - 1480);
	assert_int_equal(feed(d, &p, DLT_EN10MB, ++num), FR_DELIVERED);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.len[0], sizeof(dgram) - 8);
	assert_int_equal(decoder_stats(d)->ip_frag_evicted, 11);
	assert_int_equal(decoder_stats(d)->ip_frag_dropped, 0);
	/* what is held stays within the limit: about one MTU per datagram, not 64 KiB */
	assert_true(decoder_held_bytes(d) <= (size_t)lim.frag_entries * 2048);
	/* 31 s later the stray ones have timed out */
	frag4(&p, 8, 0, true, dgram, 1480);
	++num;
	struct frame f = { .num = num, .ts_ns = (int64_t)num * 1000000 + 31LL * 1000000000LL, .linktype = DLT_EN10MB,
			   .caplen = (uint32_t)p.n, .len = (uint32_t)p.n, .data = p.b };
	assert_int_equal(decoder_frame(d, &f), FR_HELD);
	assert_int_equal(decoder_stats(d)->ip_frag_dropped, lim.frag_entries - 1);
	decoder_free(d);
}

static void test_ipv6_ext_headers_and_fragments(void **state)
{
	(void)state;
	struct got g;
	struct decoder *d = mk(&g);
	static uint8_t udpd[2008];
	udpd[0] = 0x13; udpd[1] = 0xc4; udpd[2] = 0x13; udpd[3] = 0xc4;
	udpd[4] = (uint8_t)(2008 >> 8); udpd[5] = (uint8_t)(2008 & 0xff);
	memcpy(udpd + 8, "INVITE sip:b@x SIP/2.0\r\n", 24);
	static struct pkt p;
	static const uint8_t s6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t d6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	const size_t cuts[] = { 0, 1232, 2008 };
	for (int i = 0; i < 2; i++) {
		p.n = 0;
		eth(&p, 0x86dd);
		size_t plen_at = p.n + 4;
		put32(&p, 0x60000000);
		put16(&p, 0);
		put8(&p, 0); /* hop-by-hop first */
		put8(&p, 255);
		put(&p, s6, 16);
		put(&p, d6, 16);
		size_t pay = p.n;
		put8(&p, 44); /* hop-by-hop: next is fragment, 8 bytes */
		put8(&p, 0);
		put(&p, "\x01\x04\0\0\0\0", 6);
		put8(&p, 17); /* fragment header */
		put8(&p, 0);
		put16(&p, (uint16_t)((cuts[i] / 8) << 3 | (i == 0 ? 1 : 0)));
		put32(&p, 0xabcdef);
		put(&p, udpd + cuts[i], cuts[i + 1] - cuts[i]);
		set16(&p, plen_at, (uint16_t)(p.n - pay));
		enum frame_result r = feed(d, &p, DLT_EN10MB, (uint64_t)i + 1);
		assert_int_equal(r, i == 0 ? FR_HELD : FR_DELIVERED);
	}
	assert_int_equal(g.n, 1);
	assert_int_equal(g.len[0], 2000);
	assert_int_equal(g.dg[0].src.family, 6);
	assert_int_equal(g.dg[0].ttl, 255);
	assert_memory_equal(g.data[0], "INVITE sip:b@x", 14);
	decoder_free(d);
}

static const char REG[] = "REGISTER sip:r SIP/2.0\r\nCall-ID: 1\r\nContent-Length: 5\r\n\r\nhello";
static const char OK200[] = "SIP/2.0 200 OK\r\nCall-ID: 1\r\nContent-Length: 0\r\n\r\n";

static void test_tcp_two_messages_in_one_segment(void **state)
{
	(void)state;
	struct got g;
	struct decoder *d = mk(&g);
	static struct pkt p;
	char both[512];
	size_t n1 = sizeof(REG) - 1, n2 = sizeof(OK200) - 1;
	memcpy(both, REG, n1);
	memcpy(both + n1, "\r\n\r\n", 4); /* a keep-alive between them */
	memcpy(both + n1 + 4, OK200, n2);
	eth_tcp4(&p, A, B, 40000, 5060, 1000, 0x18, both, n1 + 4 + n2);
	assert_int_equal(feed(d, &p, DLT_EN10MB, 1), FR_DELIVERED);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.len[0], n1);
	assert_int_equal(g.len[1], n2);
	assert_int_equal(g.dg[0].transport, TP_TCP);
	assert_int_equal(decoder_stats(d)->tcp_keepalives, 1);
	decoder_free(d);
}

static void test_tcp_message_across_segments_with_retransmission(void **state)
{
	(void)state;
	struct got g;
	struct decoder *d = mk(&g);
	static struct pkt p;
	size_t n = sizeof(REG) - 1;
	uint32_t seq = 0xfffffff0u; /* wraps around 2^32 inside the message */
	eth_tcp4(&p, A, B, 40000, 5060, seq, 0x18, REG, 20);
	assert_int_equal(feed(d, &p, DLT_EN10MB, 1), FR_HELD);
	/* the same segment again: a retransmission */
	assert_int_equal(feed(d, &p, DLT_EN10MB, 2), FR_TCP_DUP);
	/* the rest, overlapping the first by 5 bytes */
	eth_tcp4(&p, A, B, 40000, 5060, seq + 15, 0x18, REG + 15, n - 15);
	assert_int_equal(feed(d, &p, DLT_EN10MB, 3), FR_DELIVERED);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.len[0], n);
	assert_memory_equal(g.data[0], REG, n);
	assert_int_equal(g.dg[0].frame, 3);
	assert_int_equal(decoder_stats(d)->tcp_retrans, 1);
	decoder_free(d);
}

static void test_tcp_out_of_order(void **state)
{
	(void)state;
	struct got g;
	struct decoder *d = mk(&g);
	static struct pkt p;
	size_t n = sizeof(REG) - 1;
	eth_tcp4(&p, A, B, 40000, 5060, 100, 0x18, REG, 30);
	assert_int_equal(feed(d, &p, DLT_EN10MB, 1), FR_HELD);
	eth_tcp4(&p, A, B, 40000, 5060, 100 + 50, 0x18, REG + 50, n - 50);
	assert_int_equal(feed(d, &p, DLT_EN10MB, 2), FR_HELD);
	eth_tcp4(&p, A, B, 40000, 5060, 100 + 30, 0x18, REG + 30, 20);
	assert_int_equal(feed(d, &p, DLT_EN10MB, 3), FR_DELIVERED);
	assert_int_equal(g.n, 1);
	assert_memory_equal(g.data[0], REG, n);
	/* FIN releases the direction */
	eth_tcp4(&p, A, B, 40000, 5060, (uint32_t)(100 + n), 0x11, "", 0);
	feed(d, &p, DLT_EN10MB, 4);
	assert_int_equal(decoder_held_bytes(d), 0);
	decoder_free(d);
}

/* SIP messages "INVITE sip:N SIP/2.0 ..." of about 100 bytes, numbered. */
static size_t numbered(char *buf, unsigned i)
{
	return (size_t)snprintf(buf, 200, "INVITE sip:%u@b SIP/2.0\r\nCall-ID: c%u\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
				i, i);
}

struct gaps {
	unsigned n;
	struct decode_gap last;
	struct dgram flow;
};

static struct gaps gaps_seen;

static void on_gap(void *ctx, const struct decode_gap *g)
{
	(void)ctx;
	gaps_seen.n++;
	gaps_seen.last = *g;
	gaps_seen.flow = *g->flow;
}

static struct decoder *mk_gaps(struct got *g)
{
	memset(g, 0, sizeof(*g));
	memset(&gaps_seen, 0, sizeof(gaps_seen));
	struct decode_config cfg = { .limits = limits_default(), .probe = sip_probe, .framer = sip_frame,
				     .sink = sink, .gap = on_gap, .sink_ctx = g };
	return decoder_new(&cfg);
}

static enum frame_result feed_at(struct decoder *d, const struct pkt *p, uint64_t num, int64_t ts)
{
	struct frame f = { .num = num, .ts_ns = ts, .point = 0, .linktype = DLT_EN10MB, .caplen = (uint32_t)p->n,
			   .len = (uint32_t)p->n, .data = p->b };
	decoder_tick(d, ts);
	return decoder_frame(d, &f);
}

/* tcp-lost-segment-10msgs.pcap (../shared/hostile): a segment the capture does
 * not hold, then more messages. The hole is waited for (limits.tcp_gap_wait_ns),
 * then given up: counted, told to the gap sink, and the messages behind it are
 * handed on with the frame and time of the segment that completed each. */
static void test_tcp_gap_resync(void **state)
{
	(void)state;
	struct got g;
	struct decoder *d = mk_gaps(&g);
	static struct pkt p;
	char m[6][200];
	size_t len[6];
	for (unsigned i = 0; i < 6; i++)
		len[i] = numbered(m[i], i);
	const int64_t S = 1000000000LL;
	uint32_t seq = 1000;
	eth_tcp4(&p, A, B, 40000, 5060, seq, 0x18, m[0], len[0]);
	assert_int_equal(feed_at(d, &p, 1, 0), FR_DELIVERED);
	seq += (uint32_t)len[0];
	/* message 1 in two pieces, the second one lost with the start of message 2 */
	eth_tcp4(&p, A, B, 40000, 5060, seq, 0x18, m[1], 40);
	assert_int_equal(feed_at(d, &p, 2, 1 * S), FR_HELD);
	uint32_t lost_from = seq + 40;
	seq += (uint32_t)len[1];
	seq += 30; /* 30 bytes of message 2 lost too */
	eth_tcp4(&p, A, B, 40000, 5060, seq, 0x18, m[2] + 30, len[2] - 30);
	assert_int_equal(feed_at(d, &p, 3, 1 * S + 1000000), FR_HELD);
	seq += (uint32_t)len[2] - 30;
	eth_tcp4(&p, A, B, 40000, 5060, seq, 0x18, m[3], len[3]);
	assert_int_equal(feed_at(d, &p, 4, 2 * S), FR_HELD);
	seq += (uint32_t)len[3];
	eth_tcp4(&p, A, B, 40000, 5060, seq, 0x18, m[4], len[4]);
	assert_int_equal(feed_at(d, &p, 5, 3 * S), FR_HELD);
	seq += (uint32_t)len[4];
	assert_int_equal(g.n, 1);
	assert_int_equal(gaps_seen.n, 0);
	/* more than 3 s after the hole opened: messages 3 and 4 come out, with their own frames */
	eth_tcp4(&p, A, B, 40000, 5060, seq, 0x18, m[5], len[5]);
	assert_int_equal(feed_at(d, &p, 6, 4 * S + 2000000), FR_DELIVERED);
	assert_int_equal(gaps_seen.n, 1);
	assert_int_equal(gaps_seen.last.frame_before, 2);
	assert_int_equal(gaps_seen.last.ts_before, 1 * S);
	assert_int_equal(gaps_seen.flow.frame, 3);
	assert_int_equal(gaps_seen.last.bytes, seq - (uint32_t)len[4] - (uint32_t)len[3] - ((uint32_t)len[2] - 30) - lost_from);
	assert_int_equal(decoder_stats(d)->tcp_gaps, 1);
	assert_int_equal(g.n, 4);
	assert_memory_equal(g.data[1], m[3], len[3]);
	assert_int_equal(g.dg[1].frame, 4);
	assert_int_equal(g.dg[1].ts_ns, 2 * S);
	assert_true(g.dg[1].after_gap);
	assert_memory_equal(g.data[2], m[4], len[4]);
	assert_int_equal(g.dg[2].frame, 5);
	assert_int_equal(g.dg[2].ts_ns, 3 * S);
	assert_false(g.dg[2].after_gap);
	assert_memory_equal(g.data[3], m[5], len[5]);
	assert_int_equal(g.dg[3].frame, 6);
	assert_int_equal(decoder_held_bytes(d) <= 4096 * 2, true);
	decoder_free(d);
}

/* At the end of the input, what waits behind a hole is handed on too. */
static void test_tcp_gap_at_end(void **state)
{
	(void)state;
	struct got g;
	struct decoder *d = mk_gaps(&g);
	static struct pkt p;
	char m[3][200];
	size_t len[3];
	for (unsigned i = 0; i < 3; i++)
		len[i] = numbered(m[i], i);
	eth_tcp4(&p, A, B, 40000, 5060, 1, 0x18, m[0], len[0]);
	feed_at(d, &p, 1, 0);
	uint32_t seq = 1 + (uint32_t)len[0] + 500; /* 500 bytes lost */
	eth_tcp4(&p, A, B, 40000, 5060, seq, 0x18, m[1], len[1]);
	assert_int_equal(feed_at(d, &p, 2, 1000), FR_HELD);
	eth_tcp4(&p, A, B, 40000, 5060, seq + (uint32_t)len[1], 0x18, m[2], len[2]);
	assert_int_equal(feed_at(d, &p, 3, 2000), FR_HELD);
	decoder_flush(d);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.dg[1].frame, 2);
	assert_int_equal(g.dg[2].frame, 3);
	assert_int_equal(gaps_seen.n, 1);
	assert_int_equal(gaps_seen.last.bytes, 500);
	decoder_free(d);
}

/* More segments behind a hole than limits.tcp_pending: given up at once, and
 * still each message with its own frame (not the frame that went over). */
static void test_tcp_gap_over_limit(void **state)
{
	(void)state;
	struct got g;
	struct decoder *d = mk_gaps(&g);
	struct limits lim = limits_default();
	static struct pkt p;
	char m[200];
	uint32_t seq = 5000;
	for (unsigned i = 0; i <= lim.tcp_pending + 1; i++) {
		size_t n = numbered(m, i);
		eth_tcp4(&p, A, B, 40000, 5060, seq, 0x18, m, n);
		enum frame_result fr = feed_at(d, &p, i + 1, (int64_t)i * 1000);
		seq += (uint32_t)n;
		if (i == 0)
			seq += 10; /* the hole after the first message */
		if (i > 0 && i <= lim.tcp_pending)
			assert_int_equal(fr, FR_HELD);
		else
			assert_int_equal(fr, FR_DELIVERED);
	}
	assert_int_equal(g.n, lim.tcp_pending + 2);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(g.dg[i].frame, i + 1);
	assert_int_equal(gaps_seen.n, 1);
	decoder_free(d);
}

/* A SIP message whose headers run past 64 KiB is skipped over TCP, as UDP
 * cannot carry it and a trace counts it too large: counted, and the stream
 * goes on with the next message. */
static void test_tcp_message_too_large(void **state)
{
	(void)state;
	struct got g;
	struct decoder *d = mk_gaps(&g);
	static char big[80000];
	size_t n = (size_t)snprintf(big, sizeof(big), "INVITE sip:b SIP/2.0\r\nCall-ID: big\r\n");
	while (n < 70000)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "X-Filler: %0100d\r\n", 7);
	n += (size_t)snprintf(big + n, sizeof(big) - n, "Content-Length: 0\r\n\r\n");
	n += numbered(big + n, 9);
	static struct pkt p;
	uint32_t seq = 1;
	uint64_t num = 0;
	for (size_t off = 0; off < n; off += 1400) {
		size_t k = n - off < 1400 ? n - off : 1400;
		eth_tcp4(&p, A, B, 40000, 5060, seq, 0x18, big + off, k);
		num++;
		feed_at(d, &p, num, (int64_t)num * 1000);
		seq += (uint32_t)k;
	}
	assert_int_equal(decoder_stats(d)->tcp_too_large, 1);
	assert_int_equal(g.n, 1);
	assert_true(strstr(g.data[0], "INVITE sip:9@b") == g.data[0]);
	decoder_free(d);
}

static void test_tcp_not_sip_is_not_tracked(void **state)
{
	(void)state;
	struct got g;
	struct decoder *d = mk(&g);
	static struct pkt p;
	eth_tcp4(&p, A, B, 40000, 443, 1, 0x18, "\x16\x03\x01\x02\x00 tls hello", 16);
	assert_int_equal(feed(d, &p, DLT_EN10MB, 1), FR_TCP_OTHER);
	assert_int_equal(decoder_held_bytes(d), 0);
	decoder_free(d);
}

static void test_websocket(void **state)
{
	(void)state;
	struct got g;
	struct decoder *d = mk(&g);
	static struct pkt p;
	static const char up[] = "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
				 "Sec-WebSocket-Protocol: sip\r\n\r\n";
	eth_tcp4(&p, A, B, 40000, 80, 1, 0x18, up, sizeof(up) - 1);
	assert_int_equal(feed(d, &p, DLT_EN10MB, 1), FR_HELD);
	/* one masked text frame carrying a SIP message */
	uint8_t frame[600];
	size_t n = sizeof(REG) - 1;
	const uint8_t mask[4] = { 0x11, 0x22, 0x33, 0x44 };
	frame[0] = 0x81;
	frame[1] = 0x80 | 126;
	frame[2] = (uint8_t)(n >> 8);
	frame[3] = (uint8_t)n;
	memcpy(frame + 4, mask, 4);
	ws_unmask(frame + 8, (const uint8_t *)REG, n, mask, 0);
	eth_tcp4(&p, A, B, 40000, 80, (uint32_t)(1 + sizeof(up) - 1), 0x18, frame, 8 + n);
	assert_int_equal(feed(d, &p, DLT_EN10MB, 2), FR_DELIVERED);
	assert_int_equal(g.n, 1);
	assert_memory_equal(g.data[0], REG, n);
	assert_true(g.dg[0].encap & ENC_WEBSOCKET);
	decoder_free(d);
}

static void test_hep3(void **state)
{
	(void)state;
	struct got g;
	struct decoder *d = mk(&g);
	static struct pkt h, p;
	h.n = 0;
	put(&h, "HEP3", 4);
	put16(&h, 0);
	const struct { uint16_t type; uint8_t len; uint32_t v; } chunks[] = {
		{ 1, 1, 2 }, { 2, 1, 17 }, { 7, 2, 5060 }, { 8, 2, 5080 }, { 9, 4, 1500000000 },
		{ 10, 4, 250000 }, { 11, 1, 1 }, { 12, 4, 2001 },
	};
	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		put16(&h, 0);
		put16(&h, chunks[i].type);
		put16(&h, (uint16_t)(6 + chunks[i].len));
		if (chunks[i].len == 1)
			put8(&h, (uint8_t)chunks[i].v);
		else if (chunks[i].len == 2)
			put16(&h, (uint16_t)chunks[i].v);
		else
			put32(&h, chunks[i].v);
	}
	put16(&h, 0); put16(&h, 3); put16(&h, 10); put(&h, A, 4);
	put16(&h, 0); put16(&h, 4); put16(&h, 10); put(&h, B, 4);
	put16(&h, 0); put16(&h, 15); put16(&h, (uint16_t)(6 + sizeof(OK200) - 1)); put(&h, OK200, sizeof(OK200) - 1);
	set16(&h, 4, (uint16_t)h.n);
	struct hep_info hi;
	assert_int_equal(hep3_parse(h.b, h.n, &hi), ST_OK);
	assert_int_equal(hi.capture_id, 2001);
	assert_int_equal(hep3_parse(h.b, h.n - 1, &hi), ST_TRUNCATED);
	const uint8_t col[4] = { 203, 0, 113, 9 };
	eth_udp4(&p, A, col, 40000, 9060, h.b, h.n);
	assert_int_equal(feed(d, &p, DLT_EN10MB, 1), FR_DELIVERED);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.dg[0].sport, 5060);
	assert_int_equal(g.dg[0].dport, 5080);
	assert_int_equal(g.dg[0].ts_ns, 1500000000LL * 1000000000LL + 250000000LL);
	assert_true(g.dg[0].encap & ENC_HEP);
	char buf[ADDR_STRLEN];
	assert_string_equal(addr_str(&g.dg[0].dst, buf), "198.51.100.2");
	decoder_free(d);
}

static void test_ipip_and_gre_erspan(void **state)
{
	(void)state;
	struct got g;
	struct decoder *d = mk(&g);
	static struct pkt inner, p;
	inner.n = 0;
	size_t at = ip4(&inner, 17, A, B, 1, 0);
	udp(&inner, 5060, 5060, "inner", 5);
	set16(&inner, at, (uint16_t)inner.n);
	/* IP-in-IP */
	p.n = 0;
	eth(&p, 0x0800);
	size_t s = p.n;
	at = ip4(&p, 4, B, A, 2, 0);
	put(&p, inner.b, inner.n);
	set16(&p, at, (uint16_t)(p.n - s));
	assert_int_equal(feed(d, &p, DLT_EN10MB, 1), FR_DELIVERED);
	assert_true(g.dg[0].encap & ENC_IPIP);
	/* GRE + ERSPAN type II (sequence bit set, 8-byte header) + Ethernet */
	p.n = 0;
	eth(&p, 0x0800);
	s = p.n;
	at = ip4(&p, 47, B, A, 3, 0);
	put16(&p, 0x1000);
	put16(&p, 0x88be);
	put32(&p, 7);
	put32(&p, 0x10000000);
	put32(&p, 0);
	eth(&p, 0x0800);
	put(&p, inner.b, inner.n);
	set16(&p, at, (uint16_t)(p.n - s));
	assert_int_equal(feed(d, &p, DLT_EN10MB, 2), FR_DELIVERED);
	assert_int_equal(g.n, 2);
	assert_true(g.dg[1].encap & ENC_ERSPAN);
	assert_memory_equal(g.data[1], "inner", 5);
	decoder_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ethernet_vlan_udp),
		cmocka_unit_test(test_other_link_types),
		cmocka_unit_test(test_snap_cut_is_truncated),
		cmocka_unit_test(test_ipv4_fragments_out_of_order),
		cmocka_unit_test(test_ipv4_fragment_table_full),
		cmocka_unit_test(test_ipv6_ext_headers_and_fragments),
		cmocka_unit_test(test_tcp_two_messages_in_one_segment),
		cmocka_unit_test(test_tcp_message_across_segments_with_retransmission),
		cmocka_unit_test(test_tcp_out_of_order),
		cmocka_unit_test(test_tcp_gap_resync),
		cmocka_unit_test(test_tcp_gap_at_end),
		cmocka_unit_test(test_tcp_gap_over_limit),
		cmocka_unit_test(test_tcp_message_too_large),
		cmocka_unit_test(test_tcp_not_sip_is_not_tracked),
		cmocka_unit_test(test_websocket),
		cmocka_unit_test(test_hep3),
		cmocka_unit_test(test_ipip_and_gre_erspan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
