/* SPDX-License-Identifier: MIT */
/* Unit tests for the capture's own drops (src/analyze/capture_loss.c): a call
 * up while the capture dropped packets keeps its loss finding at info level
 * with the reason, and its CAPTURE_INCOMPLETE says the capture dropped
 * packets instead of "still up"; the same call without drops, or with drops
 * well before it, is judged as before. A call the calls stage gave up while
 * the input went on is not "still up when the capture ended" either. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analyze/analyze.h"
#include "report/call_report.h"
#include "report/html_call.h"
#include "report/json.h"

#define S 1000000000LL
#define T0 (1700000000LL * S)

struct fixture {
	struct call c;
	struct sdp_rec sdp[2];
	struct stream st[2];
	struct analyzer an;
	struct findings fs;
	struct walk wk;
};

static void add_sdp(struct fixture *x, uint8_t by, int64_t ts, uint8_t host)
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
	r->media[0].rtp.addr.b[3] = host;
	r->media[0].dir = SDP_SENDRECV;
}

/* An answered call from T0 to T0 + 31 s, its BYE at the end when bye; each
 * direction 1,500 packets of 20 ms, the caller's with 10 % of them missing
 * in 30 short bursts. */
static void make_call(struct fixture *x, bool bye)
{
	memset(x, 0, sizeof(*x));
	struct analyze_config cfg = { 0 };
	analyzer_init(&x->an, &cfg);
	x->an.rtp_seen = 3000;
	snprintf(x->c.call_id, sizeof(x->c.call_id), "loss-call");
	x->c.start_ts = T0;
	x->c.answer_ts = T0 + S;
	x->c.answer_frame = 3;
	x->c.acked = true;
	x->c.final_status = 200;
	x->c.sdp = x->sdp;
	x->c.media_path_seen = true;
	add_sdp(x, PARTY_A, T0, 1);
	add_sdp(x, PARTY_B, T0 + S, 2);
	x->c.last_sip_ts = T0 + S;
	x->c.last_activity_ts = T0 + 31 * S;
	if (bye) {
		x->c.state = CALL_ENDED;
		x->c.end_ts = T0 + 31 * S;
		x->c.end_frame = 5000;
		x->c.ended_by = PARTY_A;
		x->c.last_sip_ts = T0 + 31 * S;
	} else {
		x->c.state = CALL_ANSWERED;
	}
	struct stream **tail = &x->c.streams;
	for (int p = 0; p < 2; p++) {
		struct stream *s = &x->st[p];
		s->dir = (uint8_t)p;
		s->ssrc = 0x1000u + (uint32_t)p;
		s->clock = 8000;
		s->base_seq = 0;
		s->max_seq = 1499;
		s->packets = p == PARTY_A ? 1350 : 1500;
		s->loss_bursts = p == PARTY_A ? 30 : 0;
		s->max_loss_burst = p == PARTY_A ? 5 : 0;
		s->first_ts = T0 + S;
		s->last_ts = T0 + 31 * S;
		s->first_frame = 10 + (uint64_t)p;
		s->last_frame = 4000 + (uint64_t)p;
		*tail = s;
		tail = &s->next;
	}
}

static const struct finding *find(const struct findings *fs, const char *id, const char *title_part)
{
	for (unsigned i = 0; i < fs->n; i++)
		if (!strcmp(fs->f[i].id, id) && (!title_part || strstr(fs->f[i].title, title_part)))
			return &fs->f[i];
	return NULL;
}

static void test_loss_without_drops_is_the_network(void **state)
{
	(void)state;
	struct fixture *x = calloc(1, sizeof(*x));
	assert_non_null(x);
	make_call(x, true);
	/* drops long before the call: nothing of it */
	analyzer_capture_lost(&x->an, T0 - 60 * S, T0 - 50 * S, 400);
	analyze_call(&x->an, &x->c, &x->fs, &x->wk);
	const struct finding *f = find(&x->fs, "PACKET_LOSS", NULL);
	assert_non_null(f);
	assert_int_equal(f->sev, SEV_CRITICAL);
	assert_null(strstr(f->explanation, "capture itself dropped"));
	assert_int_equal(x->wk.capture_loss.windows, 0);
	assert_false(x->wk.capture_loss.older);
	free(x);
}

static void test_loss_with_drops_is_information(void **state)
{
	(void)state;
	struct fixture *x = calloc(1, sizeof(*x));
	assert_non_null(x);
	make_call(x, true);
	analyzer_capture_lost(&x->an, T0 + 10 * S, T0 + 11 * S, 150);
	analyzer_capture_lost(&x->an, T0 + 11 * S, T0 + 12 * S, 50); /* touches: one window */
	analyze_call(&x->an, &x->c, &x->fs, &x->wk);
	const struct finding *f = find(&x->fs, "PACKET_LOSS", NULL);
	assert_non_null(f);
	assert_int_equal(f->sev, SEV_INFO);
	assert_non_null(strstr(f->explanation, "The capture itself dropped packets while this call was up (200 packets"));
	assert_non_null(strstr(f->explanation, "loss and MOS of this call are not to be trusted"));
	assert_non_null(strstr(f->recommendation, "Capture without drops"));
	assert_int_equal(x->wk.capture_loss.windows, 1);
	assert_int_equal(x->wk.capture_loss.dropped, 200);
	/* nothing at warning level or above rests on those counts */
	for (unsigned i = 0; i < x->fs.n; i++)
		if (!strcmp(x->fs.f[i].id, "PACKET_LOSS") || !strcmp(x->fs.f[i].id, "POOR_QUALITY"))
			assert_int_equal(x->fs.f[i].sev, SEV_INFO);
	free(x);
}

static void test_end_in_drops_is_not_still_up(void **state)
{
	(void)state;
	struct fixture *x = calloc(1, sizeof(*x));
	assert_non_null(x);
	/* no BYE, the input goes on 60 s: the end was not captured */
	make_call(x, false);
	x->an.input_end_ts = T0 + 91 * S;
	analyze_call(&x->an, &x->c, &x->fs, &x->wk);
	assert_non_null(find(&x->fs, "CAPTURE_INCOMPLETE", "it went quiet 60 s before the capture ended"));
	/* the input ends with the call: still up */
	make_call(x, false);
	x->an.input_end_ts = T0 + 31 * S;
	analyze_call(&x->an, &x->c, &x->fs, &x->wk);
	assert_non_null(find(&x->fs, "CAPTURE_INCOMPLETE", "still up when the capture ended"));
	/* the capture dropped packets as the call went quiet: its BYE among them */
	make_call(x, false);
	x->an.input_end_ts = T0 + 31 * S;
	analyzer_capture_lost(&x->an, T0 + 31 * S, T0 + 32 * S, 900);
	analyze_call(&x->an, &x->c, &x->fs, &x->wk);
	assert_null(find(&x->fs, "CAPTURE_INCOMPLETE", "still up"));
	const struct finding *f = find(&x->fs, "CAPTURE_INCOMPLETE", "the capture dropped packets then");
	assert_non_null(f);
	assert_non_null(strstr(f->explanation, "the BYE was most likely among them"));
	free(x);
}

static void test_start_in_drops_is_not_a_late_capture(void **state)
{
	(void)state;
	struct fixture *x = calloc(1, sizeof(*x));
	assert_non_null(x);
	make_call(x, true);
	x->c.mid_call_start = true;
	analyze_call(&x->an, &x->c, &x->fs, &x->wk);
	assert_non_null(find(&x->fs, "CAPTURE_INCOMPLETE", "The capture began after this call started"));
	make_call(x, true);
	x->c.mid_call_start = true;
	analyzer_capture_lost(&x->an, T0 - S, T0, 30);
	analyze_call(&x->an, &x->c, &x->fs, &x->wk);
	assert_null(find(&x->fs, "CAPTURE_INCOMPLETE", "The capture began after"));
	assert_non_null(find(&x->fs, "CAPTURE_INCOMPLETE", "The start of this call was lost: the capture dropped"));
	free(x);
}

static void test_windows_kept_and_older(void **state)
{
	(void)state;
	struct fixture *x = calloc(1, sizeof(*x));
	assert_non_null(x);
	make_call(x, true);
	/* more windows than kept, all after the call began: one older than the
	 * oldest kept may have met it */
	for (int i = 0; i < ANALYZE_LOSS_WINDOWS + 4; i++)
		analyzer_capture_lost(&x->an, T0 + (100 + 10 * i) * S, T0 + (101 + 10 * i) * S, 1);
	assert_int_equal(x->an.loss.n, ANALYZE_LOSS_WINDOWS + 4);
	struct capture_loss_hit h;
	assert_true(analyzer_capture_loss_in(&x->an, T0, T0 + 31 * S, &h));
	assert_int_equal(h.windows, 0);
	assert_true(h.older);
	/* a call after them all: none */
	assert_false(analyzer_capture_loss_in(&x->an, T0 + 1000 * S, T0 + 1010 * S, &h));
	free(x);
}

/* A call given up by the calls stage while the input went on (nothing of it
 * for minutes): not "still up when the capture ended". */
static void test_expired_call_is_not_still_up(void **state)
{
	(void)state;
	struct fixture *x = calloc(1, sizeof(*x));
	assert_non_null(x);
	make_call(x, false);
	x->c.expired_ts = T0 + 31 * S + 240 * S;
	/* the input has not ended: input_end_ts is still 0 */
	analyze_call(&x->an, &x->c, &x->fs, &x->wk);
	assert_null(find(&x->fs, "CAPTURE_INCOMPLETE", "still up"));
	const struct finding *f =
		find(&x->fs, "CAPTURE_INCOMPLETE", "nothing of it for 240 s, and deadair stopped waiting for it");
	assert_non_null(f);
	assert_non_null(strstr(f->explanation, "the capture went on, and after 240 s of nothing"));
	free(x);
}

/* The reports mark a call up while the capture dropped packets, and only
 * such a call: the text's "capture:" line, the HTML's capture row, the JSON's
 * capture_loss and each stream's quality.loss_trustworthy. */
static char *render(struct fixture *x, int kind)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	assert_non_null(f);
	if (kind == 0) {
		struct jw w;
		jw_init(&w, f);
		report_call_json(&w, &x->c, 1, &x->fs, &x->wk);
	} else if (kind == 1) {
		struct text_style st = { .strip_width = 60 };
		report_call_text(f, &x->c, 1, &st, &x->fs, &x->wk);
	} else {
		html_call(f, &x->c, 0, 1, &x->fs, &x->wk, "frame", NULL);
	}
	fclose(f);
	return buf;
}

static void test_reports_mark_the_call(void **state)
{
	(void)state;
	struct fixture *x = calloc(1, sizeof(*x));
	assert_non_null(x);
	make_call(x, true);
	analyze_call(&x->an, &x->c, &x->fs, &x->wk);
	char *j = render(x, 0), *t = render(x, 1), *h = render(x, 2);
	assert_null(strstr(j, "capture_loss"));
	assert_null(strstr(j, "loss_trustworthy"));
	assert_null(strstr(t, "capture: dropped"));
	assert_null(strstr(h, "<th>capture</th>"));
	free(j), free(t), free(h);
	make_call(x, true);
	analyzer_capture_lost(&x->an, T0 + 10 * S, T0 + 11 * S, 150);
	analyze_call(&x->an, &x->c, &x->fs, &x->wk);
	j = render(x, 0), t = render(x, 1), h = render(x, 2);
	assert_non_null(strstr(j, "\"capture_loss\": {"));
	assert_non_null(strstr(j, "\"dropped\": 150"));
	/* the call's and each of its two streams' */
	const char *p = j;
	int untrusted = 0;
	while ((p = strstr(p, "\"loss_trustworthy\": false")) != NULL)
		untrusted++, p++;
	assert_int_equal(untrusted, 3);
	assert_non_null(strstr(t, "capture: dropped packets itself while this call was up (150 in all)"));
	assert_non_null(strstr(h, "<th>capture</th><td>dropped packets itself while this call was up (150 in all)"));
	free(j), free(t), free(h);
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loss_without_drops_is_the_network),
		cmocka_unit_test(test_loss_with_drops_is_information),
		cmocka_unit_test(test_end_in_drops_is_not_still_up),
		cmocka_unit_test(test_start_in_drops_is_not_a_late_capture),
		cmocka_unit_test(test_windows_kept_and_older),
		cmocka_unit_test(test_expired_call_is_not_still_up),
		cmocka_unit_test(test_reports_mark_the_call),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
