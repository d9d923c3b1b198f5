/* SPDX-License-Identifier: MIT */
/* Patterns across calls: each problem (finding and direction) on enough calls
 * is contrasted with the calls of the same kind that did not have it. A trait
 * (a party's address or network, its User-Agent, a hold of some length before
 * the problem) is claimed only when every call of the group has it, some
 * calls of the kind do not, and it is unlikely by chance: the group drawn at
 * random from the calls of the kind would share the traits with a probability
 * below PATTERNS_CHANCE (hypergeometric), and each trait, given the others,
 * below PATTERNS_TRAIT_CHANCE. A group with no such trait gets no pattern. */
#include "analyze/patterns.h"

#include <stdlib.h>
#include <string.h>

void patterns_init(struct patterns *p)
{
	memset(p, 0, sizeof(*p));
}

void patterns_free(struct patterns *p)
{
	free(p->v);
	free(p->uas);
	memset(p, 0, sizeof(*p));
}

const char *patterns_ua(const struct patterns *p, uint16_t ua)
{
	return ua < p->n_uas ? p->uas[ua] : "";
}

static uint16_t intern_ua(struct patterns *p, const char *s)
{
	if (!s || !s[0])
		return PAT_UA_NONE;
	char cut[PATTERNS_UA_LEN];
	size_t n = strnlen(s, sizeof(cut) - 1);
	memcpy(cut, s, n);
	memset(cut + n, 0, sizeof(cut) - n);
	for (unsigned i = 0; i < p->n_uas; i++)
		if (!strcmp(p->uas[i], cut))
			return (uint16_t)i;
	if (p->n_uas >= PATTERNS_MAX_UAS)
		return PAT_UA_NONE;
	if (!p->uas) {
		p->uas = calloc(PATTERNS_MAX_UAS, sizeof(*p->uas));
		if (!p->uas)
			return PAT_UA_NONE;
	}
	memcpy(p->uas[p->n_uas], cut, sizeof(cut));
	return (uint16_t)p->n_uas++;
}

static uint8_t rule_index(const char *id)
{
	for (size_t r = 0; r < n_rules && r < 255; r++)
		if (!strcmp(rule_at(r)->id, id))
			return (uint8_t)r;
	return 255;
}

static uint32_t ms(int64_t ns)
{
	if (ns <= 0)
		return 0;
	return ns / 1000000 > UINT32_MAX ? UINT32_MAX : (uint32_t)(ns / 1000000);
}

void patterns_add(struct patterns *p, const struct call *c, unsigned index, const struct findings *fs,
		  const struct walk *w, const struct analyzer *a)
{
	p->total++;
	if (p->n >= PATTERNS_MAX_CALLS) {
		p->dropped++;
		return;
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;
		if (cap > PATTERNS_MAX_CALLS)
			cap = PATTERNS_MAX_CALLS;
		struct pat_rec *v = realloc(p->v, cap * sizeof(*v));
		if (!v) {
			p->dropped++;
			return;
		}
		p->v = v;
		p->cap = cap;
	}
	struct pat_rec *r = &p->v[p->n++];
	memset(r, 0, sizeof(*r));
	r->index = index;
	r->answered = c->answer_ts != 0 || c->state == CALL_ANSWERED || c->state == CALL_ENDED;
	r->media = w->acct.valid;
	for (uint8_t q = PARTY_A; q <= PARTY_B; q++) {
		const struct stream *best = NULL;
		for (const struct stream *s = c->streams; s; s = s->next)
			if (s->dir == q && (!best || s->packets > best->packets))
				best = s;
		if (best)
			r->media_addr[q] = best->src.addr;
		r->ua[q] = intern_ua(p, q == PARTY_A ? c->a_ua : c->b_ua);
		r->nat_survived[q] = (float)a->call_survived_s[q];
		r->nat_died[q] = (float)a->call_died_s[q];
	}
	r->sig_addr[PARTY_A] = c->a_sig.addr;
	r->sig_addr[PARTY_B] = c->b_sig.addr;
	for (unsigned i = 0; fs && i < fs->n && r->n_f < PAT_REC_FINDINGS; i++) {
		const struct finding *f = &fs->f[i];
		uint8_t rule = rule_index(f->id);
		if (f->sev < SEV_WARNING || rule == 255)
			continue;
		bool dup = false;
		for (unsigned k = 0; k < r->n_f; k++)
			dup |= r->f[k].rule == rule && r->f[k].dir == f->direction;
		if (dup)
			continue;
		r->f[r->n_f].rule = rule;
		r->f[r->n_f].dir = f->direction <= PARTY_B ? f->direction : PARTY_NONE;
		r->f[r->n_f].at_ms = f->at ? (int32_t)(ms(f->at - c->start_ts) > INT32_MAX ? INT32_MAX
											: ms(f->at - c->start_ts))
					   : -1;
		r->n_f++;
	}
	int64_t end = c->end_ts > c->last_sip_ts ? c->end_ts : c->last_sip_ts;
	for (unsigned i = 0; i < w->n_holds && r->n_h < PAT_REC_HOLDS; i++) {
		const struct hold_period *h = &w->holds[i];
		int64_t he = h->end ? h->end : end;
		if (he <= h->start)
			continue;
		r->h[r->n_h].start_ms = ms(h->start - c->start_ts);
		r->h[r->n_h].len_ms = ms(he - h->start);
		r->n_h++;
	}
}

/* ---- grouping ---- */

static bool has(const struct pat_rec *r, uint8_t rule, uint8_t dir)
{
	for (unsigned k = 0; k < r->n_f; k++)
		if (r->f[k].rule == rule && r->f[k].dir == dir)
			return true;
	return false;
}

/* Whether r has every problem of the group (the group's calls have all of them). */
static bool in_group(const struct pat_rec *r, const struct pattern *g)
{
	for (unsigned i = 0; i < g->n_ids; i++)
		if (!has(r, g->ids[i], g->dir))
			return false;
	return true;
}

/* The longest hold that began before the problem (any hold when it is not a moment), ms. */
static uint32_t hold_before(const struct pat_rec *r, const struct pattern *g)
{
	int32_t at = -1;
	for (unsigned k = 0; k < r->n_f; k++)
		if (r->f[k].rule == g->ids[0] && r->f[k].dir == g->dir)
			at = r->f[k].at_ms;
	uint32_t best = 0;
	for (unsigned i = 0; i < r->n_h; i++)
		if ((at < 0 || r->h[i].start_ms < (uint32_t)at) && r->h[i].len_ms > best)
			best = r->h[i].len_ms;
	return best;
}

static uint32_t longest_hold(const struct pat_rec *r)
{
	uint32_t best = 0;
	for (unsigned i = 0; i < r->n_h; i++)
		if (r->h[i].len_ms > best)
			best = r->h[i].len_ms;
	return best;
}

static const struct addr *party_addr(const struct pat_rec *r, uint8_t party, bool by_media)
{
	const struct addr *a = by_media ? &r->media_addr[party] : &r->sig_addr[party];
	return a->family ? a : NULL;
}

/* The network of a: its /24 (IPv4) or /48 (IPv6), host bits 0. */
static struct addr network_of(const struct addr *a)
{
	struct addr n = *a;
	size_t keep = a->family == 4 ? 3 : 6;
	memset(n.b + keep, 0, sizeof(n.b) - keep);
	return n;
}

static bool trait_has(const struct pat_rec *r, const struct pat_trait *t)
{
	switch (t->kind) {
	case PAT_NET: {
		const struct addr *a = party_addr(r, t->party, t->by_media);
		if (!a)
			return false;
		if (t->exact)
			return addr_eq(a, &t->addr);
		struct addr n = network_of(a);
		return addr_eq(&n, &t->addr);
	}
	case PAT_UA:
		return r->ua[t->party] != PAT_UA_NONE && r->ua[t->party] == t->ua;
	case PAT_HOLD:
		return longest_hold(r) >= (uint32_t)(t->hold_min_s * 1000.0 + 0.5);
	}
	return false;
}

static bool of_kind(const struct pat_rec *r, int kind)
{
	return kind == 2 ? r->media : kind == 1 ? r->answered : true;
}

/* Calls of the kind with every trait of t[0..n) but skip (-1: none). */
static unsigned count_with(const struct patterns *p, int kind, const struct pat_trait *t, unsigned n, int skip)
{
	unsigned c = 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct pat_rec *r = &p->v[i];
		if (!of_kind(r, kind))
			continue;
		bool all = true;
		for (unsigned k = 0; k < n && all; k++)
			if ((int)k != skip)
				all = trait_has(r, &t[k]);
		c += all;
	}
	return c;
}

/* The chance that g calls drawn at random from n all fall among the m: C(m, g) / C(n, g). */
static double chance(unsigned m, unsigned n, unsigned g)
{
	if (g > m)
		return 0.0;
	double v = 1.0;
	for (unsigned i = 0; i < g; i++)
		v *= (double)(m - i) / (double)(n - i);
	return v;
}

/* A network or address trait of a party that every call of the group has. */
static bool net_trait(const struct patterns *p, const struct pattern *g, uint8_t party, struct pat_trait *t)
{
	memset(t, 0, sizeof(*t));
	t->kind = PAT_NET;
	t->party = party;
	/* the address RTP came from, when every call of the group has one; else signalling */
	t->by_media = true;
	for (size_t i = 0; i < p->n && t->by_media; i++)
		if (in_group(&p->v[i], g) && !party_addr(&p->v[i], party, true))
			t->by_media = false;
	bool first = true, same_addr = true, same_net = true;
	struct addr a0, n0;
	for (size_t i = 0; i < p->n; i++) {
		const struct pat_rec *r = &p->v[i];
		if (!in_group(r, g))
			continue;
		const struct addr *a = party_addr(r, party, t->by_media);
		if (!a)
			return false;
		struct addr n = network_of(a);
		if (first) {
			a0 = *a;
			n0 = n;
			first = false;
			continue;
		}
		same_addr &= addr_eq(a, &a0);
		same_net &= addr_eq(&n, &n0);
	}
	if (first || !same_net)
		return false;
	t->exact = same_addr;
	t->addr = same_addr ? a0 : n0;
	return true;
}

static bool ua_trait(const struct patterns *p, const struct pattern *g, uint8_t party, struct pat_trait *t)
{
	memset(t, 0, sizeof(*t));
	t->kind = PAT_UA;
	t->party = party;
	bool first = true;
	for (size_t i = 0; i < p->n; i++) {
		const struct pat_rec *r = &p->v[i];
		if (!in_group(r, g))
			continue;
		if (r->ua[party] == PAT_UA_NONE || (!first && r->ua[party] != t->ua))
			return false;
		t->ua = r->ua[party];
		first = false;
	}
	return !first;
}

static bool hold_trait(const struct patterns *p, const struct pattern *g, struct pat_trait *t)
{
	memset(t, 0, sizeof(*t));
	t->kind = PAT_HOLD;
	/* a problem only a hold of some length raises: its hold is no pattern */
	for (unsigned i = 0; i < g->n_ids; i++)
		if (!strcmp(rule_at(g->ids[i])->id, "HOLD_WITHOUT_KEEPALIVE"))
			return false;
	uint32_t lo = UINT32_MAX, hi = 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct pat_rec *r = &p->v[i];
		if (!in_group(r, g))
			continue;
		uint32_t h = hold_before(r, g);
		if (h < 1000)
			return false; /* not held (a second at least) before it */
		lo = h < lo ? h : lo;
		hi = h > hi ? h : hi;
	}
	if (lo == UINT32_MAX)
		return false;
	t->hold_min_s = lo / 1000.0;
	t->hold_max_s = hi / 1000.0;
	return true;
}

/* The contrast of trait k and, for a network, its NAT's bounds. */
static void describe_trait(const struct patterns *p, struct pattern *g, int kind, unsigned k)
{
	struct pat_trait *t = &g->t[k];
	t->with = count_with(p, kind, t, 1, -1);
	t->contrast = 0;
	t->contrast_held = 0;
	t->contrast_hold_max_s = 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct pat_rec *r = &p->v[i];
		if (!of_kind(r, kind) || trait_has(r, t))
			continue;
		bool others = true;
		for (unsigned j = 0; j < g->n_traits && others; j++)
			if (j != k)
				others = trait_has(r, &g->t[j]);
		if (!others)
			continue;
		t->contrast++;
		uint32_t h = longest_hold(r);
		if (h) {
			t->contrast_held++;
			if (h / 1000.0 > t->contrast_hold_max_s)
				t->contrast_hold_max_s = h / 1000.0;
		}
	}
	if (t->kind != PAT_NET)
		return;
	for (size_t i = 0; i < p->n; i++) {
		const struct pat_rec *r = &p->v[i];
		if (!trait_has(r, t))
			continue;
		double s = r->nat_survived[t->party], d = r->nat_died[t->party];
		if (s > 0 && (!t->nat_have_survived || s > t->nat_survived_s)) {
			t->nat_have_survived = true;
			t->nat_survived_s = s;
			t->nat_survived_call = r->index;
		}
		if (d > 0 && (!t->nat_have_died || d < t->nat_died_s)) {
			t->nat_have_died = true;
			t->nat_died_s = d;
			t->nat_died_call = r->index;
		}
	}
}

/* Finds the traits of group g; false when none distinguishes it. */
static bool find_traits(const struct patterns *p, struct pattern *g)
{
	/* the calls of the same kind: those with media to judge when every call
	 * of the group had it, else the answered ones, else all */
	bool all_media = true, all_answered = true;
	for (size_t i = 0; i < p->n; i++)
		if (in_group(&p->v[i], g)) {
			all_media &= p->v[i].media;
			all_answered &= p->v[i].answered;
		}
	int kind = all_media ? 2 : all_answered ? 1 : 0;
	g->kind = kind == 2 ? "answered calls with media" : kind == 1 ? "answered calls" : "calls";
	g->kind_calls = count_with(p, kind, NULL, 0, -1);
	/* every trait the whole group has that some calls of the kind lack */
	struct pat_trait cand[PAT_MAX_TRAITS];
	unsigned n = 0;
	for (uint8_t q = PARTY_A; q <= PARTY_B; q++) {
		if (net_trait(p, g, q, &cand[n]))
			n++;
		if (ua_trait(p, g, q, &cand[n]))
			n++;
	}
	if (hold_trait(p, g, &cand[n]))
		n++;
	unsigned m = 0;
	for (unsigned i = 0; i < n; i++)
		if (count_with(p, kind, &cand[i], 1, -1) < g->kind_calls)
			cand[m++] = cand[i];
	n = m;
	/* backward elimination: drop the trait the others explain best while
	 * the group, given the others, has it with a chance above the bar */
	while (n) {
		unsigned with_all = count_with(p, kind, cand, n, -1);
		int worst = -1;
		double worst_chance = PATTERNS_TRAIT_CHANCE;
		for (unsigned k = 0; k < n; k++) {
			unsigned without_k = count_with(p, kind, cand, n, (int)k);
			double ch = chance(with_all, without_k, g->calls);
			if (ch >= worst_chance) {
				worst_chance = ch;
				worst = (int)k;
			}
		}
		if (worst < 0)
			break;
		memmove(&cand[worst], &cand[worst + 1], (n - (unsigned)worst - 1) * sizeof(cand[0]));
		n--;
	}
	if (!n)
		return false;
	g->matching = count_with(p, kind, cand, n, -1);
	g->chance = chance(g->matching, g->kind_calls, g->calls);
	if (g->chance >= PATTERNS_CHANCE)
		return false;
	g->n_traits = n;
	memcpy(g->t, cand, n * sizeof(cand[0]));
	for (unsigned k = 0; k < n; k++)
		describe_trait(p, g, kind, k);
	for (uint8_t q = PARTY_A; q <= PARTY_B; q++) {
		struct pat_trait u;
		if (!ua_trait(p, g, q, &u))
			continue;
		bool kept = false;
		for (unsigned k = 0; k < n; k++)
			kept |= g->t[k].kind == PAT_UA && g->t[k].party == q;
		unsigned with = count_with(p, kind, &u, 1, -1);
		if (kept || with >= g->kind_calls || with <= g->calls)
			continue;
		g->ua_shared[q] = true;
		g->ua_shared_ua[q] = u.ua;
		g->ua_shared_fine[q] = with - g->calls;
	}
	return true;
}

static int by_size(const void *a, const void *b)
{
	const struct pattern *x = a, *y = b;
	if (x->calls != y->calls)
		return x->calls > y->calls ? -1 : 1;
	if (x->ids[0] != y->ids[0])
		return x->ids[0] < y->ids[0] ? -1 : 1;
	return x->dir < y->dir ? -1 : x->dir > y->dir;
}

void patterns_finish(struct patterns *p)
{
	if (p->done)
		return;
	p->done = true;
	/* the groups: calls per problem (rule and direction) */
	enum { RULES = 64, DIRS = 3 };
	unsigned count[RULES][DIRS];
	memset(count, 0, sizeof(count));
	for (size_t i = 0; i < p->n; i++)
		for (unsigned k = 0; k < p->v[i].n_f; k++)
			if (p->v[i].f[k].rule < RULES)
				count[p->v[i].f[k].rule][p->v[i].f[k].dir]++;
	struct pattern *cand = malloc(RULES * DIRS * sizeof(*cand));
	if (!cand)
		return;
	unsigned n = 0;
	for (unsigned r = 0; r < RULES && r < n_rules; r++)
		for (unsigned d = 0; d < DIRS; d++) {
			if (count[r][d] < PATTERNS_MIN_CALLS)
				continue;
			/* the same calls as a group already made: one group, several findings */
			bool merged = false;
			for (unsigned j = 0; j < n && !merged; j++) {
				struct pattern *g = &cand[j];
				if (g->dir != d || g->calls != count[r][d] || g->n_ids >= PAT_MAX_IDS)
					continue;
				bool same = true;
				for (size_t i = 0; i < p->n && same; i++)
					same = has(&p->v[i], (uint8_t)r, (uint8_t)d) == has(&p->v[i], g->ids[0], g->dir);
				if (same) {
					g->ids[g->n_ids++] = (uint8_t)r;
					merged = true;
				}
			}
			if (merged)
				continue;
			struct pattern *g = &cand[n++];
			memset(g, 0, sizeof(*g));
			g->ids[0] = (uint8_t)r;
			g->n_ids = 1;
			g->dir = (uint8_t)d;
			g->calls = count[r][d];
		}
	for (unsigned j = 0; j < n && p->n_pat < PATTERNS_MAX; j++) {
		struct pattern *g = &cand[j];
		if (!find_traits(p, g))
			continue;
		for (size_t i = 0; i < p->n && g->n_list < PAT_LIST_CALLS; i++)
			if (in_group(&p->v[i], g))
				g->list[g->n_list++] = p->v[i].index;
		/* ascending call numbers */
		for (unsigned a = 1; a < g->n_list; a++)
			for (unsigned b = a; b > 0 && g->list[b - 1] > g->list[b]; b--) {
				unsigned t = g->list[b];
				g->list[b] = g->list[b - 1];
				g->list[b - 1] = t;
			}
		p->pat[p->n_pat++] = *g;
	}
	free(cand);
	qsort(p->pat, p->n_pat, sizeof(p->pat[0]), by_size);
}
