/* SPDX-License-Identifier: MIT */
/* The capture points in order along the path, from what the calls show and
 * not from the capturing machines' clocks, which may be far apart: a proxy's
 * Via (one more on the far side of it), a NAT's address change (private on
 * one side, public on the other), the IP TTL one lower past a router, a
 * request seen at one point first and its answer at the other first (which
 * holds whatever the clocks' offset, as NTP's delay estimate does), and last
 * messages or packets that reached one point and not the other. Or as the
 * user gives it (--points). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/multipoint_int.h"

static int sgn(long v)
{
	return (v > 0) - (v < 0);
}

static uint8_t other(uint8_t p)
{
	return p == PARTY_A ? PARTY_B : PARTY_A;
}

/* +1: nearer the caller is a, -1: b, for "a is nearer party". */
static int toward(uint8_t party, bool a_nearer)
{
	return (party == PARTY_A) == a_nearer ? 1 : -1;
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return a < b ? -1 : a > b;
}

static int64_t median(int64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_i64);
	return n % 2 ? v[n / 2] : v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2;
}

static bool is_private(const struct addr *a)
{
	return addr_is_private(a) || addr_is_cgnat(a) || addr_is_linklocal(a);
}

/* Messages of x that y missed although it saw the sender's later ones: for
 * each, +1 when x is nearer the caller, -1 when nearer the callee. */
static long missed(const struct mp_call *x, const struct mp_call *y)
{
	long loss = 0;
	for (uint32_t i = 0; i < x->n_msgs; i++) {
		const struct mp_msg *m = &x->msgs[i];
		if (m->from > PARTY_B || mp_hop_by_hop(m) || mp_find_msg(y, m))
			continue;
		for (uint32_t k = 0; k < y->n_msgs; k++)
			if (y->msgs[k].from == m->from && !mp_hop_by_hop(&y->msgs[k]) && y->msgs[k].cseq > m->cseq) {
				loss += toward(m->from, true);
				break;
			}
	}
	return loss;
}

int mp_pair_evidence(const struct mp_call *a, const struct mp_call *b, unsigned *ev)
{
	long structural = 0, loss = 0;
	unsigned kinds = 0;
	int64_t *d[2] = { NULL, NULL };
	size_t nd[2] = { 0, 0 };
	if (a->n_msgs) {
		d[0] = calloc(a->n_msgs, sizeof(int64_t));
		d[1] = calloc(a->n_msgs, sizeof(int64_t));
	}
	for (uint32_t i = 0; i < a->n_msgs; i++) {
		const struct mp_msg *ma = &a->msgs[i];
		if (ma->from > PARTY_B)
			continue;
		const struct mp_msg *mb = mp_find_msg(b, ma);
		if (!mb || mp_hop_by_hop(ma))
			continue;
		/* a proxy's Via: fewer nearer whoever began the transaction */
		uint8_t initiator = ma->request ? ma->from : other(ma->from);
		if (ma->n_via && mb->n_via && ma->n_via != mb->n_via) {
			structural += toward(initiator, ma->n_via < mb->n_via);
			kinds |= MP_EV_VIA;
		}
		/* a NAT: the private side is nearer the party with the private address */
		if (!addr_eq(&ma->src.addr, &mb->src.addr) && is_private(&ma->src.addr) != is_private(&mb->src.addr)) {
			structural += toward(ma->from, is_private(&ma->src.addr));
			kinds |= MP_EV_NAT;
		}
		if (!addr_eq(&ma->dst.addr, &mb->dst.addr) && is_private(&ma->dst.addr) != is_private(&mb->dst.addr)) {
			structural += toward(other(ma->from), is_private(&ma->dst.addr));
			kinds |= MP_EV_NAT;
		}
		/* a router: the TTL is higher nearer the sender */
		if (ma->ttl && mb->ttl && ma->ttl != mb->ttl) {
			structural += toward(ma->from, ma->ttl > mb->ttl);
			kinds |= MP_EV_TTL;
		}
		if (d[0] && d[1])
			d[ma->from][nd[ma->from]++] = mb->ts - ma->ts;
	}
	/* timing both ways: the caller's messages reach a first and the callee's
	 * b first when a is nearer the caller, whatever the clocks' offset */
	int timing = 0;
	if (nd[0] && nd[1]) {
		int64_t diff = median(d[0], nd[0]) - median(d[1], nd[1]);
		if (diff > 2000 || diff < -2000) {
			timing = diff > 0 ? 1 : -1;
			kinds |= MP_EV_TIME;
		}
	}
	free(d[0]);
	free(d[1]);
	loss += missed(a, b) - missed(b, a);
	/* packets of a stream lost on the way: more of it nearer its sender */
	for (uint32_t i = 0; i < a->n_streams; i++) {
		const struct mp_stream *sa = &a->streams[i];
		uint32_t got = 0;
		bool seen = false;
		for (uint32_t k = 0; k < b->n_streams; k++)
			if (b->streams[k].ssrc == sa->ssrc && b->streams[k].dir == sa->dir) {
				got += b->streams[k].packets;
				seen = true;
			}
		if (!seen)
			continue;
		uint32_t hi = sa->packets > got ? sa->packets : got, lo = sa->packets > got ? got : sa->packets;
		if (hi - lo >= 50 && (uint64_t)(hi - lo) * 20 >= hi)
			loss += toward(sa->dir, sa->packets > got);
	}
	if (loss)
		kinds |= MP_EV_LOSS;
	int w = 4 * sgn(structural) + 2 * timing + sgn(loss);
	if (w)
		*ev |= kinds;
	return w;
}

/* ---- the order ---- */

struct acc {
	size_t n;
	long *w;        /* w[i * n + j]: evidence that i lies nearer the start than j */
	uint8_t *ev;    /* kinds of evidence between i and j */
	bool any;
};

static void add_run(void *ctx, const struct mp_call *const *at, unsigned n)
{
	struct acc *A = ctx;
	int m[MP_MAX_POINTS][MP_MAX_POINTS];
	unsigned ev[MP_MAX_POINTS][MP_MAX_POINTS];
	long dot = 0;
	for (unsigned x = 0; x < n; x++)
		for (unsigned y = x + 1; y < n; y++) {
			ev[x][y] = 0;
			m[x][y] = mp_pair_evidence(at[x], at[y], &ev[x][y]);
			dot += m[x][y] * A->w[at[x]->point * A->n + at[y]->point];
		}
	/* calls run both ways: this one as the calls before it ran (the first
	 * call, the earliest, sets which end is the start) */
	int sense = dot < 0 ? -1 : 1;
	for (unsigned x = 0; x < n; x++)
		for (unsigned y = x + 1; y < n; y++) {
			size_t i = at[x]->point, j = at[y]->point;
			A->w[i * A->n + j] += sense * m[x][y];
			A->w[j * A->n + i] -= sense * m[x][y];
			A->ev[i * A->n + j] |= (uint8_t)ev[x][y];
			A->ev[j * A->n + i] |= (uint8_t)ev[x][y];
			if (m[x][y])
				A->any = true;
		}
}

static long score(const struct acc *A, const uint16_t *p, size_t n)
{
	long s = 0;
	for (size_t x = 0; x < n; x++)
		for (size_t y = x + 1; y < n; y++)
			s += A->w[p[x] * A->n + p[y]];
	return s;
}

static bool next_perm(uint16_t *p, size_t n)
{
	if (n < 2)
		return false;
	size_t i = n - 1;
	while (i > 0 && p[i - 1] >= p[i])
		i--;
	if (i == 0)
		return false;
	size_t j = n - 1;
	while (p[j] <= p[i - 1])
		j--;
	uint16_t t = p[i - 1];
	p[i - 1] = p[j];
	p[j] = t;
	for (size_t a = i, b = n - 1; a < b; a++, b--) {
		t = p[a];
		p[a] = p[b];
		p[b] = t;
	}
	return true;
}

/* The order that agrees with most of the evidence: every order for up to 8
 * points (the first best in input order wins a tie), else each point put
 * where it fits best, then neighbours swapped while that helps. */
static void best_order(const struct acc *A, uint16_t *path)
{
	size_t n = A->n;
	for (size_t i = 0; i < n; i++)
		path[i] = (uint16_t)i;
	if (!A->any)
		return;
	if (n <= 8) {
		uint16_t p[8], best[8];
		memcpy(p, path, n * sizeof(*p));
		memcpy(best, path, n * sizeof(*p));
		long bs = score(A, p, n);
		while (next_perm(p, n)) {
			long s = score(A, p, n);
			if (s > bs) {
				bs = s;
				memcpy(best, p, n * sizeof(*p));
			}
		}
		memcpy(path, best, n * sizeof(*path));
		return;
	}
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		size_t at = 0;
		/* cur: the agreement of putting i at position q, from q = 0 on */
		long bs, cur = 0;
		for (size_t q = 0; q < len; q++)
			cur += A->w[i * n + path[q]];
		bs = cur;
		for (size_t q = 1; q <= len; q++) {
			cur += A->w[path[q - 1] * n + i] - A->w[i * n + path[q - 1]];
			if (cur > bs) {
				bs = cur;
				at = q;
			}
		}
		memmove(path + at + 1, path + at, (len - at) * sizeof(*path));
		path[at] = (uint16_t)i;
		len++;
	}
	for (bool better = true; better;) {
		better = false;
		for (size_t q = 0; q + 1 < n; q++)
			if (A->w[path[q + 1] * n + path[q]] > A->w[path[q] * n + path[q + 1]]) {
				uint16_t t = path[q];
				path[q] = path[q + 1];
				path[q + 1] = t;
				better = true;
			}
	}
}

/* ---- --points ---- */

static bool all_digits(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

bool multipoint_points_check(const char *spec, char *err, size_t cap)
{
	const char *p = spec;
	for (;;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		const char *eq = memchr(p, '=', n);
		size_t rn = eq ? (size_t)(eq - p) : n, nn = eq ? n - rn - 1 : 0;
		if (!rn || (eq && !nn)) {
			snprintf(err, cap, "--points: an empty name in \"%s\"", spec);
			return false;
		}
		if (rn >= 256 || nn >= 64) {
			snprintf(err, cap, "--points: a name is too long (at most 63 characters)");
			return false;
		}
		if (all_digits(p, rn) && (rn > 5 || strtoul(p, NULL, 10) == 0 || strtoul(p, NULL, 10) > 65535)) {
			snprintf(err, cap, "--points: point numbers go from 1 to the number of points");
			return false;
		}
		if (!e)
			return true;
		p = e + 1;
	}
}

/* The point a --points reference names (a number, a label, a file name or
 * its base name), or -1. */
static int point_named(const struct multipoint *mp, const char *r, size_t n)
{
	if (all_digits(r, n)) {
		unsigned long v = strtoul(r, NULL, 10);
		return v >= 1 && v <= mp->n_points ? (int)v - 1 : -1;
	}
	for (size_t i = 0; i < mp->n_points; i++) {
		const struct mp_point *p = &mp->points[i];
		const char *name = p->name, *base = p->name;
		for (const char *q = name; *q; q++)
			if (*q == '/')
				base = q + 1;
		if ((strlen(p->label) == n && !memcmp(p->label, r, n)) || (strlen(name) == n && !memcmp(name, r, n)) ||
		    (strlen(base) == n && !memcmp(base, r, n)))
			return (int)i;
	}
	return -1;
}

/* Applies a --points spec; false (with order.note) when it does not fit. */
static bool given_order(struct multipoint *mp, const char *spec, uint16_t *path)
{
	size_t n = mp->n_points, k = 0;
	bool *used = calloc(n, sizeof(*used));
	char (*names)[64] = calloc(n, sizeof(*names));
	bool ok = used && names;
	const char *p = spec;
	while (ok && p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		size_t rn = eq ? (size_t)(eq - p) : len;
		int pt = point_named(mp, p, rn);
		bool plain = pt < 0 && !eq && !all_digits(p, rn) && k < n && !used[k];
		if (plain) /* a name that names no file: the k-th point's new name */
			pt = (int)k;
		if (pt < 0 || used[pt] || k >= n) {
			snprintf(mp->order.note, sizeof(mp->order.note), "--points: \"%.*s\" %s; the order was worked out "
				 "from the calls", (int)(rn < 60 ? rn : 60), p, pt >= 0 ? "is named twice" : k >= n ?
				 "is one point too many" : "names no capture point");
			ok = false;
			break;
		}
		used[pt] = true;
		path[k++] = (uint16_t)pt;
		if (eq)
			snprintf(names[pt], sizeof(names[pt]), "%.*s", (int)(len - rn - 1), eq + 1);
		else if (plain)
			snprintf(names[pt], sizeof(names[pt]), "%.*s", (int)rn, p);
		p = e ? e + 1 : NULL;
	}
	if (ok) {
		/* points it leaves out follow, in input order */
		for (size_t i = 0; i < n; i++)
			if (!used[i])
				path[k++] = (uint16_t)i;
		for (size_t i = 0; i < n; i++)
			if (names[i][0])
				snprintf(mp->points[i].label, sizeof(mp->points[i].label), "%s", names[i]);
	}
	free(used);
	free(names);
	return ok;
}

void multipoint_order(struct multipoint *mp, const char *spec)
{
	size_t n = mp->n_points;
	struct mp_order *o = &mp->order;
	free(o->path);
	free(o->adj_ev);
	memset(o, 0, sizeof(*o));
	o->path = calloc(n ? n : 1, sizeof(*o->path));
	o->adj_ev = calloc(n ? n : 1, sizeof(*o->adj_ev));
	struct acc A = { .n = n };
	if (n <= MP_ORDER_MAX) {
		A.w = calloc(n ? n * n : 1, sizeof(*A.w));
		A.ev = calloc(n ? n * n : 1, sizeof(*A.ev));
	}
	if (!o->path || !o->adj_ev) {
		free(o->path);
		free(o->adj_ev);
		o->path = NULL;
		o->adj_ev = NULL;
		free(A.w);
		free(A.ev);
		for (size_t i = 0; i < n; i++)
			mp->points[i].rank = (uint16_t)i;
		return;
	}
	if (A.w && A.ev)
		mp_each_run(mp, add_run, &A);
	if (spec && given_order(mp, spec, o->path)) {
		o->given = true;
		o->ev = MP_EV_GIVEN;
	} else if (A.w && A.ev) {
		best_order(&A, o->path);
	} else {
		for (size_t i = 0; i < n; i++)
			o->path[i] = (uint16_t)i;
	}
	for (size_t k = 0; k < n; k++) {
		mp->points[o->path[k]].rank = (uint16_t)k;
		if (k + 1 < n && A.ev)
			o->adj_ev[k] = A.ev[o->path[k] * n + o->path[k + 1]];
		if (o->given)
			o->adj_ev[k] |= MP_EV_GIVEN;
		if (k + 1 < n)
			o->ev |= o->adj_ev[k];
	}
	free(A.w);
	free(A.ev);
}
