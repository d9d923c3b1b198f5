/* SPDX-License-Identifier: MIT */
/* Unit tests for ICMP/ICMPv6 error messages and the packet they quote
 * (RFC 792, RFC 1812 4.3.2.3, RFC 4443): the kinds by type and code, the
 * quoted addresses, ports and IP identification, the quoted payload bounded by
 * what the headers claim, and quotes cut short. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/icmp.h"

static void assert_addr(const struct addr *a, const char *want)
{
	char buf[ADDR_STRLEN];
	assert_string_equal(addr_str(a, buf), want);
}

/* type, code, then a quoted IPv4 packet 203.0.113.10:10000 -> 198.51.100.7:16384,
 * IP ID 0x1234, UDP length 8 + 12 (an RTP header, SSRC 0xdeadbeef) */
static size_t v4_error(uint8_t *out, uint8_t type, uint8_t code, size_t quoted_payload)
{
	static const uint8_t hdr[] = {
		0x45, 0x00, 0x00, 0x28, 0x12, 0x34, 0x40, 0x00, 0x3f, 0x11, 0x00, 0x00,
		203,  0,    113,  10,   198,  51,   100,  7,
		0x27, 0x10, 0x40, 0x00, 0x00, 0x14, 0x00, 0x00,
	};
	static const uint8_t rtp[] = { 0x80, 0x00, 0x03, 0xe8, 0x00, 0x02, 0x71, 0x00, 0xde, 0xad, 0xbe, 0xef };
	size_t n = 0;
	out[n++] = type;
	out[n++] = code;
	memset(out + n, 0, 6);
	n += 6;
	memcpy(out + n, hdr, sizeof(hdr));
	n += sizeof(hdr);
	memcpy(out + n, rtp, quoted_payload);
	return n + quoted_payload;
}

static void test_port_unreachable_quoting_rtp(void **state)
{
	(void)state;
	uint8_t b[128];
	size_t n = v4_error(b, 3, 3, 12);
	struct icmp_error e;
	assert_int_equal(icmp_error_parse(b, n, false, &e), ST_OK);
	assert_int_equal(e.kind, ICMP_PORT_UNREACHABLE);
	assert_string_equal(icmp_kind_str(e.kind), "port unreachable");
	assert_addr(&e.q_src, "203.0.113.10");
	assert_addr(&e.q_dst, "198.51.100.7");
	assert_int_equal(e.q_proto, 17);
	assert_int_equal(e.q_ip_id, 0x1234);
	assert_int_equal(e.q_sport, 10000);
	assert_int_equal(e.q_dport, 16384);
	assert_int_equal(e.q_payload_len, 12);
	assert_int_equal(e.q_payload[8], 0xde);
}

static void test_kinds_and_eight_byte_quote(void **state)
{
	(void)state;
	uint8_t b[128];
	struct icmp_error e;
	/* RFC 792 routers quote 8 bytes after the IP header: ports, no payload */
	size_t n = v4_error(b, 3, 13, 0);
	assert_int_equal(icmp_error_parse(b, n, false, &e), ST_OK);
	assert_int_equal(e.kind, ICMP_PROHIBITED);
	assert_int_equal(e.q_dport, 16384);
	assert_int_equal(e.q_payload_len, 0);
	n = v4_error(b, 3, 1, 0);
	assert_int_equal(icmp_error_parse(b, n, false, &e), ST_OK);
	assert_int_equal(e.kind, ICMP_HOST_UNREACHABLE);
	n = v4_error(b, 11, 0, 4);
	assert_int_equal(icmp_error_parse(b, n, false, &e), ST_OK);
	assert_int_equal(e.kind, ICMP_TIME_EXCEEDED);
	assert_int_equal(e.q_payload_len, 4);
	/* echo request: not an error */
	n = v4_error(b, 8, 0, 0);
	assert_int_equal(icmp_error_parse(b, n, false, &e), ST_UNSUPPORTED);
}

static void test_cut_short(void **state)
{
	(void)state;
	uint8_t b[128];
	size_t n = v4_error(b, 3, 3, 12);
	struct icmp_error e;
	for (size_t k = 0; k < 8 + 20 + 8; k++)
		assert_int_not_equal(icmp_error_parse(b, k, false, &e), ST_OK);
	/* the quoted IP header says 40 bytes: no more payload than that is taken */
	uint8_t big[256];
	memcpy(big, b, n);
	memset(big + n, 0x55, 100);
	assert_int_equal(icmp_error_parse(big, n + 100, false, &e), ST_OK);
	assert_int_equal(e.q_payload_len, 12);
	/* a quote that is not IPv4 */
	b[8] = 0x60;
	assert_int_equal(icmp_error_parse(b, n, false, &e), ST_MALFORMED);
}

static void test_v6_port_unreachable(void **state)
{
	(void)state;
	uint8_t b[128] = { 1, 4, 0, 0, 0, 0, 0, 0 };
	size_t n = 8;
	static const uint8_t ip6[40] = { 0x60, 0, 0, 0, 0, 12, 17, 64,
					 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
					 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };
	memcpy(b + n, ip6, sizeof(ip6));
	n += sizeof(ip6);
	static const uint8_t udp[12] = { 0x13, 0xc4, 0x13, 0xc4, 0x00, 0x0c, 0, 0, 'S', 'I', 'P', '/' };
	memcpy(b + n, udp, sizeof(udp));
	n += sizeof(udp);
	struct icmp_error e;
	assert_int_equal(icmp_error_parse(b, n, true, &e), ST_OK);
	assert_int_equal(e.kind, ICMP_PORT_UNREACHABLE);
	assert_addr(&e.q_dst, "2001:db8::2");
	assert_int_equal(e.q_dport, 5060);
	assert_int_equal(e.q_payload_len, 4);
	assert_int_equal(e.q_ip_id, 0);
	b[1] = 1;
	assert_int_equal(icmp_error_parse(b, n, true, &e), ST_OK);
	assert_int_equal(e.kind, ICMP_PROHIBITED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_unreachable_quoting_rtp),
		cmocka_unit_test(test_kinds_and_eight_byte_quote),
		cmocka_unit_test(test_cut_short),
		cmocka_unit_test(test_v6_port_unreachable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
