/* SPDX-License-Identifier: MIT */
/* Calls seen at several capture points: digests, alignment by Call-ID and SSRC,
 * clock offsets from SIP messages seen both ways (as NTP estimates offset and
 * delay from a request and its reply), rewrites between points, and where
 * SIP or RTP stopped arriving. */
#include "analyze/multipoint_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/rule_util.h"

bool multipoint_init(struct multipoint *mp, size_t n_points)
{
	memset(mp, 0, sizeof(*mp));
	mp->points = calloc(n_points ? n_points : 1, sizeof(*mp->points));
	if (!mp->points)
		return false;
	mp->n_points = n_points;
	mp->tail = &mp->calls;
	for (size_t i = 0; i < n_points; i++)
		mp->points[i].rank = (uint16_t)i;
	return true;
}

void multipoint_free(struct multipoint *mp)
{
	struct mp_call *c = mp->calls;
	while (c) {
		struct mp_call *next = c->next;
		free(c->msgs);
		free(c->streams);
		free(c);
		c = next;
	}
	free(mp->points);
	free(mp->order.path);
	free(mp->order.adj_ev);
	memset(mp, 0, sizeof(*mp));
}

void multipoint_point(struct multipoint *mp, uint16_t point, const char *name, int64_t first_ts, int64_t last_ts)
{
	if (point >= mp->n_points)
		return;
	struct mp_point *p = &mp->points[point];
	snprintf(p->name, sizeof(p->name), "%s", name ? name : "");
	p->first_ts = first_ts;
	p->last_ts = last_ts;
	p->seen = true;
	if (!p->label[0]) {
		/* the base name without the extensions of captures and logs */
		const char *b = p->name;
		for (const char *q = p->name; *q; q++)
			if (*q == '/' || *q == '\\')
				b = q + 1;
		size_t n = strlen(b);
		static const char *const ext[] = { ".gz", ".zst", ".lz4", ".pcapng", ".pcap", ".cap", ".log", ".txt" };
		for (size_t k = 0; k < sizeof(ext) / sizeof(ext[0]); k++) {
			size_t e = strlen(ext[k]);
			if (n > e && !memcmp(b + n - e, ext[k], e))
				n -= e;
		}
		if (n >= sizeof(p->label))
			n = sizeof(p->label) - 1;
		memcpy(p->label, b, n);
		p->label[n] = '\0';
	}
}

void multipoint_point_losses(struct multipoint *mp, uint16_t point, const struct capture_losses *l)
{
	if (point < mp->n_points && l)
		mp->points[point].loss = *l;
}

void multipoint_point_sip_only(struct multipoint *mp, uint16_t point)
{
	if (point < mp->n_points)
		mp->points[point].sip_only = true;
}

unsigned mp_no(const struct multipoint *mp, uint16_t p)
{
	return p < mp->n_points ? mp->points[p].rank + 1u : p + 1u;
}

const char *mp_label(const struct multipoint *mp, uint16_t p)
{
	return p < mp->n_points && mp->points[p].label[0] ? mp->points[p].label : multipoint_point_name(mp, p);
}

static void audio_of(const struct sdp_rec *r, struct mp_msg *m)
{
	snprintf(m->o_addr, sizeof(m->o_addr), "%s", r->o_addr_text);
	for (unsigned k = 0; k < r->n_media; k++) {
		if (strcmp(r->media[k].type, "audio") != 0)
			continue;
		snprintf(m->c_addr, sizeof(m->c_addr), "%s", r->media[k].addr_text);
		m->m_port = r->media[k].rtp.port;
		m->has_audio = true;
		return;
	}
}

void multipoint_add(struct multipoint *mp, const struct call *c, unsigned call_index)
{
	if (mp->n_points < 2)
		return;
	if (mp->n_calls >= MP_MAX_CALLS) {
		mp->dropped++;
		return;
	}
	struct mp_call *d = calloc(1, sizeof(*d));
	if (!d) {
		mp->dropped++;
		return;
	}
	d->point = c->point;
	d->index = call_index;
	d->start_ts = c->start_ts;
	snprintf(d->call_id, sizeof(d->call_id), "%s", c->call_id);
	uint32_t n = 0;
	for (uint32_t i = 0; i < c->n_msgs; i++)
		if (msg_is_first(&c->msgs[i]))
			n++;
	unsigned ns = 0;
	for (const struct stream *s = c->streams; s; s = s->next)
		if (s->dir <= PARTY_B)
			ns++;
	d->msgs = n ? calloc(n, sizeof(*d->msgs)) : NULL;
	d->streams = ns ? calloc(ns, sizeof(*d->streams)) : NULL;
	if ((n && !d->msgs) || (ns && !d->streams)) {
		free(d->msgs);
		free(d->streams);
		free(d);
		mp->dropped++;
		return;
	}
	for (uint32_t i = 0; i < c->n_msgs; i++) {
		const struct msg_rec *r = &c->msgs[i];
		if (!msg_is_first(r))
			continue;
		struct mp_msg *m = &d->msgs[d->n_msgs++];
		m->frame = r->frame;
		m->ts = r->ts;
		m->from = r->from;
		m->request = r->request;
		m->status = r->status;
		m->cseq = r->cseq;
		snprintf(m->method, sizeof(m->method), "%s", r->method);
		m->n_via = r->n_via;
		m->ttl = r->ttl;
		m->src = r->src;
		m->dst = r->dst;
		snprintf(m->via, sizeof(m->via), "%s", r->via_sent_by);
		snprintf(m->contact, sizeof(m->contact), "%s", r->contact);
		if (r->sdp >= 0 && (uint32_t)r->sdp < c->n_sdp && c->sdp[r->sdp].frame == r->frame) {
			m->has_sdp = true;
			audio_of(&c->sdp[r->sdp], m);
		}
	}
	for (const struct stream *s = c->streams; s; s = s->next) {
		if (s->dir > PARTY_B)
			continue;
		struct mp_stream *t = &d->streams[d->n_streams++];
		t->ssrc = s->ssrc;
		t->dir = s->dir;
		t->src = s->src;
		t->dst = s->dst;
		t->packets = s->packets;
		t->first_ts = s->first_ts;
		t->last_ts = s->last_ts;
		t->first_frame = s->first_frame;
		t->last_frame = s->last_frame;
		t->pairs = 1;
		for (uint32_t k = 0; k < s->n_gaps && k < STREAM_MAX_GAPS && t->n_gaps < MP_STREAM_GAPS; k++)
			t->gaps[t->n_gaps++] = s->gaps[k];
	}
	*mp->tail = d;
	mp->tail = &d->next;
	mp->n_calls++;
}

/* ---- grouping ---- */

struct slot {
	const struct mp_call *c;
	size_t order;
};

static int by_id(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;
	int r = strcmp(x->c->call_id, y->c->call_id);
	if (r)
		return r;
	if (x->c->point != y->c->point)
		return x->c->point < y->c->point ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* A group: where its run starts among the sorted slots, and when its first
 * member arrived. */
struct head {
	size_t run;
	size_t order;
};

static int by_head_order(const void *a, const void *b)
{
	const struct head *x = a, *y = b;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Slots sorted by Call-ID; *n set. Caller frees. */
static struct slot *sorted_slots(const struct multipoint *mp, size_t *n)
{
	*n = 0;
	if (!mp->n_calls)
		return NULL;
	struct slot *s = calloc(mp->n_calls, sizeof(*s));
	if (!s)
		return NULL;
	for (const struct mp_call *c = mp->calls; c; c = c->next) {
		s[*n].c = c;
		s[*n].order = *n;
		(*n)++;
	}
	qsort(s, *n, sizeof(*s), by_id);
	return s;
}

/* Distinct points among slots [i, j) whose call started within
 * MP_MAX_SKEW_NS of slot i's. */
static unsigned distinct_points(const struct slot *s, size_t i, size_t j)
{
	unsigned n = 0;
	int last = -1;
	for (size_t k = i; k < j; k++) {
		int64_t d = s[k].c->start_ts - s[i].c->start_ts;
		if (d > MP_MAX_SKEW_NS || d < -MP_MAX_SKEW_NS || (int)s[k].c->point == last)
			continue;
		last = s[k].c->point;
		n++;
	}
	return n;
}

size_t multipoint_groups(const struct multipoint *mp)
{
	size_t n, groups = 0;
	struct slot *s = sorted_slots(mp, &n);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && !strcmp(s[j].c->call_id, s[i].c->call_id))
			j++;
		if (distinct_points(s, i, j) >= 2)
			groups++;
		i = j;
	}
	free(s);
	return groups;
}

/* ---- alignment ---- */

bool mp_hop_by_hop(const struct mp_msg *m)
{
	return !m->request && m->status == 100;
}

static bool same_msg(const struct mp_msg *a, const struct mp_msg *b)
{
	return a->request == b->request && a->status == b->status && a->cseq == b->cseq && a->from == b->from &&
	       !strcmp(a->method, b->method);
}

/* The message of c matching m (the first one, as retransmissions were left out). */
const struct mp_msg *mp_find_msg(const struct mp_call *c, const struct mp_msg *m)
{
	for (uint32_t i = 0; i < c->n_msgs; i++)
		if (same_msg(&c->msgs[i], m))
			return &c->msgs[i];
	return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static bool median(int64_t *v, size_t n, int64_t *out)
{
	if (!n)
		return false;
	qsort(v, n, sizeof(*v), cmp_i64);
	*out = n % 2 ? v[n / 2] : v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2;
	return true;
}

static void estimate_clock(const struct mp_call *ref, const struct mp_call *k, struct mp_clock *clk)
{
	memset(clk, 0, sizeof(*clk));
	clk->point = k->point;
	int64_t *d[2];
	size_t nd[2] = { 0, 0 };
	d[0] = calloc(ref->n_msgs + 1, sizeof(int64_t));
	d[1] = calloc(ref->n_msgs + 1, sizeof(int64_t));
	if (!d[0] || !d[1]) {
		free(d[0]);
		free(d[1]);
		return;
	}
	for (uint32_t i = 0; i < ref->n_msgs; i++) {
		const struct mp_msg *m = &ref->msgs[i];
		if (mp_hop_by_hop(m) || m->from > PARTY_B)
			continue;
		const struct mp_msg *o = mp_find_msg(k, m);
		if (o)
			d[m->from][nd[m->from]++] = o->ts - m->ts;
	}
	int64_t ma = 0, mb = 0;
	bool ha = median(d[0], nd[0], &ma), hb = median(d[1], nd[1], &mb);
	clk->from_msgs = (unsigned)(nd[0] + nd[1]);
	if (ha && hb) {
		clk->both_ways = true;
		clk->offset_s = ((double)ma + (double)mb) / 2e9;
		clk->transit_s = ((double)ma - (double)mb) / 2e9;
		if (clk->transit_s < 0)
			clk->transit_s = -clk->transit_s;
	} else if (ha || hb) {
		clk->offset_s = (double)(ha ? ma : mb) / 1e9;
	}
	free(d[0]);
	free(d[1]);
}

const char *multipoint_point_name(const struct multipoint *mp, uint16_t p)
{
	return p < mp->n_points && mp->points[p].name[0] ? mp->points[p].name : "?";
}

const struct mp_stream *mp_media_at(const struct mp_media *md, uint16_t p)
{
	for (unsigned i = 0; i < md->n; i++)
		if (md->point[i] == p)
			return &md->at[i];
	return NULL;
}

double mp_group_clock(const struct mp_group *g, uint16_t p)
{
	for (unsigned i = 0; i < g->n; i++)
		if (g->clock[i].point == p)
			return g->clock[i].offset_s;
	return 0;
}

void mp_msg_label(const struct mp_msg *m, char *buf, size_t cap)
{
	if (m->request)
		snprintf(buf, cap, "%s", m->method);
	else
		snprintf(buf, cap, "%u %s", m->status, m->method);
}

static void add_diff(struct mp_group *g, const struct mp_call *a, const struct mp_msg *ma, const struct mp_call *b,
		     const struct mp_msg *mb, const char *field, const char *va, const char *vb)
{
	if (!strcmp(va, vb))
		return;
	if (g->n_diffs >= MP_MAX_DIFFS) {
		g->diffs_dropped++;
		return;
	}
	struct mp_diff *d = &g->diffs[g->n_diffs++];
	d->point_a = a->point;
	d->point_b = b->point;
	d->frame_a = ma->frame;
	d->frame_b = mb->frame;
	d->ts_a = ma->ts;
	d->ts_b = mb->ts;
	d->from = ma->from;
	mp_msg_label(ma, d->message, sizeof(d->message));
	d->cseq = ma->cseq;
	snprintf(d->field, sizeof(d->field), "%s", field);
	snprintf(d->value_a, sizeof(d->value_a), "%s", va);
	snprintf(d->value_b, sizeof(d->value_b), "%s", vb);
}

bool mp_proxy_between(const struct mp_call *a, const struct mp_call *b)
{
	for (uint32_t i = 0; i < a->n_msgs; i++) {
		const struct mp_msg *o = mp_find_msg(b, &a->msgs[i]);
		if (o && o->n_via && a->msgs[i].n_via && o->n_via != a->msgs[i].n_via)
			return true;
	}
	return false;
}

/* What changed between the neighbours a and b (a first on the path), each
 * message's values in the order it travelled. */
static void diff_calls(struct mp_group *g, const struct mp_call *a0, const struct mp_call *b0)
{
	for (uint32_t i = 0; i < a0->n_msgs; i++) {
		const struct mp_msg *ma = &a0->msgs[i];
		const struct mp_msg *mb = mp_find_msg(b0, ma);
		if (!mb || mp_hop_by_hop(ma))
			continue;
		const struct mp_call *a = a0, *b = b0;
		if ((ma->from == PARTY_A) == g->flip) {
			const struct mp_msg *t = ma;
			ma = mb;
			mb = t;
			a = b0;
			b = a0;
		}
		if (ma->has_sdp && mb->has_sdp) {
			if (ma->has_audio && mb->has_audio) {
				add_diff(g, a, ma, b, mb, "c=", ma->c_addr, mb->c_addr);
				char pa[8], pb[8];
				snprintf(pa, sizeof(pa), "%u", ma->m_port);
				snprintf(pb, sizeof(pb), "%u", mb->m_port);
				add_diff(g, a, ma, b, mb, "m= port", pa, pb);
			}
			add_diff(g, a, ma, b, mb, "o=", ma->o_addr, mb->o_addr);
		}
		if (ma->n_via == mb->n_via)
			add_diff(g, a, ma, b, mb, "Via", ma->via, mb->via);
		if (ma->contact[0] && mb->contact[0])
			add_diff(g, a, ma, b, mb, "Contact", ma->contact, mb->contact);
	}
}

bool mp_inside(const struct mp_point *p, int64_t t)
{
	return p->seen && t >= p->first_ts && t <= p->last_ts;
}

void mp_add_break(struct mp_group *g, enum mp_break_kind kind, uint8_t from, uint16_t a, uint16_t b,
		  enum severity sev)
{
	if (g->n_breaks >= MP_MAX_BREAKS)
		return;
	struct mp_break *k = &g->breaks[g->n_breaks++];
	k->kind = (uint8_t)kind;
	k->from = from;
	k->a = a;
	k->b = b;
	k->sev = sev;
}

void mp_group_from(const struct mp_group *g, uint8_t party, const struct mp_call **seq)
{
	bool fwd = (party == PARTY_A) != g->flip;
	for (unsigned k = 0; k < g->n; k++)
		seq[k] = g->at[fwd ? k : g->n - 1 - k];
	seq[g->n] = NULL;
}

static void add_media(struct mp_group *g, uint16_t point, const struct mp_stream *s)
{
	struct mp_media *m = NULL;
	for (unsigned i = 0; i < g->n_media; i++)
		if (g->media[i].dir == s->dir && g->media[i].ssrc == s->ssrc)
			m = &g->media[i];
	if (!m) {
		if (g->n_media >= MP_MAX_MEDIA)
			return;
		m = &g->media[g->n_media++];
		memset(m, 0, sizeof(*m));
		m->dir = s->dir;
		m->ssrc = s->ssrc;
	}
	for (unsigned i = 0; i < m->n; i++) {
		if (m->point[i] != point)
			continue;
		/* the same SSRC on two address pairs at one point: one stream */
		struct mp_stream *t = &m->at[i];
		t->packets += s->packets;
		t->pairs += s->pairs;
		if (s->first_ts < t->first_ts) {
			t->first_ts = s->first_ts;
			t->first_frame = s->first_frame;
		}
		if (s->last_ts > t->last_ts) {
			t->last_ts = s->last_ts;
			t->last_frame = s->last_frame;
		}
		return;
	}
	if (m->n >= MP_MAX_POINTS)
		return;
	m->point[m->n] = point;
	m->at[m->n++] = *s;
}

/* The copies of slots [i, j) (one Call-ID) that make one call: those that
 * started within MP_MAX_SKEW_NS of the first, one per point. */
static unsigned members(const struct slot *s, size_t i, size_t j, const struct mp_call **at)
{
	unsigned n = 0;
	for (size_t k = i; k < j && n < MP_MAX_POINTS; k++) {
		int64_t d = s[k].c->start_ts - s[i].c->start_ts;
		if (d > MP_MAX_SKEW_NS || d < -MP_MAX_SKEW_NS || (n && s[k].c->point == at[n - 1]->point))
			continue;
		at[n++] = s[k].c;
	}
	return n;
}

/* Insertion sort by rank along the path (at most MP_MAX_POINTS). */
static void sort_by_rank(const struct multipoint *mp, const struct mp_call **at, unsigned n)
{
	for (unsigned k = 1; k < n; k++) {
		const struct mp_call *c = at[k];
		unsigned q = k;
		while (q > 0 && mp->points[at[q - 1]->point].rank > mp->points[c->point].rank) {
			at[q] = at[q - 1];
			q--;
		}
		at[q] = c;
	}
}

static void build_group(const struct multipoint *mp, const struct slot *s, size_t i, size_t j, struct mp_group *g)
{
	memset(g, 0, sizeof(*g));
	snprintf(g->call_id, sizeof(g->call_id), "%s", s[i].c->call_id);
	g->n = members(s, i, j, g->at);
	sort_by_rank(mp, g->at, g->n);
	/* which way this call runs along the path: its caller at the start, or
	 * at the far end */
	long sense = 0;
	for (unsigned a = 0; a < g->n; a++)
		for (unsigned b = a + 1; b < g->n; b++) {
			unsigned ev = 0;
			sense += mp_pair_evidence(g->at[a], g->at[b], &ev);
		}
	g->flip = sense < 0;
	const struct mp_call *ref = g->at[0];
	g->origin = ref->start_ts;
	g->clock[0].point = ref->point;
	g->clock[0].from_msgs = ref->n_msgs;
	g->clock[0].both_ways = true;
	for (unsigned k = 1; k < g->n; k++)
		estimate_clock(ref, g->at[k], &g->clock[k]);
	/* each change and each break once: between neighbours */
	for (unsigned k = 0; k + 1 < g->n; k++)
		diff_calls(g, g->at[k], g->at[k + 1]);
	for (unsigned k = 0; k + 1 < g->n; k++)
		mp_find_alg(mp, g, g->at[k], g->at[k + 1]);
	mp_find_sip_lost(mp, g);
	for (unsigned k = 0; k < g->n; k++)
		for (uint32_t q = 0; q < g->at[k]->n_streams; q++)
			if (!mp->points[g->at[k]->point].sip_only)
				add_media(g, g->at[k]->point, &g->at[k]->streams[q]);
	for (unsigned m = 0; m < g->n_media; m++)
		mp_find_media_lost(mp, g, &g->media[m]);
	findings_sort(&g->findings);
	/* evidence names its point by its place on the path, as the report does */
	for (unsigned q = 0; q < g->findings.n; q++)
		for (unsigned e = 0; e < g->findings.f[q].n_ev; e++) {
			uint16_t *p = &g->findings.f[q].ev[e].point;
			if (*p < mp->n_points)
				*p = mp->points[*p].rank;
		}
}

/* Groups as runs of slots, in order of their first member's arrival; *n set.
 * Caller frees. */
static struct head *group_heads(const struct slot *s, size_t n, size_t *n_heads)
{
	*n_heads = 0;
	struct head *heads = calloc(n ? n : 1, sizeof(*heads));
	if (!heads)
		return NULL;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1, first = s[i].order;
		while (j < n && !strcmp(s[j].c->call_id, s[i].c->call_id)) {
			if (s[j].order < first)
				first = s[j].order;
			j++;
		}
		if (distinct_points(s, i, j) >= 2) {
			heads[*n_heads].run = i;
			heads[*n_heads].order = first;
			(*n_heads)++;
		}
		i = j;
	}
	qsort(heads, *n_heads, sizeof(*heads), by_head_order);
	return heads;
}

static size_t run_end(const struct slot *s, size_t n, size_t i)
{
	size_t j = i + 1;
	while (j < n && !strcmp(s[j].c->call_id, s[i].c->call_id))
		j++;
	return j;
}

void multipoint_each(const struct multipoint *mp, void (*fn)(void *ctx, const struct mp_group *g), void *ctx)
{
	size_t n, n_heads = 0;
	struct slot *s = sorted_slots(mp, &n);
	if (!s)
		return;
	struct head *heads = group_heads(s, n, &n_heads);
	struct mp_group *g = calloc(1, sizeof(*g));
	if (heads && g)
		for (size_t h = 0; h < n_heads; h++) {
			size_t i = heads[h].run;
			build_group(mp, s, i, run_end(s, n, i), g);
			fn(ctx, g);
		}
	free(g);
	free(heads);
	free(s);
}

/* A run's earliest start, to take calls in the order they began. */
struct run_start {
	size_t run;
	int64_t start;
};

static int by_start(const void *a, const void *b)
{
	const struct run_start *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->run < y->run ? -1 : x->run > y->run;
}

void mp_each_run(const struct multipoint *mp, void (*fn)(void *ctx, const struct mp_call *const *at, unsigned n),
		 void *ctx)
{
	size_t n, n_heads = 0;
	struct slot *s = sorted_slots(mp, &n);
	if (!s)
		return;
	struct head *heads = group_heads(s, n, &n_heads);
	struct run_start *rs = calloc(n_heads ? n_heads : 1, sizeof(*rs));
	if (heads && rs) {
		for (size_t h = 0; h < n_heads; h++) {
			size_t i = heads[h].run, j = run_end(s, n, i);
			rs[h].run = i;
			rs[h].start = s[i].c->start_ts;
			for (size_t k = i; k < j; k++)
				if (s[k].c->start_ts < rs[h].start)
					rs[h].start = s[k].c->start_ts;
		}
		qsort(rs, n_heads, sizeof(*rs), by_start);
		for (size_t h = 0; h < n_heads; h++) {
			const struct mp_call *at[MP_MAX_POINTS];
			unsigned m = members(s, rs[h].run, run_end(s, n, rs[h].run), at);
			fn(ctx, at, m);
		}
	}
	free(rs);
	free(heads);
	free(s);
}
