/* SPDX-License-Identifier: MIT */
/* Unit tests for the SDP parser (RFC 8866, RFC 3264 offer/answer attributes) and
 * for finding the SDP part of a SIP body (RFC 2046 multipart). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/sdp.h"

/* ---- helpers ---------------------------------------------------------- */

static enum status parse(const char *s, struct sdp *out)
{
	return sdp_parse(s, strlen(s), out);
}

static void check_sv(struct sv s, const char *want)
{
	char buf[512];
	assert_true(s.n < sizeof(buf));
	sv_to_buf(s, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void check_addr(const struct addr *a, const char *want)
{
	char buf[ADDR_STRLEN];
	assert_string_equal(addr_str(a, buf), want);
}

static void check_conn(const struct sdp_conn *c, const char *text, const char *addr)
{
	assert_true(c->present);
	check_sv(c->text, text);
	check_addr(&c->addr, addr);
}

/* Appends a C string to buf[*len] (the tests build long SDPs in place). */
static void append(char *buf, size_t cap, size_t *len, const char *s)
{
	size_t n = strlen(s);
	assert_true(*len + n < cap);
	memcpy(buf + *len, s, n);
	*len += n;
	buf[*len] = '\0';
}

/* ---- captured SDP bodies --------------------------------------------- */

/* Asterisk offering SRTP (voipshark SIP-SRTP-Normal_Call_two_parties.pcap). */
static const char asterisk_srtp[] =
	"v=0\r\n"
	"o=- 3732317048 3732317051 IN IP4 192.168.20.130\r\n"
	"s=Asterisk\r\n"
	"c=IN IP4 192.168.20.130\r\n"
	"t=0 0\r\n"
	"m=audio 14708 RTP/SAVP 0 101\r\n"
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:oFDqZSB4m17urfnVpfws4X4v2HHt8IGX/3BO4L8L\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-16\r\n"
	"a=ptime:20\r\n"
	"a=maxptime:150\r\n"
	"a=sendrecv\r\n";

/* X-Lite 4 with ICE: session-level c= and ice-ufrag (Asterisk_ZFONE_XLITE.pcap). */
static const char xlite_ice[] =
	"v=0\r\n"
	"o=- 12930044636772923 2 IN IP4 192.168.10.41\r\n"
	"s=CounterPath X-Lite 4.0\r\n"
	"c=IN IP4 192.168.10.41\r\n"
	"t=0 0\r\n"
	"a=ice-ufrag:64f1a0\r\n"
	"a=ice-pwd:6c3a6e332f19287d6887564731372ec9\r\n"
	"m=audio 64508 RTP/AVP 0 8 101\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-15\r\n"
	"a=sendrecv\r\n"
	"a=candidate:1 1 UDP 659136 192.168.10.41 64508 typ host\r\n"
	"a=candidate:1 2 UDP 659134 192.168.10.41 64509 typ host\r\n";

/* A WebRTC browser through a SIP-over-WebSocket gateway (heplify
 * sip_tcp_websocket.pcap), shortened. */
static const char webrtc[] =
	"v=0\r\n"
	"o=- 5857782044904022261 2 IN IP4 10.243.17.55\r\n"
	"s=-\r\n"
	"t=0 0\r\n"
	"a=group:BUNDLE audio\r\n"
	"a=msid-semantic: WMS nY3lUME4QrrxqMSKV6s4pwefhY8pYo9GhrH9\r\n"
	"m=audio 55695 UDP/TLS/RTP/SAVPF 111 103 9 0 8 126\r\n"
	"c=IN IP4 10.243.17.55\r\n"
	"a=rtcp:9 IN IP4 0.0.0.0\r\n"
	"a=candidate:3826373926 1 udp 2122260223 10.10.24.139 55695 typ host generation 0 network-id 1 network-cost 10\r\n"
	"a=candidate:302099698 1 udp 1686052607 69.17.142.250 55695 typ srflx raddr 10.10.24.139 rport 55695 generation 0\r\n"
	"a=candidate:2861705686 1 tcp 1518280447 10.10.24.139 9 typ host tcptype active generation 0\r\n"
	"a=ice-ufrag:BwhA\r\n"
	"a=ice-pwd:rVbL92yga1wmglK0q5scQV9A\r\n"
	"a=ice-options:trickle\r\n"
	"a=fingerprint:sha-256 21:B5:56:5A:47:9A:0C:A4:A4:AC:04:40:61:7A:AA:41:FE:6A:DE:84:15:9F:ED:A8:8D:4A:23:DB:5B:E9:6F:45\r\n"
	"a=setup:actpass\r\n"
	"a=mid:audio\r\n"
	"a=sendrecv\r\n"
	"a=rtcp-mux\r\n"
	"a=rtpmap:111 opus/48000/2\r\n"
	"a=rtcp-fb:111 transport-cc\r\n"
	"a=fmtp:111 minptime=10;useinbandfec=1\r\n"
	"a=rtpmap:103 ISAC/16000\r\n"
	"a=rtpmap:9 G722/8000\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:126 telephone-event/8000\r\n"
	"a=ssrc:497994907 cname:NbPw3SvI4Q1EPGPU\r\n";

/* ---- sdp_parse: whole bodies ----------------------------------------- */

static void test_parse_asterisk_srtp_audio(void **state)
{
	struct sdp s;
	assert_int_equal(parse(asterisk_srtp, &s), ST_OK);
	check_sv(s.o_username, "-");
	check_sv(s.o_sess_id, "3732317048");
	check_sv(s.o_sess_version, "3732317051");
	check_conn(&s.origin, "192.168.20.130", "192.168.20.130");
	check_sv(s.session_name, "Asterisk");
	check_conn(&s.conn, "192.168.20.130", "192.168.20.130");
	assert_int_equal(s.dir, SDP_DIR_UNSET);
	assert_int_equal(s.n_media, 1);
	assert_int_equal(s.n_media_total, 1);
	assert_int_equal(s.n_bad_lines, 0);
	assert_false(s.limit_hit);

	const struct sdp_media *m = &s.media[0];
	check_sv(m->type, "audio");
	assert_int_equal(m->port, 14708);
	assert_int_equal(m->nports, 1);
	check_sv(m->proto, "RTP/SAVP");
	assert_int_equal(m->n_fmt, 2);
	assert_int_equal(m->fmt[0], 0);
	assert_int_equal(m->fmt[1], 101);
	assert_false(m->fmt_non_numeric);
	check_conn(&m->conn, "192.168.20.130", "192.168.20.130");
	assert_false(m->conn_media_level);
	assert_int_equal(m->dir, SDP_SENDRECV);
	assert_int_equal(m->n_crypto, 1);
	assert_int_equal(m->n_fmtp, 1);
	assert_int_equal(m->ptime, 20);
	assert_int_equal(m->maxptime, 150);
	assert_int_equal(m->rtcp_port, 0);
	assert_false(m->rtcp_conn.present);
	assert_false(m->rtcp_mux);
	assert_int_equal(m->n_rtpmap, 2);
	assert_int_equal(m->rtpmap[1].pt, 101);
	check_sv(m->rtpmap[1].encoding, "telephone-event");
	assert_int_equal(m->rtpmap[1].clock, 8000);
	assert_int_equal(m->rtpmap[1].channels, 1);
	assert_int_equal(m->n_cand, 0);
	assert_int_equal(m->n_cand_total, 0);
	assert_false(m->ice_ufrag);
	assert_false(s.ice_lite);
}

static void test_parse_xlite_session_ice_ufrag_and_candidates(void **state)
{
	struct sdp s;
	assert_int_equal(parse(xlite_ice, &s), ST_OK);
	assert_int_equal(s.n_media, 1);
	const struct sdp_media *m = &s.media[0];
	assert_true(m->ice_ufrag); /* inherited from session level */
	assert_int_equal(m->n_cand, 2);
	assert_int_equal(m->n_cand_total, 2);
	check_sv(m->cand[0].foundation, "1");
	assert_int_equal(m->cand[0].component, 1);
	check_sv(m->cand[0].transport, "UDP");
	assert_int_equal(m->cand[0].priority, 659136);
	check_addr(&m->cand[0].addr, "192.168.10.41");
	assert_int_equal(m->cand[0].port, 64508);
	check_sv(m->cand[0].type, "host");
	assert_int_equal(m->cand[1].component, 2);
	assert_int_equal(m->cand[1].port, 64509);
	/* 0 and 8 have no a=rtpmap: the static table answers. */
	struct sdp_rtpmap r;
	assert_true(sdp_media_rtpmap(m, 8, &r));
	check_sv(r.encoding, "PCMA");
	assert_int_equal(r.clock, 8000);
}

static void test_parse_webrtc_rtcp_mux_candidates(void **state)
{
	struct sdp s;
	assert_int_equal(parse(webrtc, &s), ST_OK);
	assert_int_equal(s.n_bad_lines, 0);
	assert_false(s.conn.present);
	const struct sdp_media *m = &s.media[0];
	check_sv(m->proto, "UDP/TLS/RTP/SAVPF");
	assert_int_equal(m->n_fmt, 6);
	assert_true(m->conn_media_level);
	check_conn(&m->conn, "10.243.17.55", "10.243.17.55");
	assert_int_equal(m->rtcp_port, 9);
	check_conn(&m->rtcp_conn, "0.0.0.0", "0.0.0.0");
	assert_true(m->rtcp_mux);
	assert_true(m->ice_ufrag);
	assert_int_equal(m->n_cand, 3);
	assert_int_equal(m->n_cand_total, 3);
	check_sv(m->cand[1].type, "srflx");
	check_addr(&m->cand[1].addr, "69.17.142.250");
	assert_int_equal(m->cand[1].priority, 1686052607);
	check_sv(m->cand[2].transport, "tcp");
	assert_int_equal(m->cand[2].port, 9);
	assert_int_equal(m->n_rtpmap, 6);
	check_sv(m->rtpmap[0].encoding, "opus");
	assert_int_equal(m->rtpmap[0].clock, 48000);
	assert_int_equal(m->rtpmap[0].channels, 2);
	assert_int_equal(m->n_fmtp, 1);
	assert_int_equal(m->dir, SDP_SENDRECV);
}

static void test_media_conn_overrides_session(void **state)
{
	struct sdp s;
	assert_int_equal(parse("v=0\r\n"
			       "o=alice 1 1 IN IP4 192.0.2.1\r\n"
			       "s=-\r\n"
			       "c=IN IP4 192.0.2.1\r\n"
			       "t=0 0\r\n"
			       "m=audio 4000 RTP/AVP 0\r\n"
			       "c=IN IP4 198.51.100.7\r\n"
			       "m=video 4002 RTP/AVP 31\r\n",
			       &s),
			 ST_OK);
	check_conn(&s.conn, "192.0.2.1", "192.0.2.1");
	assert_int_equal(s.n_media, 2);
	assert_true(s.media[0].conn_media_level);
	check_conn(&s.media[0].conn, "198.51.100.7", "198.51.100.7");
	assert_false(s.media[1].conn_media_level);
	check_conn(&s.media[1].conn, "192.0.2.1", "192.0.2.1");
}

static void test_first_c_line_wins(void **state)
{
	struct sdp s;
	/* Several c= lines (layered multicast, or a sloppy stack): the first counts. */
	assert_int_equal(parse("v=0\r\n"
			       "c=IN IP4 192.0.2.1\r\n"
			       "c=IN IP4 192.0.2.2\r\n"
			       "m=audio 4000 RTP/AVP 0\r\n"
			       "c=IN IP4 233.252.0.1/127\r\n"
			       "c=IN IP4 233.252.0.2/127\r\n",
			       &s),
			 ST_OK);
	check_conn(&s.conn, "192.0.2.1", "192.0.2.1");
	check_conn(&s.media[0].conn, "233.252.0.1", "233.252.0.1");
	/* Media-level attributes at session level are ignored, not misapplied. */
	assert_int_equal(parse("v=0\r\n"
			       "a=rtpmap:0 PCMU/8000\r\n"
			       "a=candidate:1 1 UDP 1 192.0.2.1 4000 typ host\r\n"
			       "a=rtcp:4001\r\n"
			       "a=rtcp-mux\r\n"
			       "a=ptime:20\r\n"
			       "m=audio 4000 RTP/AVP 0\r\n",
			       &s),
			 ST_OK);
	assert_int_equal(s.media[0].n_rtpmap, 0);
	assert_int_equal(s.media[0].n_cand, 0);
	assert_int_equal(s.media[0].rtcp_port, 0);
	assert_false(s.media[0].rtcp_mux);
	assert_int_equal(s.media[0].ptime, 0);
	assert_int_equal(s.n_bad_lines, 0);
}

static void test_direction_media_overrides_session(void **state)
{
	struct sdp s;
	assert_int_equal(parse("v=0\r\n"
			       "o=- 1 2 IN IP4 192.0.2.1\r\n"
			       "s=-\r\n"
			       "c=IN IP4 192.0.2.1\r\n"
			       "t=0 0\r\n"
			       "a=sendonly\r\n"
			       "m=audio 4000 RTP/AVP 0\r\n"
			       "a=recvonly\r\n"
			       "m=audio 4002 RTP/AVP 8\r\n"
			       "m=video 4004 RTP/AVP 34\r\n"
			       "a=inactive\r\n",
			       &s),
			 ST_OK);
	assert_int_equal(s.dir, SDP_SENDONLY);
	assert_int_equal(s.media[0].dir, SDP_RECVONLY);
	assert_int_equal(s.media[1].dir, SDP_SENDONLY);
	assert_int_equal(s.media[2].dir, SDP_INACTIVE);

	/* No direction anywhere: unset (RFC 3264 reads it as sendrecv). */
	assert_int_equal(parse("v=0\r\ns=-\r\nm=audio 4000 RTP/AVP 0\r\n", &s), ST_OK);
	assert_int_equal(s.dir, SDP_DIR_UNSET);
	assert_int_equal(s.media[0].dir, SDP_DIR_UNSET);
}

static void test_direction_case_insensitive(void **state)
{
	struct sdp s;
	/* Clarent C5CM writes a=SendRecv (public-cloudshark-sip-s0.pcap). */
	assert_int_equal(parse("v=0\r\n"
			       "o=Clarent 121082 121083 IN IP4 200.57.7.196\r\n"
			       "s=Clarent C5CM\r\n"
			       "c=IN IP4 200.57.7.196\r\n"
			       "t=0 0\r\n"
			       "m=audio 40360 RTP/AVP 8 18 4\r\n"
			       "a=rtpmap:8 PCMA/8000\r\n"
			       "a=rtpmap:18 G729/8000\r\n"
			       "a=rtpmap:4 G723/8000\r\n"
			       "a=SendRecv\r\n",
			       &s),
			 ST_OK);
	assert_int_equal(s.media[0].dir, SDP_SENDRECV);
	check_sv(s.session_name, "Clarent C5CM");
}

static void test_hold_inactive_with_zero_address(void **state)
{
	struct sdp s;
	assert_int_equal(parse("v=0\r\n"
			       "o=IpPhone 2890844526 8001 IN IP4 0.0.0.0\r\n"
			       "s=IpPhone CALL\r\n"
			       "c=IN IP4 0.0.0.0\r\n"
			       "t=0 0\r\n"
			       "m=audio 10014 RTP/AVP 8 0 18 4 101\r\n"
			       "a=rtpmap:101 telephone-event/8000\r\n"
			       "a=fmtp:18 annexb=no\r\n"
			       "a=fmtp:101 0-15\r\n"
			       "a=ptime:20\r\n"
			       "a=inactive\r\n",
			       &s),
			 ST_OK);
	const struct sdp_media *m = &s.media[0];
	assert_true(m->conn.present);
	assert_int_equal(m->conn.addr.family, 4);
	assert_true(addr_is_unspecified(&m->conn.addr));
	assert_true(addr_is_unspecified(&s.origin.addr));
	assert_int_equal(m->dir, SDP_INACTIVE);
	assert_int_equal(m->n_fmtp, 2);
	assert_int_equal(m->n_fmt, 5);
}

static void test_port_zero_declined_stream(void **state)
{
	struct sdp s;
	assert_int_equal(parse("v=0\r\n"
			       "o=- 1 1 IN IP4 10.0.0.1\r\n"
			       "s=-\r\n"
			       "c=IN IP4 10.0.0.1\r\n"
			       "t=0 0\r\n"
			       "m=audio 7078 RTP/AVP 8 101\r\n"
			       "m=video 0 RTP/AVP 103 99\r\n",
			       &s),
			 ST_OK);
	assert_int_equal(s.n_media, 2);
	check_sv(s.media[1].type, "video");
	assert_int_equal(s.media[1].port, 0);
	assert_int_equal(s.media[1].n_fmt, 2);
	assert_int_equal(s.media[1].fmt[0], 103);
}

static void test_port_max_and_nports(void **state)
{
	struct sdp s;
	assert_int_equal(parse("v=0\r\ns=-\r\nc=IN IP4 10.0.0.1\r\n"
			       "m=audio 49170/2 RTP/AVP 0\r\n"
			       "m=audio 65535 RTP/AVP 0\r\n",
			       &s),
			 ST_OK);
	assert_int_equal(s.media[0].port, 49170);
	assert_int_equal(s.media[0].nports, 2);
	assert_int_equal(s.media[1].port, 65535);
	assert_int_equal(s.media[1].nports, 1);

	assert_int_equal(parse("v=0\r\ns=-\r\nm=audio 49170/0 RTP/AVP 0\r\n", &s), ST_MALFORMED);
	assert_int_equal(parse("v=0\r\ns=-\r\nm=audio 49170/ RTP/AVP 0\r\n", &s), ST_MALFORMED);
	assert_int_equal(parse("v=0\r\ns=-\r\nm=audio 49170/70000 RTP/AVP 0\r\n", &s), ST_MALFORMED);
}

static void test_ipv6_connection(void **state)
{
	struct sdp s;
	/* Linphone over IPv6 (sngrep ipv6frag.pcap). */
	assert_int_equal(parse("v=0\r\n"
			       "o=user1 53655765 2353687639 IN IP6 fd17:625c:f037:2:a00:27ff:feb9:1521\r\n"
			       "s=-\r\n"
			       "c=IN IP6 fd17:625c:f037:2:a00:27ff:feb9:4334\r\n"
			       "t=0 0\r\n"
			       "m=audio 30002 RTP/AVP 100 121\r\n"
			       "a=rtpmap:100 AMR-WB/16000\r\n"
			       "a=fmtp:100 mode-set=\"0,1,2\";octet-align=0\r\n"
			       "a=rtpmap:121 telephone-event/16000\r\n"
			       "a=des:qos mandatory local sendrecv\r\n"
			       "a=curr:qos local sendrecv\r\n",
			       &s),
			 ST_OK);
	assert_int_equal(s.origin.addr.family, 6);
	check_addr(&s.origin.addr, "fd17:625c:f037:2:a00:27ff:feb9:1521");
	assert_int_equal(s.media[0].conn.addr.family, 6);
	check_addr(&s.media[0].conn.addr, "fd17:625c:f037:2:a00:27ff:feb9:4334");
	assert_true(addr_is_private(&s.media[0].conn.addr));
	assert_int_equal(s.media[0].rtpmap[0].clock, 16000);
	/* a=des/a=curr mention "sendrecv" in their values: not a direction. */
	assert_int_equal(s.media[0].dir, SDP_DIR_UNSET);

	/* A zone id on a link-local address is dropped for the parsed address. */
	assert_int_equal(parse("v=0\r\ns=-\r\nc=IN IP6 fe80::1%eth0\r\n", &s), ST_OK);
	assert_int_equal(s.conn.addr.family, 6);
	check_sv(s.conn.text, "fe80::1%eth0");
	assert_true(addr_is_linklocal(&s.conn.addr));
}

/* The first line that did not parse, and its number (blank lines counted): what
 * a 400 Bad Session Description is about. */
static void test_first_bad_line(void **state)
{
	(void)state;
	struct sdp s;
	assert_int_equal(parse("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n\r\nc=IN IP4 192.0.2.1\r\n"
			       "m=audio RTP/AVP 0 101\r\nc=IN IP4\r\n", &s), ST_MALFORMED);
	assert_int_equal(s.n_bad_lines, 2);
	check_sv(s.first_bad, "m=audio RTP/AVP 0 101");
	assert_int_equal(s.first_bad_no, 6);
	/* a body that says v=1 is no SDP, but its first line is named */
	assert_int_equal(parse("v=1\r\no=- 1 1 IN IP4 192.0.2.1\r\n", &s), ST_MALFORMED);
	assert_int_equal(s.n_bad_lines, 0);
	check_sv(s.first_bad, "v=1");
	assert_int_equal(s.first_bad_no, 1);
	/* not SDP at all: nothing to name */
	assert_int_equal(parse("hello world\r\n", &s), ST_MALFORMED);
	assert_int_equal(s.first_bad.n, 0);
	assert_int_equal(parse("v=0\r\ns=-\r\n", &s), ST_OK);
	assert_int_equal(s.first_bad.n, 0);
}

static void test_address_family_mismatch_is_malformed(void **state)
{
	struct sdp s;
	assert_int_equal(parse("v=0\r\ns=-\r\nc=IN IP4 2001:db8::1\r\n", &s), ST_MALFORMED);
	assert_false(s.conn.present);
	assert_int_equal(s.n_bad_lines, 1);
	assert_int_equal(parse("v=0\r\ns=-\r\nc=IN IP6 192.0.2.1\r\n", &s), ST_MALFORMED);
	assert_int_equal(parse("v=0\r\ns=-\r\nc=ATM NSAP 47.0091.8100\r\n", &s), ST_MALFORMED);
	assert_int_equal(parse("v=0\r\ns=-\r\nc=IN IP5 192.0.2.1\r\n", &s), ST_MALFORMED);
	assert_int_equal(parse("v=0\r\ns=-\r\nc=IN IP6 fe80::zz%eth0\r\n", &s), ST_MALFORMED);
	assert_int_equal(parse("v=0\r\ns=-\r\nc=IN IP4 192.0.2.1%eth0\r\n", &s), ST_MALFORMED);
	assert_int_equal(parse("v=0\r\ns=-\r\nc=IN IP4 1.2.3.999\r\n", &s), ST_MALFORMED);
	assert_int_equal(parse("v=0\r\ns=-\r\nc=IN IP4\r\n", &s), ST_MALFORMED);
	assert_int_equal(parse("v=0\r\ns=-\r\nc=IN IP4 1.2.3.4 extra\r\n", &s), ST_MALFORMED);
}

static void test_hostname_connection(void **state)
{
	struct sdp s;
	assert_int_equal(parse("v=0\r\n"
			       "o=- 1 1 IN IP4 pbx.example.com\r\n"
			       "s=-\r\n"
			       "c=IN IP4 media-1.example.net\r\n"
			       "m=audio 4000 RTP/AVP 0\r\n",
			       &s),
			 ST_OK);
	assert_true(s.origin.present);
	assert_int_equal(s.origin.addr.family, 0);
	check_sv(s.origin.text, "pbx.example.com");
	assert_true(s.media[0].conn.present);
	assert_int_equal(s.media[0].conn.addr.family, 0);
	check_sv(s.media[0].conn.text, "media-1.example.net");
}

static void test_multicast_ttl_suffix(void **state)
{
	struct sdp s;
	assert_int_equal(parse("v=0\r\n"
			       "o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5\r\n"
			       "s=SDP Seminar\r\n"
			       "c=IN IP4 224.2.17.12/127\r\n"
			       "t=2873397496 2873404696\r\n"
			       "m=audio 49170 RTP/AVP 0\r\n"
			       "m=video 51372 RTP/AVP 99\r\n"
			       "c=IN IP4 233.252.0.1/127/3\r\n"
			       "a=rtpmap:99 h263-1998/90000\r\n"
			       "m=audio 49172 RTP/AVP 0\r\n"
			       "c=IN IP6 ff15::101/3\r\n",
			       &s),
			 ST_OK);
	check_conn(&s.conn, "224.2.17.12", "224.2.17.12");
	check_conn(&s.media[0].conn, "224.2.17.12", "224.2.17.12");
	check_conn(&s.media[1].conn, "233.252.0.1", "233.252.0.1");
	check_conn(&s.media[2].conn, "ff15::101", "ff15::101");

	assert_int_equal(parse("v=0\r\nc=IN IP4 224.2.17.12/256\r\n", &s), ST_MALFORMED);
	assert_int_equal(parse("v=0\r\nc=IN IP4 224.2.17.12/\r\n", &s), ST_MALFORMED);
	assert_int_equal(parse("v=0\r\nc=IN IP4 224.2.17.12/1/0\r\n", &s), ST_MALFORMED);
	assert_int_equal(parse("v=0\r\nc=IN IP4 224.2.17.12/1/2/3\r\n", &s), ST_MALFORMED);
	assert_int_equal(parse("v=0\r\nc=IN IP6 ff15::101/127/3\r\n", &s), ST_MALFORMED);
	assert_int_equal(parse("v=0\r\nc=IN IP4 /127\r\n", &s), ST_MALFORMED);
	/* o= is a unicast address: no suffix. */
	assert_int_equal(parse("v=0\r\no=- 1 1 IN IP4 224.2.17.12/127\r\n", &s), ST_MALFORMED);
}

static void test_rtcp_attribute(void **state)
{
	struct sdp s;
	assert_int_equal(parse("v=0\r\n"
			       "o=- 3732316798 3732316799 IN IP4 192.168.5.151\r\n"
			       "s=pjmedia\r\n"
			       "b=AS:84\r\n"
			       "t=0 0\r\n"
			       "a=X-nat:0\r\n"
			       "m=audio 4000 RTP/AVP 0 101\r\n"
			       "c=IN IP4 192.168.5.151\r\n"
			       "b=TIAS:64000\r\n"
			       "a=rtcp:4001 IN IP4 192.168.5.151\r\n"
			       "a=sendrecv\r\n"
			       "m=audio 5000 RTP/AVP 0\r\n"
			       "a=rtcp:5003\r\n"
			       "m=audio 6000 RTP/AVP 0\r\n"
			       "a=rtcp:70000\r\n"
			       "m=audio 7000 RTP/AVP 0\r\n"
			       "a=rtcp:7001 IN IP4\r\n"
			       "m=audio 8000 RTP/AVP 0\r\n"
			       "a=rtcp:8001 IN IP6 2001:db8::5\r\n",
			       &s),
			 ST_OK);
	assert_int_equal(s.media[0].rtcp_port, 4001);
	check_conn(&s.media[0].rtcp_conn, "192.168.5.151", "192.168.5.151");
	assert_int_equal(s.media[1].rtcp_port, 5003);
	assert_false(s.media[1].rtcp_conn.present);
	assert_int_equal(s.media[2].rtcp_port, 0);
	assert_int_equal(s.media[3].rtcp_port, 0);
	assert_int_equal(s.media[4].rtcp_port, 8001);
	check_conn(&s.media[4].rtcp_conn, "2001:db8::5", "2001:db8::5");
	/* Bad a= lines are counted but do not make the SDP malformed. */
	assert_int_equal(s.n_bad_lines, 2);
}

static void test_crypto_counted(void **state)
{
	struct sdp s;
	assert_int_equal(parse("v=0\r\n"
			       "o=- 1 1 IN IP4 10.0.0.1\r\n"
			       "s=-\r\n"
			       "c=IN IP4 10.0.0.1\r\n"
			       "m=audio 4000 RTP/SAVP 0\r\n"
			       "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4\r\n"
			       "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^20|1:32\r\n",
			       &s),
			 ST_OK);
	check_sv(s.media[0].proto, "RTP/SAVP");
	assert_int_equal(s.media[0].n_crypto, 2);
	/* At session level a=crypto is not defined: not counted anywhere. */
	assert_int_equal(parse("v=0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:x\r\nm=audio 1 RTP/SAVP 0\r\n", &s), ST_OK);
	assert_int_equal(s.media[0].n_crypto, 0);
}

static void test_t38_image_udptl_non_numeric_fmt(void **state)
{
	struct sdp s;
	assert_int_equal(parse("v=0\r\n"
			       "o=- 191 1228500780 IN IP4 138.132.169.101\r\n"
			       "s=IMSS\r\n"
			       "c=IN IP4 138.132.169.101\r\n"
			       "t=0 0\r\n"
			       "m=image 15580 udptl t38\r\n"
			       "a=T38FaxVersion:0\r\n"
			       "a=T38MaxBitRate:14400\r\n"
			       "a=T38FaxRateManagement:transferredTCF\r\n"
			       "a=T38FaxMaxDatagram:176\r\n"
			       "a=T38FaxUdpEC:t38UDPRedundancy\r\n",
			       &s),
			 ST_OK);
	const struct sdp_media *m = &s.media[0];
	check_sv(m->type, "image");
	check_sv(m->proto, "udptl");
	assert_int_equal(m->port, 15580);
	assert_int_equal(m->n_fmt, 0);
	assert_true(m->fmt_non_numeric);

	/* A number that is not a payload type (old DTLS/SCTP syntax) is not kept. */
	assert_int_equal(parse("v=0\r\nm=application 9 DTLS/SCTP 5000\r\n", &s), ST_OK);
	assert_int_equal(s.media[0].n_fmt, 0);
	assert_true(s.media[0].fmt_non_numeric);
	/* Mixed: keep the numeric ones. */
	assert_int_equal(parse("v=0\r\nm=audio 9 RTP/AVP 0 x 8 128\r\n", &s), ST_OK);
	assert_int_equal(s.media[0].n_fmt, 2);
	assert_int_equal(s.media[0].fmt[1], 8);
	assert_true(s.media[0].fmt_non_numeric);
}

static void test_video_and_audio_sections(void **state)
{
	struct sdp s;
	/* Eyebeam audio + video (snort3 SIP_Eyebeam2Eyebeam_Video_Audio.pcap style). */
	assert_int_equal(parse("v=0\r\n"
			       "o=- 4 2 IN IP4 192.168.1.2\r\n"
			       "s=CounterPath eyeBeam 1.5\r\n"
			       "c=IN IP4 192.168.1.2\r\n"
			       "t=0 0\r\n"
			       "m=audio 3548 RTP/AVP 107 0 8 101\r\n"
			       "a=alt:1 1 : RVj0sbOX 5xDDi8T9 192.168.1.2 3548\r\n"
			       "a=fmtp:101 0-15\r\n"
			       "a=rtpmap:107 BV32/16000\r\n"
			       "a=rtpmap:101 telephone-event/8000\r\n"
			       "a=sendrecv\r\n"
			       "m=video 3550 RTP/AVP 115 34\r\n"
			       "a=fmtp:115 QCIF=1 CIF=1 I=1 J=1 T=1 MaxBR=1960\r\n"
			       "a=fmtp:34 QCIF=1 CIF=1 MaxBR=1960\r\n"
			       "a=rtpmap:115 H263-1998/90000\r\n"
			       "a=rtpmap:34 H263/90000\r\n"
			       "a=sendrecv\r\n",
			       &s),
			 ST_OK);
	assert_int_equal(s.n_media, 2);
	check_sv(s.media[1].type, "video");
	assert_int_equal(s.media[1].port, 3550);
	assert_int_equal(s.media[1].n_fmtp, 2);
	assert_int_equal(s.media[1].n_rtpmap, 2);
	assert_int_equal(s.media[1].rtpmap[0].clock, 90000);
	assert_int_equal(s.media[0].n_rtpmap, 2);
	check_conn(&s.media[1].conn, "192.168.1.2", "192.168.1.2");
}

static void test_lf_only_line_ends(void **state)
{
	struct sdp s;
	assert_int_equal(parse("v=0\n"
			       "o=- 1 1 IN IP4 10.1.1.1\n"
			       "s=sipp\n"
			       "c=IN IP4 10.1.1.1\n"
			       "t=0 0\n"
			       "m=audio 6000 RTP/AVP 0\n"
			       "a=rtpmap:0 PCMU/8000\n"
			       "a=ptime:30",
			       &s),
			 ST_OK);
	check_sv(s.session_name, "sipp");
	assert_int_equal(s.media[0].port, 6000);
	assert_int_equal(s.media[0].ptime, 30);
	check_sv(s.media[0].rtpmap[0].encoding, "PCMU");
	/* Mixed CRLF and LF, trailing blank lines, stray spaces. */
	assert_int_equal(parse("\r\nv=0 \r\ns=x\nm=audio 1 RTP/AVP 0  8\r\n\r\n\r\n", &s), ST_OK);
	assert_int_equal(s.media[0].n_fmt, 2);
	assert_int_equal(s.n_bad_lines, 0);
}

static void test_ptime_and_maxptime(void **state)
{
	struct sdp s;
	assert_int_equal(parse("v=0\r\nm=audio 1 RTP/AVP 0\r\na=ptime:20.0\r\na=maxptime:240\r\n", &s), ST_OK);
	assert_int_equal(s.media[0].ptime, 20);
	assert_int_equal(s.media[0].maxptime, 240);
	assert_int_equal(parse("v=0\r\nm=audio 1 RTP/AVP 0\r\na=ptime:20x\r\na=ptime:\r\n"
			       "a=maxptime:99999999999999999999999\r\na=ptime:60001\r\na=ptime:20.x\r\n",
			       &s),
			 ST_OK);
	assert_int_equal(s.media[0].ptime, 0);
	assert_int_equal(s.media[0].maxptime, 0);
	assert_int_equal(s.n_bad_lines, 5);
}

static void test_rtpmap_forms_and_errors(void **state)
{
	struct sdp s;
	assert_int_equal(parse("v=0\r\n"
			       "m=audio 1 RTP/AVP 96 97 98\r\n"
			       "a=rtpmap:96 opus/48000/2\r\n"
			       "a=rtpmap:97 L16/44100/1\r\n"
			       "a=rtpmap:98  speex/16000 \r\n"
			       "a=rtpmap:128 PCMU/8000\r\n"   /* pt too big */
			       "a=rtpmap:99 PCMU/0\r\n"       /* no clock */
			       "a=rtpmap:99 PCMU/10000001\r\n" /* clock too big */
			       "a=rtpmap:99 PCMU\r\n"         /* clock missing */
			       "a=rtpmap:99 /8000\r\n"        /* encoding missing */
			       "a=rtpmap:99 X/8000/0\r\n"     /* zero channels */
			       "a=rtpmap:99 X/8000/256\r\n"   /* channels too big */
			       "a=rtpmap:99 X/8000/2/1\r\n"   /* junk after channels */
			       "a=rtpmap:99 X/8000 extra\r\n"
			       "a=rtpmap:x X/8000\r\n"
			       "a=rtpmap:\r\n",
			       &s),
			 ST_OK);
	const struct sdp_media *m = &s.media[0];
	assert_int_equal(m->n_rtpmap, 3);
	assert_int_equal(m->rtpmap[0].channels, 2);
	assert_int_equal(m->rtpmap[1].channels, 1);
	assert_int_equal(m->rtpmap[1].clock, 44100);
	check_sv(m->rtpmap[2].encoding, "speex");
	assert_int_equal(m->rtpmap[2].clock, 16000);
	assert_int_equal(s.n_bad_lines, 11);

	assert_int_equal(parse("v=0\r\nm=video 1 RTP/AVP 96\r\na=rtpmap:96 H264/10000000\r\n", &s), ST_OK);
	assert_int_equal(s.media[0].rtpmap[0].clock, 10000000);
}

static void test_static_payload_types(void **state)
{
	static const struct {
		uint8_t pt;
		const char *enc;
		uint32_t clock;
		uint8_t ch;
	} want[] = {
		{ 0, "PCMU", 8000, 1 },   { 3, "GSM", 8000, 1 },     { 4, "G723", 8000, 1 },
		{ 5, "DVI4", 8000, 1 },   { 6, "DVI4", 16000, 1 },   { 7, "LPC", 8000, 1 },
		{ 8, "PCMA", 8000, 1 },   { 9, "G722", 8000, 1 },    { 10, "L16", 44100, 2 },
		{ 11, "L16", 44100, 1 },  { 12, "QCELP", 8000, 1 },  { 13, "CN", 8000, 1 },
		{ 14, "MPA", 90000, 1 },  { 15, "G728", 8000, 1 },   { 16, "DVI4", 11025, 1 },
		{ 17, "DVI4", 22050, 1 }, { 18, "G729", 8000, 1 },   { 25, "CelB", 90000, 1 },
		{ 26, "JPEG", 90000, 1 }, { 28, "nv", 90000, 1 },    { 31, "H261", 90000, 1 },
		{ 32, "MPV", 90000, 1 },  { 33, "MP2T", 90000, 1 },  { 34, "H263", 90000, 1 },
	};
	struct sdp_rtpmap r;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		memset(&r, 0, sizeof(r));
		assert_true(sdp_static_pt(want[i].pt, &r));
		assert_int_equal(r.pt, want[i].pt);
		check_sv(r.encoding, want[i].enc);
		assert_int_equal(r.clock, want[i].clock);
		assert_int_equal(r.channels, want[i].ch);
	}
	/* Reserved, unassigned and dynamic numbers are not in the table. */
	static const uint8_t none[] = { 1, 2, 19, 20, 24, 27, 29, 30, 35, 72, 95, 96, 101, 127, 128, 255 };
	for (size_t i = 0; i < sizeof(none); i++)
		assert_false(sdp_static_pt(none[i], &r));
}

static void test_media_rtpmap_prefers_attribute(void **state)
{
	struct sdp s;
	struct sdp_rtpmap r;
	assert_int_equal(parse("v=0\r\n"
			       "m=audio 1 RTP/AVP 0 8 9 96 97\r\n"
			       "a=rtpmap:9 G722/16000\r\n" /* wrong but written: it wins */
			       "a=rtpmap:96 telephone-event/8000\r\n",
			       &s),
			 ST_OK);
	const struct sdp_media *m = &s.media[0];
	assert_true(sdp_media_rtpmap(m, 9, &r));
	assert_int_equal(r.clock, 16000);
	assert_true(sdp_media_rtpmap(m, 96, &r));
	check_sv(r.encoding, "telephone-event");
	assert_true(sdp_media_rtpmap(m, 0, &r));
	check_sv(r.encoding, "PCMU");
	assert_false(sdp_media_rtpmap(m, 97, &r)); /* dynamic, no rtpmap */
	assert_false(sdp_media_rtpmap(m, 200, &r));
}

static void test_ice_lite_session_level(void **state)
{
	struct sdp s;
	assert_int_equal(parse("v=0\r\n"
			       "o=- 1 1 IN IP4 203.0.113.9\r\n"
			       "s=-\r\n"
			       "a=ice-lite\r\n"
			       "m=audio 20000 RTP/AVP 0\r\n"
			       "c=IN IP4 203.0.113.9\r\n"
			       "a=ice-ufrag:abcd\r\n"
			       "a=candidate:1 1 UDP 2130706431 203.0.113.9 20000 typ host\r\n"
			       "m=audio 20002 RTP/AVP 0\r\n"
			       "a=ice-lite\r\n", /* not at media level */
			       &s),
			 ST_OK);
	assert_true(s.ice_lite);
	assert_true(s.media[0].ice_ufrag);
	assert_false(s.media[1].ice_ufrag);
	assert_int_equal(s.media[0].n_cand, 1);

	assert_int_equal(parse("v=0\r\nm=audio 1 RTP/AVP 0\r\na=ice-ufrag:\r\n", &s), ST_OK);
	assert_false(s.ice_lite);
	assert_false(s.media[0].ice_ufrag);
}

static void test_candidate_forms_and_errors(void **state)
{
	struct sdp s;
	assert_int_equal(parse("v=0\r\n"
			       "m=audio 54400 UDP/TLS/RTP/SAVPF 111\r\n"
			       "a=candidate:842163049 1 udp 1677729535 2001:db8::7 54400 typ srflx raddr :: rport 0\r\n"
			       "a=candidate:1 1 udp 2113937151 1f4712db-ea17-4bcf-a596-105139dfd8bf.local 54400 typ host\r\n"
			       "a=candidate:2 2 UDP 4294967295 10.0.0.1 54401 TYP relay\r\n"
			       /* bad ones */
			       "a=candidate:3 1 udp 1 10.0.0.1 54400 host\r\n"        /* no typ */
			       "a=candidate:3 1 udp 1 10.0.0.1 54400 typ\r\n"         /* no type */
			       "a=candidate:3 0 udp 1 10.0.0.1 54400 typ host\r\n"    /* component 0 */
			       "a=candidate:3 257 udp 1 10.0.0.1 54400 typ host\r\n"  /* component too big */
			       "a=candidate:3 1 udp 4294967296 10.0.0.1 1 typ host\r\n" /* priority overflow */
			       "a=candidate:3 1 udp 1 10.0.0.1 65536 typ host\r\n"    /* port overflow */
			       "a=candidate:3 1 udp 1 10.0.0.999 1 typ host\r\n"      /* bad address */
			       "a=candidate:012345678901234567890123456789012 1 udp 1 10.0.0.1 1 typ host\r\n"
			       "a=candidate:\r\n",
			       &s),
			 ST_OK);
	const struct sdp_media *m = &s.media[0];
	assert_int_equal(m->n_cand, 3);
	assert_int_equal(m->n_cand_total, 3);
	assert_int_equal(s.n_bad_lines, 9);
	assert_int_equal(m->cand[0].addr.family, 6);
	check_addr(&m->cand[0].addr, "2001:db8::7");
	assert_int_equal(m->cand[1].addr.family, 0); /* mDNS name */
	assert_int_equal(m->cand[2].priority, UINT32_MAX);
	check_sv(m->cand[2].type, "relay");
	assert_int_equal(m->cand[2].component, 2);
}

/* ---- limits ------------------------------------------------------------ */

static void test_too_many_media_sets_limit_hit(void **state)
{
	char buf[4096];
	size_t len = 0;
	struct sdp s;
	append(buf, sizeof(buf), &len, "v=0\r\ns=-\r\nc=IN IP4 10.0.0.1\r\n");
	for (int i = 0; i < SDP_MAX_MEDIA + 3; i++) {
		char line[96];
		snprintf(line, sizeof(line), "m=audio %d RTP/AVP 0\r\na=ptime:%d\r\n", 1000 + i, 10 + i);
		append(buf, sizeof(buf), &len, line);
	}
	/* Lines of a dropped section must not land on the last kept one. */
	append(buf, sizeof(buf), &len, "c=IN IP4 10.9.9.9\r\na=inactive\r\na=rtcp-mux\r\n");
	assert_int_equal(sdp_parse(buf, len, &s), ST_OK);
	assert_int_equal(s.n_media, SDP_MAX_MEDIA);
	assert_int_equal(s.n_media_total, SDP_MAX_MEDIA + 3);
	assert_true(s.limit_hit);
	const struct sdp_media *last = &s.media[SDP_MAX_MEDIA - 1];
	assert_int_equal(last->port, 1000 + SDP_MAX_MEDIA - 1);
	assert_int_equal(last->ptime, 10 + SDP_MAX_MEDIA - 1);
	assert_int_equal(last->dir, SDP_DIR_UNSET);
	assert_false(last->rtcp_mux);
	check_conn(&last->conn, "10.0.0.1", "10.0.0.1");

	/* Nor on the session, when it has no c= of its own. */
	len = 0;
	append(buf, sizeof(buf), &len, "v=0\r\n");
	for (int i = 0; i < SDP_MAX_MEDIA + 1; i++)
		append(buf, sizeof(buf), &len, "m=audio 1 RTP/AVP 0\r\n");
	append(buf, sizeof(buf), &len, "c=IN IP4 10.9.9.9\r\ns=late\r\no=- 1 1 IN IP4 10.9.9.9\r\n");
	assert_int_equal(sdp_parse(buf, len, &s), ST_OK);
	assert_false(s.conn.present);
	assert_false(s.media[0].conn.present);
	assert_false(s.origin.present);
	assert_int_equal(s.session_name.n, 0);
	assert_int_equal(s.n_bad_lines, 0);

	/* Exactly the limit is not a limit hit. */
	len = 0;
	append(buf, sizeof(buf), &len, "v=0\r\n");
	for (int i = 0; i < SDP_MAX_MEDIA; i++)
		append(buf, sizeof(buf), &len, "m=audio 1 RTP/AVP 0\r\n");
	assert_int_equal(sdp_parse(buf, len, &s), ST_OK);
	assert_int_equal(s.n_media, SDP_MAX_MEDIA);
	assert_false(s.limit_hit);
}

static void test_too_many_candidates_sets_limit_hit(void **state)
{
	char buf[4096];
	size_t len = 0;
	struct sdp s;
	append(buf, sizeof(buf), &len, "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n");
	for (int i = 0; i < SDP_MAX_CAND + 4; i++) {
		char line[128];
		snprintf(line, sizeof(line), "a=candidate:%d 1 udp %d 192.0.2.%d %d typ host\r\n", i,
			 2000 + i, i + 1, 50000 + i);
		append(buf, sizeof(buf), &len, line);
	}
	assert_int_equal(sdp_parse(buf, len, &s), ST_OK);
	const struct sdp_media *m = &s.media[0];
	assert_int_equal(m->n_cand, SDP_MAX_CAND);
	assert_int_equal(m->n_cand_total, SDP_MAX_CAND + 4);
	assert_true(s.limit_hit);
	assert_int_equal(m->cand[SDP_MAX_CAND - 1].port, 50000 + SDP_MAX_CAND - 1);
}

static void test_too_many_fmts_and_rtpmaps_set_limit_hit(void **state)
{
	char buf[8192];
	size_t len = 0;
	struct sdp s;
	append(buf, sizeof(buf), &len, "v=0\r\nm=audio 1 RTP/AVP");
	for (int i = 0; i < SDP_MAX_FMT + 5; i++) {
		char tok[8];
		snprintf(tok, sizeof(tok), " %d", 90 + i);
		append(buf, sizeof(buf), &len, tok);
	}
	append(buf, sizeof(buf), &len, "\r\n");
	assert_int_equal(sdp_parse(buf, len, &s), ST_OK);
	assert_int_equal(s.media[0].n_fmt, SDP_MAX_FMT);
	assert_int_equal(s.media[0].fmt[SDP_MAX_FMT - 1], 90 + SDP_MAX_FMT - 1);
	assert_true(s.limit_hit);

	len = 0;
	append(buf, sizeof(buf), &len, "v=0\r\nm=audio 1 RTP/AVP 96\r\n");
	for (int i = 0; i < SDP_MAX_RTPMAP + 2; i++) {
		char line[64];
		snprintf(line, sizeof(line), "a=rtpmap:%d X%d/8000\r\n", 96 + i, i);
		append(buf, sizeof(buf), &len, line);
	}
	assert_int_equal(sdp_parse(buf, len, &s), ST_OK);
	assert_int_equal(s.media[0].n_rtpmap, SDP_MAX_RTPMAP);
	assert_true(s.limit_hit);
	struct sdp_rtpmap r;
	assert_true(sdp_media_rtpmap(&s.media[0], 96 + SDP_MAX_RTPMAP - 1, &r));
	assert_false(sdp_media_rtpmap(&s.media[0], 96 + SDP_MAX_RTPMAP, &r));
}

static void test_counters_saturate(void **state)
{
	static char buf[64 * 1024];
	size_t len = 0;
	struct sdp s;
	append(buf, sizeof(buf), &len, "v=0\r\nm=audio 1 RTP/SAVP 0\r\n");
	for (int i = 0; i < 300; i++)
		append(buf, sizeof(buf), &len, "a=fmtp:0 x\r\na=crypto:1 X inline:y\r\n");
	assert_int_equal(sdp_parse(buf, len, &s), ST_OK);
	assert_int_equal(s.media[0].n_fmtp, 255);
	assert_int_equal(s.media[0].n_crypto, 255);
}

static void test_many_media_lines_count_saturates(void **state)
{
	size_t len = 0;
	size_t cap = 5 + 70000 * 4 + 1;
	char *buf = malloc(cap);
	struct sdp s;
	assert_non_null(buf);
	append(buf, cap, &len, "v=0\n");
	for (int i = 0; i < 70000; i++)
		append(buf, cap, &len, "m=\n");
	assert_int_equal(sdp_parse(buf, len, &s), ST_MALFORMED);
	assert_int_equal(s.n_media, SDP_MAX_MEDIA);
	assert_int_equal(s.n_media_total, UINT16_MAX);
	assert_true(s.limit_hit);
	free(buf);
}

/* ---- hostile and broken input ------------------------------------------ */

static void test_not_sdp_is_malformed_and_zeroed(void **state)
{
	static const char *const bad[] = {
		"", "\r\n\r\n", "v", "v=", "v=1\r\n", "hello world", "V=0\r\n", "o=- 1 1 IN IP4 1.2.3.4\r\nv=0\r\n",
		"HTTP/1.1 200 OK\r\n\r\n", "v=00\r\n", "v=0x\r\n",
	};
	struct sdp s;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&s, 0xa5, sizeof(s));
		assert_int_equal(parse(bad[i], &s), ST_MALFORMED);
		assert_int_equal(s.n_media, 0);
		assert_int_equal(s.n_bad_lines, 0);
		assert_false(s.conn.present);
		assert_null(s.session_name.p);
	}
	assert_int_equal(sdp_parse(NULL, 0, &s), ST_MALFORMED);
	assert_int_equal(sdp_parse(NULL, 10, &s), ST_MALFORMED);
	/* Only "v=0" is enough to be SDP. */
	assert_int_equal(parse("v=0", &s), ST_OK);
	assert_int_equal(s.n_media, 0);
}

static void test_garbage_lines_are_counted(void **state)
{
	struct sdp s;
	static const char body[] = "v=0\r\n"
				   "s=ok\r\n"
				   "garbage\r\n"
				   "A=upper\r\n"
				   "=empty type\r\n"
				   "x\r\n"
				   "\x01\x02\xff=\r\n"
				   "v=0\r\n"
				   "a=\r\n"
				   "a=:value\r\n"
				   "q=unknown type is ignored\r\n"
				   "m=audio 4000 RTP/AVP 0\r\n"
				   "o=- 1 1 IN IP4 1.2.3.4\r\n" /* o= inside a media section */
				   "a=sendonly\r\n";
	assert_int_equal(sdp_parse(body, sizeof(body) - 1, &s), ST_OK);
	assert_int_equal(s.n_bad_lines, 9);
	check_sv(s.session_name, "ok");
	assert_int_equal(s.media[0].port, 4000);
	assert_int_equal(s.media[0].dir, SDP_SENDONLY);
	assert_false(s.origin.present);
}

static void test_embedded_nul_bytes(void **state)
{
	struct sdp s;
	static const char body[] = "v=0\r\ns=a\0b\r\nc=IN IP4 10.0.0.1\0\r\nm=audio 4\0000 RTP/AVP 0\r\n";
	assert_int_equal(sdp_parse(body, sizeof(body) - 1, &s), ST_MALFORMED);
	assert_int_equal(s.session_name.n, 3);
	assert_false(s.conn.present);
	assert_int_equal(s.n_media, 1);
	assert_int_equal(s.n_bad_lines, 2);
}

static void test_bad_core_lines_malformed_but_filled(void **state)
{
	struct sdp s;
	/* A bad m= keeps its slot so positions still pair offer and answer. */
	assert_int_equal(parse("v=0\r\n"
			       "o=- 1 1 IN IP4 10.0.0.1\r\n"
			       "c=IN IP4 10.0.0.1\r\n"
			       "m=audio 99999 RTP/AVP 0\r\n"
			       "a=sendonly\r\n"
			       "m=audio 4000 RTP/AVP 8\r\n",
			       &s),
			 ST_MALFORMED);
	assert_int_equal(s.n_media, 2);
	assert_int_equal(s.n_bad_lines, 1);
	assert_int_equal(s.media[0].port, 0);
	assert_int_equal(s.media[0].dir, SDP_SENDONLY);
	assert_int_equal(s.media[1].port, 4000);
	check_conn(&s.media[1].conn, "10.0.0.1", "10.0.0.1");

	/* A bad media-level c= is not replaced by the session's. */
	assert_int_equal(parse("v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/AVP 0\r\nc=IN IP4 nope!\r\n", &s),
			 ST_MALFORMED);
	assert_true(s.media[0].conn_media_level);
	assert_false(s.media[0].conn.present);

	static const char *const bad_o[] = {
		"v=0\r\no=- 1 1 IN IP4\r\n",
		"v=0\r\no=- 1 1 IN IP4 1.2.3.4 5\r\n",
		"v=0\r\no=- 1 1 XX IP4 1.2.3.4\r\n",
		"v=0\r\no=\r\n",
	};
	for (size_t i = 0; i < sizeof(bad_o) / sizeof(bad_o[0]); i++) {
		assert_int_equal(parse(bad_o[i], &s), ST_MALFORMED);
		assert_false(s.origin.present);
		assert_int_equal(s.n_bad_lines, 1);
	}
	static const char *const bad_m[] = {
		"v=0\r\nm=\r\n", "v=0\r\nm=audio\r\n", "v=0\r\nm=audio 4000\r\n",
		"v=0\r\nm=audio x RTP/AVP 0\r\n", "v=0\r\nm=audio -1 RTP/AVP 0\r\n",
		"v=0\r\nm=audio 18446744073709551616 RTP/AVP 0\r\n",
	};
	for (size_t i = 0; i < sizeof(bad_m) / sizeof(bad_m[0]); i++) {
		assert_int_equal(parse(bad_m[i], &s), ST_MALFORMED);
		assert_int_equal(s.n_media, 1);
		assert_int_equal(s.n_bad_lines, 1);
	}
	/* A second o= is counted but the first one stays. */
	assert_int_equal(parse("v=0\r\no=a 1 1 IN IP4 1.1.1.1\r\no=b 2 2 IN IP4 2.2.2.2\r\n", &s), ST_OK);
	check_sv(s.o_username, "a");
	assert_int_equal(s.n_bad_lines, 1);
}

static void test_truncated_at_every_length(void **state)
{
	/* Every prefix of a full body, each in a buffer of exactly its size so
	 * that ASan catches a read one past the end. */
	size_t n = strlen(webrtc);
	struct sdp s;
	for (size_t i = 0; i <= n; i++) {
		char *p = malloc(i ? i : 1);
		assert_non_null(p);
		memcpy(p, webrtc, i);
		enum status st = sdp_parse(p, i, &s);
		assert_true(st == ST_OK || st == ST_MALFORMED);
		assert_true(s.n_media <= SDP_MAX_MEDIA);
		if (i >= 3)
			assert_int_equal(st == ST_OK || s.n_bad_lines > 0, true);
		free(p);
	}
	/* Cut in the middle of "c=IN IP4 10.243": a bad c= line. */
	const char *cut = strstr(webrtc, "c=IN IP4 10.243");
	assert_non_null(cut);
	size_t at = (size_t)(cut - webrtc) + strlen("c=IN IP4 ");
	assert_int_equal(sdp_parse(webrtc, at, &s), ST_MALFORMED);
	assert_int_equal(sdp_parse(webrtc, at + 3, &s), ST_MALFORMED); /* "10." */
	assert_int_equal(s.n_bad_lines, 1);
	assert_int_equal(sdp_parse(webrtc, at + strlen("10.243.17.55"), &s), ST_OK);
	check_conn(&s.media[0].conn, "10.243.17.55", "10.243.17.55");
}

static void test_overflowing_numbers(void **state)
{
	struct sdp s;
	assert_int_equal(parse("v=0\r\nm=audio 65536 RTP/AVP 0\r\n", &s), ST_MALFORMED);
	assert_int_equal(parse("v=0\r\nm=audio 00000000000000000000004000 RTP/AVP 0\r\n", &s), ST_OK);
	assert_int_equal(s.media[0].port, 4000);
	assert_int_equal(parse("v=0\r\nm=audio 4000 RTP/AVP 99999999999999999999999999\r\n", &s), ST_OK);
	assert_int_equal(s.media[0].n_fmt, 0);
	assert_true(s.media[0].fmt_non_numeric);
	assert_int_equal(parse("v=0\r\nm=audio 4000 RTP/AVP 0\r\na=rtcp:18446744073709551617\r\n"
			       "a=rtpmap:0 PCMU/18446744073709551617\r\n",
			       &s),
			 ST_OK);
	assert_int_equal(s.n_bad_lines, 2);
	assert_int_equal(s.media[0].rtcp_port, 0);
	assert_int_equal(s.media[0].n_rtpmap, 0);
}

/* ---- sdp_find_in_body ---------------------------------------------------- */

static struct sv find(const char *ct, const char *body)
{
	return sdp_find_in_body(sv_from_cstr(ct), sv_from_cstr(body));
}

static void test_find_plain_application_sdp(void **state)
{
	const char *body = "v=0\r\ns=-\r\n";
	struct sv r = find("application/sdp", body);
	assert_ptr_equal(r.p, body);
	assert_int_equal(r.n, strlen(body));
	r = find("  Application/SDP ; charset=UTF-8", body);
	assert_ptr_equal(r.p, body);
	assert_int_equal(find("application/sdpx", body).n, 0);
	assert_int_equal(find("application/isup", body).n, 0);
	assert_int_equal(find("text/plain", body).n, 0);
	assert_int_equal(find("", body).n, 0);
	assert_int_equal(find("application/sdp", "").n, 0);
	assert_int_equal(sdp_find_in_body(SV_NULL, sv_from_cstr(body)).n, 0);
	assert_int_equal(sdp_find_in_body(SV_LIT("application/sdp"), SV_NULL).n, 0);
}

/* SIP-I/SIP-T INVITE body: SDP and an ISUP IAM (RFC 3204), quoted boundary. */
static void test_find_multipart_sdp_and_isup(void **state)
{
	static const char body[] =
		"--unique-boundary-1\r\n"
		"Content-Type: application/SDP; charset=ISO-10646\r\n"
		"\r\n"
		"v=0\r\n"
		"o=- 53655765 2353687637 IN IP4 192.0.2.11\r\n"
		"s=-\r\n"
		"c=IN IP4 192.0.2.11\r\n"
		"t=0 0\r\n"
		"m=audio 3456 RTP/AVP 0\r\n"
		"\r\n"
		"--unique-boundary-1\r\n"
		"Content-Type: application/ISUP; version=nxv3; base=etsi121\r\n"
		"Content-Disposition: signal; handling=optional\r\n"
		"\r\n"
		"\x01\x00\x49\x00\x00\x03\x02\x00\x07\x04\x10\x00\x33\x63\x21\x43\x00\x00\x03\r\n"
		"--unique-boundary-1--\r\n";
	static const char want[] =
		"v=0\r\n"
		"o=- 53655765 2353687637 IN IP4 192.0.2.11\r\n"
		"s=-\r\n"
		"c=IN IP4 192.0.2.11\r\n"
		"t=0 0\r\n"
		"m=audio 3456 RTP/AVP 0\r\n";
	struct sv r = sdp_find_in_body(SV_LIT("multipart/mixed; boundary=\"unique-boundary-1\""),
				       sv_make(body, sizeof(body) - 1));
	/* The CRLF before the delimiter belongs to the delimiter, not the part. */
	assert_int_equal(r.n, sizeof(want) - 1);
	assert_memory_equal(r.p, want, sizeof(want) - 1);
	assert_ptr_equal(r.p, strstr(body, "v=0"));

	struct sdp s;
	assert_int_equal(sdp_parse(r.p, r.n, &s), ST_OK);
	assert_int_equal(s.media[0].port, 3456);

	/* Case of the type does not matter; the boundary's case does. */
	r = sdp_find_in_body(SV_LIT("Multipart/Mixed;boundary=unique-boundary-1"),
			     sv_make(body, sizeof(body) - 1));
	assert_int_equal(r.n, sizeof(want) - 1);
	r = sdp_find_in_body(SV_LIT("multipart/mixed;boundary=UNIQUE-boundary-1"),
			     sv_make(body, sizeof(body) - 1));
	assert_int_equal(r.n, 0);
}

static void test_find_multipart_lf_preamble_second_part(void **state)
{
	static const char body[] =
		"This is the preamble.\n"
		"--b1\n"
		"Content-Type: application/isup\n"
		"\n"
		"ISUP\n"
		"--b1 \t\n" /* transport padding after the boundary */
		"content-type:application/sdp\n"
		"\n"
		"v=0\n"
		"m=audio 1 RTP/AVP 0\n"
		"--b1--\n"
		"epilogue\n";
	struct sv r = sdp_find_in_body(SV_LIT("multipart/mixed;boundary=b1"), sv_make(body, sizeof(body) - 1));
	check_sv(r, "v=0\nm=audio 1 RTP/AVP 0");
}

static void test_find_multipart_edge_cases(void **state)
{
	struct sv r;
	/* No boundary parameter. */
	assert_int_equal(find("multipart/mixed", "--x\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n--x--").n, 0);
	/* Empty quoted boundary. */
	assert_int_equal(find("multipart/mixed;boundary=\"\"", "--\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n").n,
			 0);
	/* No SDP part. */
	assert_int_equal(find("multipart/mixed;boundary=x", "--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n--x--\r\n").n,
			 0);
	/* A part with no headers is text/plain. */
	assert_int_equal(find("multipart/mixed;boundary=x", "--x\r\n\r\nv=0\r\n--x--\r\n").n, 0);
	/* Headers only, no blank line. */
	assert_int_equal(find("multipart/mixed;boundary=x", "--x\r\nContent-Type: application/sdp\r\n--x--").n, 0);
	/* An empty SDP part is skipped for a later one. */
	r = find("multipart/mixed;boundary=x",
		 "--x\r\nContent-Type: application/sdp\r\n\r\n\r\n--x\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n--x--");
	check_sv(r, "v=0");
	/* "--xy" is not the delimiter "--x"; the SDP part goes on past it. */
	r = find("multipart/mixed;boundary=x", "--x\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n--xy\r\n--x--");
	check_sv(r, "v=0\r\n--xy");
	/* Delimiter not at the start of a line. */
	r = find("multipart/mixed;boundary=x", "--x\r\nContent-Type: application/sdp\r\n\r\nv=0 --x\r\n--x--");
	check_sv(r, "v=0 --x");
	/* Cut short: no close delimiter, the last part runs to the end. */
	r = find("multipart/mixed;boundary=x", "--x\r\nContent-Type: application/sdp\r\n\r\nv=0\r\ns=-");
	check_sv(r, "v=0\r\ns=-");
	/* Nothing after the only delimiter. */
	assert_int_equal(find("multipart/mixed;boundary=x", "--x").n, 0);
	assert_int_equal(find("multipart/mixed;boundary=x", "--x--").n, 0);
	/* A folded Content-Type header. */
	r = find("multipart/mixed;boundary=x", "--x\r\nContent-Type:\r\n application/sdp\r\n\r\nv=0\r\n--x--");
	check_sv(r, "v=0");
	/* Parts after the close delimiter are epilogue. */
	assert_int_equal(find("multipart/mixed;boundary=x",
			      "--x--\r\n--x\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n").n,
			 0);
}

static void test_find_nested_multipart(void **state)
{
	static const char body[] =
		"--outer\r\n"
		"Content-Type: multipart/alternative;\r\n"
		" boundary=inner\r\n"
		"\r\n"
		"--inner\r\n"
		"Content-Type: text/plain\r\n"
		"\r\n"
		"no sdp\r\n"
		"--inner\r\n"
		"Content-Type: application/sdp\r\n"
		"\r\n"
		"v=0\r\n"
		"--inner--\r\n"
		"\r\n"
		"--outer--\r\n";
	struct sv r = sdp_find_in_body(SV_LIT("multipart/mixed; boundary=outer"), sv_make(body, sizeof(body) - 1));
	check_sv(r, "v=0");

	/* Nesting deeper than we follow yields nothing rather than recursing on. */
	char deep[2048];
	size_t len = 0;
	int levels = 10;
	for (int i = 0; i < levels; i++) {
		char line[96];
		snprintf(line, sizeof(line), "--b%d\r\nContent-Type: multipart/mixed;boundary=b%d\r\n\r\n", i,
			 i + 1);
		append(deep, sizeof(deep), &len, line);
	}
	char last[96];
	snprintf(last, sizeof(last), "--b%d\r\nContent-Type: application/sdp\r\n\r\nv=0", levels);
	append(deep, sizeof(deep), &len, last);
	r = sdp_find_in_body(SV_LIT("multipart/mixed;boundary=b0"), sv_make(deep, len));
	assert_int_equal(r.n, 0);
	/* Up to four levels of multipart are followed (the parts are unterminated,
	 * so each runs to the end of the body). */
	const char *from = strstr(deep, "--b3\r\n");
	assert_non_null(from);
	r = sdp_find_in_body(SV_LIT("multipart/mixed;boundary=b3"),
			     sv_make(from, len - (size_t)(from - deep)));
	assert_int_equal(r.n, 0); /* b3..b9: seven levels */
	from = strstr(deep, "--b7\r\n");
	r = sdp_find_in_body(SV_LIT("multipart/mixed;boundary=b7"),
			     sv_make(from, len - (size_t)(from - deep)));
	check_sv(r, "v=0"); /* b7, b8, b9, then the SDP part of b10 */
}

static void test_dir_str(void **state)
{
	assert_string_equal(sdp_dir_str(SDP_DIR_UNSET), "unset");
	assert_string_equal(sdp_dir_str(SDP_SENDRECV), "sendrecv");
	assert_string_equal(sdp_dir_str(SDP_SENDONLY), "sendonly");
	assert_string_equal(sdp_dir_str(SDP_RECVONLY), "recvonly");
	assert_string_equal(sdp_dir_str(SDP_INACTIVE), "inactive");
	assert_string_equal(sdp_dir_str((enum sdp_dir)42), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_asterisk_srtp_audio),
		cmocka_unit_test(test_parse_xlite_session_ice_ufrag_and_candidates),
		cmocka_unit_test(test_parse_webrtc_rtcp_mux_candidates),
		cmocka_unit_test(test_media_conn_overrides_session),
		cmocka_unit_test(test_first_c_line_wins),
		cmocka_unit_test(test_direction_media_overrides_session),
		cmocka_unit_test(test_direction_case_insensitive),
		cmocka_unit_test(test_hold_inactive_with_zero_address),
		cmocka_unit_test(test_port_zero_declined_stream),
		cmocka_unit_test(test_port_max_and_nports),
		cmocka_unit_test(test_ipv6_connection),
		cmocka_unit_test(test_first_bad_line),
		cmocka_unit_test(test_address_family_mismatch_is_malformed),
		cmocka_unit_test(test_hostname_connection),
		cmocka_unit_test(test_multicast_ttl_suffix),
		cmocka_unit_test(test_rtcp_attribute),
		cmocka_unit_test(test_crypto_counted),
		cmocka_unit_test(test_t38_image_udptl_non_numeric_fmt),
		cmocka_unit_test(test_video_and_audio_sections),
		cmocka_unit_test(test_lf_only_line_ends),
		cmocka_unit_test(test_ptime_and_maxptime),
		cmocka_unit_test(test_rtpmap_forms_and_errors),
		cmocka_unit_test(test_static_payload_types),
		cmocka_unit_test(test_media_rtpmap_prefers_attribute),
		cmocka_unit_test(test_ice_lite_session_level),
		cmocka_unit_test(test_candidate_forms_and_errors),
		cmocka_unit_test(test_too_many_media_sets_limit_hit),
		cmocka_unit_test(test_too_many_candidates_sets_limit_hit),
		cmocka_unit_test(test_too_many_fmts_and_rtpmaps_set_limit_hit),
		cmocka_unit_test(test_counters_saturate),
		cmocka_unit_test(test_many_media_lines_count_saturates),
		cmocka_unit_test(test_not_sdp_is_malformed_and_zeroed),
		cmocka_unit_test(test_garbage_lines_are_counted),
		cmocka_unit_test(test_embedded_nul_bytes),
		cmocka_unit_test(test_bad_core_lines_malformed_but_filled),
		cmocka_unit_test(test_truncated_at_every_length),
		cmocka_unit_test(test_overflowing_numbers),
		cmocka_unit_test(test_find_plain_application_sdp),
		cmocka_unit_test(test_find_multipart_sdp_and_isup),
		cmocka_unit_test(test_find_multipart_lf_preamble_second_part),
		cmocka_unit_test(test_find_multipart_edge_cases),
		cmocka_unit_test(test_find_nested_multipart),
		cmocka_unit_test(test_dir_str),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
