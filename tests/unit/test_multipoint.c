/* SPDX-License-Identifier: MIT */
/* Unit tests for calls followed across capture points: the clock offset and
 * transit estimated from messages of both directions, differences between
 * points, grouping by Call-ID and time, a message lost between points, and the
 * points put in path order (or as --points gives it) with the break once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analyze/multipoint.h"

#define MS 1000000LL
#define SEC 1000000000LL

struct spec {
	int64_t ts;
	uint8_t from;
	bool request;
	uint16_t status;
	const char *method;
	uint32_t cseq;
	const char *via;
};

/* A finished call as the calls stage hands it over, at one point. */
static struct call *mk_call(uint16_t point, const char *id, const struct spec *sp, size_t n, int64_t shift)
{
	struct call *c = calloc(1, sizeof(*c));
	assert_non_null(c);
	c->msgs = calloc(n, sizeof(*c->msgs));
	assert_non_null(c->msgs);
	snprintf(c->call_id, sizeof(c->call_id), "%s", id);
	c->point = point;
	c->start_ts = sp[0].ts + shift;
	for (size_t i = 0; i < n; i++) {
		struct msg_rec *m = &c->msgs[c->n_msgs++];
		m->frame = i + 1;
		m->ts = sp[i].ts + shift;
		m->point = point;
		m->from = sp[i].from;
		m->request = sp[i].request;
		m->status = sp[i].status;
		m->cseq = sp[i].cseq;
		m->sdp = -1;
		m->n_via = 1;
		snprintf(m->method, sizeof(m->method), "%s", sp[i].method);
		snprintf(m->via_sent_by, sizeof(m->via_sent_by), "%s", sp[i].via ? sp[i].via : "10.0.0.10:5060");
	}
	return c;
}

static void free_call(struct call *c)
{
	free(c->msgs);
	free(c);
}

struct seen {
	unsigned groups;
	struct mp_clock clock;
	unsigned n_diffs;
	struct mp_diff diff;
	unsigned n_findings;
	char first_id[40];
	enum severity first_sev;
};

static void collect(void *ctx, const struct mp_group *g)
{
	struct seen *s = ctx;
	s->groups++;
	if (g->n > 1)
		s->clock = g->clock[1];
	s->n_diffs = g->n_diffs;
	if (g->n_diffs)
		s->diff = g->diffs[0];
	s->n_findings = g->findings.n;
	if (g->findings.n) {
		snprintf(s->first_id, sizeof(s->first_id), "%s", g->findings.f[0].id);
		s->first_sev = g->findings.f[0].sev;
	}
}

/* Point 2's clock runs 3.000 s ahead and the messages take 40 ms from point 1
 * to point 2 (caller's) or back (callee's). */
static const struct spec call_a[] = {
	{ 0, PARTY_A, true, 0, "INVITE", 1, NULL },
	{ 200 * MS, PARTY_B, false, 180, "INVITE", 1, NULL },
	{ 2 * SEC, PARTY_B, false, 200, "INVITE", 1, NULL },
	{ 2 * SEC + 30 * MS, PARTY_A, true, 0, "ACK", 1, NULL },
	{ 20 * SEC, PARTY_A, true, 0, "BYE", 2, NULL },
	{ 20 * SEC + 50 * MS, PARTY_B, false, 200, "BYE", 2, NULL },
};

static void test_clock_offset_and_transit(void **state)
{
	(void)state;
	struct multipoint mp;
	assert_true(multipoint_init(&mp, 2));
	struct call *p1 = mk_call(0, "c1@example.com", call_a, 6, 0);
	/* point 2: caller's messages later by offset + transit, callee's by offset - transit */
	struct spec b[6];
	memcpy(b, call_a, sizeof(b));
	for (int i = 0; i < 6; i++)
		b[i].ts += 3 * SEC + (b[i].from == PARTY_A ? 40 : -40) * MS;
	struct call *p2 = mk_call(1, "c1@example.com", b, 6, 0);
	multipoint_add(&mp, p1, 1);
	multipoint_add(&mp, p2, 1);
	multipoint_point(&mp, 0, "inside.pcap", 0, 30 * SEC);
	multipoint_point(&mp, 1, "outside.pcap", 3 * SEC, 33 * SEC);
	struct seen s;
	memset(&s, 0, sizeof(s));
	assert_int_equal(multipoint_groups(&mp), 1);
	multipoint_each(&mp, collect, &s);
	assert_int_equal(s.groups, 1);
	assert_true(s.clock.both_ways);
	assert_int_equal(s.clock.from_msgs, 6);
	assert_true(s.clock.offset_s > 2.9999 && s.clock.offset_s < 3.0001);
	assert_true(s.clock.transit_s > 0.0399 && s.clock.transit_s < 0.0401);
	assert_int_equal(s.n_diffs, 0);
	assert_int_equal(s.n_findings, 0);
	multipoint_free(&mp);
	free_call(p1);
	free_call(p2);
}

static void test_rewrite_and_lost_ack(void **state)
{
	(void)state;
	struct multipoint mp;
	assert_true(multipoint_init(&mp, 2));
	struct call *p1 = mk_call(0, "c2@example.com", call_a, 6, 0);
	/* outside: the Via rewritten by a NAT's ALG, and no ACK */
	struct spec b[5] = { call_a[0], call_a[1], call_a[2], call_a[4], call_a[5] };
	b[0].via = "198.51.100.7:5060";
	struct call *p2 = mk_call(1, "c2@example.com", b, 5, 10 * MS);
	multipoint_add(&mp, p1, 1);
	multipoint_add(&mp, p2, 1);
	multipoint_point(&mp, 0, "inside.pcap", 0, 30 * SEC);
	multipoint_point(&mp, 1, "outside.pcap", 0, 30 * SEC);
	struct seen s;
	memset(&s, 0, sizeof(s));
	multipoint_each(&mp, collect, &s);
	assert_int_equal(s.n_diffs, 1);
	assert_string_equal(s.diff.field, "Via");
	assert_string_equal(s.diff.value_a, "10.0.0.10:5060");
	assert_string_equal(s.diff.value_b, "198.51.100.7:5060");
	assert_int_equal(s.n_findings, 2);
	/* the lost ACK ranks first: critical */
	assert_string_equal(s.first_id, "SIP_LOST_BETWEEN_POINTS");
	assert_int_equal(s.first_sev, SEV_CRITICAL);
	multipoint_free(&mp);
	free_call(p1);
	free_call(p2);
}

static void test_same_call_id_years_apart_is_not_one_call(void **state)
{
	(void)state;
	struct multipoint mp;
	assert_true(multipoint_init(&mp, 2));
	struct call *p1 = mk_call(0, "c3@example.com", call_a, 6, 0);
	struct call *p2 = mk_call(1, "c3@example.com", call_a, 6, 86400 * SEC);
	multipoint_add(&mp, p1, 1);
	multipoint_add(&mp, p2, 1);
	assert_int_equal(multipoint_groups(&mp), 0);
	multipoint_free(&mp);
	/* one input keeps nothing */
	assert_true(multipoint_init(&mp, 1));
	multipoint_add(&mp, p1, 1);
	assert_int_equal(mp.n_calls, 0);
	multipoint_free(&mp);
	free_call(p1);
	free_call(p2);
}

/* Four points along one path (the phone's side first), given in another
 * order, with clocks far apart: the order comes from which point saw each
 * request first and which its answer, not from the clocks; the ACK dropped
 * between the second and the third is one finding, between those two. */
struct path_seen {
	unsigned groups;
	bool flip;
	char last_title[200];
	struct mp_break last_brk;
	unsigned n_findings;
	char title[200];
	unsigned n_breaks;
	struct mp_break brk;
};

static void collect_path(void *ctx, const struct mp_group *g)
{
	struct path_seen *s = ctx;
	s->flip = g->flip;
	if (g->findings.n)
		snprintf(s->last_title, sizeof(s->last_title), "%s", g->findings.f[0].title);
	if (g->n_breaks)
		s->last_brk = g->breaks[0];
	if (s->groups++)
		return;
	s->n_findings = g->findings.n;
	if (g->findings.n)
		snprintf(s->title, sizeof(s->title), "%s", g->findings.f[0].title);
	s->n_breaks = g->n_breaks;
	if (g->n_breaks)
		s->brk = g->breaks[0];
}

static void test_path_order_and_one_break(void **state)
{
	(void)state;
	static const char *const names[4] = { "phone", "lan", "wan", "far" };
	static const int64_t offset[4] = { 0, 7 * SEC, -4 * SEC, 50 * SEC };
	static const uint16_t input[4][4] = { { 2, 0, 3, 1 }, { 3, 2, 1, 0 }, { 0, 1, 2, 3 }, { 1, 3, 0, 2 } };
	for (int o = 0; o < 4; o++) {
		struct multipoint mp;
		assert_true(multipoint_init(&mp, 4));
		struct call *calls[4];
		for (int k = 0; k < 4; k++) {
			struct spec b[6];
			size_t n = 0;
			for (int i = 0; i < 6; i++) {
				/* the wan side and beyond never see the ACK */
				if (k >= 2 && !strcmp(call_a[i].method, "ACK") && call_a[i].request)
					continue;
				b[n] = call_a[i];
				b[n].ts += offset[k] + (call_a[i].from == PARTY_A ? k : 3 - k) * 10 * MS;
				n++;
			}
			calls[k] = mk_call(input[o][k], "c4@example.com", b, n, 0);
			multipoint_add(&mp, calls[k], 1);
		}
		for (int k = 0; k < 4; k++) {
			char file[32];
			snprintf(file, sizeof(file), "/tmp/%s.pcap", names[k]);
			multipoint_point(&mp, input[o][k], file, offset[k] - SEC, offset[k] + 60 * SEC);
		}
		/* a later call the other way: its caller at the far end, its ACK
		 * dropped between wan and lan */
		struct call *back[4];
		for (int k = 0; k < 4; k++) {
			struct spec b[6];
			size_t n = 0;
			for (int i = 0; i < 6; i++) {
				if (k <= 1 && !strcmp(call_a[i].method, "ACK") && call_a[i].request)
					continue;
				b[n] = call_a[i];
				b[n].ts += 100 * SEC + offset[k] + (call_a[i].from == PARTY_A ? 3 - k : k) * 10 * MS;
				n++;
			}
			back[k] = mk_call(input[o][k], "c5@example.com", b, n, 0);
			multipoint_add(&mp, back[k], 2);
		}
		for (int k = 0; k < 4; k++) {
			char file[32];
			snprintf(file, sizeof(file), "/tmp/%s.pcap", names[k]);
			multipoint_point(&mp, input[o][k], file, offset[k] - SEC, offset[k] + 200 * SEC);
		}
		multipoint_order(&mp, NULL);
		for (int k = 0; k < 4; k++) {
			assert_int_equal(mp.order.path[k], input[o][k]);
			assert_string_equal(mp_label(&mp, input[o][k]), names[k]);
			assert_int_equal(mp_no(&mp, input[o][k]), k + 1);
		}
		assert_true(mp.order.ev & MP_EV_TIME);
		struct path_seen s;
		memset(&s, 0, sizeof(s));
		multipoint_each(&mp, collect_path, &s);
		assert_int_equal(s.n_findings, 1);
		assert_string_equal(s.title, "1 SIP message from the caller lost between lan and wan (capture points 2 and 3)");
		assert_int_equal(s.n_breaks, 1);
		assert_int_equal(s.brk.a, input[o][1]);
		assert_int_equal(s.brk.b, input[o][2]);
		assert_int_equal(s.flip, 1); /* the last group seen: the call the other way */
		assert_string_equal(s.last_title, "1 SIP message from the caller lost between wan and lan (capture points 3 "
				    "and 2)");
		assert_int_equal(s.last_brk.a, input[o][2]);
		assert_int_equal(s.last_brk.b, input[o][1]);
		/* --points: given order and names, whatever the evidence */
		char spec[64];
		snprintf(spec, sizeof(spec), "%u=far-end,%u,%u,%u=handset", input[o][3] + 1u, input[o][2] + 1u,
			 input[o][1] + 1u, input[o][0] + 1u);
		multipoint_order(&mp, spec);
		assert_true(mp.order.given);
		assert_int_equal(mp.order.path[0], input[o][3]);
		assert_string_equal(mp_label(&mp, input[o][3]), "far-end");
		assert_string_equal(mp_label(&mp, input[o][0]), "handset");
		assert_int_equal(mp_no(&mp, input[o][0]), 4);
		/* a name that names nothing: said, and the order worked out */
		multipoint_order(&mp, "wan,5");
		assert_false(mp.order.given);
		assert_true(mp.order.note[0] != '\0');
		multipoint_free(&mp);
		for (int k = 0; k < 4; k++) {
			free_call(calls[k]);
			free_call(back[k]);
		}
	}
	char err[200];
	assert_true(multipoint_points_check("phone,nat-in,nat-out,far", err, sizeof(err)));
	assert_true(multipoint_points_check("2,1,3=carrier", err, sizeof(err)));
	assert_false(multipoint_points_check("2,,3", err, sizeof(err)));
	assert_false(multipoint_points_check("0,1", err, sizeof(err)));
	assert_false(multipoint_points_check("1=", err, sizeof(err)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clock_offset_and_transit),
		cmocka_unit_test(test_rewrite_and_lost_ack),
		cmocka_unit_test(test_same_call_id_years_apart_is_not_one_call),
		cmocka_unit_test(test_path_order_and_one_break),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
