/* SPDX-License-Identifier: MIT */
/* Unit tests for what deadair watch --hep reads from the wire: HEPv3 frames
 * cut from a TCP stream (src/watch/hep_stream.c) whatever the sizes of the
 * reads, streams that are no HEPv3 refused, the HEPv1/v2 header parser
 * (src/decode/hep.c) with its time stamp in either byte order, and RTCP
 * reports sent as JSON (payload type 5) rebuilt into RTCP (hep_rtcp.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "decode/hep.h"
#include "proto/rtcp.h"
#include "watch/hep_stream.h"

struct seen {
	unsigned n;
	size_t len[16];
	uint8_t tag[16];
};

static void collect(void *ctx, const uint8_t *p, size_t n)
{
	struct seen *s = ctx;
	if (s->n < 16) {
		s->len[s->n] = n;
		s->tag[s->n] = n > 6 ? p[6] : 0;
	}
	s->n++;
}

/* A HEPv3 frame of total length n whose first byte after the header is tag. */
static size_t frame(uint8_t *out, size_t n, uint8_t tag)
{
	memcpy(out, "HEP3", 4);
	out[4] = (uint8_t)(n >> 8);
	out[5] = (uint8_t)n;
	memset(out + 6, tag, n - 6);
	return n;
}

static void test_frames_whatever_the_reads(void **state)
{
	(void)state;
	static uint8_t buf[3 * 65535];
	size_t n = frame(buf, 40, 1);
	n += frame(buf + n, 6, 2);
	n += frame(buf + n, 65535, 3);
	n += frame(buf + n, 7, 4);
	static struct hep_stream s;
	/* every read size from 1 byte to all at once */
	for (size_t step = 1; step <= n; step = step < 64 ? step + 1 : step * 3) {
		memset(&s, 0, sizeof(s));
		struct seen got = { 0 };
		for (size_t off = 0; off < n; off += step) {
			size_t k = n - off < step ? n - off : step;
			assert_true(hep_stream_feed(&s, buf + off, k, collect, &got) >= 0);
		}
		assert_int_equal(got.n, 4);
		assert_int_equal(got.len[0], 40);
		assert_int_equal(got.len[1], 6);
		assert_int_equal(got.len[2], 65535);
		assert_int_equal(got.len[3], 7);
		assert_int_equal(got.tag[0], 1);
		assert_int_equal(got.tag[2], 3);
		assert_int_equal(got.tag[3], 4);
		assert_int_equal(s.n, 0);
	}
}

static void test_not_hep_refused(void **state)
{
	(void)state;
	static struct hep_stream s;
	struct seen got = { 0 };
	const uint8_t *http = (const uint8_t *)"GET / HTTP/1.1\r\n";
	assert_int_equal(hep_stream_feed(&s, http, 16, collect, &got), -1);
	assert_true(s.bad);
	/* once bad, nothing more is taken */
	uint8_t ok[10];
	frame(ok, 10, 9);
	assert_int_equal(hep_stream_feed(&s, ok, 10, collect, &got), -1);
	assert_int_equal(got.n, 0);
	/* a length below the header's, even split after the magic */
	memset(&s, 0, sizeof(s));
	assert_int_equal(hep_stream_feed(&s, (const uint8_t *)"HEP3", 4, collect, &got), 0);
	assert_int_equal(hep_stream_feed(&s, (const uint8_t *)"\x00\x05", 2, collect, &got), -1);
	/* a wrong magic seen from its first byte */
	memset(&s, 0, sizeof(s));
	assert_int_equal(hep_stream_feed(&s, (const uint8_t *)"X", 1, collect, &got), -1);
	/* a good frame, then garbage: the frame counts */
	memset(&s, 0, sizeof(s));
	uint8_t two[20];
	frame(two, 10, 5);
	memcpy(two + 10, "HEP2xxxxxx", 10);
	assert_int_equal(hep_stream_feed(&s, two, 20, collect, &got), -1);
	assert_int_equal(got.n, 1);
	/* an unfinished frame is held, no more than itself */
	memset(&s, 0, sizeof(s));
	uint8_t big[100];
	frame(big, 100, 1);
	big[4] = 0xff, big[5] = 0xff;
	assert_int_equal(hep_stream_feed(&s, big, 100, collect, &got), 0);
	assert_int_equal(s.n, 100);
}

static void test_hep2(void **state)
{
	(void)state;
	/* Kamailio's hep_hdr (its length byte without the time header), two IPv4
	 * addresses, hep_timehdr with its padding in little-endian, then SIP */
	uint8_t p[8 + 8 + 12 + 7] = { 2, 16, 2, 17, 0x13, 0xc4, 0x13, 0xc5, 10, 0, 0, 1, 10, 0, 0, 2 };
	uint32_t sec = 1700000000, usec = 250000;
	for (int i = 0; i < 4; i++) {
		p[16 + i] = (uint8_t)(sec >> (8 * i));
		p[20 + i] = (uint8_t)(usec >> (8 * i));
	}
	p[24] = 0xd1, p[25] = 0x07; /* 2001 */
	memcpy(p + 28, "INVITE ", 7);
	struct hep_info h;
	assert_int_equal(hep_parse(p, sizeof(p), &h), ST_OK);
	assert_int_equal(h.version, 2);
	assert_int_equal(h.sport, 5060);
	assert_int_equal(h.dport, 5061);
	assert_int_equal(h.ts_sec, sec);
	assert_int_equal(h.ts_usec, usec);
	assert_int_equal(h.capture_id, 2001);
	assert_int_equal(h.payload_len, 7);
	assert_memory_equal(h.payload, "INVITE ", 7);
	/* the same time written big-endian */
	for (int i = 0; i < 4; i++) {
		p[16 + i] = (uint8_t)(sec >> (24 - 8 * i));
		p[20 + i] = (uint8_t)(usec >> (24 - 8 * i));
	}
	p[24] = 0x07, p[25] = 0xd1;
	assert_int_equal(hep2_parse(p, sizeof(p), &h), ST_OK);
	assert_int_equal(h.ts_sec, sec);
	assert_int_equal(h.ts_usec, usec);
	assert_int_equal(h.capture_id, 2001);
	/* cut inside the time header; an unknown family */
	assert_int_equal(hep2_parse(p, 20, &h), ST_TRUNCATED);
	p[2] = 99;
	assert_int_equal(hep2_parse(p, sizeof(p), &h), ST_MALFORMED);
	/* HEPv1: no time header, agent 0 */
	uint8_t v1[8 + 8 + 3] = { 1, 16, 2, 17, 0x13, 0xc4, 0x13, 0xc4, 1, 2, 3, 4, 5, 6, 7, 8, 'A', 'C', 'K' };
	assert_int_equal(hep_parse(v1, sizeof(v1), &h), ST_OK);
	assert_int_equal(h.capture_id, 0);
	assert_int_equal(h.payload_len, 3);
}

/* The rebuilt packet, read back by the RTCP parser the calls stage uses. */
static void rebuild(const char *json, struct rtcp_pkt *pkt)
{
	uint8_t out[8 + 20 + 31 * 24];
	long n = hep_rtcp_from_json((const uint8_t *)json, strlen(json), out, sizeof(out));
	assert_true(n > 0);
	assert_true(rtcp_compound_valid(out, (size_t)n));
	struct rtcp_iter it;
	bool more = false;
	rtcp_iter_init(&it, out, (size_t)n);
	assert_int_equal(rtcp_next(&it, pkt, &more), ST_OK);
	assert_int_equal(pkt->len, (size_t)n);
}

static void test_rtcp_json(void **state)
{
	(void)state;
	struct rtcp_pkt pkt;
	/* heplify: an SR and its SDES, "type" that of the SDES, the NTP words */
	rebuild("{\"sender_information\":{\"ntp_timestamp_sec\":3719322562,\"ntp_timestamp_usec\":3758534470,"
		"\"rtp_timestamp\":360902880,\"packets\":4017,\"octets\":642720},\"ssrc\":2543003035,\"type\":202,"
		"\"report_count\":1,\"report_blocks\":[{\"source_ssrc\":1393754395,\"fraction_lost\":12,"
		"\"packets_lost\":-3,\"highest_seq_no\":29662,\"ia_jitter\":159,\"lsr\":0,\"dlsr\":0}],"
		"\"report_blocks_xr\":{\"end_system_delay\":11},\"sdes_ssrc\":2540000035}",
		&pkt);
	assert_int_equal(pkt.pt, RTCP_SR);
	assert_int_equal(pkt.ssrc, 2543003035u);
	assert_true(pkt.ntp == ((uint64_t)3719322562u << 32 | 3758534470u));
	assert_int_equal(pkt.rtp_ts, 360902880u);
	assert_int_equal(pkt.pkt_count, 4017);
	assert_int_equal(pkt.octet_count, 642720);
	assert_int_equal(pkt.n_blocks, 1);
	assert_int_equal(pkt.blocks[0].ssrc, 1393754395u);
	assert_int_equal(pkt.blocks[0].fraction_lost, 12);
	assert_int_equal(pkt.blocks[0].cum_lost, -3);
	assert_int_equal(pkt.blocks[0].ext_high_seq, 29662);
	assert_int_equal(pkt.blocks[0].jitter, 159);
	/* heplify's receiver report: the sender's figures all zero */
	rebuild("{\"sender_information\":{\"ntp_timestamp_sec\":0,\"ntp_timestamp_usec\":0,\"rtp_timestamp\":0,"
		"\"packets\":0,\"octets\":0},\"ssrc\":7,\"type\":201,\"report_count\":1,\"report_blocks\":"
		"[{\"source_ssrc\":8,\"fraction_lost\":255,\"packets_lost\":500,\"highest_seq_no\":70000,"
		"\"ia_jitter\":3,\"lsr\":1,\"dlsr\":2}]}",
		&pkt);
	assert_int_equal(pkt.pt, RTCP_RR);
	assert_int_equal(pkt.ssrc, 7);
	assert_int_equal(pkt.n_blocks, 1);
	assert_int_equal(pkt.blocks[0].fraction_lost, 255);
	assert_int_equal(pkt.blocks[0].cum_lost, 500);
	assert_int_equal(pkt.blocks[0].ext_high_seq, 70000);
	assert_int_equal(pkt.blocks[0].lsr, 1);
	assert_int_equal(pkt.blocks[0].dlsr, 2);
	/* Asterisk's res_hep_rtcp: Unix time as strings, to NTP */
	rebuild("{\"ssrc\":99,\"type\":200,\"report_count\":0,\"sender_information\":{\"ntp_timestamp_sec\":"
		"\"1700000000\",\"ntp_timestamp_usec\":\"500000\",\"rtp_timestamp\":160,\"packets\":1,"
		"\"octets\":160},\"report_blocks\":[]}",
		&pkt);
	assert_int_equal(pkt.pt, RTCP_SR);
	assert_true(pkt.ntp == ((uint64_t)(1700000000u + 2208988800u) << 32 | 0x80000000u));
	assert_int_equal(pkt.n_blocks, 0);
	/* rtpengine: a negative lsr (its low 32 bits), report_count 0 beside a block, jitter as a real */
	rebuild("{\"sender_information\":{\"ntp_timestamp_sec\":3650797214,\"packets\":106,"
		"\"ntp_timestamp_usec\":13217348104192,\"octets\":16960,\"rtp_timestamp\":16960},\"ssrc\":451916597,"
		"\"type\":200,\"report_blocks\":[{\"source_ssrc\":898343773,\"highest_seq_no\":20881,"
		"\"fraction_lost\":0,\"ia_jitter\":1.7,\"packets_lost\":0,\"lsr\":-1097006646,\"dlsr\":7733}],"
		"\"report_count\":0}",
		&pkt);
	assert_int_equal(pkt.pt, RTCP_SR);
	assert_int_equal(pkt.n_blocks, 1);
	assert_int_equal(pkt.blocks[0].lsr, (uint32_t)-1097006646);
	assert_int_equal(pkt.blocks[0].jitter, 1);
	assert_int_equal(pkt.blocks[0].dlsr, 7733);
	/* not reports: no JSON, no SSRC, a block without its source, too little room */
	uint8_t out[64];
	const char *bad[] = { "{", "[1,2]", "{\"type\":200}", "{\"ssrc\":\"12x\"}",
			      "{\"ssrc\":1,\"report_blocks\":[{\"fraction_lost\":1}]}",
			      "{\"ssrc\":1,\"report_blocks\":[{\"source_ssrc\":1},{\"source_ssrc\":2},{\"source_ssrc\":3}]}" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(hep_rtcp_from_json((const uint8_t *)bad[i], strlen(bad[i]), out, sizeof(out)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames_whatever_the_reads),
		cmocka_unit_test(test_not_hep_refused),
		cmocka_unit_test(test_hep2),
		cmocka_unit_test(test_rtcp_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
