/* SPDX-License-Identifier: MIT */
/* Unit tests for the SIP parser and framer (proto/sip.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "proto/sip.h"

static bool eq(struct sv s, const char *want)
{
	return sv_eq(s, sv_from_cstr(want));
}

static const char invite[] =
	"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
	"Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport\r\n"
	"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKold, SIP/2.0/TCP 10.0.0.2;branch=z9hG4bKolder\r\n"
	"Max-Forwards: 70\r\n"
	"To: Bob <sip:bob@biloxi.example.com>\r\n"
	"From: \"Alice, A.\" <sip:alice@atlanta.example.com;transport=udp>;tag=1928301774\r\n"
	"Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
	"CSeq: 314159 INVITE\r\n"
	"Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
	"Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\n"
	"Session-Expires: 1800;refresher=uac\r\n"
	"User-Agent: Linphone/3.6.1 (belle-sip/1.2.4)\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: 4\r\n"
	"\r\n"
	"v=0\n";

static void test_request(void **state)
{
	(void)state;
	struct sip_msg m;
	long n = sip_parse(invite, strlen(invite), SIP_DGRAM, &m);
	assert_int_equal(n, (long)strlen(invite));
	assert_true(m.is_request);
	assert_true(eq(m.method, "INVITE"));
	assert_true(eq(m.ruri, "sip:bob@biloxi.example.com"));
	assert_true(eq(m.call_id, "a84b4c76e66710@pc33.atlanta.example.com"));
	assert_true(eq(m.from_tag, "1928301774"));
	assert_true(eq(m.from_uri, "sip:alice@atlanta.example.com;transport=udp"));
	assert_int_equal(m.to_tag.n, 0);
	assert_int_equal(m.cseq, 314159);
	assert_true(eq(m.cseq_method, "INVITE"));
	assert_true(eq(m.via_branch, "z9hG4bK776asdhds"));
	assert_true(eq(m.via_transport, "UDP"));
	assert_true(eq(m.via_sent_by, "pc33.atlanta.example.com:5060"));
	assert_true(m.via_has_rport);
	assert_int_equal(m.via_rport.n, 0);
	assert_int_equal(m.n_via, 3);
	assert_int_equal(m.n_record_route, 2);
	assert_true(eq(m.record_route, "<sip:p1.example.com;lr>"));
	assert_int_equal(m.session_expires_s, 1800);
	assert_true(eq(m.se_refresher, "uac"));
	assert_true(eq(m.user_agent, "Linphone/3.6.1 (belle-sip/1.2.4)"));
	assert_true(eq(m.content_type, "application/sdp"));
	assert_true(m.has_content_length);
	assert_true(eq(m.body, "v=0\n"));
	assert_int_equal(m.errors, 0);
	assert_true(eq(sip_msg_header_named(&m, "max-forwards"), "70"));
}

static void test_response_compact_and_folded(void **state)
{
	(void)state;
	static const char msg[] = "SIP/2.0 180 Ringing\r\n"
				  "v: SIP/2.0/UDP 192.0.2.1:5060;received=198.51.100.7;rport=40312;branch=z9hG4bKa\r\n"
				  "f: <sip:a@example.com>;tag=abc\r\n"
				  "t: <sip:b@example.com>\r\n"
				  "  ;tag=xyz\r\n"
				  "i: compact@example.com\r\n"
				  "CSEQ:   7   INVITE\r\n"
				  "m: <sip:b@198.51.100.8:5062>\r\n"
				  "Server: Asterisk PBX 18.0\r\n"
				  "l: 0\r\n"
				  "\r\n";
	struct sip_msg m;
	long n = sip_parse(msg, sizeof(msg) - 1, SIP_DGRAM, &m);
	assert_int_equal(n, (long)sizeof(msg) - 1);
	assert_false(m.is_request);
	assert_int_equal(m.status, 180);
	assert_true(eq(m.reason_phrase, "Ringing"));
	assert_true(eq(m.call_id, "compact@example.com"));
	assert_true(eq(m.via_received, "198.51.100.7"));
	assert_true(eq(m.via_rport, "40312"));
	assert_true(eq(m.to_tag, "xyz"));
	assert_int_equal(m.cseq, 7);
	assert_true(eq(m.cseq_method, "INVITE"));
	assert_true(eq(m.contact_uri, "sip:b@198.51.100.8:5062"));
	assert_true(eq(sip_uri_host(m.contact_uri), "198.51.100.8"));
	assert_int_equal(sip_uri_port(m.contact_uri), 5062);
	assert_true(eq(m.server, "Asterisk PBX 18.0"));
	assert_int_equal(m.body.n, 0);
	assert_int_equal(m.errors, 0);
}

static void test_lf_only_and_no_content_length(void **state)
{
	(void)state;
	static const char msg[] = "BYE sip:x@h SIP/2.0\nCall-ID: q\nFrom: <sip:a@h>;tag=1\nTo: <sip:b@h>;tag=2\n"
				  "CSeq: 2 BYE\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\n"
				  "Reason: Q.850;cause=16;text=\"Normal call clearing\"\n\nrest";
	struct sip_msg m;
	long n = sip_parse(msg, sizeof(msg) - 1, SIP_DGRAM, &m);
	assert_int_equal(n, (long)sizeof(msg) - 1);
	assert_true(eq(m.body, "rest")); /* datagram: the rest is the body */
	assert_true(eq(m.reason, "Q.850;cause=16;text=\"Normal call clearing\""));
	assert_int_equal(m.errors, 0);
}

static void test_not_sip(void **state)
{
	(void)state;
	struct sip_msg m;
	static const char *bad[] = {
		"HTTP/1.1 200 OK\r\n\r\n",
		"GET / HTTP/1.1\r\n\r\n",
		"SIP/2.0 99 Low\r\n\r\n",
		"SIP/2.0 abc Ringing\r\n\r\n",
		"INVITE sip:x SIP/3.0\r\n\r\n",
		"INVITE nocolon SIP/2.0\r\n\r\n",
		"INV ITE sip:x@y SIP/2.0\r\n\r\n",
		"",
		"\x80\x08\x00\x01",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(sip_parse(bad[i], strlen(bad[i]), SIP_DGRAM, &m), SIP_PARSE_ERROR);
		assert_false(sip_looks_like((const uint8_t *)bad[i], strlen(bad[i])));
	}
	assert_true(sip_looks_like((const uint8_t *)invite, strlen(invite)));
}

static void test_errors_flagged(void **state)
{
	(void)state;
	static const char msg[] = "OPTIONS sip:x@y SIP/2.0\r\nContent-Length: 99999999999999999999\r\n"
				  "CSeq: nope\r\nbroken line without colon\r\n\r\n";
	struct sip_msg m;
	assert_true(sip_parse(msg, sizeof(msg) - 1, SIP_DGRAM, &m) > 0);
	assert_true(m.errors & SIP_E_BAD_CONTENT_LENGTH);
	assert_true(m.errors & SIP_E_BAD_CSEQ);
	assert_true(m.errors & SIP_E_BAD_HEADER_LINE);
	assert_true(m.errors & SIP_E_NO_CALL_ID);
	/* body shorter than Content-Length in a datagram */
	static const char short_body[] = "ACK sip:x@y SIP/2.0\r\nContent-Length: 10\r\n\r\nabc";
	assert_true(sip_parse(short_body, sizeof(short_body) - 1, SIP_DGRAM, &m) > 0);
	assert_true(m.errors & SIP_E_BODY_SHORT);
	assert_true(eq(m.body, "abc"));
	/* more after the body than Content-Length says: a body rewritten (an ALG) */
	static const char long_body[] = "ACK sip:x@y SIP/2.0\r\nContent-Length: 3\r\n\r\nabcdef";
	assert_true(sip_parse(long_body, sizeof(long_body) - 1, SIP_DGRAM, &m) > 0);
	assert_true(m.errors & SIP_E_BODY_EXTRA);
	assert_true(eq(m.body, "abc"));
	/* blank padding after the body is no such sign */
	static const char padded[] = "ACK sip:x@y SIP/2.0\r\nContent-Length: 3\r\n\r\nabc\r\n\r\n";
	assert_true(sip_parse(padded, sizeof(padded) - 1, SIP_DGRAM, &m) > 0);
	assert_false(m.errors & SIP_E_BODY_EXTRA);
}

static void test_stream_framing(void **state)
{
	(void)state;
	/* two messages back to back, a keep-alive, and the start of a third */
	char buf[2048];
	static const char m1[] = "REGISTER sip:r SIP/2.0\r\nCall-ID: 1\r\nContent-Length: 3\r\n\r\nabc";
	static const char m2[] = "SIP/2.0 200 OK\r\nCall-ID: 1\r\n\r\n";
	static const char m3[] = "SIP/2.0 100 Trying\r\nCall-ID: 2\r\nContent-Le";
	size_t n = 0;
	memcpy(buf + n, m1, sizeof(m1) - 1);
	n += sizeof(m1) - 1;
	memcpy(buf + n, m2, sizeof(m2) - 1);
	n += sizeof(m2) - 1;
	memcpy(buf + n, "\r\n\r\n", 4);
	n += 4;
	memcpy(buf + n, m3, sizeof(m3) - 1);
	n += sizeof(m3) - 1;
	const uint8_t *p = (const uint8_t *)buf;
	size_t len = 0;
	assert_int_equal(sip_frame(p, n, &len), FRAME_MESSAGE);
	assert_int_equal(len, sizeof(m1) - 1);
	p += len;
	n -= len;
	assert_int_equal(sip_frame(p, n, &len), FRAME_MESSAGE);
	assert_int_equal(len, sizeof(m2) - 1); /* no Content-Length on a stream: empty body */
	p += len;
	n -= len;
	assert_int_equal(sip_frame(p, n, &len), FRAME_SKIP);
	assert_int_equal(len, 4);
	p += len;
	n -= len;
	assert_int_equal(sip_frame(p, n, &len), FRAME_NEED_MORE);
	/* body not all there yet */
	assert_int_equal(sip_frame((const uint8_t *)m1, sizeof(m1) - 2, &len), FRAME_NEED_MORE);
	/* garbage before a message is skipped up to the message */
	static const char junk[] = "\x16\x03\x01 binary\nmore junk\nSIP/2.0 200 OK\r\n\r\n";
	assert_int_equal(sip_frame((const uint8_t *)junk, sizeof(junk) - 1, &len), FRAME_SKIP);
	assert_int_equal(len, strlen("\x16\x03\x01 binary\nmore junk\n"));
}

static void test_uri_helpers(void **state)
{
	(void)state;
	assert_true(eq(sip_uri_of(sv_from_cstr("\"A <b>\" <sip:x@y>;tag=1")), "sip:x@y"));
	assert_true(eq(sip_uri_of(sv_from_cstr("sip:x@y;tag=1")), "sip:x@y"));
	assert_true(eq(sip_uri_host(sv_from_cstr("sip:user@[2001:db8::1]:5060")), "[2001:db8::1]"));
	assert_int_equal(sip_uri_port(sv_from_cstr("sip:user@[2001:db8::1]:5060")), 5060);
	assert_int_equal(sip_uri_port(sv_from_cstr("sip:user@host")), 0);
	assert_int_equal(sip_uri_port(sv_from_cstr("sip:user@host:99999")), 0);
	struct sv rest = sv_from_cstr("<sip:a,b@x>, \"c,d\" <sip:y>");
	assert_true(eq(sip_list_next(&rest), "<sip:a,b@x>"));
	assert_true(eq(sip_list_next(&rest), "\"c,d\" <sip:y>"));
	assert_int_equal(rest.n, 0);
}

static void test_label_is_safe(void **state)
{
	(void)state;
	static const char msg[] = "SIP/2.0 486 Busy\x1b[31m Here\r\nCall-ID: x\r\n\r\n";
	struct sip_msg m;
	assert_true(sip_parse(msg, sizeof(msg) - 1, SIP_DGRAM, &m) > 0);
	char label[64];
	sip_msg_label(&m, label, sizeof(label));
	assert_null(strchr(label, '\x1b'));
	assert_true(strncmp(label, "486 Busy?", 9) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_response_compact_and_folded),
		cmocka_unit_test(test_lf_only_and_no_content_length),
		cmocka_unit_test(test_not_sip),
		cmocka_unit_test(test_errors_flagged),
		cmocka_unit_test(test_stream_framing),
		cmocka_unit_test(test_uri_helpers),
		cmocka_unit_test(test_label_is_safe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
