/* SPDX-License-Identifier: MIT */
/* Calls seen at several capture points: digests, alignment by Call-ID and SSRC,
 * clock offsets from SIP messages seen both ways (as NTP estimates offset and
 * delay from a request and its reply), rewrites between points, and where
 * SIP or RTP stopped arriving. */
#include "analyze/multipoint.h"

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

static bool hop_by_hop(const struct mp_msg *m)
{
	return !m->request && m->status == 100;
}

static bool same_msg(const struct mp_msg *a, const struct mp_msg *b)
{
	return a->request == b->request && a->status == b->status && a->cseq == b->cseq && a->from == b->from &&
	       !strcmp(a->method, b->method);
}

/* The message of c matching m (the first one, as retransmissions were left out). */
static const struct mp_msg *find_msg(const struct mp_call *c, const struct mp_msg *m)
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
		if (hop_by_hop(m) || m->from > PARTY_B)
			continue;
		const struct mp_msg *o = find_msg(k, m);
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

static void msg_label(const struct mp_msg *m, char *buf, size_t cap)
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
	msg_label(ma, d->message, sizeof(d->message));
	d->cseq = ma->cseq;
	snprintf(d->field, sizeof(d->field), "%s", field);
	snprintf(d->value_a, sizeof(d->value_a), "%s", va);
	snprintf(d->value_b, sizeof(d->value_b), "%s", vb);
}

/* Whether a SIP element that shows itself (adds a Via) stands between a and b. */
static bool proxy_between(const struct mp_call *a, const struct mp_call *b)
{
	for (uint32_t i = 0; i < a->n_msgs; i++) {
		const struct mp_msg *o = find_msg(b, &a->msgs[i]);
		if (o && o->n_via && a->msgs[i].n_via && o->n_via != a->msgs[i].n_via)
			return true;
	}
	return false;
}

static void diff_calls(struct mp_group *g, const struct mp_call *a, const struct mp_call *b)
{
	for (uint32_t i = 0; i < a->n_msgs; i++) {
		const struct mp_msg *ma = &a->msgs[i];
		const struct mp_msg *mb = find_msg(b, ma);
		if (!mb || hop_by_hop(ma))
			continue;
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

/* ---- findings ---- */

static void find_alg(const struct multipoint *mp, struct mp_group *g, const struct mp_call *a,
		     const struct mp_call *b)
{
	if (proxy_between(a, b))
		return;
	unsigned first = g->n_diffs, rewrites = 0;
	const struct mp_diff *ex = NULL;
	for (unsigned i = 0; i < g->n_diffs; i++)
		if (g->diffs[i].point_a == a->point && g->diffs[i].point_b == b->point) {
			if (!ex)
				ex = &g->diffs[i], first = i;
			rewrites++;
		}
	if (!ex)
		return;
	struct finding *fd = finding_add(&g->findings, "SIP_ALG_SUSPECTED", SEV_WARNING, PARTY_NONE, ex->ts_b);
	if (!fd)
		return;
	finding_title(fd, "Proven: a box between capture points %u and %u rewrites SIP (%u field%s changed)",
		      a->point + 1u, b->point + 1u, rewrites, rewrites == 1 ? "" : "s");
	char list[900];
	size_t used = 0;
	list[0] = '\0';
	for (unsigned i = first; i < g->n_diffs; i++) {
		const struct mp_diff *d = &g->diffs[i];
		if (d->point_a != a->point || d->point_b != b->point)
			continue;
		if (used < sizeof(list)) {
			int w = snprintf(list + used, sizeof(list) - used, "%sthe %s's %s (CSeq %u) has %s %s at point %u and %s "
					 "at point %u", used ? "; " : "", who(d->from), d->message, d->cseq, d->field,
					 d->value_a, a->point + 1u, d->value_b, b->point + 1u);
			if (w > 0)
				used += (size_t)w;
		}
		finding_evidence(fd, d->frame_a, d->ts_a, d->point_a, "%s %s before: %s", d->message, d->field, d->value_a);
		finding_evidence(fd, d->frame_b, d->ts_b, d->point_b, "%s %s after: %s", d->message, d->field, d->value_b);
	}
	finding_explain(fd, "The same messages of this call were captured at point %u (%s) and at point %u (%s), and "
			"they differ: %s.", a->point + 1u, multipoint_point_name(mp, a->point), b->point + 1u,
			multipoint_point_name(mp, b->point), list);
	/* what stayed as it was tells an ALG from an SBC */
	bool o_kept = false, via_kept = false;
	for (uint32_t i = 0; i < a->n_msgs; i++) {
		const struct mp_msg *ma = &a->msgs[i], *mb = find_msg(b, ma);
		if (!mb)
			continue;
		if (ma->has_sdp && mb->has_sdp && ma->o_addr[0] && !strcmp(ma->o_addr, mb->o_addr) &&
		    strcmp(ma->c_addr, mb->c_addr) != 0)
			o_kept = true;
		if (ma->via[0] && !strcmp(ma->via, mb->via) && ma->has_sdp && mb->has_sdp &&
		    strcmp(ma->c_addr, mb->c_addr) != 0)
			via_kept = true;
	}
	if (o_kept || via_kept)
		finding_explain(fd, "The rewrite is partial: %s%s%s %s left as %s, as ALGs do.", o_kept ? "o=" : "",
				o_kept && via_kept ? " and " : "", via_kept ? "Via" : "", o_kept && via_kept ? "were" : "was",
				o_kept && via_kept ? "they were" : "it was");
	finding_explain(fd, "No SIP proxy added itself (the Via headers count the same at both points), so the "
			"change was made by a box that does not show itself in SIP: a router's or firewall's SIP ALG.");
	rec_disable_alg(fd);
}

static bool inside(const struct mp_point *p, int64_t t, int64_t margin)
{
	return p->seen && t >= p->first_ts - margin && t <= p->last_ts + margin;
}

static void find_sip_lost(const struct multipoint *mp, struct mp_group *g, const struct mp_call *u,
			  const struct mp_call *p, double offset_s)
{
	if (proxy_between(u, p))
		return;
	const struct mp_point *pp = &mp->points[p->point];
	int64_t off = (int64_t)(offset_s * 1e9);
	for (uint8_t sender = PARTY_A; sender <= PARTY_B; sender++) {
		struct finding *fd = NULL;
		unsigned lost = 0;
		bool crit = false;
		for (uint32_t i = 0; i < u->n_msgs; i++) {
			const struct mp_msg *m = &u->msgs[i];
			if (m->from != sender || hop_by_hop(m) || find_msg(p, m))
				continue;
			/* p must have been capturing, and on this sender's path: it saw an
			 * earlier message of the sender and something of the call after */
			int64_t t = m->ts + off;
			if (!inside(pp, t, 0) || !inside(pp, t + 2000000000LL, 0))
				continue;
			bool before = false, after = false;
			for (uint32_t k = 0; k < p->n_msgs; k++) {
				if (p->msgs[k].from == sender && p->msgs[k].ts < t)
					before = true;
				if (p->msgs[k].ts > t)
					after = true;
			}
			if (!before || !after)
				continue;
			char label[40];
			msg_label(m, label, sizeof(label));
			bool key = m->request ? (!strcmp(m->method, "INVITE") || !strcmp(m->method, "ACK") ||
						 !strcmp(m->method, "BYE"))
					      : (m->status >= 200 && m->status < 300 && !strcmp(m->method, "INVITE"));
			crit |= key;
			if (!fd) {
				fd = finding_add(&g->findings, "SIP_LOST_BETWEEN_POINTS", SEV_WARNING, PARTY_NONE, m->ts);
				if (!fd)
					return;
				finding_explain(fd, "Messages the %s sent reached capture point %u (%s) but never point %u "
						"(%s), which saw the %s's earlier messages and the call going on after them:",
						who(sender), u->point + 1u, multipoint_point_name(mp, u->point), p->point + 1u,
						multipoint_point_name(mp, p->point), who(sender));
			}
			lost++;
			finding_explain(fd, "%s (CSeq %u, frame %llu at point %u);", label, m->cseq,
					(unsigned long long)m->frame, u->point + 1u);
			finding_evidence(fd, m->frame, m->ts, u->point, "%s seen here, never at point %u", label,
					 p->point + 1u);
		}
		if (!fd)
			continue;
		if (crit)
			fd->sev = SEV_CRITICAL;
		finding_title(fd, "%u SIP message%s from the %s lost between capture points %u and %u", lost,
			      lost == 1 ? "" : "s", who(sender), u->point + 1u, p->point + 1u);
		finding_explain(fd, "The network or a firewall between the two points dropped them.");
		finding_recommend(fd, "Look at what lies between the two capture points (firewall rules, NAT state, "
				  "a SIP ALG, MTU for large UDP messages) and capture on each hop between them to "
				  "narrow it down.");
	}
}

static void find_media_lost(const struct multipoint *mp, struct mp_group *g, const struct mp_media *md)
{
	/* the point that saw the most of this stream is upstream of the others */
	unsigned up = 0;
	for (unsigned i = 1; i < md->n; i++)
		if (md->at[i].packets > md->at[up].packets)
			up = i;
	const struct mp_stream *su = &md->at[up];
	uint16_t pu = md->point[up];
	for (unsigned k = 0; k < g->n; k++) {
		const struct mp_call *pc = g->at[k];
		if (pc->point == pu)
			continue;
		const struct mp_point *pp = &mp->points[pc->point];
		int64_t off = (int64_t)((mp_group_clock(g, pc->point) - mp_group_clock(g, pu)) * 1e9);
		/* only while the other point was capturing */
		if (!inside(pp, su->first_ts + off, 0) || !inside(pp, su->last_ts + off, 0))
			continue;
		const struct mp_stream *sp = mp_media_at(md, pc->point);
		uint32_t got = sp ? sp->packets : 0;
		if (got >= su->packets)
			continue;
		uint32_t missing = su->packets - got;
		bool stopped = !sp || sp->last_ts + off < su->last_ts + off - 2000000000LL;
		if (missing < 50 || (uint64_t)missing * 20 < su->packets)
			continue;
		bool crit = !sp || (uint64_t)missing * 2 >= su->packets ||
			    (stopped && su->last_ts - (sp->last_ts - off) >= 5000000000LL);
		/* where it stops, the loss begins with the next packet that passed
		 * upstream: after a silence both points shared (a hold), that is
		 * the first packet after the silence, not the last before it */
		int64_t at = sp ? sp->last_ts : su->first_ts;
		const struct gap_rec *resumed = NULL;
		for (unsigned i = 0; stopped && i < su->n_gaps; i++) {
			const struct gap_rec *gr = &su->gaps[i];
			if (gr->start <= sp->last_ts - off + 500000000LL && gr->end > sp->last_ts - off)
				resumed = gr;
		}
		if (resumed)
			at = resumed->end + off;
		struct finding *fd = finding_add(&g->findings, "MEDIA_LOST_BETWEEN_POINTS", crit ? SEV_CRITICAL : SEV_WARNING,
						 md->dir, at);
		if (!fd)
			return;
		char a[64], b[64];
		ep_text(&su->src, a, sizeof(a));
		ep_text(&su->dst, b, sizeof(b));
		if (!sp) {
			finding_title(fd, "RTP %s -> %s reaches capture point %u but never point %u", who(md->dir),
				      who(facts_other(md->dir)), pu + 1u, pc->point + 1u);
			finding_explain(fd, "SSRC 0x%08X (%s -> %s at point %u) passed point %u (%s) %u times between "
					"%+.3f and %+.3f s; point %u (%s), which saw this call's SIP, has none of it.",
					md->ssrc, a, b, pu + 1u, pu + 1u, multipoint_point_name(mp, pu), su->packets,
					(double)(su->first_ts - g->origin) / 1e9, (double)(su->last_ts - g->origin) / 1e9,
					pc->point + 1u, multipoint_point_name(mp, pc->point));
		} else {
			finding_title(fd, "RTP %s -> %s: %u packets pass capture point %u but not point %u%s", who(md->dir),
				      who(facts_other(md->dir)), missing, pu + 1u, pc->point + 1u,
				      stopped ? " (it stops there)" : "");
			finding_explain(fd, "SSRC 0x%08X: point %u (%s) saw %u packets until %+.3f s (frame %llu); point "
					"%u (%s) saw %u, the last at %+.3f s (frame %llu): %u missing (%.1f%%).",
					md->ssrc, pu + 1u, multipoint_point_name(mp, pu), su->packets,
					(double)(su->last_ts - g->origin) / 1e9, (unsigned long long)su->last_frame,
					pc->point + 1u, multipoint_point_name(mp, pc->point), got,
					(double)(sp->last_ts - off - g->origin) / 1e9, (unsigned long long)sp->last_frame,
					missing, 100.0 * missing / su->packets);
			finding_evidence(fd, sp->last_frame, sp->last_ts, pc->point, "last packet of 0x%08X at this point",
					 md->ssrc);
			if (resumed) {
				finding_explain(fd, "Both points saw it fall silent at %+.3f s (a hold); from %+.3f s on it "
						"passed point %u again, and never reached point %u.",
						(double)(resumed->start - g->origin) / 1e9, (double)(resumed->end - g->origin) / 1e9,
						pu + 1u, pc->point + 1u);
				finding_evidence(fd, resumed->frame_after, resumed->end, pu,
						 "first packet after the silence at point %u", pu + 1u);
			}
		}
		finding_evidence(fd, su->last_frame, su->last_ts, pu, "last packet of 0x%08X at point %u", md->ssrc,
				 pu + 1u);
		finding_explain(fd, "The break is between capture point %u and capture point %u.", pu + 1u,
				pc->point + 1u);
		finding_recommend(fd, "Look at what lies between the two capture points: a NAT whose mapping expired "
				  "or changed (keep-alives, longer UDP timeouts), a firewall rule, an SBC that stopped "
				  "relaying; capture on each hop between them to narrow it down.");
	}
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

static void build_group(const struct multipoint *mp, const struct slot *s, size_t i, size_t j, struct mp_group *g)
{
	memset(g, 0, sizeof(*g));
	snprintf(g->call_id, sizeof(g->call_id), "%s", s[i].c->call_id);
	for (size_t k = i; k < j && g->n < MP_MAX_POINTS; k++) {
		int64_t d = s[k].c->start_ts - s[i].c->start_ts;
		if (d > MP_MAX_SKEW_NS || d < -MP_MAX_SKEW_NS || (g->n && s[k].c->point == g->at[g->n - 1]->point))
			continue;
		g->at[g->n++] = s[k].c;
	}
	const struct mp_call *ref = g->at[0];
	g->origin = ref->start_ts;
	g->clock[0].point = ref->point;
	g->clock[0].from_msgs = ref->n_msgs;
	g->clock[0].both_ways = true;
	for (unsigned k = 1; k < g->n; k++)
		estimate_clock(ref, g->at[k], &g->clock[k]);
	for (unsigned a = 0; a < g->n; a++)
		for (unsigned b = a + 1; b < g->n; b++)
			diff_calls(g, g->at[a], g->at[b]);
	for (unsigned a = 0; a < g->n; a++)
		for (unsigned b = a + 1; b < g->n; b++)
			find_alg(mp, g, g->at[a], g->at[b]);
	for (unsigned a = 0; a < g->n; a++)
		for (unsigned b = 0; b < g->n; b++)
			if (a != b)
				find_sip_lost(mp, g, g->at[a], g->at[b], g->clock[b].offset_s - g->clock[a].offset_s);
	for (unsigned k = 0; k < g->n; k++)
		for (uint32_t q = 0; q < g->at[k]->n_streams; q++)
			add_media(g, g->at[k]->point, &g->at[k]->streams[q]);
	for (unsigned m = 0; m < g->n_media; m++)
		find_media_lost(mp, g, &g->media[m]);
	findings_sort(&g->findings);
}

void multipoint_each(const struct multipoint *mp, void (*fn)(void *ctx, const struct mp_group *g), void *ctx)
{
	size_t n;
	struct slot *s = sorted_slots(mp, &n);
	if (!s)
		return;
	/* groups in order of their first member's arrival */
	struct head *heads = calloc(n, sizeof(*heads));
	struct mp_group *g = calloc(1, sizeof(*g));
	size_t n_heads = 0;
	if (!heads || !g)
		goto out;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1, first = s[i].order;
		while (j < n && !strcmp(s[j].c->call_id, s[i].c->call_id)) {
			if (s[j].order < first)
				first = s[j].order;
			j++;
		}
		if (distinct_points(s, i, j) >= 2) {
			heads[n_heads].run = i;
			heads[n_heads].order = first;
			n_heads++;
		}
		i = j;
	}
	qsort(heads, n_heads, sizeof(*heads), by_head_order);
	for (size_t h = 0; h < n_heads; h++) {
		size_t i = heads[h].run, j = i + 1;
		while (j < n && !strcmp(s[j].c->call_id, s[i].c->call_id))
			j++;
		build_group(mp, s, i, j, g);
		fn(ctx, g);
	}
out:
	free(g);
	free(heads);
	free(s);
}
