/* SPDX-License-Identifier: MIT */
/* Unit tests for calls followed across capture points: the clock offset and
 * transit estimated from messages of both directions, differences between
 * points, grouping by Call-ID and time, and a message lost between points. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clock_offset_and_transit),
		cmocka_unit_test(test_rewrite_and_lost_ack),
		cmocka_unit_test(test_same_call_id_years_apart_is_not_one_call),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
