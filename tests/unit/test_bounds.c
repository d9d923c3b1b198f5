/* SPDX-License-Identifier: MIT */
/* Every parser and the decoder read only the bytes they are given: each sample
 * (RTP, RTCP, STUN, SIP, SDP, WebSocket, HEP, whole frames) is cut at every
 * length and damaged byte by byte, and each piece is placed flush against a
 * page the process may not read, so one byte read past the end is a crash in
 * any build, not only under AddressSanitizer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>
#include <pcap/dlt.h>

#include "decode/decode.h"
#include "decode/hep.h"
#include "decode/websocket.h"
#include "proto/classify.h"
#include "proto/rtcp.h"
#include "proto/rtp.h"
#include "proto/sdp.h"
#include "proto/sip.h"
#include "proto/stun.h"
#include "pktbuild.h"

#define GUARD_AREA (128u * 1024u)

static uint8_t *area;      /* GUARD_AREA readable bytes, then a page that is not */
static size_t page;

static int setup(void **state)
{
	(void)state;
	page = (size_t)sysconf(_SC_PAGESIZE);
	void *m = mmap(NULL, GUARD_AREA + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -1;
	area = m;
	return mprotect(area + GUARD_AREA, page, PROT_NONE);
}

static int teardown(void **state)
{
	(void)state;
	munmap(area, GUARD_AREA + page);
	return 0;
}

/* A copy of n bytes whose last byte is the last readable one. */
static const uint8_t *guarded(const void *src, size_t n)
{
	assert_true(n <= GUARD_AREA);
	uint8_t *p = area + GUARD_AREA - n;
	if (n)
		memcpy(p, src, n);
	return p;
}

static volatile size_t sink;

/* Every payload parser on one piece of bytes. */
static void parse_all(const uint8_t *p, size_t n)
{
	struct rtp_hdr h;
	if (rtp_parse(p, n, &h) == ST_OK) {
		struct rtp_event e;
		sink += rtp_event_parse(h.payload, h.payload_len, &e);
	}
	sink += rtcp_compound_valid(p, n);
	struct rtcp_iter it;
	rtcp_iter_init(&it, p, n);
	bool more = true;
	for (int i = 0; more && i < 32; i++) {
		struct rtcp_pkt pkt;
		if (rtcp_next(&it, &pkt, &more) != ST_OK)
			break;
		sink += pkt.n_blocks;
	}
	struct stun_msg sm;
	sink += stun_parse(p, n, &sm);
	sink += stun_looks_like(p, n);
	for (uint16_t port = 1000; port <= 5000; port += 4000)
		sink += classify_payload(p, n, port, port);
	struct sip_msg m;
	sink += (size_t)sip_parse((const char *)p, n, SIP_DGRAM, &m);
	sink += (size_t)sip_parse((const char *)p, n, SIP_STREAM, &m);
	sink += sip_probe(p, n);
	size_t cut = 0;
	sink += sip_frame(p, n, &cut) + cut;
	static struct sdp sdp;
	sink += sdp_parse((const char *)p, n, &sdp);
	struct ws_frame wf;
	sink += ws_frame_parse(p, n, &wf);
	struct hep_info hi;
	sink += hep3_parse(p, n, &hi);
}

/* Each prefix, and each prefix with one byte changed, flush against the guard. */
static void every_cut_and_flip(const uint8_t *sample, size_t n, void (*fn)(const uint8_t *, size_t))
{
	static uint8_t work[GUARD_AREA];
	assert_true(n <= sizeof(work));
	for (size_t len = 0; len <= n; len++) {
		fn(guarded(sample, len), len);
		/* length fields sit in the headers: damage the first bytes, and the last */
		for (size_t i = 0; i < len; i = (i == 63 && len > 65) ? len - 1 : i + 1) {
			static const uint8_t flips[] = { 0x00, 0xff, 0x80 };
			for (size_t k = 0; k < sizeof(flips); k++) {
				memcpy(work, sample, len);
				work[i] ^= flips[k] ? flips[k] : work[i];
				fn(guarded(work, len), len);
			}
		}
	}
}

static size_t rtp_sample(uint8_t *b)
{
	/* V=2, padding, extension, 2 CSRCs, marker, PT 101 (an RFC 4733 event) */
	static const uint8_t hdr[] = { 0xb2, 0xe5, 0x12, 0x34, 0, 0, 0x10, 0, 0xde, 0xad, 0xbe, 0xef,
				       0, 0, 0, 1, 0, 0, 0, 2, 0xbe, 0xde, 0, 1, 1, 2, 3, 4,
				       5, 0x8a, 0x03, 0x20, 0, 0, 0, 4 };
	memcpy(b, hdr, sizeof(hdr));
	return sizeof(hdr);
}

static size_t rtcp_sample(uint8_t *b)
{
	struct pkt p = { .n = 0 };
	/* SR with one report block */
	put8(&p, 0x81); put8(&p, 200); put16(&p, 12);
	put32(&p, 0x1111); put32(&p, 0xe0000000); put32(&p, 0x80000000); put32(&p, 160);
	put32(&p, 10); put32(&p, 1600);
	put32(&p, 0x2222); put32(&p, 0x05000003); put32(&p, 1000); put32(&p, 40); put32(&p, 0x12345678); put32(&p, 0x10000);
	/* SDES with a CNAME */
	put8(&p, 0x81); put8(&p, 202); put16(&p, 3);
	put32(&p, 0x1111); put8(&p, 1); put8(&p, 5); put(&p, "alice", 5); put8(&p, 0);
	/* BYE with a reason */
	put8(&p, 0x81); put8(&p, 203); put16(&p, 2);
	put32(&p, 0x1111); put8(&p, 3); put(&p, "bye", 3);
	/* APP */
	put8(&p, 0x80); put8(&p, 204); put16(&p, 2); put32(&p, 0x1111); put(&p, "test", 4);
	/* XR with a VoIP metrics block (RFC 3611 section 4.7) */
	put8(&p, 0x80); put8(&p, 207); put16(&p, 10); put32(&p, 0x1111);
	put8(&p, 7); put8(&p, 0); put16(&p, 8); put32(&p, 0x2222);
	for (int i = 0; i < 7; i++)
		put32(&p, 0x01020304u * (uint32_t)(i + 1));
	memcpy(b, p.b, p.n);
	return p.n;
}

static size_t stun_sample(uint8_t *b)
{
	struct pkt p = { .n = 0 };
	put16(&p, 0x0101); put16(&p, 12 + 8 + 8); put32(&p, 0x2112A442);
	put(&p, "abcdefghijkl", 12);
	put16(&p, 0x0020); put16(&p, 8); put8(&p, 0); put8(&p, 1); put16(&p, 0x1234 ^ 0x2112); put32(&p, 0xc0000201 ^ 0x2112A442);
	put16(&p, 0x8022); put16(&p, 3); put(&p, "ua\0\0", 4);
	put16(&p, 0x0009); put16(&p, 4); put32(&p, 0x00000401);
	memcpy(b, p.b, p.n);
	return p.n;
}

static const char SIP_SAMPLE[] =
	"INVITE sip:bob@example.com SIP/2.0\r\n"
	"Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK1;rport\r\n"
	"From: \"A \\\"q\\\"\" <sip:alice@example.com>;tag=a1\r\n"
	"To: <sip:bob@example.com>\r\n"
	"Call-ID: c1@192.0.2.1\r\n"
	"CSeq: 1 INVITE\r\n"
	"Contact: <sip:alice@192.0.2.1:5060;transport=tcp>\r\n"
	"Session-Expires: 1800;refresher=uac\r\n"
	"Content-Type: multipart/mixed;boundary=xx\r\n"
	" ;charset=utf-8\r\n"
	"Content-Length: 205\r\n"
	"\r\n"
	"--xx\r\n"
	"Content-Type: application/sdp\r\n"
	"\r\n"
	"v=0\r\n"
	"o=- 1 1 IN IP4 192.0.2.1\r\n"
	"s=-\r\n"
	"c=IN IP4 192.0.2.1\r\n"
	"t=0 0\r\n"
	"m=audio 4000 RTP/AVP 0 101\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=ptime:20.5\r\n"
	"a=sendrecv\r\n"
	"--xx--\r\n";

static const char SDP_SAMPLE[] =
	"v=0\r\no=- 1 2 IN IP6 2001:db8::1\r\ns=-\r\nc=IN IP6 2001:db8::1\r\nt=0 0\r\n"
	"m=audio 4000 RTP/SAVP 0 8 96 101\r\na=rtpmap:96 opus/48000/2\r\na=rtcp:4001 IN IP6 2001:db8::1\r\n"
	"a=rtcp-mux\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:abc\r\n"
	"a=candidate:1 1 UDP 2130706431 192.0.2.1 4000 typ host\r\na=ice-ufrag:x\r\na=inactive\r\n"
	"m=video 0 RTP/AVP 31\r\n";

static size_t ws_sample(uint8_t *b)
{
	struct pkt p = { .n = 0 };
	put8(&p, 0x81); put8(&p, 0x80 | 126); put16(&p, 300); put32(&p, 0x01020304);
	for (int i = 0; i < 8; i++)
		put8(&p, (uint8_t)i);
	memcpy(b, p.b, p.n);
	return p.n;
}

static size_t hep_sample(uint8_t *b)
{
	struct pkt p = { .n = 0 };
	put(&p, "HEP3", 4);
	size_t at = p.n;
	put16(&p, 0);
	/* family, protocol, addresses, ports, time, payload type, capture id, payload */
	put16(&p, 0); put16(&p, 1); put16(&p, 7); put8(&p, 2);
	put16(&p, 0); put16(&p, 2); put16(&p, 7); put8(&p, 17);
	put16(&p, 0); put16(&p, 3); put16(&p, 10); put32(&p, 0xc0000201);
	put16(&p, 0); put16(&p, 4); put16(&p, 10); put32(&p, 0xc0000202);
	put16(&p, 0); put16(&p, 7); put16(&p, 8); put16(&p, 5060);
	put16(&p, 0); put16(&p, 8); put16(&p, 8); put16(&p, 5060);
	put16(&p, 0); put16(&p, 9); put16(&p, 10); put32(&p, 1700000000);
	put16(&p, 0); put16(&p, 10); put16(&p, 10); put32(&p, 5);
	put16(&p, 0); put16(&p, 11); put16(&p, 7); put8(&p, 1);
	put16(&p, 0); put16(&p, 15); put16(&p, 6 + 3); put(&p, "pw1", 3);
	put16(&p, 0); put16(&p, 15); put16(&p, 6 + 3); put(&p, "abc", 3);
	put16(&p, 0); put16(&p, 12); put16(&p, 10); put32(&p, 99);
	size_t body = sizeof(SIP_SAMPLE) - 1;
	put16(&p, 0); put16(&p, 15); put16(&p, (uint16_t)(6 + body)); put(&p, SIP_SAMPLE, body);
	set16(&p, at, (uint16_t)p.n);
	memcpy(b, p.b, p.n);
	return p.n;
}

static void test_payload_parsers(void **state)
{
	(void)state;
	static uint8_t b[8192];
	size_t n = rtp_sample(b);
	every_cut_and_flip(b, n, parse_all);
	n = rtcp_sample(b);
	every_cut_and_flip(b, n, parse_all);
	n = stun_sample(b);
	every_cut_and_flip(b, n, parse_all);
	n = ws_sample(b);
	every_cut_and_flip(b, n, parse_all);
	n = hep_sample(b);
	every_cut_and_flip(b, n, parse_all);
	every_cut_and_flip((const uint8_t *)SDP_SAMPLE, sizeof(SDP_SAMPLE) - 1, parse_all);
	/* SIP is long: its cuts, and flips of its first and last bytes */
	for (size_t len = 0; len < sizeof(SIP_SAMPLE); len++)
		parse_all(guarded(SIP_SAMPLE, len), len);
}

/* The classification of rtcp-overread.pcap (../shared/hostile): two bytes that
 * begin like RTCP between unprivileged ports; the first packet's length was
 * read from bytes 2 and 3 before the payload was known to hold them. */
static void test_classify_short_rtcp(void **state)
{
	(void)state;
	static const uint8_t two[] = { 0x80, 0xc8 };
	assert_int_equal(classify_payload(guarded(two, 2), 2, 40000, 40001), PK_OTHER);
	static const uint8_t three[] = { 0x80, 0xc9, 0x00 };
	assert_int_equal(classify_payload(guarded(three, 3), 3, 40000, 40001), PK_OTHER);
	/* a sound SR still is RTCP, and one followed by an SRTCP tail too */
	uint8_t b[256];
	size_t n = rtcp_sample(b);
	assert_int_equal(classify_payload(guarded(b, n), n, 40000, 40001), PK_RTCP);
	memcpy(b + n, "\x80\x00\x00\x01tagtagtagt", 14);
	assert_int_equal(classify_payload(guarded(b, n + 14), n + 14, 40000, 40001), PK_RTCP);
}

static void nop_sink(void *ctx, const struct dgram *d)
{
	(void)ctx;
	size_t sum = 0;
	for (size_t i = 0; i < d->len; i++)
		sum += d->data[i];
	sink += sum;
	sink += classify_payload(d->data, d->len, d->sport, d->dport);
}

static struct decoder *dec;
static uint64_t frame_no;

static void decode_one(const uint8_t *p, size_t n)
{
	static const int dlts[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_RAW, DLT_NULL };
	for (size_t i = 0; i < sizeof(dlts) / sizeof(dlts[0]); i++) {
		frame_no++;
		struct frame f = { .num = frame_no, .ts_ns = (int64_t)frame_no * 1000000, .linktype = dlts[i],
				   .caplen = (uint32_t)n, .len = (uint32_t)n, .data = p };
		decoder_frame(dec, &f);
	}
}

static void test_decoder_frames(void **state)
{
	(void)state;
	struct decode_config cfg = { .limits = limits_default(), .probe = sip_probe, .framer = sip_frame,
				     .sink = nop_sink };
	dec = decoder_new(&cfg);
	assert_non_null(dec);
	static const uint8_t A[4] = { 192, 0, 2, 1 }, B[4] = { 198, 51, 100, 2 };
	static struct pkt p;
	uint8_t b[8192];
	/* RTP, RTCP, STUN and HEP over UDP, SIP over TCP, a fragment, GRE */
	size_t n = rtp_sample(b);
	eth_udp4(&p, A, B, 40000, 40002, b, n);
	every_cut_and_flip(p.b, p.n, decode_one);
	n = rtcp_sample(b);
	eth_udp4(&p, A, B, 40001, 40003, b, n);
	every_cut_and_flip(p.b, p.n, decode_one);
	n = hep_sample(b);
	eth_udp4(&p, A, B, 9060, 9060, b, n);
	for (size_t len = 0; len <= p.n; len++)
		decode_one(guarded(p.b, len), len);
	eth_tcp4(&p, A, B, 40000, 5060, 1, 0x18, SIP_SAMPLE, 200);
	for (size_t len = 0; len <= p.n; len++)
		decode_one(guarded(p.b, len), len);
	p.n = 0;
	eth(&p, 0x0800);
	size_t at = ip4(&p, 17, A, B, 7, 0x2000);
	udp(&p, 5060, 5060, SIP_SAMPLE, 64);
	set16(&p, at, (uint16_t)(p.n - 14));
	every_cut_and_flip(p.b, p.n, decode_one);
	p.n = 0;
	eth(&p, 0x86dd);
	put32(&p, 0x60000000); put16(&p, 8 + 8 + 8); put8(&p, 0); put8(&p, 64);
	for (int i = 0; i < 32; i++)
		put8(&p, (uint8_t)i);
	put8(&p, 44); put8(&p, 0); put16(&p, 0x0001); put32(&p, 9); /* a fragment header */
	put16(&p, 5060); put16(&p, 5060); put16(&p, 16); put16(&p, 0);
	every_cut_and_flip(p.b, p.n, decode_one);
	decoder_free(dec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_payload_parsers),
		cmocka_unit_test(test_classify_short_rtcp),
		cmocka_unit_test(test_decoder_frames),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
