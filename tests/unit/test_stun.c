/* SPDX-License-Identifier: MIT */
/* Unit tests for STUN (RFC 5389/8489 with the ICE attributes of RFC 8445, and
 * classic RFC 3489 messages): real messages from public captures and
 * hand-built ones for IPv6, error codes and every way a length can lie. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/stun.h"

static void assert_sv(struct sv s, const char *want)
{
	assert_int_equal(s.n, strlen(want));
	assert_memory_equal(s.p, want, s.n);
}

static void assert_addr(const struct addr *a, const char *want)
{
	char buf[ADDR_STRLEN];

	assert_string_equal(addr_str(a, buf), want);
}

/* ICE connectivity check from a browser, in Lekensteyn's webrtc-freeswitch
 * capture: USERNAME (33 bytes, padded), ICE-CONTROLLING, USE-CANDIDATE,
 * PRIORITY, MESSAGE-INTEGRITY, FINGERPRINT. */
static const uint8_t ice_request[] = {
	0x00, 0x01, 0x00, 0x60, 0x21, 0x12, 0xa4, 0x42, 0x50, 0x71, 0x55, 0x55,
	0x37, 0x72, 0x51, 0x64, 0x54, 0x78, 0x46, 0x75, 0x00, 0x06, 0x00, 0x21,
	0x79, 0x57, 0x54, 0x35, 0x44, 0x79, 0x46, 0x49, 0x4a, 0x76, 0x4f, 0x34,
	0x47, 0x76, 0x43, 0x76, 0x3a, 0x2b, 0x50, 0x57, 0x58, 0x42, 0x66, 0x6c,
	0x75, 0x5a, 0x4c, 0x41, 0x2f, 0x62, 0x48, 0x7a, 0x62, 0x00, 0x00, 0x00,
	0x80, 0x2a, 0x00, 0x08, 0x8c, 0x38, 0xf6, 0x9d, 0x38, 0xc5, 0x36, 0xfe,
	0x00, 0x25, 0x00, 0x00, 0x00, 0x24, 0x00, 0x04, 0x6e, 0x7f, 0x1e, 0xff,
	0x00, 0x08, 0x00, 0x14, 0x51, 0x02, 0x2d, 0xe0, 0x66, 0x54, 0x35, 0x47,
	0x73, 0xf7, 0x10, 0x5b, 0x4d, 0xe7, 0x8c, 0xa5, 0xc0, 0x94, 0x03, 0x8c,
	0x80, 0x28, 0x00, 0x04, 0x6b, 0xf5, 0x98, 0x5d,
};

static void test_real_ice_request(void **state)
{
	struct stun_msg m;

	assert_true(stun_looks_like(ice_request, sizeof(ice_request)));
	assert_int_equal(stun_parse(ice_request, sizeof(ice_request), &m), ST_OK);
	assert_int_equal(m.type, 0x0001);
	assert_int_equal(m.method, 0x001);
	assert_int_equal(m.cls, STUN_REQUEST);
	assert_int_equal(m.length, 96);
	assert_true(m.has_cookie);
	assert_memory_equal(m.txid, "PqUU7rQdTxFu", 12);
	assert_int_equal(m.n_attrs, 6);
	assert_sv(m.username, "yWT5DyFIJvO4GvCv:+PWXBfluZLA/bHzb");
	assert_true(m.ice_controlling);
	assert_false(m.ice_controlled);
	assert_true(m.use_candidate);
	assert_int_equal(m.priority, 0x6e7f1eff);
	assert_true(m.has_integrity);
	assert_true(m.has_fingerprint);
	assert_false(m.has_mapped);
	assert_int_equal(m.error_code, 0);
}

/* Its success response: XOR-MAPPED-ADDRESS 209.105.235.10:20336. */
static const uint8_t ice_response[] = {
	0x01, 0x01, 0x00, 0x2c, 0x21, 0x12, 0xa4, 0x42, 0x64, 0x65, 0x58, 0x49,
	0x42, 0x38, 0x30, 0x36, 0x55, 0x6f, 0x37, 0x63, 0x00, 0x20, 0x00, 0x08,
	0x00, 0x01, 0x6e, 0x62, 0xf0, 0x7b, 0x4f, 0x48, 0x00, 0x08, 0x00, 0x14,
	0xc2, 0xb3, 0xba, 0xd9, 0x9c, 0xac, 0xdf, 0x81, 0x13, 0xf6, 0x8b, 0xbd,
	0xb1, 0x44, 0x25, 0x31, 0x36, 0x32, 0x40, 0xc7, 0x80, 0x28, 0x00, 0x04,
	0x33, 0x7b, 0x1e, 0xa3,
};

static void test_real_xor_mapped_v4(void **state)
{
	struct stun_msg m;

	assert_int_equal(stun_parse(ice_response, sizeof(ice_response), &m), ST_OK);
	assert_int_equal(m.method, 0x001);
	assert_int_equal(m.cls, STUN_SUCCESS);
	assert_int_equal(m.n_attrs, 3);
	assert_true(m.has_mapped);
	assert_int_equal(m.mapped.family, 4);
	assert_addr(&m.mapped, "209.105.235.10");
	assert_int_equal(m.mapped_port, 20336);
	assert_true(m.has_integrity);
	assert_true(m.has_fingerprint);
}

/* Classic RFC 3489 Binding response without magic cookie, from gprshome's
 * wireshark sip.pcap: MAPPED-ADDRESS, SOURCE-ADDRESS, CHANGED-ADDRESS,
 * USERNAME, MESSAGE-INTEGRITY. */
static const uint8_t classic_response[] = {
	0x01, 0x01, 0x00, 0x48, 0x82, 0x64, 0x3d, 0xd9, 0x2f, 0xf3, 0xc1, 0x4b,
	0x84, 0x1d, 0x19, 0xf1, 0x53, 0xd6, 0x6b, 0x33, 0x00, 0x01, 0x00, 0x08,
	0x00, 0x01, 0xc8, 0xd5, 0xc0, 0xa8, 0x01, 0x68, 0x00, 0x05, 0x00, 0x08,
	0x00, 0x01, 0x1e, 0xdf, 0xc0, 0xa8, 0x01, 0x69, 0x00, 0x04, 0x00, 0x08,
	0x00, 0x01, 0x1e, 0xdf, 0xc0, 0xa8, 0x01, 0x69, 0x00, 0x06, 0x00, 0x08,
	0x42, 0x6b, 0x72, 0x42, 0x63, 0x77, 0x79, 0x32, 0x00, 0x08, 0x00, 0x14,
	0x20, 0x2a, 0xcf, 0xaf, 0x20, 0xe2, 0x72, 0x4b, 0xec, 0x40, 0x62, 0x78,
	0x75, 0x47, 0xb2, 0x82, 0x23, 0xd8, 0x06, 0x21,
};

static void test_real_classic(void **state)
{
	struct stun_msg m;

	assert_true(stun_looks_like(classic_response, sizeof(classic_response)));
	assert_int_equal(stun_parse(classic_response, sizeof(classic_response), &m), ST_OK);
	assert_false(m.has_cookie);
	assert_int_equal(m.method, 0x001);
	assert_int_equal(m.cls, STUN_SUCCESS);
	assert_int_equal(m.n_attrs, 5);
	/* The txid field holds the last 12 of the 16 classic transaction bytes. */
	assert_memory_equal(m.txid, classic_response + 8, 12);
	assert_true(m.has_mapped);
	assert_addr(&m.mapped, "192.168.1.104");
	assert_int_equal(m.mapped_port, 51413);
	assert_sv(m.username, "BkrBcwy2");
	assert_true(m.has_integrity);
}

static void test_classic_types(void **state)
{
	/* Without a cookie only Binding request, response and error response. */
	uint8_t p[20];
	struct stun_msg m;
	static const uint16_t ok[] = { 0x0001, 0x0101, 0x0111 };
	static const uint16_t bad[] = { 0x0011, 0x0002, 0x0003, 0x0102, 0x0016 };

	memset(p, 0x5a, sizeof(p));
	p[2] = p[3] = 0;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		p[0] = (uint8_t)(ok[i] >> 8);
		p[1] = (uint8_t)ok[i];
		assert_true(stun_looks_like(p, sizeof(p)));
		assert_int_equal(stun_parse(p, sizeof(p), &m), ST_OK);
		assert_false(m.has_cookie);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p[0] = (uint8_t)(bad[i] >> 8);
		p[1] = (uint8_t)bad[i];
		assert_false(stun_looks_like(p, sizeof(p)));
		assert_int_equal(stun_parse(p, sizeof(p), &m), ST_MALFORMED);
	}
}

/* coturn's Allocate error response (437 Allocation Mismatch) in nDPI's
 * stun_dtls_rtp_unidir.pcapng: ERROR-CODE with reason, SOFTWARE, FINGERPRINT. */
static const uint8_t alloc_error[] = {
	0x01, 0x13, 0x00, 0x5c, 0x21, 0x12, 0xa4, 0x42, 0xf2, 0xd3, 0xc4, 0x01,
	0xcc, 0xcd, 0xcc, 0xd3, 0xc1, 0x49, 0x6d, 0x4a, 0x00, 0x09, 0x00, 0x30,
	0x00, 0x00, 0x04, 0x25, 0x4d, 0x69, 0x73, 0x6d, 0x61, 0x74, 0x63, 0x68,
	0x65, 0x64, 0x20, 0x61, 0x6c, 0x6c, 0x6f, 0x63, 0x61, 0x74, 0x69, 0x6f,
	0x6e, 0x3a, 0x20, 0x77, 0x72, 0x6f, 0x6e, 0x67, 0x20, 0x74, 0x72, 0x61,
	0x6e, 0x73, 0x61, 0x63, 0x74, 0x69, 0x6f, 0x6e, 0x20, 0x49, 0x44, 0x00,
	0x80, 0x22, 0x00, 0x1a, 0x43, 0x6f, 0x74, 0x75, 0x72, 0x6e, 0x2d, 0x34,
	0x2e, 0x35, 0x2e, 0x30, 0x2e, 0x33, 0x20, 0x27, 0x64, 0x61, 0x6e, 0x20,
	0x45, 0x69, 0x64, 0x65, 0x72, 0x27, 0x00, 0x04, 0x80, 0x28, 0x00, 0x04,
	0x61, 0x58, 0x85, 0x25,
};

static void test_real_allocate_error(void **state)
{
	struct stun_msg m;

	assert_int_equal(stun_parse(alloc_error, sizeof(alloc_error), &m), ST_OK);
	assert_int_equal(m.method, 0x003);
	assert_int_equal(m.cls, STUN_ERROR);
	assert_string_equal(stun_method_str(m.method), "Allocate");
	assert_string_equal(stun_class_str(m.cls), "error");
	assert_int_equal(m.error_code, 437);
	assert_int_equal(m.n_attrs, 3);
	assert_true(m.has_fingerprint);
	assert_false(m.has_integrity);
}

/* Hand-built: Binding success with XOR-MAPPED-ADDRESS [2001:db8::1]:5060,
 * txid 01..0c, and a correct FINGERPRINT. */
static const uint8_t xor_v6[] = {
	0x01, 0x01, 0x00, 0x20, 0x21, 0x12, 0xa4, 0x42,
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
	0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0x32, 0xd6,
	0x01, 0x13, 0xa9, 0xfa, 0x01, 0x02, 0x03, 0x04,
	0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0d,
	0x80, 0x28, 0x00, 0x04, 0xe6, 0xec, 0xdf, 0x13,
};

static void test_xor_mapped_v6(void **state)
{
	struct stun_msg m;

	assert_true(stun_looks_like(xor_v6, sizeof(xor_v6)));
	assert_int_equal(stun_parse(xor_v6, sizeof(xor_v6), &m), ST_OK);
	assert_true(m.has_mapped);
	assert_int_equal(m.mapped.family, 6);
	assert_addr(&m.mapped, "2001:db8::1");
	assert_int_equal(m.mapped_port, 5060);
	assert_true(m.has_fingerprint);
	assert_int_equal(m.n_attrs, 2);
}

static void test_xor_mapped_v6_short(void **state)
{
	/* Family 2 in an 8-byte value. */
	static const uint8_t p[] = {
		0x01, 0x01, 0x00, 0x0c, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8,
		9, 10, 11, 12, 0x00, 0x20, 0x00, 0x08, 0x00, 0x02, 0x32, 0xd6,
		1, 2, 3, 4,
	};
	struct stun_msg m;

	assert_int_equal(stun_parse(p, sizeof(p), &m), ST_MALFORMED);
	assert_false(m.has_mapped);
}

static void test_mapped_bad_family(void **state)
{
	uint8_t p[] = {
		0x01, 0x01, 0x00, 0x0c, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8,
		9, 10, 11, 12, 0x00, 0x01, 0x00, 0x08, 0x00, 0x03, 0x13, 0x88,
		10, 0, 0, 1,
	};
	struct stun_msg m;

	assert_int_equal(stun_parse(p, sizeof(p), &m), ST_MALFORMED);
	p[25] = 0x01;
	assert_int_equal(stun_parse(p, sizeof(p), &m), ST_OK);
	assert_addr(&m.mapped, "10.0.0.1");
	assert_int_equal(m.mapped_port, 5000);
	/* MAPPED-ADDRESS with 3 value bytes. */
	p[23] = 3;
	assert_int_equal(stun_parse(p, sizeof(p), &m), ST_MALFORMED);
}

static void test_xor_wins_over_mapped(void **state)
{
	/* MAPPED-ADDRESS 10.0.0.1:5000, then XOR-MAPPED 192.0.2.1:3478; and the
	 * same two in the other order. */
	uint8_t p[] = {
		0x01, 0x01, 0x00, 0x18, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8,
		9, 10, 11, 12,
		0x00, 0x01, 0x00, 0x08, 0x00, 0x01, 0x13, 0x88, 10, 0, 0, 1,
		0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0x2c, 0x84, 0xe1, 0x12, 0xa6, 0x43,
	};
	uint8_t q[sizeof(p)];
	struct stun_msg m;

	assert_int_equal(stun_parse(p, sizeof(p), &m), ST_OK);
	assert_addr(&m.mapped, "192.0.2.1");
	assert_int_equal(m.mapped_port, 3478);
	memcpy(q, p, 20);
	memcpy(q + 20, p + 32, 12);
	memcpy(q + 32, p + 20, 12);
	assert_int_equal(stun_parse(q, sizeof(q), &m), ST_OK);
	assert_addr(&m.mapped, "192.0.2.1");
	assert_int_equal(m.mapped_port, 3478);
	assert_int_equal(m.n_attrs, 2);
}

static void test_ice_controlled_error_487(void **state)
{
	/* Binding error response 487 Role Conflict with ICE-CONTROLLED. */
	static const uint8_t p[] = {
		0x01, 0x11, 0x00, 0x24, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8,
		9, 10, 11, 12,
		0x00, 0x09, 0x00, 0x11, 0x00, 0x00, 0x04, 0x57,
		'R', 'o', 'l', 'e', ' ', 'C', 'o', 'n', 'f', 'l', 'i', 'c', 't', 0, 0, 0,
		0x80, 0x29, 0x00, 0x08, 2, 2, 2, 2, 2, 2, 2, 2,
	};
	struct stun_msg m;

	assert_int_equal(stun_parse(p, sizeof(p), &m), ST_OK);
	assert_int_equal(m.cls, STUN_ERROR);
	assert_int_equal(m.error_code, 487);
	assert_true(m.ice_controlled);
	assert_false(m.ice_controlling);
}

static void test_error_code_range(void **state)
{
	uint8_t p[] = {
		0x01, 0x11, 0x00, 0x08, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8,
		9, 10, 11, 12, 0x00, 0x09, 0x00, 0x04, 0x00, 0x00, 0x03, 0x00,
	};
	struct stun_msg m;

	assert_int_equal(stun_parse(p, sizeof(p), &m), ST_OK);
	assert_int_equal(m.error_code, 300);
	p[26] = 6;
	p[27] = 99;
	assert_int_equal(stun_parse(p, sizeof(p), &m), ST_OK);
	assert_int_equal(m.error_code, 699);
	/* Number 100 and classes 2 and 7 are not codes. */
	p[27] = 100;
	assert_int_equal(stun_parse(p, sizeof(p), &m), ST_MALFORMED);
	p[27] = 0;
	p[26] = 2;
	assert_int_equal(stun_parse(p, sizeof(p), &m), ST_MALFORMED);
	p[26] = 7;
	assert_int_equal(stun_parse(p, sizeof(p), &m), ST_MALFORMED);
	/* The class is three bits: higher bits in that byte are reserved. */
	p[26] = 0x0c;
	assert_int_equal(stun_parse(p, sizeof(p), &m), ST_OK);
	assert_int_equal(m.error_code, 400);
	/* Too short for the code. */
	p[23] = 2;
	p[2] = 0;
	p[3] = 8;
	assert_int_equal(stun_parse(p, sizeof(p), &m), ST_MALFORMED);
}

static void test_fixed_length_attrs(void **state)
{
	/* Each attribute with a fixed size, given one word too many or too few. */
	static const struct {
		uint16_t type;
		uint16_t good;
	} attrs[] = {
		{ 0x0008, 20 }, { 0x0024, 4 }, { 0x0025, 0 }, { 0x8028, 4 },
		{ 0x8029, 8 }, { 0x802A, 8 },
	};
	uint8_t p[20 + 4 + 24];
	struct stun_msg m;

	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		for (int d = -4; d <= 4; d += 4) {
			int len = attrs[i].good + d;
			if (len < 0)
				continue;
			size_t n = 24 + (size_t)len;
			memset(p, 0, sizeof(p));
			p[2] = 0;
			p[3] = (uint8_t)(4 + len);
			p[4] = 0x21; p[5] = 0x12; p[6] = 0xa4; p[7] = 0x42;
			p[20] = (uint8_t)(attrs[i].type >> 8);
			p[21] = (uint8_t)attrs[i].type;
			p[23] = (uint8_t)len;
			enum status want = d == 0 ? ST_OK : ST_MALFORMED;
			assert_int_equal(stun_parse(p, n, &m), want);
		}
	}
}

static void test_unknown_attrs_counted(void **state)
{
	/* SOFTWARE (0x8022, 5 bytes padded to 8) and an unknown required-range
	 * attribute (0x7777, empty). */
	static const uint8_t p[] = {
		0x00, 0x01, 0x00, 0x10, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8,
		9, 10, 11, 12,
		0x80, 0x22, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o', 0, 0, 0,
		0x77, 0x77, 0x00, 0x00,
	};
	struct stun_msg m;

	assert_int_equal(stun_parse(p, sizeof(p), &m), ST_OK);
	assert_int_equal(m.n_attrs, 2);
}

static void test_username_empty_and_unpadded(void **state)
{
	/* A classic Linphone request with an empty USERNAME. */
	static const uint8_t p[] = {
		0x00, 0x01, 0x00, 0x04, 0x51, 0xee, 0xae, 0x59, 0x69, 0xbc, 0xcc, 0x1e,
		0x83, 0x72, 0x7a, 0x0e, 0xb0, 0xc9, 0x96, 0x2a, 0x00, 0x06, 0x00, 0x00,
	};
	/* USERNAME of 5 bytes whose padding is missing: the message length is
	 * then not a multiple of 4. */
	static const uint8_t q[] = {
		0x00, 0x01, 0x00, 0x09, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8,
		9, 10, 11, 12, 0x00, 0x06, 0x00, 0x05, 'a', 'b', 'c', 'd', 'e',
	};
	struct stun_msg m;

	assert_int_equal(stun_parse(p, sizeof(p), &m), ST_OK);
	assert_int_equal(m.n_attrs, 1);
	assert_int_equal(m.username.n, 0);
	assert_int_equal(stun_parse(q, sizeof(q), &m), ST_MALFORMED);
	assert_false(stun_looks_like(q, sizeof(q)));
}

static void test_attr_overruns(void **state)
{
	/* USERNAME claims 12 bytes, 4 are in the message. */
	static const uint8_t p[] = {
		0x00, 0x01, 0x00, 0x08, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8,
		9, 10, 11, 12, 0x00, 0x06, 0x00, 0x0c, 'a', 'b', 'c', 'd',
	};
	/* A 2-byte stub of an attribute header. */
	static const uint8_t q[] = {
		0x00, 0x01, 0x00, 0x04, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8,
		9, 10, 11, 12, 0x00, 0x06, 0x00, 0x02,
	};
	struct stun_msg m;

	assert_int_equal(stun_parse(p, sizeof(p), &m), ST_MALFORMED);
	assert_int_equal(m.username.n, 0);
	/* USERNAME of 2 bytes needs 2 bytes of padding that are not there. */
	assert_int_equal(stun_parse(q, sizeof(q), &m), ST_MALFORMED);
}

static void test_header_lengths(void **state)
{
	struct stun_msg m;
	uint8_t p[sizeof(ice_response) + 4];

	/* Short of a header. */
	for (size_t n = 0; n < 20; n++) {
		assert_int_equal(stun_parse(ice_response, n, &m), ST_TRUNCATED);
		assert_false(stun_looks_like(ice_response, n));
	}
	assert_int_equal(stun_parse(NULL, 0, &m), ST_TRUNCATED);
	/* Attributes cut short. */
	assert_int_equal(stun_parse(ice_response, sizeof(ice_response) - 4, &m), ST_TRUNCATED);
	assert_false(stun_looks_like(ice_response, sizeof(ice_response) - 4));
	/* Bytes after the message. */
	memcpy(p, ice_response, sizeof(ice_response));
	memset(p + sizeof(ice_response), 0, 4);
	assert_int_equal(stun_parse(p, sizeof(p), &m), ST_MALFORMED);
	assert_false(stun_looks_like(p, sizeof(p)));
	/* Length not a multiple of 4. */
	p[3] = 0x2d;
	assert_int_equal(stun_parse(p, sizeof(ice_response) + 1, &m), ST_MALFORMED);
	/* The two top bits of the type must be zero (RTP, DTLS, TURN channels). */
	memcpy(p, ice_response, sizeof(ice_response));
	p[0] = 0x41;
	assert_int_equal(stun_parse(p, sizeof(ice_response), &m), ST_MALFORMED);
	assert_false(stun_looks_like(p, sizeof(ice_response)));
	p[0] = 0x81;
	assert_false(stun_looks_like(p, sizeof(ice_response)));
}

static void test_no_attributes(void **state)
{
	/* A bare Binding request (NAT keepalive). */
	static const uint8_t p[] = {
		0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42,
		'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l',
	};
	struct stun_msg m;

	assert_true(stun_looks_like(p, sizeof(p)));
	assert_int_equal(stun_parse(p, sizeof(p), &m), ST_OK);
	assert_int_equal(m.n_attrs, 0);
	assert_memory_equal(m.txid, "abcdefghijkl", 12);
}

static void test_method_class_bits(void **state)
{
	static const struct {
		uint16_t type, method;
		uint8_t cls;
	} cases[] = {
		{ 0x0001, 0x001, STUN_REQUEST },
		{ 0x0011, 0x001, STUN_INDICATION },
		{ 0x0101, 0x001, STUN_SUCCESS },
		{ 0x0111, 0x001, STUN_ERROR },
		{ 0x0003, 0x003, STUN_REQUEST },
		{ 0x0103, 0x003, STUN_SUCCESS },
		{ 0x0113, 0x003, STUN_ERROR },
		{ 0x0004, 0x004, STUN_REQUEST },
		{ 0x0016, 0x006, STUN_INDICATION },
		{ 0x0017, 0x007, STUN_INDICATION },
		{ 0x0108, 0x008, STUN_SUCCESS },
		{ 0x0009, 0x009, STUN_REQUEST },
		{ 0x001c, 0x00c, STUN_INDICATION },
		{ 0x0020, 0x010, STUN_REQUEST },   /* M4 sits above C0 */
		{ 0x0200, 0x080, STUN_REQUEST },   /* M7 sits above C1 */
		{ 0x3eef, 0xfff, STUN_REQUEST },
		{ 0x3fff, 0xfff, STUN_ERROR },
	};
	uint8_t p[20] = { 0, 0, 0, 0, 0x21, 0x12, 0xa4, 0x42 };
	struct stun_msg m;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p[0] = (uint8_t)(cases[i].type >> 8);
		p[1] = (uint8_t)cases[i].type;
		assert_int_equal(stun_parse(p, sizeof(p), &m), ST_OK);
		assert_int_equal(m.type, cases[i].type);
		assert_int_equal(m.method, cases[i].method);
		assert_int_equal(m.cls, cases[i].cls);
	}
}

static void test_names(void **state)
{
	assert_string_equal(stun_method_str(0x001), "Binding");
	assert_string_equal(stun_method_str(0x003), "Allocate");
	assert_string_equal(stun_method_str(0x004), "Refresh");
	assert_string_equal(stun_method_str(0x006), "Send");
	assert_string_equal(stun_method_str(0x007), "Data");
	assert_string_equal(stun_method_str(0x008), "CreatePermission");
	assert_string_equal(stun_method_str(0x009), "ChannelBind");
	assert_string_equal(stun_method_str(0x000), "unknown");
	assert_string_equal(stun_method_str(0xfff), "unknown");
	assert_string_equal(stun_class_str(STUN_REQUEST), "request");
	assert_string_equal(stun_class_str(STUN_INDICATION), "indication");
	assert_string_equal(stun_class_str(STUN_SUCCESS), "success");
	assert_string_equal(stun_class_str(STUN_ERROR), "error");
	assert_string_equal(stun_class_str(4), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_ice_request),
		cmocka_unit_test(test_real_xor_mapped_v4),
		cmocka_unit_test(test_real_classic),
		cmocka_unit_test(test_classic_types),
		cmocka_unit_test(test_real_allocate_error),
		cmocka_unit_test(test_xor_mapped_v6),
		cmocka_unit_test(test_xor_mapped_v6_short),
		cmocka_unit_test(test_mapped_bad_family),
		cmocka_unit_test(test_xor_wins_over_mapped),
		cmocka_unit_test(test_ice_controlled_error_487),
		cmocka_unit_test(test_error_code_range),
		cmocka_unit_test(test_fixed_length_attrs),
		cmocka_unit_test(test_unknown_attrs_counted),
		cmocka_unit_test(test_username_empty_and_unpadded),
		cmocka_unit_test(test_attr_overruns),
		cmocka_unit_test(test_header_lengths),
		cmocka_unit_test(test_no_attributes),
		cmocka_unit_test(test_method_class_bits),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
