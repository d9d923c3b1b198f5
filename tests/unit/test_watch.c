/* SPDX-License-Identifier: MIT */
/* Unit tests for deadair watch's parts: the warnings about a call in progress
 * (src/watch/warn.c) on calls built by hand, each raised once and none on
 * hold, and an alert line (src/watch/alerts.c) staying one JSON line whatever
 * bytes the call's strings hold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "watch/alerts.h"
#include "watch/warn.h"

#define S 1000000000LL
#define T0 (1700000000LL * S)

struct got {
	unsigned n;
	char ids[8][32];
	uint8_t dirs[8];
	enum severity sev[8];
};

static void collect(void *ctx, const struct call *c, const struct finding *f)
{
	(void)c;
	struct got *g = ctx;
	if (g->n < 8) {
		snprintf(g->ids[g->n], sizeof(g->ids[0]), "%s", f->id);
		g->dirs[g->n] = f->direction;
		g->sev[g->n] = f->sev;
		g->n++;
	}
}

struct fixture {
	struct call c;
	struct sdp_rec sdp[8];
	struct stream st[2];
};

static void add_sdp(struct fixture *x, uint8_t by, int64_t ts, enum sdp_dir dir)
{
	struct sdp_rec *r = &x->sdp[x->c.n_sdp++];
	memset(r, 0, sizeof(*r));
	r->by = by;
	r->ts = ts;
	r->frame = x->c.n_sdp;
	r->n_media = 1;
	snprintf(r->media[0].type, sizeof(r->media[0].type), "audio");
	r->media[0].rtp.port = 40000;
	r->media[0].rtp.addr.family = 4;
	r->media[0].rtp.addr.b[0] = 10;
	r->media[0].dir = dir;
}

/* An answered call at T0 + 1 s, both SDPs sendrecv; the caller's RTP from
 * 1 s to a_end, the callee's to b_end (0: none). */
static void make_call(struct fixture *x, int64_t a_end, int64_t b_end)
{
	memset(x, 0, sizeof(*x));
	snprintf(x->c.call_id, sizeof(x->c.call_id), "test-call");
	x->c.state = CALL_ANSWERED;
	x->c.start_ts = T0;
	x->c.answer_ts = T0 + S;
	x->c.answer_frame = 3;
	x->c.acked = true;
	x->c.sdp = x->sdp;
	add_sdp(x, PARTY_A, T0, SDP_SENDRECV);
	add_sdp(x, PARTY_B, T0 + S, SDP_DIR_UNSET);
	struct stream **tail = &x->c.streams;
	int64_t ends[2] = { a_end, b_end };
	for (int p = 0; p < 2; p++) {
		if (!ends[p])
			continue;
		struct stream *s = &x->st[p];
		s->dir = (uint8_t)p;
		s->packets = 100;
		s->first_ts = T0 + S;
		s->last_ts = ends[p];
		s->last_frame = 1000 + (uint64_t)p;
		*tail = s;
		tail = &s->next;
	}
}

static const struct warn_config cfg5 = { .silence_ns = 5 * S, .media_seen = true };

static void test_one_way_from_start_once(void **state)
{
	(void)state;
	struct fixture x;
	make_call(&x, T0 + 20 * S, 0);
	struct got g = { 0 };
	/* 4 s after the answer: not yet */
	x.st[0].last_ts = T0 + 5 * S;
	assert_int_equal(warn_check(&x.c, T0 + 5 * S, &cfg5, true, collect, &g), 0);
	/* 5 s after the answer, the caller's RTP flowing: the callee's direction */
	x.st[0].last_ts = T0 + 6 * S - S / 50;
	assert_int_equal(warn_check(&x.c, T0 + 6 * S, &cfg5, true, collect, &g), 1);
	assert_string_equal(g.ids[0], "ONE_WAY_AUDIO");
	assert_int_equal(g.dirs[0], PARTY_B);
	assert_int_equal(g.sev[0], SEV_CRITICAL);
	/* once per call */
	x.st[0].last_ts = T0 + 7 * S;
	assert_int_equal(warn_check(&x.c, T0 + 7 * S, &cfg5, true, collect, &g), 0);
}

static void test_stopped_midcall_is_a_warning(void **state)
{
	(void)state;
	struct fixture x;
	make_call(&x, T0 + 10 * S, T0 + 16 * S);
	struct got g = { 0 };
	assert_int_equal(warn_check(&x.c, T0 + 16 * S, &cfg5, true, collect, &g), 1);
	assert_int_equal(g.dirs[0], PARTY_A);
	assert_int_equal(g.sev[0], SEV_WARNING);
}

/* Both parties pause 6 s (nobody speaks, as the lab's nat_pinhole_expiry
 * does before its hold); the caller talks again 0.1 s before the callee: no
 * one-way audio in between, the callee was silent only 0.1 s while the
 * caller's RTP flowed. Silent 5 s after the caller came back, it is. */
static void test_both_paused_one_back_first(void **state)
{
	(void)state;
	struct fixture x;
	make_call(&x, T0 + 10 * S, T0 + 4 * S);
	struct gap_rec gap = { .start = T0 + 4 * S - S / 10, .end = T0 + 10 * S - S / 10 };
	x.st[0].gaps = &gap;
	x.st[0].n_gaps = 1;
	struct got g = { 0 };
	assert_int_equal(warn_check(&x.c, T0 + 10 * S, &cfg5, true, collect, &g), 0);
	x.st[0].last_ts = T0 + 15 * S;
	assert_int_equal(warn_check(&x.c, T0 + 15 * S, &cfg5, true, collect, &g), 1);
	assert_int_equal(g.dirs[0], PARTY_B);
	assert_int_equal(g.sev[0], SEV_WARNING);
}

static void test_keepalive_keeps_quiet(void **state)
{
	(void)state;
	struct fixture x;
	make_call(&x, T0 + 10 * S, T0 + 16 * S);
	x.c.stun_last_by[PARTY_A] = T0 + 15 * S; /* the caller's STUN after its RTP stopped */
	struct got g = { 0 };
	assert_int_equal(warn_check(&x.c, T0 + 16 * S, &cfg5, true, collect, &g), 0);

	/* its RTCP arriving, its sender reports saying nothing sent: muted, quiet */
	make_call(&x, T0 + 10 * S, T0 + 16 * S);
	x.c.rtcp_last_by[PARTY_A] = T0 + 15 * S;
	struct got h = { 0 };
	assert_int_equal(warn_check(&x.c, T0 + 16 * S, &cfg5, true, collect, &h), 0);
	/* its sender reports counting RTP sent after the last that came here
	 * (the RTCP's own NAT mapping alive, the RTP's not): one-way audio */
	x.st[0].sr_sent_unseen_ts = T0 + 15 * S;
	assert_int_equal(warn_check(&x.c, T0 + 16 * S, &cfg5, true, collect, &h), 1);
	assert_string_equal(h.ids[0], "ONE_WAY_AUDIO");
	assert_int_equal(h.dirs[0], PARTY_A);
}

static void test_hold_keeps_quiet(void **state)
{
	(void)state;
	struct fixture x;
	make_call(&x, T0 + 10 * S, T0 + 30 * S);
	add_sdp(&x, PARTY_A, T0 + 10 * S, SDP_SENDONLY);
	add_sdp(&x, PARTY_B, T0 + 10 * S, SDP_RECVONLY);
	struct got g = { 0 };
	assert_int_equal(warn_check(&x.c, T0 + 30 * S, &cfg5, true, collect, &g), 0);
	/* resumed at 31 s; silence counted from then: 5 s later the caller is still silent */
	add_sdp(&x, PARTY_A, T0 + 31 * S, SDP_SENDRECV);
	add_sdp(&x, PARTY_B, T0 + 31 * S, SDP_SENDRECV);
	x.st[1].last_ts = T0 + 36 * S;
	assert_int_equal(warn_check(&x.c, T0 + 35 * S, &cfg5, true, collect, &g), 0);
	assert_int_equal(warn_check(&x.c, T0 + 36 * S, &cfg5, true, collect, &g), 1);
	assert_int_equal(g.dirs[0], PARTY_A);
}

static void test_no_rtp_needs_the_media_path(void **state)
{
	(void)state;
	struct fixture x;
	make_call(&x, 0, 0);
	struct got g = { 0 };
	assert_int_equal(warn_check(&x.c, T0 + 7 * S, &cfg5, false, collect, &g), 0);
	assert_int_equal(warn_check(&x.c, T0 + 7 * S, &cfg5, true, collect, &g), 1);
	assert_string_equal(g.ids[0], "NO_RTP");
	assert_int_equal(g.dirs[0], PARTY_NONE);
}

static void test_missing_ack_and_watchdog(void **state)
{
	(void)state;
	struct fixture x;
	make_call(&x, T0 + 20 * S, T0 + 20 * S);
	x.c.acked = false;
	x.c.ok_retrans = 1;
	struct got g = { 0 };
	assert_int_equal(warn_check(&x.c, T0 + 2 * S, &cfg5, true, collect, &g), 0);
	x.c.ok_retrans = 2;
	assert_int_equal(warn_check(&x.c, T0 + 3 * S, &cfg5, true, collect, &g), 1);
	assert_string_equal(g.ids[0], "MISSING_ACK");
	x.c.ok_retrans = 5;
	assert_int_equal(warn_check(&x.c, T0 + 9 * S, &cfg5, true, collect, &g), 0);
	/* --rtp-timeout 30: both directions silent 16 s (> 15): the watchdog */
	struct warn_config wd = cfg5;
	wd.rtp_timeout_ns = 30 * S;
	wd.silence_ns = 60 * S;
	struct got h = { 0 };
	x.c.acked = true;
	assert_int_equal(warn_check(&x.c, T0 + 35 * S, &wd, true, collect, &h), 0);
	assert_int_equal(warn_check(&x.c, T0 + 36 * S + 1, &wd, true, collect, &h), 1);
	assert_string_equal(h.ids[0], "RTP_TIMEOUT");
}

static void add_msg(struct msg_rec *m, bool request, const char *method, uint16_t status, int64_t ts, bool retrans)
{
	memset(m, 0, sizeof(*m));
	m->request = request;
	snprintf(m->method, sizeof(m->method), "%s", method);
	m->status = status;
	m->ts = ts;
	m->retrans = retrans;
	m->cseq = 1;
	m->frame = (uint64_t)(ts / 1000000);
}

/* Seen on the caller's side the ACKs are there and the 200 keeps coming after
 * them (Timer G): they are lost on the way, Timer H ends the call. A 200
 * retransmitted once after the ACK (the two crossed) is no warning. */
static void test_missing_ack_after_the_ack(void **state)
{
	(void)state;
	struct fixture x;
	make_call(&x, T0 + 20 * S, T0 + 20 * S);
	struct msg_rec msgs[6];
	x.c.msgs = msgs;
	x.c.initial_cseq = 1;
	add_msg(&msgs[0], true, "INVITE", 0, T0, false);
	add_msg(&msgs[1], false, "INVITE", 200, T0 + S, false);
	add_msg(&msgs[2], true, "ACK", 0, T0 + S + S / 100, false);
	add_msg(&msgs[3], false, "INVITE", 200, T0 + S + S / 2, true);
	add_msg(&msgs[4], true, "ACK", 0, T0 + S + S / 2 + S / 100, false);
	add_msg(&msgs[5], false, "INVITE", 200, T0 + 2 * S + S / 2, true);
	x.c.acked = true;
	x.c.n_msgs = 5;
	x.c.ok_retrans = 1;
	struct got g = { 0 };
	assert_int_equal(warn_check(&x.c, T0 + 2 * S, &cfg5, true, collect, &g), 0);
	x.c.n_msgs = 6;
	x.c.ok_retrans = 2;
	assert_int_equal(warn_check(&x.c, T0 + 3 * S, &cfg5, true, collect, &g), 1);
	assert_string_equal(g.ids[0], "MISSING_ACK");
	assert_int_equal(g.sev[0], SEV_CRITICAL);
	assert_int_equal(warn_check(&x.c, T0 + 4 * S, &cfg5, true, collect, &g), 0);
	/* the same two retransmissions before the ACK: it arrived, no warning */
	make_call(&x, T0 + 20 * S, T0 + 20 * S);
	x.c.msgs = msgs;
	x.c.initial_cseq = 1;
	add_msg(&msgs[2], false, "INVITE", 200, T0 + S + S / 2, true);
	add_msg(&msgs[3], false, "INVITE", 200, T0 + 2 * S + S / 2, true);
	add_msg(&msgs[4], true, "ACK", 0, T0 + 2 * S + S / 2 + S / 100, false);
	x.c.n_msgs = 5;
	x.c.ok_retrans = 2;
	struct got h = { 0 };
	assert_int_equal(warn_check(&x.c, T0 + 3 * S, &cfg5, true, collect, &h), 0);
}

/* Silence and packets the capture itself dropped (pcap_stats): a silence
 * that crosses a window of drops counts from its end; one that began inside
 * it gives no media warning (its start may be a dropped BYE). */
static void test_capture_drops_hold_silence(void **state)
{
	(void)state;
	struct fixture x;
	struct warn_config cfg = cfg5;
	/* both ways "silent" since 10 s, the capture dropped packets in 11-12 s */
	make_call(&x, T0 + 10 * S, T0 + 10 * S);
	warn_capture_lost(&cfg, T0 + 11 * S, T0 + 12 * S);
	struct got g = { 0 };
	assert_int_equal(warn_check(&x.c, T0 + 20 * S, &cfg, true, collect, &g), 0);
	assert_int_equal(warn_check(&x.c, T0 + 21 * S, &cfg, true, collect, &g), 0);
	/* still nothing 10 s after the drops: RTP really stopped both ways */
	assert_int_equal(warn_check(&x.c, T0 + 22 * S, &cfg, true, collect, &g), 1);
	assert_string_equal(g.ids[0], "NO_RTP");

	/* both ways stopped at 10 s, inside a window of drops (9-12 s): the
	 * BYE may be among them, no warning however long */
	struct warn_config lost = cfg5;
	warn_capture_lost(&lost, T0 + 9 * S, T0 + 11 * S);
	warn_capture_lost(&lost, T0 + 11 * S, T0 + 12 * S); /* touches: one window */
	assert_int_equal(lost.n_loss, 1);
	make_call(&x, T0 + 10 * S, T0 + 10 * S);
	struct got h = { 0 };
	assert_int_equal(warn_check(&x.c, T0 + 60 * S, &lost, true, collect, &h), 0);

	/* the caller's RTP gone since 10 s while the callee's flows; drops at 26-27 s */
	make_call(&x, T0 + 10 * S, T0 + 30 * S);
	cfg = cfg5;
	warn_capture_lost(&cfg, T0 + 26 * S, T0 + 27 * S);
	struct got k = { 0 };
	assert_int_equal(warn_check(&x.c, T0 + 30 * S, &cfg, true, collect, &k), 0);
	x.st[1].last_ts = T0 + 32 * S - S / 50;
	assert_int_equal(warn_check(&x.c, T0 + 32 * S, &cfg, true, collect, &k), 1);
	assert_string_equal(k.ids[0], "ONE_WAY_AUDIO");
	assert_int_equal(k.dirs[0], PARTY_A);

	/* no drops: the same call is warned about at once */
	make_call(&x, T0 + 10 * S, T0 + 30 * S);
	struct got m = { 0 };
	assert_int_equal(warn_check(&x.c, T0 + 30 * S, &cfg5, true, collect, &m), 1);

	/* more windows than are kept: the oldest go, the latest stays */
	struct warn_config many = cfg5;
	for (int i = 0; i < 3 * WARN_LOSS_WINDOWS; i++)
		warn_capture_lost(&many, T0 + (100 + 2 * i) * S, T0 + (101 + 2 * i) * S);
	assert_int_equal(many.n_loss, 3 * WARN_LOSS_WINDOWS);
	make_call(&x, T0 + 10 * S, T0 + 10 * S);
	struct got n = { 0 };
	int64_t end = T0 + (101 + 2 * (3 * WARN_LOSS_WINDOWS - 1)) * S;
	assert_int_equal(warn_check(&x.c, end + 9 * S, &many, true, collect, &n), 0);
	assert_int_equal(warn_check(&x.c, end + 10 * S, &many, true, collect, &n), 1);

	/* a silence that began inside a window stays unjudged after the window
	 * has left the list (a call whose BYE the capture dropped, still in
	 * progress minutes later: a false NO_RTP "for 1061.8 s" in a soak) */
	struct warn_config aged = cfg5;
	warn_capture_lost(&aged, T0 + 9 * S, T0 + 12 * S);
	make_call(&x, T0 + 10 * S, T0 + 10 * S);
	struct got o = { 0 };
	assert_int_equal(warn_check(&x.c, T0 + 13 * S, &aged, true, collect, &o), 0);
	for (int i = 0; i < 3 * WARN_LOSS_WINDOWS; i++)
		warn_capture_lost(&aged, T0 + (100 + 2 * i) * S, T0 + (101 + 2 * i) * S);
	assert_int_equal(warn_check(&x.c, end + 60 * S, &aged, true, collect, &o), 0);
	/* its RTP back and then gone again, the capture whole since: warned */
	x.st[0].last_ts = x.st[1].last_ts = end + 61 * S;
	assert_int_equal(warn_check(&x.c, end + 75 * S, &aged, true, collect, &o), 1);
	assert_string_equal(o.ids[0], "NO_RTP");
}

static void test_alert_is_one_line(void **state)
{
	(void)state;
	struct fixture x;
	make_call(&x, 0, 0);
	snprintf(x.c.call_id, sizeof(x.c.call_id), "a\nb\"c\\d\x01\xff");
	snprintf(x.c.a_uri, sizeof(x.c.a_uri), "sip:\r\n{\"type\":\"x\"}@h");
	struct findings fs = { 0 };
	struct finding *f = finding_add(&fs, "ONE_WAY_AUDIO", SEV_CRITICAL, PARTY_B, T0);
	assert_non_null(f);
	finding_title(f, "line\none");
	finding_evidence(f, 7, T0, 0, "what\n\"quoted\"");
	struct alerts a = { 0 };
	a.f = tmpfile();
	assert_non_null(a.f);
	alerts_write(&a, "warning", &x.c, f, T0 + S);
	alerts_write(&a, "finding", &x.c, f, T0 + 2 * S);
	rewind(a.f);
	char buf[8192];
	size_t n = fread(buf, 1, sizeof(buf) - 1, a.f);
	buf[n] = '\0';
	fclose(a.f);
	unsigned lines = 0;
	for (size_t i = 0; i < n; i++) {
		assert_true(buf[i] != '\r');
		if (buf[i] == '\n')
			lines++;
	}
	assert_int_equal(lines, 2);
	assert_true(buf[n - 1] == '\n');
	assert_non_null(strstr(buf, "\"call_id\":\"a\\nb\\\"c\\\\d\\u0001\\ufffd\""));
	assert_non_null(strstr(buf, "\"t\":\"2023-11-14T22:13:21.000000Z\""));
	assert_int_equal(a.warnings, 1);
	assert_int_equal(a.findings, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_way_from_start_once),
		cmocka_unit_test(test_stopped_midcall_is_a_warning),
		cmocka_unit_test(test_both_paused_one_back_first),
		cmocka_unit_test(test_keepalive_keeps_quiet),
		cmocka_unit_test(test_hold_keeps_quiet),
		cmocka_unit_test(test_no_rtp_needs_the_media_path),
		cmocka_unit_test(test_missing_ack_and_watchdog),
		cmocka_unit_test(test_missing_ack_after_the_ack),
		cmocka_unit_test(test_capture_drops_hold_silence),
		cmocka_unit_test(test_alert_is_one_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
