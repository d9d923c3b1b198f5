/* SPDX-License-Identifier: MIT */
/* Patterns across calls (src/analyze/patterns.c) on hand-made call records:
 * a network and a hold that set the failing calls apart, a User-Agent, a trait
 * every call shares (no pattern), failures spread at random (no pattern), a
 * group too small for a claim, and the cap on records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/patterns.h"

static uint8_t rule_id(const char *id)
{
	for (size_t i = 0; i < n_rules; i++)
		if (!strcmp(rule_at(i)->id, id))
			return (uint8_t)i;
	fail_msg("no rule %s", id);
	return 0;
}

static struct pat_rec *rec(struct patterns *p, const char *pub, uint16_t ua, uint32_t hold_s, bool fails)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->v = realloc(p->v, p->cap * sizeof(*p->v));
		assert_non_null(p->v);
	}
	struct pat_rec *r = &p->v[p->n++];
	p->total++;
	memset(r, 0, sizeof(*r));
	r->index = (unsigned)p->n;
	r->answered = r->media = true;
	uint8_t a[4];
	unsigned x[4];
	assert_int_equal(sscanf(pub, "%u.%u.%u.%u", &x[0], &x[1], &x[2], &x[3]), 4);
	for (int i = 0; i < 4; i++)
		a[i] = (uint8_t)x[i];
	addr_v4(&r->media_addr[PARTY_A], a);
	r->sig_addr[PARTY_A] = r->media_addr[PARTY_A];
	const uint8_t pbx[4] = { 198, 51, 100, 10 };
	addr_v4(&r->media_addr[PARTY_B], pbx);
	r->sig_addr[PARTY_B] = r->media_addr[PARTY_B];
	r->ua[PARTY_A] = ua;
	r->ua[PARTY_B] = 0;
	if (hold_s) {
		r->h[0].start_ms = 6000;
		r->h[0].len_ms = hold_s * 1000;
		r->n_h = 1;
	}
	if (fails) {
		r->f[0].rule = rule_id("ONE_WAY_AUDIO");
		r->f[0].dir = PARTY_B;
		r->f[0].at_ms = (int32_t)(6000 + hold_s * 1000 + 100);
		r->n_f = 1;
	}
	return r;
}

static void setup_uas(struct patterns *p)
{
	p->uas = calloc(PATTERNS_MAX_UAS, sizeof(*p->uas));
	assert_non_null(p->uas);
	snprintf(p->uas[0], PATTERNS_UA_LEN, "Asterisk PBX 18.20.0");
	snprintf(p->uas[1], PATTERNS_UA_LEN, "Yealink SIP-T46S");
	snprintf(p->uas[2], PATTERNS_UA_LEN, "Grandstream GXP2170");
	snprintf(p->uas[3], PATTERNS_UA_LEN, "Polycom VVX 450");
	p->n_uas = 4;
}

static const struct pat_trait *trait(const struct pattern *g, uint8_t kind)
{
	for (unsigned i = 0; i < g->n_traits; i++)
		if (g->t[i].kind == kind)
			return &g->t[i];
	return NULL;
}

/* 203.0.113.0/24 (Yealink): 7 held 35-60 s fail, 7 held less or not at all
 * are fine; 192.0.2.0/24 (Yealink too) holds as long and is fine; two more
 * networks with other phones. */
static void test_network_and_hold(void **state)
{
	(void)state;
	struct patterns p;
	patterns_init(&p);
	setup_uas(&p);
	char a[32];
	const uint32_t fail_holds[7] = { 35, 40, 45, 50, 55, 60, 42 }, fine_holds[7] = { 5, 10, 15, 20, 25, 0, 0 };
	for (int i = 0; i < 7; i++) {
		snprintf(a, sizeof(a), "203.0.113.%d", 11 + i);
		struct pat_rec *r = rec(&p, a, 1, fail_holds[i], true);
		r->nat_died[PARTY_A] = (float)fail_holds[i];
	}
	for (int i = 0; i < 7; i++) {
		snprintf(a, sizeof(a), "203.0.113.%d", 21 + i);
		struct pat_rec *r = rec(&p, a, 1, fine_holds[i], false);
		r->nat_survived[PARTY_A] = (float)fine_holds[i];
	}
	const uint32_t b_holds[10] = { 35, 40, 50, 60, 45, 38, 10, 20, 0, 0 };
	for (int i = 0; i < 10; i++) {
		snprintf(a, sizeof(a), "192.0.2.%d", 11 + i);
		rec(&p, a, 1, b_holds[i], false);
	}
	for (int i = 0; i < 8; i++) {
		snprintf(a, sizeof(a), "198.18.7.%d", 11 + i);
		rec(&p, a, 2, i < 4 ? 40 + 5 * (uint32_t)i : 0, false);
		snprintf(a, sizeof(a), "198.19.9.%d", 11 + i);
		rec(&p, a, 3, i < 3 ? 37 + 9 * (uint32_t)i : 0, false);
	}
	patterns_finish(&p);
	assert_int_equal(p.n_pat, 1);
	const struct pattern *g = &p.pat[0];
	assert_int_equal(g->calls, 7);
	assert_int_equal(g->kind_calls, 40);
	assert_int_equal(g->matching, 7);
	assert_int_equal(g->dir, PARTY_B);
	assert_int_equal(g->n_traits, 2);
	assert_true(g->chance < PATTERNS_CHANCE);
	const struct pat_trait *net = trait(g, PAT_NET), *hold = trait(g, PAT_HOLD);
	assert_non_null(net);
	assert_non_null(hold);
	assert_null(trait(g, PAT_UA)); /* 192.0.2.0/24 has the same phones and is fine */
	assert_true(g->ua_shared[PARTY_A]); /* ... which is said, as not setting them apart */
	assert_int_equal(g->ua_shared_fine[PARTY_A], 17);
	assert_false(g->ua_shared[PARTY_B]); /* every call has the PBX's */
	assert_false(net->exact);
	assert_int_equal(net->party, PARTY_A);
	assert_int_equal(net->contrast, 13); /* other networks held 35 s or longer */
	assert_true(net->nat_have_survived && net->nat_have_died);
	assert_true(net->nat_survived_s == 25.0 && net->nat_died_s == 35.0);
	assert_true(hold->hold_min_s == 35.0 && hold->hold_max_s == 60.0);
	assert_int_equal(hold->contrast, 7);
	assert_int_equal(hold->contrast_held, 5);
	assert_true(hold->contrast_hold_max_s == 25.0);
	assert_int_equal(g->n_list, 7);
	for (unsigned i = 0; i < 7; i++)
		assert_int_equal(g->list[i], i + 1);
	patterns_free(&p);
}

/* Every call comes from one network with one phone: a trait all calls share is
 * no pattern, whatever fails. */
static void test_trait_all_share(void **state)
{
	(void)state;
	struct patterns p;
	patterns_init(&p);
	setup_uas(&p);
	char a[32];
	for (int i = 0; i < 40; i++) {
		snprintf(a, sizeof(a), "203.0.113.%d", 10 + i);
		rec(&p, a, 1, 0, i % 6 == 0);
	}
	patterns_finish(&p);
	assert_int_equal(p.n_pat, 0);
	patterns_free(&p);
}

/* Failures spread over four networks, three phones, held or not: no pattern. */
static void test_spread(void **state)
{
	(void)state;
	struct patterns p;
	patterns_init(&p);
	setup_uas(&p);
	const char *nets[4] = { "203.0.113", "192.0.2", "198.18.7", "198.19.9" };
	char a[32];
	for (int i = 0; i < 40; i++) {
		snprintf(a, sizeof(a), "%s.%d", nets[i % 4], 10 + i);
		bool fails = i == 0 || i == 5 || i == 10 || i == 15 || i == 22 || i == 27 || i == 33;
		rec(&p, a, (uint16_t)(1 + i % 3), i % 3 == 0 ? 0 : 10 + (uint32_t)i, fails);
	}
	patterns_finish(&p);
	assert_int_equal(p.n_pat, 0);
	patterns_free(&p);
}

/* Two failing calls of one small network: too few for a claim. */
static void test_small_group(void **state)
{
	(void)state;
	struct patterns p;
	patterns_init(&p);
	setup_uas(&p);
	char a[32];
	rec(&p, "203.0.113.11", 1, 45, true);
	rec(&p, "203.0.113.12", 1, 50, true);
	for (int i = 0; i < 38; i++) {
		snprintf(a, sizeof(a), "192.0.2.%d", 10 + i);
		rec(&p, a, 2, 0, false);
	}
	patterns_finish(&p);
	assert_int_equal(p.n_pat, 0);
	patterns_free(&p);
}

/* One phone model fails wherever it is: the User-Agent is the pattern. */
static void test_user_agent(void **state)
{
	(void)state;
	struct patterns p;
	patterns_init(&p);
	setup_uas(&p);
	const char *nets[4] = { "203.0.113", "192.0.2", "198.18.7", "198.19.9" };
	char a[32];
	for (int i = 0; i < 60; i++) {
		snprintf(a, sizeof(a), "%s.%d", nets[i % 4], 10 + i);
		bool polycom = i % 10 == 3;         /* 6 calls, in every network */
		rec(&p, a, polycom ? 3 : (uint16_t)(1 + i % 2), 0, polycom && i != 53);
	}
	patterns_finish(&p);
	assert_int_equal(p.n_pat, 1);
	const struct pattern *g = &p.pat[0];
	assert_int_equal(g->calls, 5);
	assert_int_equal(g->matching, 6); /* one Polycom call was fine */
	assert_int_equal(g->n_traits, 1);
	assert_int_equal(g->t[0].kind, PAT_UA);
	assert_string_equal(patterns_ua(&p, g->t[0].ua), "Polycom VVX 450");
	assert_int_equal(g->t[0].contrast, 54);
	patterns_free(&p);
}

/* Records stop at the cap; later calls are counted. */
static void test_cap(void **state)
{
	(void)state;
	struct patterns p;
	patterns_init(&p);
	struct call *c = calloc(1, sizeof(*c));
	struct walk *w = calloc(1, sizeof(*w));
	struct analyzer *an = calloc(1, sizeof(*an));
	struct findings *fs = calloc(1, sizeof(*fs));
	assert_true(c && w && an && fs);
	snprintf(c->a_ua, sizeof(c->a_ua), "phone");
	for (unsigned i = 0; i < PATTERNS_MAX_CALLS + 10; i++)
		patterns_add(&p, c, i + 1, fs, w, an);
	assert_int_equal(p.n, PATTERNS_MAX_CALLS);
	assert_int_equal(p.dropped, 10);
	assert_int_equal(p.total, PATTERNS_MAX_CALLS + 10);
	assert_int_equal(p.n_uas, 1);
	patterns_finish(&p);
	assert_int_equal(p.n_pat, 0);
	patterns_free(&p);
	free(c);
	free(w);
	free(an);
	free(fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_network_and_hold), cmocka_unit_test(test_trait_all_share),
		cmocka_unit_test(test_spread),           cmocka_unit_test(test_small_group),
		cmocka_unit_test(test_user_agent),       cmocka_unit_test(test_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
