/* SPDX-License-Identifier: MIT */
/* Unit tests for the calls stage: call state from SIP, offer/answer history,
 * retransmissions, forks, stream binding (SDP, symmetric, latching), and the
 * per-stream statistics (sequence accounting, jitter, gaps, events, bins). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "calls/calls.h"

#define SEC 1000000000LL

static struct call done_calls_copy[8];
static struct sdp_rec done_sdp[8][CALL_MAX_SDP];
static struct msg_rec done_msgs[8][64];
static unsigned n_done;
static struct stream done_streams[8];
static unsigned n_done_streams;
static unsigned stream_counts[8];

static void on_call(void *ctx, struct call *c)
{
	(void)ctx;
	if (n_done < 8) {
		/* the call is freed after this callback: keep deep copies */
		done_calls_copy[n_done] = *c;
		if (c->n_sdp)
			memcpy(done_sdp[n_done], c->sdp, c->n_sdp * sizeof(*c->sdp));
		done_calls_copy[n_done].sdp = done_sdp[n_done];
		uint32_t nm = c->n_msgs < 64 ? c->n_msgs : 64;
		if (nm)
			memcpy(done_msgs[n_done], c->msgs, nm * sizeof(*c->msgs));
		done_calls_copy[n_done].msgs = done_msgs[n_done];
		done_calls_copy[n_done].streams = NULL;
		unsigned n = 0;
		for (struct stream *s = c->streams; s; s = s->next)
			if (n < 8)
				done_streams[n++] = *s;
		stream_counts[n_done] = n;
		n_done_streams = n;
	}
	n_done++;
}

static struct calls *mk(void)
{
	n_done = 0;
	n_done_streams = 0;
	struct calls_config cfg = calls_config_default();
	struct calls_sink sink = { .call_done = on_call };
	return calls_new(&cfg, &sink);
}

static struct dgram dg(const char *src, uint16_t sp, const char *dst, uint16_t dp, int64_t ts, uint64_t frame)
{
	struct dgram d;
	memset(&d, 0, sizeof(d));
	addr_parse(sv_from_cstr(src), &d.src);
	addr_parse(sv_from_cstr(dst), &d.dst);
	d.sport = sp;
	d.dport = dp;
	d.ts_ns = ts;
	d.frame = frame;
	d.transport = TP_UDP;
	d.ttl = 64;
	return d;
}

static char msgbuf[4096];

/* Builds a SIP message; sdp_port 0 means no body. */
static void sip(struct calls *t, const char *src, const char *dst, int64_t ts, uint64_t frame,
		const char *start, const char *cseq, const char *from_tag, const char *to_tag,
		const char *branch, const char *sdp_addr, int sdp_port, const char *dir, const char *extra)
{
	char body[512] = "";
	if (sdp_port)
		snprintf(body, sizeof(body),
			 "v=0\r\no=- 1 %llu IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %d RTP/AVP 0 101\r\n"
			 "a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=%s\r\n",
			 (unsigned long long)frame, sdp_addr, sdp_addr, sdp_port, dir ? dir : "sendrecv");
	char to[128];
	snprintf(to, sizeof(to), "<sip:bob@example.com>%s%s", to_tag ? ";tag=" : "", to_tag ? to_tag : "");
	snprintf(msgbuf, sizeof(msgbuf),
		 "%s\r\nVia: SIP/2.0/UDP %s:5060;branch=%s\r\nFrom: <sip:alice@example.com>;tag=%s\r\n"
		 "To: %s\r\nCall-ID: call-1@example.com\r\nCSeq: %s\r\n%s%sContent-Length: %zu\r\n\r\n%s",
		 start, src, branch, from_tag, to, cseq, extra ? extra : "",
		 sdp_port ? "Content-Type: application/sdp\r\n" : "", strlen(body), body);
	struct sip_msg m;
	assert_true(sip_parse(msgbuf, strlen(msgbuf), SIP_DGRAM, &m) > 0);
	uint16_t sp = 5060, dp = 5060;
	struct dgram d = dg(src, sp, dst, dp, ts, frame);
	calls_sip(t, &d, &m);
}

static void rtp(struct calls *t, const char *src, uint16_t sp, const char *dst, uint16_t dp, int64_t ts,
		uint64_t frame, uint16_t seq, uint32_t rts, uint32_t ssrc, uint8_t pt)
{
	static uint8_t payload[160];
	struct rtp_hdr h;
	memset(&h, 0, sizeof(h));
	h.version = 2;
	h.seq = seq;
	h.ts = rts;
	h.ssrc = ssrc;
	h.pt = pt;
	h.payload = payload;
	h.payload_len = sizeof(payload);
	struct dgram d = dg(src, sp, dst, dp, ts, frame);
	calls_rtp(t, &d, &h);
}

static const char A[] = "192.0.2.10", B[] = "198.51.100.20";

static void basic_call(struct calls *t, bool with_rtp_back)
{
	sip(t, A, B, 0, 1, "INVITE sip:bob@example.com SIP/2.0", "1 INVITE", "a1", NULL, "z9hG4bK1", A, 4000, NULL, "User-Agent: PhoneA\r\n");
	sip(t, B, A, SEC / 10, 2, "SIP/2.0 180 Ringing", "1 INVITE", "a1", "b1", "z9hG4bK1", NULL, 0, NULL, NULL);
	sip(t, B, A, SEC, 3, "SIP/2.0 200 OK", "1 INVITE", "a1", "b1", "z9hG4bK1", B, 6000, NULL, "Server: PBX 1.0\r\n");
	sip(t, A, B, SEC + 10000000, 4, "ACK sip:bob@example.com SIP/2.0", "1 ACK", "a1", "b1", "z9hG4bK2", NULL, 0, NULL, NULL);
	uint64_t frame = 5;
	for (int i = 0; i < 100; i++) {
		int64_t ts = SEC + 20000000LL * (i + 1);
		rtp(t, A, 4000, B, 6000, ts, frame++, (uint16_t)(65500 + i), 1000 + 160u * i, 0xAAAA, 0);
		if (with_rtp_back)
			rtp(t, B, 6000, A, 4000, ts + 1000000, frame++, (uint16_t)(10 + i), 5000 + 160u * i, 0xBBBB, 0);
	}
}

static void test_answered_and_ended(void **state)
{
	(void)state;
	struct calls *t = mk();
	basic_call(t, true);
	sip(t, B, A, 5 * SEC, 300, "BYE sip:alice@example.com SIP/2.0", "1 BYE", "b1", "a1", "z9hG4bK3", NULL, 0, NULL,
	    "Reason: Q.850;cause=16;text=\"Normal call clearing\"\r\n");
	sip(t, A, B, 5 * SEC + 1000, 301, "SIP/2.0 200 OK", "1 BYE", "b1", "a1", "z9hG4bK3", NULL, 0, NULL, NULL);
	calls_tick(t, 30 * SEC); /* linger over: finalised */
	assert_int_equal(n_done, 1);
	struct call *c = &done_calls_copy[0];
	assert_int_equal(c->state, CALL_ENDED);
	assert_int_equal(c->ended_by, PARTY_B);
	assert_string_equal(c->bye_reason, "Q.850;cause=16;text=\"Normal call clearing\"");
	assert_int_equal(c->bye_status, 200);
	assert_true(c->acked);
	assert_int_equal(c->answer_frame, 3);
	assert_string_equal(c->a_ua, "PhoneA");
	assert_string_equal(c->b_ua, "PBX 1.0");
	assert_int_equal(c->n_sdp, 2);
	assert_int_equal(c->sdp[0].kind, SDP_OFFER);
	assert_int_equal(c->sdp[1].kind, SDP_ANSWER);
	assert_int_equal(c->sdp[1].by, PARTY_B);
	assert_int_equal(stream_counts[0], 2);
	for (unsigned i = 0; i < 2; i++) {
		struct stream *s = &done_streams[i];
		assert_int_equal(s->packets, 100);
		assert_int_equal(stream_lost(s), 0);
		assert_int_equal(s->bound_by, BIND_SDP_DST);
		assert_int_equal(s->clock, 8000);
		assert_int_equal(s->dir, s->ssrc == 0xAAAA ? PARTY_A : PARTY_B);
		assert_true(s->max_jitter_ms < 0.01); /* perfectly regular */
	}
	calls_free(t);
}

static void test_retransmitted_ok_without_ack(void **state)
{
	(void)state;
	struct calls *t = mk();
	sip(t, A, B, 0, 1, "INVITE sip:bob@example.com SIP/2.0", "1 INVITE", "a1", NULL, "z9hG4bK1", A, 4000, NULL, NULL);
	int64_t at[] = { SEC, SEC + SEC / 2, 2 * SEC + SEC / 2, 4 * SEC + SEC / 2 };
	for (int i = 0; i < 4; i++)
		sip(t, B, A, at[i], (uint64_t)(2 + i), "SIP/2.0 200 OK", "1 INVITE", "a1", "b1", "z9hG4bK1", B, 6000, NULL, NULL);
	sip(t, B, A, 33 * SEC, 9, "BYE sip:alice@example.com SIP/2.0", "1 BYE", "b1", "a1", "z9hG4bK9", NULL, 0, NULL, NULL);
	calls_finish(t);
	assert_int_equal(n_done, 1);
	struct call *c = &done_calls_copy[0];
	assert_false(c->acked);
	assert_int_equal(c->ok_retrans, 3);
	assert_int_equal(c->retrans, 3);
	assert_int_equal(c->n_sdp, 2); /* retransmitted SDP is not a new offer/answer */
	assert_true(c->msgs[2].retrans);
	assert_int_equal(c->bye_status, 0);
	calls_free(t);
}

/* The same INVITE seen on a second hop (an element that adds no Via), and one
 * packet captured twice: neither is a retransmission; a copy 500 ms later on
 * the first hop is. */
static void test_hop_copies_and_duplicates(void **state)
{
	(void)state;
	struct calls *t = mk();
	static const char A2[] = "203.0.113.7", B2[] = "203.0.113.8";
	sip(t, A, B, 0, 1, "INVITE sip:bob@example.com SIP/2.0", "1 INVITE", "a1", NULL, "z9hG4bK1", A, 4000, NULL, NULL);
	sip(t, A2, B2, 700000, 2, "INVITE sip:bob@example.com SIP/2.0", "1 INVITE", "a1", NULL, "z9hG4bK1", A, 4000, NULL, NULL);
	sip(t, A2, B2, 1400000, 3, "INVITE sip:bob@example.com SIP/2.0", "1 INVITE", "a1", NULL, "z9hG4bK1", A, 4000, NULL, NULL);
	sip(t, A, B, SEC / 2, 4, "INVITE sip:bob@example.com SIP/2.0", "1 INVITE", "a1", NULL, "z9hG4bK1", A, 4000, NULL, NULL);
	sip(t, B, A, SEC, 5, "SIP/2.0 200 OK", "1 INVITE", "a1", "b1", "z9hG4bK1", B, 6000, NULL, NULL);
	sip(t, B, A, SEC + 1000000, 6, "SIP/2.0 200 OK", "1 INVITE", "a1", "b1", "z9hG4bK1", B, 6000, NULL, NULL);
	sip(t, A, B, SEC + 10000000, 7, "ACK sip:bob@example.com SIP/2.0", "1 ACK", "a1", "b1", "z9hG4bK2", NULL, 0, NULL, NULL);
	calls_finish(t);
	assert_int_equal(n_done, 1);
	struct call *c = &done_calls_copy[0];
	assert_int_equal(c->retrans, 1);       /* frame 4 only */
	assert_int_equal(c->hop_copies, 1);    /* frame 2 */
	assert_int_equal(c->duplicates, 2);    /* frames 3 and 6 */
	assert_int_equal(c->ok_retrans, 0);    /* a duplicate 200 is not Timer G at work */
	assert_int_equal(c->msgs[1].copy, COPY_OTHER_HOP);
	assert_int_equal(c->msgs[2].copy, COPY_DUPLICATE);
	assert_true(c->msgs[3].retrans);
	assert_int_equal(c->msgs[3].copy, COPY_NONE);
	assert_true(msg_is_first(&c->msgs[0]));
	assert_false(msg_is_first(&c->msgs[1]));
	assert_true(c->acked);
	assert_int_equal(c->n_sdp, 2);
	calls_free(t);
}

static void test_cancel_and_failure(void **state)
{
	(void)state;
	struct calls *t = mk();
	sip(t, A, B, 0, 1, "INVITE sip:bob@example.com SIP/2.0", "1 INVITE", "a1", NULL, "z9hG4bK1", A, 4000, NULL, NULL);
	sip(t, B, A, SEC, 2, "SIP/2.0 180 Ringing", "1 INVITE", "a1", "b1", "z9hG4bK1", NULL, 0, NULL, NULL);
	sip(t, A, B, 2 * SEC, 3, "CANCEL sip:bob@example.com SIP/2.0", "1 CANCEL", "a1", NULL, "z9hG4bK1", NULL, 0, NULL, NULL);
	sip(t, B, A, 2 * SEC + 1000, 4, "SIP/2.0 487 Request Terminated", "1 INVITE", "a1", "b1", "z9hG4bK1", NULL, 0, NULL, NULL);
	calls_finish(t);
	assert_int_equal(done_calls_copy[0].state, CALL_CANCELLED);
	assert_int_equal(done_calls_copy[0].final_status, 487);
	assert_int_equal(done_calls_copy[0].ended_by, PARTY_A);
	calls_free(t);

	t = mk();
	sip(t, A, B, 0, 1, "INVITE sip:bob@example.com SIP/2.0", "1 INVITE", "a1", NULL, "z9hG4bK1", A, 4000, NULL, NULL);
	sip(t, B, A, SEC, 2, "SIP/2.0 486 Busy Here", "1 INVITE", "a1", "b1", "z9hG4bK1", NULL, 0, NULL, NULL);
	calls_finish(t);
	assert_int_equal(done_calls_copy[0].state, CALL_FAILED);
	assert_int_equal(done_calls_copy[0].final_status, 486);
	calls_free(t);
}

static void test_forked_early_dialogs(void **state)
{
	(void)state;
	struct calls *t = mk();
	sip(t, A, B, 0, 1, "INVITE sip:bob@example.com SIP/2.0", "1 INVITE", "a1", NULL, "z9hG4bK1", A, 4000, NULL, NULL);
	sip(t, B, A, SEC, 2, "SIP/2.0 180 Ringing", "1 INVITE", "a1", "fork1", "z9hG4bK1", NULL, 0, NULL, NULL);
	sip(t, B, A, SEC, 3, "SIP/2.0 180 Ringing", "1 INVITE", "a1", "fork2", "z9hG4bK1", NULL, 0, NULL, NULL);
	sip(t, B, A, 2 * SEC, 4, "SIP/2.0 200 OK", "1 INVITE", "a1", "fork2", "z9hG4bK1", B, 6000, NULL, NULL);
	calls_finish(t);
	struct call *c = &done_calls_copy[0];
	assert_int_equal(c->early_tags, 2);
	assert_int_equal(c->answered_tags, 1);
	assert_string_equal(c->b_tag, "fork2");
	assert_int_equal(c->state, CALL_ANSWERED);
	calls_free(t);
}

static void test_hold_reinvite_and_delayed_offer(void **state)
{
	(void)state;
	struct calls *t = mk();
	/* delayed offer: INVITE without SDP, offer in 200, answer in ACK */
	sip(t, A, B, 0, 1, "INVITE sip:bob@example.com SIP/2.0", "1 INVITE", "a1", NULL, "z9hG4bK1", NULL, 0, NULL, NULL);
	sip(t, B, A, SEC, 2, "SIP/2.0 200 OK", "1 INVITE", "a1", "b1", "z9hG4bK1", B, 6000, NULL, NULL);
	sip(t, A, B, SEC, 3, "ACK sip:bob@example.com SIP/2.0", "1 ACK", "a1", "b1", "z9hG4bK2", A, 4000, NULL, NULL);
	/* hold from A, answered recvonly */
	sip(t, A, B, 5 * SEC, 4, "INVITE sip:bob@example.com SIP/2.0", "2 INVITE", "a1", "b1", "z9hG4bK3", A, 4000, "sendonly", NULL);
	sip(t, B, A, 5 * SEC, 5, "SIP/2.0 200 OK", "2 INVITE", "a1", "b1", "z9hG4bK3", B, 6000, "recvonly", NULL);
	calls_finish(t);
	struct call *c = &done_calls_copy[0];
	assert_int_equal(c->n_sdp, 4);
	assert_int_equal(c->sdp[0].kind, SDP_OFFER);
	assert_int_equal(c->sdp[0].by, PARTY_B);
	assert_int_equal(c->sdp[1].kind, SDP_ANSWER);
	assert_string_equal(c->sdp[1].context, "ACK");
	assert_int_equal(c->sdp[2].kind, SDP_OFFER);
	assert_int_equal(c->sdp[2].media[0].dir, SDP_SENDONLY);
	assert_int_equal(c->sdp[3].kind, SDP_ANSWER);
	assert_int_equal(c->state, CALL_ANSWERED); /* a re-INVITE does not change the call's state */
	calls_free(t);
}

static void test_latching_behind_nat(void **state)
{
	(void)state;
	struct calls *t = mk();
	/* A advertises its private address; its RTP arrives from the NAT's public one */
	sip(t, A, B, 0, 1, "INVITE sip:bob@example.com SIP/2.0", "1 INVITE", "a1", NULL, "z9hG4bK1", "10.0.0.5", 4000, NULL, NULL);
	sip(t, B, A, SEC, 2, "SIP/2.0 200 OK", "1 INVITE", "a1", "b1", "z9hG4bK1", B, 6000, NULL, NULL);
	rtp(t, "203.0.113.7", 31000, B, 6000, 2 * SEC, 3, 1, 160, 0x1111, 0);
	/* B latches: sends to the public mapping, from another port than it advertised */
	rtp(t, B, 6002, "203.0.113.7", 31000, 2 * SEC, 4, 1, 160, 0x2222, 0);
	/* unrelated RTP */
	for (int i = 0; i < 12; i++)
		rtp(t, "192.0.2.99", 7000, "192.0.2.98", 7002, 2 * SEC + i * 20000000LL, (uint64_t)(5 + i), (uint16_t)i,
		    160u * i, 0x3333, 8);
	calls_finish(t);
	assert_int_equal(stream_counts[0], 2);
	for (unsigned i = 0; i < 2; i++) {
		struct stream *s = &done_streams[i];
		if (s->ssrc == 0x1111) {
			assert_int_equal(s->bound_by, BIND_SDP_DST);
			assert_int_equal(s->dir, PARTY_A);
		} else {
			assert_int_equal(s->bound_by, BIND_LATCH);
			assert_int_equal(s->dir, PARTY_B);
		}
	}
	assert_int_equal(calls_get_stats(t)->streams_unsignalled, 1);
	calls_free(t);
}

static void test_mid_call_capture(void **state)
{
	(void)state;
	struct calls *t = mk();
	sip(t, B, A, 0, 1, "BYE sip:alice@example.com SIP/2.0", "7 BYE", "b1", "a1", "z9hG4bK7", NULL, 0, NULL, NULL);
	calls_finish(t);
	assert_int_equal(n_done, 1);
	assert_true(done_calls_copy[0].mid_call_start);
	assert_int_equal(done_calls_copy[0].state, CALL_ENDED);
	/* requests outside dialogs are counted, not calls */
	sip(t, A, B, 0, 2, "REGISTER sip:example.com SIP/2.0", "1 REGISTER", "r1", NULL, "z9hG4bKr", NULL, 0, NULL, NULL);
	sip(t, A, B, 0, 3, "OPTIONS sip:example.com SIP/2.0", "1 OPTIONS", "o1", NULL, "z9hG4bKo", NULL, 0, NULL, NULL);
	assert_int_equal(calls_get_stats(t)->non_call_by_method[0], 1);
	assert_int_equal(calls_get_stats(t)->non_call_by_method[1], 1);
	assert_int_equal(calls_get_stats(t)->calls, 1);
	calls_free(t);
}

/* ---- stream statistics ---- */

static struct stream *fresh_stream(struct stream *s, struct calls_config *cfg, uint16_t seq, uint32_t ts)
{
	*cfg = calls_config_default();
	memset(s, 0, sizeof(*s));
	struct rtp_hdr h = { .version = 2, .seq = seq, .ts = ts, .ssrc = 1, .pt = 0 };
	struct dgram d = dg(A, 1, B, 2, 0, 1);
	stream_init(s, &d, &h, cfg);
	return s;
}

static void feed(struct stream *s, const struct calls_config *cfg, int64_t ts, uint16_t seq, uint32_t rts, uint8_t pt)
{
	static uint8_t ev[4] = { 5, 0x0a, 0, 160 };
	struct rtp_hdr h = { .version = 2, .seq = seq, .ts = rts, .ssrc = 1, .pt = pt, .payload = ev, .payload_len = 4 };
	struct dgram d = dg(A, 1, B, 2, ts, s->last_frame + 1);
	stream_update(s, &d, &h, cfg);
}

static void test_stream_sequence_accounting(void **state)
{
	(void)state;
	static struct stream st;
	struct calls_config cfg;
	struct stream *s = fresh_stream(&st, &cfg, 65530, 0);
	/* 65530..65535, 0..9 with 3 lost (2,3,4), one duplicate, one late */
	uint16_t seqs[] = { 65530, 65531, 65532, 65533, 65534, 65535, 0, 1, 5, 6, 6, 8, 7, 9 };
	for (unsigned i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++)
		feed(s, &cfg, (int64_t)i * 20000000, seqs[i], 160u * i, 0);
	assert_int_equal(s->packets, 14);
	assert_int_equal(stream_expected(s), 16);
	assert_int_equal(stream_lost(s), 2); /* 3 missing, minus the duplicate */
	assert_int_equal(s->duplicates, 1);
	assert_int_equal(s->out_of_order, 1);
	assert_int_equal(s->cycles, 65536);
	stream_release(s);
}

static void test_stream_jitter_gap_and_bins(void **state)
{
	(void)state;
	static struct stream st;
	struct calls_config cfg;
	struct stream *s = fresh_stream(&st, &cfg, 100, 0);
	/* every other packet 10 ms late: D = 80 timestamp units each time */
	for (int i = 0; i < 200; i++) {
		int64_t late = (i % 2) ? 10000000 : 0;
		feed(s, &cfg, (int64_t)i * 20000000 + late, (uint16_t)(100 + i), 160u * (uint32_t)i, 0);
	}
	/* the estimate converges to 10 ms */
	assert_true(s->jitter_ms > 9.9 && s->jitter_ms <= 10.0);
	assert_true(s->max_jitter_ms > 9.9 && s->max_jitter_ms <= 10.0);
	assert_true(s->mean_jitter_ms > 9.0 && s->mean_jitter_ms < 10.0);
	assert_true(s->mean_delta_ms > 19.9 && s->mean_delta_ms < 20.1);
	/* a 3 s silence, then more */
	feed(s, &cfg, 199LL * 20000000 + 3 * SEC, 300, 160u * 350, 0);
	assert_int_equal(s->n_gaps, 1);
	assert_int_equal(s->gaps[0].end - s->gaps[0].start, 3 * SEC - 10000000LL); /* the last packet was 10 ms late */
	/* 4 s of packets: 41 bins of 100 ms */
	assert_int_equal(s->n_bins, (uint32_t)((199LL * 20000000 + 3 * SEC) / 100000000 + 1));
	assert_int_equal(s->bins[0], 5);
	/* an hour later: the bins coarsen instead of growing */
	feed(s, &cfg, 3600 * SEC, 301, 160u * 351, 0);
	assert_true(s->n_bins <= STREAM_MAX_BINS);
	assert_true(s->bin_ns >= 3600 * SEC / STREAM_MAX_BINS);
	uint32_t total = 0;
	for (uint32_t i = 0; i < s->n_bins; i++)
		total += s->bins[i];
	assert_int_equal(total, s->packets);
	stream_release(s);
}

static void test_stream_events_and_pt_change(void **state)
{
	(void)state;
	static struct stream st;
	struct calls_config cfg;
	struct stream *s = fresh_stream(&st, &cfg, 1, 0);
	s->event_pt = 101;
	feed(s, &cfg, 0, 2, 160, 0);
	/* one digit: 5 packets with the same RTP timestamp */
	for (int i = 0; i < 5; i++)
		feed(s, &cfg, 20000000LL * (i + 2), (uint16_t)(3 + i), 480, 101);
	feed(s, &cfg, 20000000LL * 8, 8, 1280, 0);
	feed(s, &cfg, 20000000LL * 9, 9, 1440, 8); /* PCMU -> PCMA with no event in between */
	assert_int_equal(s->n_events, 1);
	assert_int_equal(s->events[0].digit, '5');
	assert_int_equal(s->event_packets, 5);
	assert_int_equal(s->n_pt_changes, 1);
	assert_int_equal(s->pt_changes[0].from, 0);
	assert_int_equal(s->pt_changes[0].to, 8);
	stream_release(s);
}

/* ---- many calls and streams at once ---- */

static char calls_done_ids[64][64];
static uint64_t media_elsewhere_done[64];
static char link0_done[64][64];
static unsigned n_links_done[64];
static unsigned n_ids;
static unsigned streams_reported;
static uint64_t rtp_done[64];

static void on_call_id(void *ctx, struct call *c)
{
	(void)ctx;
	if (n_ids < 64) {
		snprintf(calls_done_ids[n_ids], sizeof(calls_done_ids[0]), "%.63s", c->call_id);
		media_elsewhere_done[n_ids] = c->media_elsewhere;
		n_links_done[n_ids] = c->n_links;
		snprintf(link0_done[n_ids], sizeof(link0_done[0]), "%.63s", c->n_links ? c->links[0] : "");
		rtp_done[n_ids] = 0;
		for (const struct stream *s = c->streams; s; s = s->next)
			rtp_done[n_ids] += s->packets;
	}
	n_ids++;
}

static void on_stream(void *ctx, struct stream *s)
{
	(void)ctx;
	(void)s;
	streams_reported++;
}

static struct calls *mk_cfg(const struct calls_config *cfg)
{
	n_ids = 0;
	streams_reported = 0;
	struct calls_sink sink = { .call_done = on_call_id, .stream_done = on_stream };
	return calls_new(cfg, &sink);
}

/* A request or response of call id (from user "u<id>"), with an SDP offering
 * sdp_addr:sdp_port when that is set. */
static void msg(struct calls *t, const char *id, const char *src, const char *dst, int64_t ts, uint64_t frame,
		const char *start, const char *cseq, const char *to_user, const char *to_tag, const char *sdp_addr,
		int sdp_port)
{
	char body[256] = "";
	if (sdp_port)
		snprintf(body, sizeof(body), "v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %d RTP/AVP 0\r\n",
			 sdp_addr, sdp_addr, sdp_port);
	snprintf(msgbuf, sizeof(msgbuf),
		 "%s\r\nVia: SIP/2.0/UDP %s:5060;branch=z9hG4bK%s\r\nFrom: <sip:u%s@example.com>;tag=f%s\r\n"
		 "To: <sip:%s@example.com>%s%s\r\nCall-ID: %s\r\nCSeq: %s\r\n%sContent-Length: %zu\r\n\r\n%s",
		 start, src, id, id, id, to_user, to_tag ? ";tag=" : "", to_tag ? to_tag : "", id, cseq,
		 sdp_port ? "Content-Type: application/sdp\r\n" : "", strlen(body), body);
	struct sip_msg m;
	assert_true(sip_parse(msgbuf, strlen(msgbuf), SIP_DGRAM, &m) > 0);
	struct dgram d = dg(src, 5060, dst, 5060, ts, frame);
	calls_sip(t, &d, &m);
}

/* Calls that become due in one tick are finalised newest first, as the list
 * of calls in progress has them (the order reports number them in). */
static void test_tick_finalises_newest_first(void **state)
{
	(void)state;
	struct calls_config cfg = calls_config_default();
	struct calls *t = mk_cfg(&cfg);
	const char *ids[] = { "c1", "c2", "c3" };
	for (int i = 0; i < 3; i++) {
		msg(t, ids[i], A, B, SEC * (i + 1), (uint64_t)(10 * i + 1), "INVITE sip:bob@example.com SIP/2.0", "1 INVITE",
		    "bob", NULL, NULL, 0);
		msg(t, ids[i], B, A, SEC * (i + 1) + 1000, (uint64_t)(10 * i + 2), "SIP/2.0 486 Busy Here", "1 INVITE",
		    "bob", "t", NULL, 0);
	}
	calls_tick(t, 5 * SEC);
	assert_int_equal(n_ids, 0);
	calls_tick(t, 14 * SEC); /* 10 s of linger after the last */
	assert_int_equal(n_ids, 3);
	assert_string_equal(calls_done_ids[0], "c3");
	assert_string_equal(calls_done_ids[1], "c2");
	assert_string_equal(calls_done_ids[2], "c1");
	calls_free(t);
}

/* A call not ended with nothing at all for a while: an answered one whose
 * media was seen here, not on hold, and an unanswered INVITE, are given up
 * after CALLS_QUIET_NS, and say when; a held call and one whose media this
 * point does not see (never, or not since a re-INVITE) keep the hour, or
 * Session-Expires when negotiated; an ended call lingers as before and is not
 * "given up". */
static void test_quiet_call_expiry(void **state)
{
	(void)state;
	const int64_t Q = CALLS_QUIET_NS;
	/* answered, media both ways until ~3 s, then nothing */
	struct calls *t = mk();
	basic_call(t, true);
	int64_t last = SEC + 20000000LL * 100 + 1000000;
	calls_tick(t, last + Q - SEC);
	assert_int_equal(n_done, 0);
	calls_tick(t, last + Q + SEC);
	assert_int_equal(n_done, 1);
	assert_int_equal(done_calls_copy[0].state, CALL_ANSWERED);
	assert_int_equal(done_calls_copy[0].expired_ts, last + Q);
	calls_free(t);

	/* the same call put on hold (sendonly answered recvonly): 10 minutes of
	 * nothing are not its end, the hour is */
	t = mk();
	basic_call(t, true);
	sip(t, A, B, 4 * SEC, 500, "INVITE sip:bob@example.com SIP/2.0", "2 INVITE", "a1", "b1", "z9hG4bK3", A, 4000,
	    "sendonly", NULL);
	sip(t, B, A, 4 * SEC + 10000000, 501, "SIP/2.0 200 OK", "2 INVITE", "a1", "b1", "z9hG4bK3", B, 6000, "recvonly",
	    NULL);
	last = 4 * SEC + 10000000;
	calls_tick(t, last + 600 * SEC);
	assert_int_equal(n_done, 0);
	calls_tick(t, last + 3601 * SEC);
	assert_int_equal(n_done, 1);
	assert_int_equal(done_calls_copy[0].expired_ts, last + 3600 * SEC);
	calls_free(t);

	/* media seen here, then a re-INVITE moves it to a host this point does
	 * not see (a transfer): nothing here is not the call's end */
	t = mk();
	basic_call(t, true);
	sip(t, A, B, 4 * SEC, 500, "INVITE sip:bob@example.com SIP/2.0", "2 INVITE", "a1", "b1", "z9hG4bK3",
	    "203.0.113.7", 4000, NULL, NULL);
	sip(t, B, A, 4 * SEC + 10000000, 501, "SIP/2.0 200 OK", "2 INVITE", "a1", "b1", "z9hG4bK3", B, 6000, NULL, NULL);
	calls_tick(t, 4 * SEC + 600 * SEC);
	assert_int_equal(n_done, 0);
	calls_free(t);

	/* answered, its media never seen here (it runs elsewhere): the hour */
	t = mk();
	sip(t, A, B, 0, 1, "INVITE sip:bob@example.com SIP/2.0", "1 INVITE", "a1", NULL, "z9hG4bK1", A, 4000, NULL, NULL);
	sip(t, B, A, SEC, 2, "SIP/2.0 200 OK", "1 INVITE", "a1", "b1", "z9hG4bK1", B, 6000, NULL, NULL);
	sip(t, A, B, SEC, 3, "ACK sip:bob@example.com SIP/2.0", "1 ACK", "a1", "b1", "z9hG4bK2", NULL, 0, NULL, NULL);
	calls_tick(t, SEC + 600 * SEC);
	assert_int_equal(n_done, 0);
	calls_finish(t);
	assert_int_equal(n_done, 1);
	assert_int_equal(done_calls_copy[0].expired_ts, 0); /* ended with the input, not given up */
	calls_free(t);

	/* the same with Session-Expires 90 s: 90 s and Timer B's 32 s */
	t = mk();
	sip(t, A, B, 0, 1, "INVITE sip:bob@example.com SIP/2.0", "1 INVITE", "a1", NULL, "z9hG4bK1", A, 4000, NULL,
	    "Supported: timer\r\nSession-Expires: 90\r\n");
	sip(t, B, A, SEC, 2, "SIP/2.0 200 OK", "1 INVITE", "a1", "b1", "z9hG4bK1", B, 6000, NULL,
	    "Require: timer\r\nSession-Expires: 90;refresher=uac\r\n");
	sip(t, A, B, SEC, 3, "ACK sip:bob@example.com SIP/2.0", "1 ACK", "a1", "b1", "z9hG4bK2", NULL, 0, NULL, NULL);
	calls_tick(t, SEC + 120 * SEC);
	assert_int_equal(n_done, 0);
	calls_tick(t, SEC + 123 * SEC);
	assert_int_equal(n_done, 1);
	assert_int_equal(done_calls_copy[0].session_expires, 90);
	assert_int_equal(done_calls_copy[0].expired_ts, SEC + 122 * SEC);
	calls_free(t);

	/* an INVITE that rang, then nothing: over after the same few minutes */
	t = mk();
	sip(t, A, B, 0, 1, "INVITE sip:bob@example.com SIP/2.0", "1 INVITE", "a1", NULL, "z9hG4bK1", A, 4000, NULL, NULL);
	sip(t, B, A, SEC / 10, 2, "SIP/2.0 180 Ringing", "1 INVITE", "a1", "b1", "z9hG4bK1", NULL, 0, NULL, NULL);
	calls_tick(t, SEC / 10 + Q - SEC);
	assert_int_equal(n_done, 0);
	calls_tick(t, SEC / 10 + Q + SEC);
	assert_int_equal(n_done, 1);
	assert_int_equal(done_calls_copy[0].state, CALL_RINGING);
	assert_int_equal(done_calls_copy[0].expired_ts, SEC / 10 + Q);
	calls_free(t);

	/* an ended call lingers and is finalised as before, not given up */
	t = mk();
	basic_call(t, true);
	sip(t, A, B, 5 * SEC, 500, "BYE sip:bob@example.com SIP/2.0", "2 BYE", "a1", "b1", "z9hG4bK9", NULL, 0, NULL, NULL);
	calls_tick(t, 20 * SEC);
	assert_int_equal(n_done, 1);
	assert_int_equal(done_calls_copy[0].state, CALL_ENDED);
	assert_int_equal(done_calls_copy[0].expired_ts, 0);
	calls_free(t);
}

/* B2BUA legs: by the called user within 10 s, or by time alone when exactly
 * one unanswered first leg started within 2 s. */
static void test_b2bua_legs(void **state)
{
	(void)state;
	struct calls_config cfg = calls_config_default();
	struct calls *t = mk_cfg(&cfg);
	const char *PBX = "192.0.2.50", *C = "203.0.113.7";
	/* leg 1: A -> PBX for 100; leg 2: PBX -> C for 100, 5 s later */
	msg(t, "in-1", A, PBX, SEC, 1, "INVITE sip:100@example.com SIP/2.0", "1 INVITE", "100", NULL, NULL, 0);
	msg(t, "out-1", PBX, C, 6 * SEC, 2, "INVITE sip:100@example.com SIP/2.0", "1 INVITE", "100", NULL, NULL, 0);
	/* leg 1: A -> PBX for 200; leg 2 rewritten to 7200, within 2 s */
	msg(t, "in-2", A, PBX, 7 * SEC, 3, "INVITE sip:200@example.com SIP/2.0", "1 INVITE", "200", NULL, NULL, 0);
	msg(t, "out-2", PBX, C, 8 * SEC, 4, "INVITE sip:7200@example.com SIP/2.0", "1 INVITE", "7200", NULL, NULL, 0);
	/* two unanswered first legs within 2 s: which one is unknown, no link */
	msg(t, "in-3", A, PBX, 20 * SEC, 5, "INVITE sip:300@example.com SIP/2.0", "1 INVITE", "300", NULL, NULL, 0);
	msg(t, "in-4", B, PBX, 20 * SEC + 1000, 6, "INVITE sip:400@example.com SIP/2.0", "1 INVITE", "400", NULL, NULL, 0);
	msg(t, "out-3", PBX, C, 21 * SEC, 7, "INVITE sip:9999@example.com SIP/2.0", "1 INVITE", "9999", NULL, NULL, 0);
	calls_finish(t);
	assert_int_equal(n_ids, 7);
	const char *want[][2] = { { "in-1", "out-1" }, { "out-1", "in-1" }, { "in-2", "out-2" }, { "out-2", "in-2" },
				  { "in-3", "" }, { "in-4", "" }, { "out-3", "" } };
	for (unsigned i = 0; i < 7; i++) {
		unsigned k = 0;
		while (k < n_ids && strcmp(calls_done_ids[k], want[i][0]) != 0)
			k++;
		assert_true(k < n_ids);
		assert_string_equal(link0_done[k], want[i][1]);
		assert_int_equal(n_links_done[k], want[i][1][0] ? 1 : 0);
	}
	calls_free(t);
}

/* A flow stays on probation until 3 packets in sequence; past
 * max_unproven_streams on probation the oldest goes (counted, its packets
 * stray), never a proven stream. */
static void test_stream_probation(void **state)
{
	(void)state;
	struct calls_config cfg = calls_config_default();
	cfg.max_unproven_streams = 4;
	struct calls *t = mk_cfg(&cfg);
	/* a real stream, proven by its third packet */
	for (int i = 0; i < 3; i++)
		rtp(t, "203.0.113.1", 7000, "203.0.113.2", 7002, i * 20000000LL, (uint64_t)i + 1, (uint16_t)(100 + i),
		    160u * (uint32_t)i, 0x5555, 0);
	/* 10 flows of one packet each, from ports of their own */
	for (int i = 0; i < 10; i++)
		rtp(t, "198.18.0.1", (uint16_t)(20000 + 2 * i), "198.18.0.2", 30000, SEC + i, (uint64_t)(10 + i),
		    (uint16_t)(i * 977), (uint32_t)i, (uint32_t)(0x1000 + i), 0);
	const struct calls_stats *st = calls_get_stats(t);
	assert_int_equal(st->limit_probation, 6);
	assert_int_equal(st->stray_rtp, 6);
	/* the proven stream is still followed: 9 more packets and it is reported */
	for (int i = 3; i < 12; i++)
		rtp(t, "203.0.113.1", 7000, "203.0.113.2", 7002, i * 20000000LL, (uint64_t)i + 100, (uint16_t)(100 + i),
		    160u * (uint32_t)i, 0x5555, 0);
	calls_finish(t);
	assert_int_equal(streams_reported, 1);
	assert_int_equal(st->streams_unsignalled, 1);
	assert_int_equal(st->stray_rtp, 10);
	calls_free(t);
}

/* Many calls advertising one media endpoint (a scanner's INVITEs with one
 * SDP): RTP to it belongs to the newest, the others count it as gone elsewhere. */
static void test_shared_endpoint(void **state)
{
	(void)state;
	struct calls_config cfg = calls_config_default();
	struct calls *t = mk_cfg(&cfg);
	char id[32];
	for (int i = 0; i < 3000; i++) {
		snprintf(id, sizeof(id), "s%d", i);
		msg(t, id, A, B, SEC + i * 1000, (uint64_t)i + 1, "INVITE sip:bob@example.com SIP/2.0", "1 INVITE", "bob",
		    NULL, A, 4000);
	}
	for (int i = 0; i < 5; i++)
		rtp(t, B, 6000, A, 4000, 2 * SEC + i * 20000000LL, (uint64_t)(5000 + i), (uint16_t)i, 160u * (uint32_t)i, 0x77,
		    0);
	calls_finish(t);
	assert_int_equal(n_ids, 3000);
	/* finished oldest first: the first 64 all saw the stream go to call s2999 */
	for (int i = 0; i < 64; i++)
		assert_int_equal(media_elsewhere_done[i], 1);
	calls_free(t);
}

/* RTP packets of the finished call id (-1: not finished). */
static int64_t rtp_of(const char *id)
{
	for (unsigned i = 0; i < n_ids && i < 64; i++)
		if (!strcmp(calls_done_ids[i], id))
			return (int64_t)rtp_done[i];
	return -1;
}

static void call_setup(struct calls *t, const char *id, int64_t t0, uint64_t *f)
{
	msg(t, id, A, B, t0, (*f)++, "INVITE sip:bob@example.com SIP/2.0", "1 INVITE", "bob", NULL, A, 4000);
	msg(t, id, B, A, t0 + SEC / 10, (*f)++, "SIP/2.0 200 OK", "1 INVITE", "bob", "t1", B, 6000);
	msg(t, id, A, B, t0 + SEC / 5, (*f)++, "ACK sip:bob@example.com SIP/2.0", "1 ACK", "bob", "t1", NULL, 0);
}

static void call_bye(struct calls *t, const char *id, int64_t ts, uint64_t *f)
{
	msg(t, id, A, B, ts, (*f)++, "BYE sip:bob@example.com SIP/2.0", "2 BYE", "bob", "t1", NULL, 0);
	msg(t, id, B, A, ts + 1000000, (*f)++, "SIP/2.0 200 OK", "2 BYE", "bob", "t1", NULL, 0);
}

/* Calls in turn on the same media addresses and ports with one SSRC (SIPp
 * playing one recorded RTP from fixed ports): each call's packets are its
 * own, not the ended call's before it, and the ended call's media did not go
 * elsewhere. The look-alike: two calls in progress that name the same
 * endpoints (a B2BUA's legs with direct media) leave the flow with the call
 * it began in. */
static void test_flow_of_ended_call(void **state)
{
	(void)state;
	struct calls_config cfg = calls_config_default();
	struct calls *t = mk_cfg(&cfg);
	uint64_t f = 1;
	for (int k = 0; k < 3; k++) {
		char id[8];
		snprintf(id, sizeof(id), "c%d", k);
		int64_t t0 = (int64_t)k * 3 * SEC;
		call_setup(t, id, t0, &f);
		for (int i = 0; i < 50; i++)
			rtp(t, A, 4000, B, 6000, t0 + SEC / 4 + i * 20000000LL, f++, (uint16_t)i, 160u * (uint32_t)i, 0x55,
			    0);
		call_bye(t, id, t0 + 2 * SEC, &f);
	}
	calls_finish(t);
	assert_int_equal(n_ids, 3);
	assert_int_equal(rtp_of("c0"), 50);
	assert_int_equal(rtp_of("c1"), 50);
	assert_int_equal(rtp_of("c2"), 50);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(media_elsewhere_done[i], 0);
	calls_free(t);

	/* both calls in progress while the packets flow */
	t = mk_cfg(&cfg);
	f = 1;
	call_setup(t, "d0", 0, &f);
	for (int i = 0; i < 50; i++)
		rtp(t, A, 4000, B, 6000, SEC / 4 + i * 20000000LL, f++, (uint16_t)i, 160u * (uint32_t)i, 0x55, 0);
	call_setup(t, "d1", 2 * SEC, &f);
	for (int i = 50; i < 100; i++)
		rtp(t, A, 4000, B, 6000, SEC / 4 + i * 20000000LL, f++, (uint16_t)i, 160u * (uint32_t)i, 0x55, 0);
	call_bye(t, "d0", 5 * SEC, &f);
	call_bye(t, "d1", 5 * SEC + SEC / 10, &f);
	calls_finish(t);
	assert_int_equal(n_ids, 2);
	assert_int_equal(rtp_of("d0"), 100);
	assert_int_equal(rtp_of("d1"), 0);
	calls_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answered_and_ended),
		cmocka_unit_test(test_retransmitted_ok_without_ack),
		cmocka_unit_test(test_hop_copies_and_duplicates),
		cmocka_unit_test(test_cancel_and_failure),
		cmocka_unit_test(test_forked_early_dialogs),
		cmocka_unit_test(test_hold_reinvite_and_delayed_offer),
		cmocka_unit_test(test_latching_behind_nat),
		cmocka_unit_test(test_mid_call_capture),
		cmocka_unit_test(test_stream_sequence_accounting),
		cmocka_unit_test(test_stream_jitter_gap_and_bins),
		cmocka_unit_test(test_stream_events_and_pt_change),
		cmocka_unit_test(test_tick_finalises_newest_first),
		cmocka_unit_test(test_quiet_call_expiry),
		cmocka_unit_test(test_b2bua_legs),
		cmocka_unit_test(test_stream_probation),
		cmocka_unit_test(test_shared_endpoint),
		cmocka_unit_test(test_flow_of_ended_call),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
