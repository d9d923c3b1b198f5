/* SPDX-License-Identifier: MIT */
/* Unit tests for RTCP compound packets (RFC 3550 section 6, RFC 4585 feedback,
 * RFC 3611 XR with the VoIP metrics block): real packets from public captures
 * and hand-built ones for the corners (negative loss, padding, bad lengths). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/rtcp.h"

#define MAX_PKTS 8

struct walk {
	unsigned n;               /* packets returned (any status) */
	enum status st[MAX_PKTS];
	struct rtcp_pkt pkt[MAX_PKTS];
};

/* Runs the iterator to the end, as a caller would. */
static void walk(const uint8_t *p, size_t n, struct walk *w)
{
	struct rtcp_iter it;
	bool more = true;

	memset(w, 0, sizeof(*w));
	rtcp_iter_init(&it, p, n);
	while (more) {
		assert_true(w->n < MAX_PKTS);
		w->st[w->n] = rtcp_next(&it, &w->pkt[w->n], &more);
		w->n++;
	}
	/* index counts the packets whose header was read. */
	assert_true(it.index == w->n || it.index + 1 == w->n);
}

static void assert_sv(struct sv s, const char *want)
{
	assert_int_equal(s.n, strlen(want));
	assert_memory_equal(s.p, want, s.n);
}

/* RR + SDES from nDPI's rtcp_multiple_pkts_in_the_same_datagram.pcap
 * (FreeSWITCH: CNAME and a NOTE item). */
static const uint8_t fs_rr_sdes[] = {
	0x81, 0xc9, 0x00, 0x07, 0x01, 0x93, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0xbe, 0xc2, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x81, 0xca, 0x00, 0x0e,
	0x01, 0x93, 0x2d, 0xb4, 0x01, 0x07, 0x31, 0x39, 0x33, 0x32, 0x64, 0x62,
	0x34, 0x07, 0x25, 0x46, 0x72, 0x65, 0x65, 0x53, 0x57, 0x49, 0x54, 0x43,
	0x48, 0x2e, 0x6f, 0x72, 0x67, 0x20, 0x2d, 0x2d, 0x20, 0x43, 0x6f, 0x6d,
	0x65, 0x20, 0x74, 0x6f, 0x20, 0x43, 0x6c, 0x75, 0x65, 0x43, 0x6f, 0x6e,
	0x2e, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x00, 0x00,
};

static void test_real_rr_sdes(void **state)
{
	struct walk w;

	walk(fs_rr_sdes, sizeof(fs_rr_sdes), &w);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.st[0], ST_OK);
	assert_int_equal(w.pkt[0].pt, RTCP_RR);
	assert_int_equal(w.pkt[0].count, 1);
	assert_int_equal(w.pkt[0].len, 32);
	assert_int_equal(w.pkt[0].ssrc, 0x01932db4);
	assert_int_equal(w.pkt[0].n_blocks, 1);
	assert_int_equal(w.pkt[0].blocks[0].ssrc, 0);
	assert_int_equal(w.pkt[0].blocks[0].fraction_lost, 1);
	assert_int_equal(w.pkt[0].blocks[0].cum_lost, 1);
	assert_int_equal(w.pkt[0].blocks[0].ext_high_seq, 0xbec2);
	assert_int_equal(w.pkt[0].blocks[0].jitter, 1);
	assert_int_equal(w.st[1], ST_OK);
	assert_int_equal(w.pkt[1].pt, RTCP_SDES);
	assert_int_equal(w.pkt[1].len, 60);
	assert_int_equal(w.pkt[1].ssrc, 0x01932db4);
	assert_sv(w.pkt[1].cname, "1932db4");
	assert_true(rtcp_compound_valid(fs_rr_sdes, sizeof(fs_rr_sdes)));
}

/* SR + BYE with a reason, from goffinet's voip-extension.pcap. The report block
 * carries a negative cumulative loss (0xfffffa = -6, duplicates), and the reason
 * has a NUL byte inside its length. */
static const uint8_t sr_bye[] = {
	0x81, 0xc8, 0x00, 0x0c, 0x6b, 0xd4, 0x80, 0xaa, 0xce, 0x47, 0xdb, 0xfe,
	0xf2, 0xc1, 0xb8, 0x00, 0xcf, 0xf2, 0x52, 0x28, 0x00, 0x00, 0x01, 0x21,
	0x00, 0x00, 0xb4, 0xa0, 0x3e, 0xdd, 0x38, 0x82, 0x00, 0xff, 0xff, 0xfa,
	0x00, 0x00, 0x01, 0xba, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x81, 0xcb, 0x00, 0x07, 0x6b, 0xd4, 0x80, 0xaa,
	0x13, 0x53, 0x65, 0x73, 0x73, 0x69, 0x6f, 0x6e, 0x20, 0x74, 0x65, 0x72,
	0x6d, 0x69, 0x6e, 0x61, 0x74, 0x65, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static void test_real_sr_bye(void **state)
{
	struct walk w;

	walk(sr_bye, sizeof(sr_bye), &w);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.st[0], ST_OK);
	const struct rtcp_pkt *sr = &w.pkt[0];
	assert_int_equal(sr->pt, RTCP_SR);
	assert_int_equal(sr->len, 52);
	assert_int_equal(sr->ssrc, 0x6bd480aa);
	assert_true(sr->ntp == 0xce47dbfef2c1b800ull);
	assert_int_equal(sr->rtp_ts, 0xcff25228);
	assert_int_equal(sr->pkt_count, 289);
	assert_int_equal(sr->octet_count, 46240);
	assert_int_equal(sr->n_blocks, 1);
	assert_int_equal(sr->blocks[0].ssrc, 0x3edd3882);
	assert_int_equal(sr->blocks[0].fraction_lost, 0);
	assert_int_equal(sr->blocks[0].cum_lost, -6);
	assert_int_equal(sr->blocks[0].ext_high_seq, 0x1ba);
	assert_int_equal(sr->blocks[0].jitter, 15);
	assert_int_equal(w.st[1], ST_OK);
	assert_int_equal(w.pkt[1].pt, RTCP_BYE);
	assert_int_equal(w.pkt[1].count, 1);
	assert_int_equal(w.pkt[1].ssrc, 0x6bd480aa);
	assert_sv(w.pkt[1].bye_reason, "Session terminated");
	assert_true(rtcp_compound_valid(sr_bye, sizeof(sr_bye)));
}

/* RR without blocks + SDES with CNAME and a PRIV item, from X-Lite in
 * realjimmy's Asterisk_ZFONE_XLITE.pcap. */
static const uint8_t xlite[] = {
	0x80, 0xc9, 0x00, 0x01, 0xb7, 0x2a, 0x71, 0x04, 0x81, 0xca, 0x00, 0x1e,
	0xb7, 0x2a, 0x71, 0x04, 0x01, 0x3d, 0x44, 0x37, 0x46, 0x42, 0x45, 0x35,
	0x31, 0x46, 0x39, 0x34, 0x36, 0x41, 0x34, 0x30, 0x42, 0x36, 0x39, 0x35,
	0x44, 0x44, 0x31, 0x37, 0x36, 0x30, 0x44, 0x36, 0x45, 0x35, 0x41, 0x34,
	0x30, 0x41, 0x40, 0x75, 0x6e, 0x69, 0x71, 0x75, 0x65, 0x2e, 0x7a, 0x41,
	0x30, 0x43, 0x44, 0x45, 0x44, 0x44, 0x38, 0x31, 0x42, 0x39, 0x42, 0x34,
	0x46, 0x30, 0x44, 0x2e, 0x6f, 0x72, 0x67, 0x08, 0x31, 0x10, 0x78, 0x2d,
	0x72, 0x74, 0x70, 0x2d, 0x73, 0x65, 0x73, 0x73, 0x69, 0x6f, 0x6e, 0x2d,
	0x69, 0x64, 0x38, 0x34, 0x30, 0x30, 0x46, 0x31, 0x33, 0x42, 0x46, 0x32,
	0x41, 0x44, 0x34, 0x32, 0x32, 0x39, 0x38, 0x46, 0x36, 0x32, 0x46, 0x31,
	0x34, 0x45, 0x33, 0x45, 0x39, 0x42, 0x33, 0x37, 0x39, 0x42, 0x00, 0x00,
};

static void test_real_xlite(void **state)
{
	struct walk w;

	walk(xlite, sizeof(xlite), &w);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.st[0], ST_OK);
	assert_int_equal(w.pkt[0].pt, RTCP_RR);
	assert_int_equal(w.pkt[0].n_blocks, 0);
	assert_int_equal(w.pkt[0].ssrc, 0xb72a7104);
	assert_int_equal(w.st[1], ST_OK);
	assert_sv(w.pkt[1].cname, "D7FBE51F946A40B695DD1760D6E5A40A@unique.zA0CDEDD81B9B4F0D.org");
	assert_true(rtcp_compound_valid(xlite, sizeof(xlite)));
}

/* Hand-built: RR whose block reports -5 lost, then SDES with two chunks; the
 * first has CNAME, NAME and TOOL, the second another CNAME (not reported). */
static const uint8_t rr_sdes2[] = {
	0x81, 0xc9, 0x00, 0x07, 0x11, 0x22, 0x33, 0x44,
	0xaa, 0xbb, 0xcc, 0xdd, 0x40, 0xff, 0xff, 0xfb, /* frac 64, cum -5 */
	0x00, 0x01, 0xff, 0xff, 0x00, 0x00, 0x00, 0x7b, /* ehs, jitter 123 */
	0x12, 0x34, 0x56, 0x78, 0x00, 0x01, 0x00, 0x00, /* lsr, dlsr 1 s */
	0x82, 0xca, 0x00, 0x12, 0x11, 0x22, 0x33, 0x44,
	0x01, 0x11, 'a', 'l', 'i', 'c', 'e', '@', 'e', 'x', 'a', 'm', 'p', 'l',
	'e', '.', 'c', 'o', 'm',
	0x02, 0x05, 'A', 'l', 'i', 'c', 'e',
	0x06, 0x0c, 'd', 'e', 'a', 'd', 'a', 'i', 'r', '-', 't', 'e', 's', 't',
	0x00, 0x00, 0x00, 0x00,     /* null item, padding */
	0x55, 0x66, 0x77, 0x88,
	0x01, 0x0f, 'b', 'o', 'b', '@', 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.',
	'o', 'r', 'g', 0x00, 0x00, 0x00,
};

static void test_rr_negative_loss_sdes_items(void **state)
{
	struct walk w;

	assert_int_equal(sizeof(rr_sdes2), 108);
	walk(rr_sdes2, sizeof(rr_sdes2), &w);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.st[0], ST_OK);
	const struct rtcp_report_block *b = &w.pkt[0].blocks[0];
	assert_int_equal(b->ssrc, 0xaabbccdd);
	assert_int_equal(b->fraction_lost, 64);
	assert_int_equal(b->cum_lost, -5);
	assert_int_equal(b->ext_high_seq, 0x0001ffff);
	assert_int_equal(b->jitter, 123);
	assert_int_equal(b->lsr, 0x12345678);
	assert_int_equal(b->dlsr, 65536);
	assert_int_equal(w.st[1], ST_OK);
	assert_int_equal(w.pkt[1].count, 2);
	assert_int_equal(w.pkt[1].ssrc, 0x11223344);
	assert_sv(w.pkt[1].cname, "alice@example.com");
	assert_true(rtcp_compound_valid(rr_sdes2, sizeof(rr_sdes2)));
}

static void test_sdes_cname_not_first_item(void **state)
{
	static const uint8_t p[] = {
		0x81, 0xca, 0x00, 0x03, 0x00, 0x00, 0x00, 0x09,
		0x07, 0x01, 'x',       /* NOTE */
		0x01, 0x02, 'h', 'i',  /* CNAME */
		0x00,
	};
	struct walk w;

	walk(p, sizeof(p), &w);
	assert_int_equal(w.st[0], ST_OK);
	assert_int_equal(w.pkt[0].ssrc, 9);
	assert_sv(w.pkt[0].cname, "hi");
}

static void test_sdes_no_cname_in_first_chunk(void **state)
{
	/* Only the first chunk is looked at for the CNAME. */
	static const uint8_t p[] = {
		0x82, 0xca, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01,
		0x02, 0x01, 'x', 0x00,
		0x00, 0x00, 0x00, 0x02,
		0x01, 0x01, 'y', 0x00,
	};
	struct walk w;

	walk(p, sizeof(p), &w);
	assert_int_equal(w.st[0], ST_OK);
	assert_int_equal(w.pkt[0].ssrc, 1);
	assert_null(w.pkt[0].cname.p);
	assert_int_equal(w.pkt[0].cname.n, 0);
}

static void test_sdes_lenient_end(void **state)
{
	/* No null item: the chunk ends with the packet. Tolerated. Also an
	 * empty SDES (count 0) and a chunk whose terminator is its last byte. */
	static const uint8_t p[] = {
		0x81, 0xca, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01,
		0x01, 0x02, 'a', 'b',
		0x80, 0xca, 0x00, 0x00,
	};
	struct walk w;

	walk(p, sizeof(p), &w);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.st[0], ST_OK);
	assert_sv(w.pkt[0].cname, "ab");
	assert_int_equal(w.st[1], ST_OK);
	assert_int_equal(w.pkt[1].count, 0);
	assert_int_equal(w.pkt[1].ssrc, 0);
}

static void test_sdes_item_overruns(void **state)
{
	/* CNAME claims 9 bytes, the packet window holds 2: the datagram has more
	 * bytes after it, but the window stops the read. */
	static const uint8_t p[] = {
		0x81, 0xca, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01,
		0x01, 0x09, 'a', 'b',
		0x80, 0xc9, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
	};
	struct walk w;

	walk(p, sizeof(p), &w);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.st[0], ST_MALFORMED);
	/* The framing is fine, so the structural check passes all the same. */
	assert_true(rtcp_compound_valid(p, sizeof(p)));
}

static void test_sdes_chunks_overrun(void **state)
{
	/* Count 3 chunks, room for one. */
	static const uint8_t p[] = {
		0x83, 0xca, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01,
		0x01, 0x01, 'a', 0x00,
	};
	struct walk w;

	walk(p, sizeof(p), &w);
	assert_int_equal(w.st[0], ST_MALFORMED);
	assert_true(rtcp_compound_valid(p, sizeof(p)));
}

/* Hand-built: SR with two blocks at the limits of the signed 24-bit loss. */
static void test_sr_loss_limits(void **state)
{
	static const uint8_t p[] = {
		0x82, 0xc8, 0x00, 0x12, 0x11, 0x22, 0x33, 0x44,
		0xe5, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07, /* NTP */
		0x00, 0x02, 0x71, 0x00, 0x00, 0x00, 0x03, 0xe8, /* RTP ts, packets */
		0x00, 0x02, 0x71, 0x00,                         /* octets */
		0x00, 0x00, 0x00, 0x01, 0x00, 0x7f, 0xff, 0xff,
		0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0, 7, 0, 0, 0, 8,
		0x00, 0x00, 0x00, 0x02, 0xff, 0x80, 0x00, 0x00,
		0, 0, 0, 9, 0, 0, 0, 10, 0, 0, 0, 11, 0, 0, 0, 12,
	};
	struct walk w;

	walk(p, sizeof(p), &w);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.st[0], ST_OK);
	assert_true(w.pkt[0].ntp == 0xe5a1b2c3d4e5f607ull);
	assert_int_equal(w.pkt[0].rtp_ts, 160000);
	assert_int_equal(w.pkt[0].pkt_count, 1000);
	assert_int_equal(w.pkt[0].octet_count, 160000);
	assert_int_equal(w.pkt[0].n_blocks, 2);
	assert_int_equal(w.pkt[0].blocks[0].cum_lost, 0x7fffff);
	assert_int_equal(w.pkt[0].blocks[1].cum_lost, -0x800000);
	assert_int_equal(w.pkt[0].blocks[1].fraction_lost, 255);
	assert_int_equal(w.pkt[0].blocks[1].dlsr, 12);
}

static void test_rr_count_exceeds_length(void **state)
{
	/* RC says 2 blocks, the length has room for 1. */
	static const uint8_t p[] = {
		0x82, 0xc9, 0x00, 0x07, 0x00, 0x00, 0x00, 0x01,
		0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	struct walk w;

	walk(p, sizeof(p), &w);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.st[0], ST_MALFORMED);
	assert_int_equal(w.pkt[0].n_blocks, 1);
	assert_int_equal(w.pkt[0].blocks[0].cum_lost, 1);
}

static void test_rr_profile_extension(void **state)
{
	/* Bytes after the report blocks are a profile extension: accepted. */
	static const uint8_t p[] = {
		0x80, 0xc9, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01,
		0xde, 0xad, 0xbe, 0xef,
	};
	struct walk w;

	walk(p, sizeof(p), &w);
	assert_int_equal(w.st[0], ST_OK);
	assert_int_equal(w.pkt[0].n_blocks, 0);
	assert_true(rtcp_compound_valid(p, sizeof(p)));
}

/* Hand-built: RR, then XR with a receiver reference time block (type 4) and a
 * VoIP metrics block (type 7, RFC 3611 section 4.7). */
static const uint8_t rr_xr[] = {
	0x80, 0xc9, 0x00, 0x01, 0x11, 0x22, 0x33, 0x44,
	0x80, 0xcf, 0x00, 0x0d, 0x11, 0x22, 0x33, 0x44,
	0x04, 0x00, 0x00, 0x02, 0xe5, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07,
	0x07, 0x00, 0x00, 0x08,
	0xaa, 0xbb, 0xcc, 0xdd,     /* SSRC */
	12, 3, 40, 2,               /* loss, discard, burst density, gap density */
	0x00, 0x78, 0x0f, 0xa0,     /* burst 120 ms, gap 4000 ms */
	0x00, 0x55, 0x00, 0x28,     /* round trip 85 ms, end system 40 ms */
	0x9d, 0xa8, 0x7f, 0x10,     /* signal, noise, RERL, Gmin */
	82, 127, 41, 38,            /* R, external R, MOS-LQ 4.1, MOS-CQ 3.8 */
	0x83, 0x00, 0x00, 0x3c,     /* RX config, reserved, JB nominal */
	0x00, 0x78, 0x00, 0xc8,     /* JB maximum, JB abs max */
};

static void test_xr_voip(void **state)
{
	struct walk w;

	walk(rr_xr, sizeof(rr_xr), &w);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.st[1], ST_OK);
	const struct rtcp_pkt *x = &w.pkt[1];
	assert_int_equal(x->pt, RTCP_XR);
	assert_int_equal(x->len, 56);
	assert_int_equal(x->ssrc, 0x11223344);
	assert_int_equal(x->n_xr_blocks, 2);
	assert_true(x->has_voip);
	assert_int_equal(x->voip.ssrc, 0xaabbccdd);
	assert_int_equal(x->voip.loss_rate, 12);
	assert_int_equal(x->voip.discard_rate, 3);
	assert_int_equal(x->voip.burst_density, 40);
	assert_int_equal(x->voip.gap_density, 2);
	assert_int_equal(x->voip.burst_duration, 120);
	assert_int_equal(x->voip.gap_duration, 4000);
	assert_int_equal(x->voip.round_trip_delay, 85);
	assert_int_equal(x->voip.end_system_delay, 40);
	assert_int_equal(x->voip.r_factor, 82);
	assert_int_equal(x->voip.mos_lq, 41);
	assert_int_equal(x->voip.mos_cq, 38);
	assert_true(rtcp_compound_valid(rr_xr, sizeof(rr_xr)));
}

static void test_xr_block_overruns(void **state)
{
	/* The VoIP block says 9 words; the XR packet window has 4 left. */
	uint8_t p[sizeof(rr_xr)];
	struct walk w;

	memcpy(p, rr_xr, sizeof(p));
	p[11] = 0x07; /* XR length: 32 bytes, cutting the VoIP block */
	walk(p, 8 + 32, &w);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.st[1], ST_MALFORMED);
	assert_int_equal(w.pkt[1].n_xr_blocks, 1);
	assert_false(w.pkt[1].has_voip);
}

static void test_xr_voip_too_short(void **state)
{
	/* A type 7 block of 2 words: too short for the metrics. */
	static const uint8_t p[] = {
		0x80, 0xcf, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01,
		0x07, 0x00, 0x00, 0x02, 0, 0, 0, 1, 5, 0, 0, 0,
	};
	struct walk w;

	walk(p, sizeof(p), &w);
	assert_int_equal(w.st[0], ST_MALFORMED);
	assert_false(w.pkt[0].has_voip);
}

static void test_xr_unknown_and_empty_blocks(void **state)
{
	/* Unknown block type 42 of 1 word, then a header-only block (length 0). */
	static const uint8_t p[] = {
		0x80, 0xcf, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01,
		42, 0x00, 0x00, 0x01, 1, 2, 3, 4,
		0x05, 0x00, 0x00, 0x00,
	};
	struct walk w;

	walk(p, sizeof(p), &w);
	assert_int_equal(w.st[0], ST_OK);
	assert_int_equal(w.pkt[0].n_xr_blocks, 2);
	assert_false(w.pkt[0].has_voip);
}

static void test_xr_partial_block_header(void **state)
{
	static const uint8_t p[] = {
		0x80, 0xcf, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01,
		0x07, 0x00, 0x00, 0x00,
	};
	struct walk w;

	/* A 4-byte block of type 7 (length 0): header only, too short. */
	walk(p, sizeof(p), &w);
	assert_int_equal(w.st[0], ST_MALFORMED);
}

static void test_bye(void **state)
{
	/* BYE for two sources without a reason, then BYE with reason "bye!"
	 * (padded with zeros to the 32-bit boundary). */
	static const uint8_t p[] = {
		0x80, 0xc9, 0x00, 0x01, 0, 0, 0, 1,
		0x82, 0xcb, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2,
		0x81, 0xcb, 0x00, 0x03, 0, 0, 0, 3, 4, 'b', 'y', 'e', '!', 0, 0, 0,
	};
	struct walk w;

	walk(p, sizeof(p), &w);
	assert_int_equal(w.n, 3);
	assert_int_equal(w.st[1], ST_OK);
	assert_int_equal(w.pkt[1].count, 2);
	assert_int_equal(w.pkt[1].ssrc, 1);
	assert_int_equal(w.pkt[1].bye_reason.n, 0);
	assert_int_equal(w.st[2], ST_OK);
	assert_int_equal(w.pkt[2].ssrc, 3);
	assert_sv(w.pkt[2].bye_reason, "bye!");
	assert_true(rtcp_compound_valid(p, sizeof(p)));
}

static void test_bye_reason_overruns(void **state)
{
	static const uint8_t p[] = {
		0x81, 0xcb, 0x00, 0x02, 0, 0, 0, 3, 9, 'b', 'y', 'e',
		'!', '!', '!', '!', '!', '!',
	};
	struct walk w;

	walk(p, sizeof(p), &w);
	assert_int_equal(w.st[0], ST_MALFORMED);
	assert_int_equal(w.pkt[0].bye_reason.n, 0);
}

static void test_bye_ssrcs_overrun(void **state)
{
	static const uint8_t p[] = { 0x83, 0xcb, 0x00, 0x01, 0, 0, 0, 3 };
	struct walk w;

	walk(p, sizeof(p), &w);
	assert_int_equal(w.st[0], ST_MALFORMED);
	assert_int_equal(w.pkt[0].ssrc, 3);
}

static void test_app(void **state)
{
	static const uint8_t p[] = {
		0x80, 0xc9, 0x00, 0x01, 0, 0, 0, 1,
		0x83, 0xcc, 0x00, 0x03, 0x11, 0x22, 0x33, 0x44, 'P', 'o', 'C', '1',
		1, 2, 3, 4,
		0x80, 0xcc, 0x00, 0x02, 0, 0, 0, 5, 'a', 0x00, 0x0a, 0xff,
	};
	struct walk w;

	walk(p, sizeof(p), &w);
	assert_int_equal(w.n, 3);
	assert_int_equal(w.st[1], ST_OK);
	assert_int_equal(w.pkt[1].count, 3); /* subtype */
	assert_int_equal(w.pkt[1].ssrc, 0x11223344);
	assert_string_equal(w.pkt[1].app_name, "PoC1");
	/* Bytes that are not printable ASCII never reach a report. */
	assert_int_equal(w.st[2], ST_OK);
	assert_string_equal(w.pkt[2].app_name, "a???");
}

static void test_app_short(void **state)
{
	static const uint8_t p[] = { 0x80, 0xcc, 0x00, 0x01, 0, 0, 0, 5 };
	struct walk w;

	walk(p, sizeof(p), &w);
	assert_int_equal(w.st[0], ST_MALFORMED);
}

static void test_feedback(void **state)
{
	/* Generic NACK (RTPFB FMT 1) and PLI (PSFB FMT 1), RFC 4585. */
	static const uint8_t p[] = {
		0x80, 0xc9, 0x00, 0x01, 0x11, 0x22, 0x33, 0x44,
		0x81, 0xcd, 0x00, 0x03, 0x11, 0x22, 0x33, 0x44, 0xaa, 0xbb, 0xcc, 0xdd,
		0x00, 0x64, 0x00, 0x03,
		0x81, 0xce, 0x00, 0x02, 0x55, 0x66, 0x77, 0x88, 0xaa, 0xbb, 0xcc, 0xdd,
	};
	struct walk w;

	walk(p, sizeof(p), &w);
	assert_int_equal(w.n, 3);
	assert_int_equal(w.st[1], ST_OK);
	assert_int_equal(w.pkt[1].pt, RTCP_RTPFB);
	assert_int_equal(w.pkt[1].count, 1);
	assert_int_equal(w.pkt[1].ssrc, 0x11223344);
	assert_int_equal(w.st[2], ST_OK);
	assert_int_equal(w.pkt[2].pt, RTCP_PSFB);
	assert_int_equal(w.pkt[2].ssrc, 0x55667788);
	assert_true(rtcp_compound_valid(p, sizeof(p)));
	/* RFC 5506 reduced-size: a PLI alone is accepted. */
	assert_true(rtcp_compound_valid(p + 24, 12));
	/* A feedback message without the media SSRC is malformed. */
	static const uint8_t shortfb[] = { 0x81, 0xce, 0x00, 0x01, 0, 0, 0, 1 };
	walk(shortfb, sizeof(shortfb), &w);
	assert_int_equal(w.st[0], ST_MALFORMED);
}

static void test_unknown_type(void **state)
{
	/* IJ (195, RFC 5450) is in the RTCP range but not decoded: framed only. */
	static const uint8_t p[] = {
		0x80, 0xc9, 0x00, 0x01, 0, 0, 0, 1,
		0x81, 0xc3, 0x00, 0x01, 0, 0, 0, 7,
	};
	struct walk w;

	walk(p, sizeof(p), &w);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.st[1], ST_OK);
	assert_int_equal(w.pkt[1].pt, 195);
	assert_int_equal(w.pkt[1].ssrc, 7);
	assert_true(rtcp_compound_valid(p, sizeof(p)));
	/* But it may not come first. */
	assert_false(rtcp_compound_valid(p + 8, 8));
}

static void test_padding_last(void **state)
{
	/* RR, then SDES with P set: 8 bytes of padding, count in the last byte. */
	static const uint8_t p[] = {
		0x80, 0xc9, 0x00, 0x01, 0x11, 0x22, 0x33, 0x44,
		0xa1, 0xca, 0x00, 0x05, 0x11, 0x22, 0x33, 0x44,
		0x01, 0x03, 'x', '@', 'y', 0x00, 0x00, 0x00,
		0, 0, 0, 0, 0, 0, 0, 8,
	};
	struct walk w;

	walk(p, sizeof(p), &w);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.st[1], ST_OK);
	assert_true(w.pkt[1].padding);
	assert_int_equal(w.pkt[1].len, 24);
	assert_sv(w.pkt[1].cname, "x@y");
	assert_true(rtcp_compound_valid(p, sizeof(p)));
}

static void test_padding_bad(void **state)
{
	uint8_t p[] = {
		0xa0, 0xc9, 0x00, 0x02, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0,
	};
	struct walk w;

	/* Count 0. */
	walk(p, sizeof(p), &w);
	assert_int_equal(w.st[0], ST_MALFORMED);
	/* Count larger than the packet body. */
	p[11] = 9;
	walk(p, sizeof(p), &w);
	assert_int_equal(w.st[0], ST_MALFORMED);
	/* Padding that eats into the SSRC: the body is then too short. */
	p[11] = 8;
	walk(p, sizeof(p), &w);
	assert_int_equal(w.st[0], ST_MALFORMED);
	/* Exactly the 4 extra bytes: fine. */
	p[11] = 4;
	walk(p, sizeof(p), &w);
	assert_int_equal(w.st[0], ST_OK);
	assert_int_equal(w.pkt[0].ssrc, 0x11223344);
}

static void test_padding_not_last(void **state)
{
	/* Padding on the first of two packets: the iterator reads both, but
	 * the compound is not valid (RFC 3550 section 6.4.1). */
	static const uint8_t p[] = {
		0xa0, 0xc9, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 4,
		0x80, 0xc9, 0x00, 0x01, 0, 0, 0, 2,
	};
	struct walk w;

	walk(p, sizeof(p), &w);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.st[0], ST_OK);
	assert_int_equal(w.st[1], ST_OK);
	assert_false(rtcp_compound_valid(p, sizeof(p)));
}

static void test_length_beyond_datagram(void **state)
{
	struct walk w;

	/* The SDES claims 60 bytes, 59 are there. */
	walk(fs_rr_sdes, sizeof(fs_rr_sdes) - 1, &w);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.st[0], ST_OK);
	assert_int_equal(w.st[1], ST_TRUNCATED);
	assert_int_equal(w.pkt[1].pt, RTCP_SDES);
	assert_int_equal(w.pkt[1].len, 60);
	assert_false(rtcp_compound_valid(fs_rr_sdes, sizeof(fs_rr_sdes) - 1));
}

static void test_trailing_bytes(void **state)
{
	/* Two stray bytes after the last packet (seen in heplify's
	 * rtp_rtcp_sip_ipv4_udp.pcap): packets read, then TRUNCATED. */
	uint8_t p[sizeof(xlite) + 2];
	struct walk w;

	memcpy(p, xlite, sizeof(xlite));
	p[sizeof(xlite)] = 0;
	p[sizeof(xlite) + 1] = 0;
	walk(p, sizeof(p), &w);
	assert_int_equal(w.n, 3);
	assert_int_equal(w.st[0], ST_OK);
	assert_int_equal(w.st[1], ST_OK);
	assert_int_equal(w.st[2], ST_TRUNCATED);
	assert_false(rtcp_compound_valid(p, sizeof(p)));
}

static void test_not_rtcp(void **state)
{
	struct walk w;
	/* RTP (PT 8) and a version 1 header. */
	static const uint8_t rtp[] = { 0x80, 0x08, 0x00, 0x01, 0, 0, 0, 0 };
	static const uint8_t v1[] = { 0x40, 0xc9, 0x00, 0x01, 0, 0, 0, 0 };
	/* Valid RR, then something that is not RTCP. */
	static const uint8_t mixed[] = {
		0x80, 0xc9, 0x00, 0x01, 0, 0, 0, 1,
		0x80, 0x08, 0x00, 0x01, 0, 0, 0, 0,
	};

	walk(rtp, sizeof(rtp), &w);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.st[0], ST_MALFORMED);
	assert_false(rtcp_compound_valid(rtp, sizeof(rtp)));
	walk(v1, sizeof(v1), &w);
	assert_int_equal(w.st[0], ST_MALFORMED);
	assert_false(rtcp_compound_valid(v1, sizeof(v1)));
	walk(mixed, sizeof(mixed), &w);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.st[0], ST_OK);
	assert_int_equal(w.st[1], ST_MALFORMED);
	assert_false(rtcp_compound_valid(mixed, sizeof(mixed)));
}

static void test_empty_and_tiny(void **state)
{
	struct walk w;
	static const uint8_t p[] = { 0x80, 0xc9, 0x00 };

	walk(NULL, 0, &w);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.st[0], ST_TRUNCATED);
	for (size_t n = 1; n <= sizeof(p); n++) {
		walk(p, n, &w);
		assert_int_equal(w.n, 1);
		assert_int_equal(w.st[0], ST_TRUNCATED);
		assert_false(rtcp_compound_valid(p, n));
	}
	assert_false(rtcp_compound_valid(NULL, 0));
}

static void test_iter_after_end(void **state)
{
	struct rtcp_iter it;
	struct rtcp_pkt pkt;
	bool more;

	rtcp_iter_init(&it, xlite, sizeof(xlite));
	assert_int_equal(rtcp_next(&it, &pkt, &more), ST_OK);
	assert_true(more);
	assert_int_equal(rtcp_next(&it, &pkt, &more), ST_OK);
	assert_false(more);
	assert_true(it.done);
	assert_int_equal(it.index, 2);
	/* Calling again is harmless. */
	assert_int_equal(rtcp_next(&it, &pkt, &more), ST_TRUNCATED);
	assert_false(more);
	assert_int_equal(pkt.pt, 0);
	assert_int_equal(it.index, 2);
}

static void test_compound_first_type(void **state)
{
	/* Reduced-size RTCP: an SDES or BYE alone is accepted leniently. */
	static const uint8_t bye[] = { 0x81, 0xcb, 0x00, 0x01, 0, 0, 0, 1 };
	static const uint8_t t208[] = { 0x80, 0xd0, 0x00, 0x01, 0, 0, 0, 1 };

	assert_true(rtcp_compound_valid(bye, sizeof(bye)));
	assert_false(rtcp_compound_valid(t208, sizeof(t208)));
	/* Exact length: one byte more or less breaks it. */
	assert_false(rtcp_compound_valid(sr_bye, sizeof(sr_bye) - 4));
	assert_true(rtcp_compound_valid(sr_bye, 52));
}

static void test_max_length(void **state)
{
	/* Length 0xffff: 262144 bytes claimed, no arithmetic surprise. */
	static const uint8_t p[] = { 0x80, 0xc9, 0xff, 0xff, 0, 0, 0, 1 };
	struct walk w;

	walk(p, sizeof(p), &w);
	assert_int_equal(w.st[0], ST_TRUNCATED);
	assert_int_equal(w.pkt[0].len, 262144);
	assert_false(rtcp_compound_valid(p, sizeof(p)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_rr_sdes),
		cmocka_unit_test(test_real_sr_bye),
		cmocka_unit_test(test_real_xlite),
		cmocka_unit_test(test_rr_negative_loss_sdes_items),
		cmocka_unit_test(test_sdes_cname_not_first_item),
		cmocka_unit_test(test_sdes_no_cname_in_first_chunk),
		cmocka_unit_test(test_sdes_lenient_end),
		cmocka_unit_test(test_sdes_item_overruns),
		cmocka_unit_test(test_sdes_chunks_overrun),
		cmocka_unit_test(test_sr_loss_limits),
		cmocka_unit_test(test_rr_count_exceeds_length),
		cmocka_unit_test(test_rr_profile_extension),
		cmocka_unit_test(test_xr_voip),
		cmocka_unit_test(test_xr_block_overruns),
		cmocka_unit_test(test_xr_voip_too_short),
		cmocka_unit_test(test_xr_unknown_and_empty_blocks),
		cmocka_unit_test(test_xr_partial_block_header),
		cmocka_unit_test(test_bye),
		cmocka_unit_test(test_bye_reason_overruns),
		cmocka_unit_test(test_bye_ssrcs_overrun),
		cmocka_unit_test(test_app),
		cmocka_unit_test(test_app_short),
		cmocka_unit_test(test_feedback),
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_padding_last),
		cmocka_unit_test(test_padding_bad),
		cmocka_unit_test(test_padding_not_last),
		cmocka_unit_test(test_length_beyond_datagram),
		cmocka_unit_test(test_trailing_bytes),
		cmocka_unit_test(test_not_rtcp),
		cmocka_unit_test(test_empty_and_tiny),
		cmocka_unit_test(test_iter_after_end),
		cmocka_unit_test(test_compound_first_type),
		cmocka_unit_test(test_max_length),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
