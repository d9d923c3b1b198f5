/* SPDX-License-Identifier: MIT */
/* Unit tests for the RTP header parser (RFC 3550 section 5.1), the RFC 5761
 * RTP/RTCP demultiplexing rule and RFC 4733 telephone-events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/rtp.h"

/* V=2, PT 0, seq 0x1234, ts 0x01020304, SSRC 0xdeadbeef, 4 bytes of payload. */
static const uint8_t plain[] = {
	0x80, 0x00, 0x12, 0x34, 0x01, 0x02, 0x03, 0x04,
	0xde, 0xad, 0xbe, 0xef, 0xd5, 0xd5, 0xd5, 0xd5,
};

static void test_plain(void **state)
{
	struct rtp_hdr h;

	assert_int_equal(rtp_parse(plain, sizeof(plain), &h), ST_OK);
	assert_int_equal(h.version, 2);
	assert_false(h.padding);
	assert_false(h.extension);
	assert_false(h.marker);
	assert_int_equal(h.cc, 0);
	assert_int_equal(h.pt, 0);
	assert_int_equal(h.seq, 0x1234);
	assert_int_equal(h.ts, 0x01020304);
	assert_int_equal(h.ssrc, 0xdeadbeef);
	assert_ptr_equal(h.payload, plain + 12);
	assert_int_equal(h.payload_len, 4);
}

static void test_header_only(void **state)
{
	struct rtp_hdr h;

	assert_int_equal(rtp_parse(plain, 12, &h), ST_OK);
	assert_int_equal(h.payload_len, 0);
	assert_ptr_equal(h.payload, plain + 12);
}

static void test_marker_and_pt(void **state)
{
	uint8_t p[16];
	struct rtp_hdr h;

	memcpy(p, plain, sizeof(p));
	p[1] = 0x80 | 101;
	assert_int_equal(rtp_parse(p, sizeof(p), &h), ST_OK);
	assert_true(h.marker);
	assert_int_equal(h.pt, 101);
	p[1] = 0x7f;
	assert_int_equal(rtp_parse(p, sizeof(p), &h), ST_OK);
	assert_false(h.marker);
	assert_int_equal(h.pt, 127);
}

static void test_csrc(void **state)
{
	static const uint8_t p[] = {
		0x83, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00, 0xa0,
		0x00, 0x00, 0x00, 0x01,
		0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22,
		0x33, 0x33, 0x33, 0x33,
		0xaa, 0xbb,
	};
	struct rtp_hdr h;

	assert_int_equal(rtp_parse(p, sizeof(p), &h), ST_OK);
	assert_int_equal(h.cc, 3);
	assert_int_equal(h.csrc[0], 0x11111111);
	assert_int_equal(h.csrc[1], 0x22222222);
	assert_int_equal(h.csrc[2], 0x33333333);
	assert_int_equal(h.csrc[3], 0);
	assert_int_equal(h.pt, 8);
	assert_ptr_equal(h.payload, p + 24);
	assert_int_equal(h.payload_len, 2);
	/* One CSRC byte short. */
	assert_int_equal(rtp_parse(p, 23, &h), ST_TRUNCATED);
}

static void test_max_csrc(void **state)
{
	uint8_t p[12 + 15 * 4];
	struct rtp_hdr h;

	memset(p, 0, sizeof(p));
	p[0] = 0x8f;
	for (unsigned i = 0; i < 15; i++)
		p[12 + i * 4 + 3] = (uint8_t)(i + 1);
	assert_int_equal(rtp_parse(p, sizeof(p), &h), ST_OK);
	assert_int_equal(h.cc, 15);
	assert_int_equal(h.csrc[14], 15);
	assert_int_equal(h.payload_len, 0);
	assert_int_equal(rtp_parse(p, sizeof(p) - 1, &h), ST_TRUNCATED);
}

/* A real Opus packet with a one-byte-header extension (RFC 8285, 0xBEDE) of
 * two words, from ntop nDPI's rtp.pcapng (first 24 of its 111 bytes). */
static const uint8_t ext_pkt[] = {
	0x90, 0x78, 0xcd, 0x06, 0xed, 0xea, 0x9d, 0x25, 0x00, 0x1a, 0x75, 0x7d,
	0xbe, 0xde, 0x00, 0x02, 0xb6, 0xbe, 0x83, 0x94, 0xd0, 0x26, 0x5a, 0xe4,
	0x09, 0xca, 0x20, 0x29,
};

static void test_extension(void **state)
{
	struct rtp_hdr h;

	assert_int_equal(rtp_parse(ext_pkt, sizeof(ext_pkt), &h), ST_OK);
	assert_true(h.extension);
	assert_int_equal(h.pt, 120);
	assert_int_equal(h.seq, 52486);
	assert_int_equal(h.ssrc, 0x001a757d);
	assert_int_equal(h.ext_profile, 0xbede);
	assert_int_equal(h.ext_words, 2);
	assert_ptr_equal(h.payload, ext_pkt + 24);
	assert_int_equal(h.payload_len, 4);
	/* Exactly header + extension: empty payload. */
	assert_int_equal(rtp_parse(ext_pkt, 24, &h), ST_OK);
	assert_int_equal(h.payload_len, 0);
	/* Extension body cut short, and extension header cut short. */
	assert_int_equal(rtp_parse(ext_pkt, 23, &h), ST_TRUNCATED);
	assert_int_equal(h.ext_words, 2);
	assert_int_equal(rtp_parse(ext_pkt, 14, &h), ST_TRUNCATED);
}

static void test_extension_huge_length(void **state)
{
	/* 0xffff words claimed, 4 bytes present. */
	static const uint8_t p[] = {
		0x90, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1,
		0x10, 0x00, 0xff, 0xff, 1, 2, 3, 4,
	};
	struct rtp_hdr h;

	assert_int_equal(rtp_parse(p, sizeof(p), &h), ST_TRUNCATED);
	assert_int_equal(h.ext_profile, 0x1000);
	assert_int_equal(h.ext_words, 0xffff);
}

static void test_padding(void **state)
{
	/* 5 payload bytes and 3 padding bytes, the last one counting them. */
	static const uint8_t p[] = {
		0xa0, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1,
		1, 2, 3, 4, 5, 0, 0, 3,
	};
	struct rtp_hdr h;

	assert_int_equal(rtp_parse(p, sizeof(p), &h), ST_OK);
	assert_true(h.padding);
	assert_int_equal(h.pad_len, 3);
	assert_int_equal(h.payload_len, 5);
	assert_ptr_equal(h.payload, p + 12);
}

static void test_padding_all(void **state)
{
	/* Padding only: payload length 0 (allowed, e.g. for bandwidth probes). */
	static const uint8_t p[] = {
		0xa0, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1,
		0, 0, 0, 4,
	};
	struct rtp_hdr h;

	assert_int_equal(rtp_parse(p, sizeof(p), &h), ST_OK);
	assert_int_equal(h.pad_len, 4);
	assert_int_equal(h.payload_len, 0);
}

static void test_padding_bad(void **state)
{
	uint8_t p[] = {
		0xa0, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1,
		1, 2, 3, 0,
	};
	struct rtp_hdr h;

	/* Count 0 is impossible: it includes itself. */
	assert_int_equal(rtp_parse(p, sizeof(p), &h), ST_MALFORMED);
	/* Count larger than what follows the header. */
	p[15] = 5;
	assert_int_equal(rtp_parse(p, sizeof(p), &h), ST_MALFORMED);
	assert_int_equal(h.pad_len, 5);
	/* Padding bit set but nothing after the header. */
	assert_int_equal(rtp_parse(p, 12, &h), ST_MALFORMED);
}

static void test_padding_not_into_extension(void **state)
{
	/* Header, 1-word extension, then one byte that claims 5 bytes of padding:
	 * padding may not eat into the extension. */
	static const uint8_t p[] = {
		0xb0, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1,
		0xbe, 0xde, 0x00, 0x01, 0x10, 0xaa, 0x00, 0x00,
		0x05,
	};
	struct rtp_hdr h;

	assert_int_equal(rtp_parse(p, sizeof(p), &h), ST_MALFORMED);
}

static void test_csrc_ext_pad(void **state)
{
	static const uint8_t p[] = {
		0xb2, 0x80, 0x00, 0x07, 0, 0, 0x1f, 0x40, 0, 0, 0x12, 0x34,
		0, 0, 0, 1, 0, 0, 0, 2,         /* CSRC */
		0x10, 0x00, 0x00, 0x01,         /* extension, 1 word */
		0x10, 0xff, 0x00, 0x00,
		0xd5, 0xd5,                     /* payload */
		0x00, 0x02,                     /* padding */
	};
	struct rtp_hdr h;

	assert_int_equal(rtp_parse(p, sizeof(p), &h), ST_OK);
	assert_true(h.marker);
	assert_int_equal(h.cc, 2);
	assert_int_equal(h.csrc[1], 2);
	assert_int_equal(h.ext_profile, 0x1000);
	assert_int_equal(h.ext_words, 1);
	assert_int_equal(h.pad_len, 2);
	assert_ptr_equal(h.payload, p + 28);
	assert_int_equal(h.payload_len, 2);
}

static void test_truncated(void **state)
{
	struct rtp_hdr h;

	assert_int_equal(rtp_parse(plain, 0, &h), ST_TRUNCATED);
	assert_int_equal(rtp_parse(NULL, 0, &h), ST_TRUNCATED);
	for (size_t n = 1; n < 12; n++)
		assert_int_equal(rtp_parse(plain, n, &h), ST_TRUNCATED);
	/* What could be read is kept. */
	assert_int_equal(rtp_parse(plain, 4, &h), ST_TRUNCATED);
	assert_int_equal(h.version, 2);
	assert_int_equal(h.seq, 0x1234);
}

static void test_bad_version(void **state)
{
	uint8_t p[16];
	struct rtp_hdr h;

	memcpy(p, plain, sizeof(p));
	for (unsigned v = 0; v < 4; v++) {
		if (v == 2)
			continue;
		p[0] = (uint8_t)(v << 6);
		assert_int_equal(rtp_parse(p, sizeof(p), &h), ST_MALFORMED);
		assert_int_equal(h.version, v);
		/* Even a one-byte input says what it is not. */
		assert_int_equal(rtp_parse(p, 1, &h), ST_MALFORMED);
	}
}

/* A real packet with 1 byte of padding, from nDPI's rtp.pcapng (H.263, PT 34):
 * the first 16 and the last 4 bytes of its 124. */
static void test_real_padding_tail(void **state)
{
	uint8_t p[124];
	static const uint8_t head[] = {
		0xa0, 0xa2, 0x01, 0x16, 0x00, 0x0a, 0x16, 0x94,
		0x00, 0x00, 0x16, 0x46, 0x00, 0x70, 0x00, 0x00,
	};
	static const uint8_t tail[] = { 0x5f, 0x3c, 0x34, 0x01 };
	struct rtp_hdr h;

	memset(p, 0x55, sizeof(p));
	memcpy(p, head, sizeof(head));
	memcpy(p + sizeof(p) - 4, tail, 4);
	assert_int_equal(rtp_parse(p, sizeof(p), &h), ST_OK);
	assert_true(h.marker);
	assert_int_equal(h.pt, 34);
	assert_int_equal(h.seq, 278);
	assert_int_equal(h.pad_len, 1);
	assert_int_equal(h.payload_len, 111);
}

static void test_is_rtcp_pt(void **state)
{
	assert_false(rtp_is_rtcp_pt(0));
	assert_false(rtp_is_rtcp_pt(8));
	assert_false(rtp_is_rtcp_pt(101));
	assert_false(rtp_is_rtcp_pt(0x80 | 8));
	assert_false(rtp_is_rtcp_pt(191));
	assert_true(rtp_is_rtcp_pt(192));
	assert_true(rtp_is_rtcp_pt(200));
	assert_true(rtp_is_rtcp_pt(201));
	assert_true(rtp_is_rtcp_pt(207));
	assert_true(rtp_is_rtcp_pt(223));
	assert_false(rtp_is_rtcp_pt(224));
	assert_false(rtp_is_rtcp_pt(255));
}

/* The end packet of digit 1 from SIPp's dtmf_2833_1.pcap. */
static const uint8_t dtmf_end[] = {
	0x80, 0x65, 0x1f, 0x37, 0x00, 0x00, 0x33, 0xe0,
	0x0e, 0x05, 0x38, 0x4e, 0x01, 0x8a, 0x08, 0xc0,
};

static void test_event_real(void **state)
{
	struct rtp_hdr h;
	struct rtp_event e;

	assert_int_equal(rtp_parse(dtmf_end, sizeof(dtmf_end), &h), ST_OK);
	assert_int_equal(h.pt, 101);
	assert_int_equal(h.seq, 7991);
	assert_int_equal(rtp_event_parse(h.payload, h.payload_len, &e), ST_OK);
	assert_int_equal(e.event, 1);
	assert_true(e.end);
	assert_int_equal(e.volume, 10);
	assert_int_equal(e.duration, 2240);
	assert_int_equal(rtp_event_char(e.event), '1');
}

static void test_event_fields(void **state)
{
	/* '#', not end, reserved bit set (ignored), volume 63, duration 65535;
	 * then a second event block (RFC 4733 section 2.5.1.5), not read. */
	static const uint8_t p[] = { 11, 0x7f, 0xff, 0xff, 12, 0x80, 0, 160 };
	struct rtp_event e;

	assert_int_equal(rtp_event_parse(p, sizeof(p), &e), ST_OK);
	assert_int_equal(e.event, 11);
	assert_false(e.end);
	assert_int_equal(e.volume, 63);
	assert_int_equal(e.duration, 65535);
	assert_int_equal(rtp_event_parse(p, 4, &e), ST_OK);
}

static void test_event_truncated(void **state)
{
	static const uint8_t p[] = { 5, 0x8a, 0x06 };
	struct rtp_event e;

	for (size_t n = 0; n <= sizeof(p); n++)
		assert_int_equal(rtp_event_parse(p, n, &e), ST_TRUNCATED);
	assert_int_equal(rtp_event_parse(NULL, 0, &e), ST_TRUNCATED);
	assert_int_equal(e.event, 0);
}

static void test_event_char(void **state)
{
	static const char want[] = "0123456789*#ABCD";

	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(rtp_event_char((uint8_t)i), want[i]);
	assert_int_equal(rtp_event_char(16), '?');  /* flash */
	assert_int_equal(rtp_event_char(32), '?');  /* fax tones */
	assert_int_equal(rtp_event_char(255), '?');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_header_only),
		cmocka_unit_test(test_marker_and_pt),
		cmocka_unit_test(test_csrc),
		cmocka_unit_test(test_max_csrc),
		cmocka_unit_test(test_extension),
		cmocka_unit_test(test_extension_huge_length),
		cmocka_unit_test(test_padding),
		cmocka_unit_test(test_padding_all),
		cmocka_unit_test(test_padding_bad),
		cmocka_unit_test(test_padding_not_into_extension),
		cmocka_unit_test(test_csrc_ext_pad),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_version),
		cmocka_unit_test(test_real_padding_tail),
		cmocka_unit_test(test_is_rtcp_pt),
		cmocka_unit_test(test_event_real),
		cmocka_unit_test(test_event_fields),
		cmocka_unit_test(test_event_truncated),
		cmocka_unit_test(test_event_char),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
