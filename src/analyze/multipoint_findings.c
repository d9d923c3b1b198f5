/* SPDX-License-Identifier: MIT */
/* What a comparison of capture points finds, each once, between the two
 * neighbouring points where it happens along the path: a box that rewrites
 * SIP (an ALG, proven by diff), SIP messages and RTP lost on the way. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "analyze/multipoint_int.h"
#include "analyze/rule_util.h"

/* Appends one whole item to a list text, or nothing when it does not fit
 * (then *cut is set and later items are left out too). */
static void list_add(char *buf, size_t cap, bool *cut, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void list_add(char *buf, size_t cap, bool *cut, const char *fmt, ...)
{
	if (*cut)
		return;
	size_t n = strlen(buf);
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(buf + n, cap - n, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= cap - n) {
		buf[n] = '\0';
		*cut = true;
	}
}

static bool same_pair(const struct mp_diff *d, uint16_t a, uint16_t b)
{
	return (d->point_a == a && d->point_b == b) || (d->point_a == b && d->point_b == a);
}

/* Whether the capture at point p itself dropped packets from `from` to `to`
 * (on p's clock) in numbers that could account for `missing` packets (or
 * messages) not seen there: a count unknown, or at least as many. *hit says
 * how many it dropped then; false when it dropped none then. */
static bool capture_may_explain(const struct multipoint *mp, uint16_t p, int64_t from, int64_t to, uint64_t missing,
				struct capture_loss_hit *hit)
{
	if (!capture_losses_in(&mp->points[p].loss, from, to, hit))
		return false;
	return hit->older || hit->dropped == 0 || hit->dropped >= missing;
}

/* What the capture's own drops at point p say of a finding of packets or
 * messages missing there: explained, the finding is information only. */
static void capture_drops_said(const struct multipoint *mp, struct finding *fd, uint16_t p, const char *what,
			       uint64_t missing, bool explains, const struct capture_loss_hit *hit)
{
	if (!hit->windows && !hit->older)
		return;
	char drops[48] = "packets";
	if (hit->dropped)
		snprintf(drops, sizeof(drops), "%llu packets", (unsigned long long)hit->dropped);
	const char *when = hit->wide ? "in a stretch of time that holds them (its statistics say how many, not when)"
				     : "while they passed";
	if (explains) {
		finding_explain(fd, "The capture at %s itself dropped %s %s: the %s missing there may be its own drops, "
				"not the network's, and this finding is information only.", mp_label(mp, p), drops, when,
				what);
		finding_recommend(fd, "Capture at %s again without drops (a bigger capture buffer: dumpcap -B, tcpdump "
				  "-B 16384; a filter that keeps only SIP and RTP; a less loaded machine) before "
				  "looking for a faulty hop.", mp_label(mp, p));
	} else if (hit->dropped && hit->dropped < missing && !hit->older) {
		finding_explain(fd, "The capture at %s itself dropped %llu packets %s, fewer than the %llu %s missing "
				"there: its drops alone do not explain them.", mp_label(mp, p),
				(unsigned long long)hit->dropped, when, (unsigned long long)missing, what);
	}
}

void mp_find_alg(const struct multipoint *mp, struct mp_group *g, const struct mp_call *a, const struct mp_call *b)
{
	if (mp_proxy_between(a, b))
		return;
	unsigned rewrites = 0;
	const struct mp_diff *ex = NULL;
	for (unsigned i = 0; i < g->n_diffs; i++)
		if (same_pair(&g->diffs[i], a->point, b->point)) {
			if (!ex)
				ex = &g->diffs[i];
			rewrites++;
		}
	if (!ex)
		return;
	struct finding *fd = finding_add(&g->findings, "SIP_ALG_SUSPECTED", SEV_WARNING, PARTY_NONE, ex->ts_b);
	if (!fd)
		return;
	mp_add_break(g, MP_BREAK_REWRITE, PARTY_NONE, a->point, b->point, SEV_WARNING);
	finding_title(fd, "Proven: a box between %s and %s (capture points %u and %u) rewrites SIP (%u field%s changed)",
		      mp_label(mp, a->point), mp_label(mp, b->point), mp_no(mp, a->point), mp_no(mp, b->point), rewrites,
		      rewrites == 1 ? "" : "s");
	char list[1000] = "";
	bool cut = false;
	unsigned listed = 0;
	for (unsigned i = 0; i < g->n_diffs; i++) {
		const struct mp_diff *d = &g->diffs[i];
		if (!same_pair(d, a->point, b->point))
			continue;
		/* a few, whole: the table of changes has them all */
		cut |= listed >= 5;
		list_add(list, sizeof(list), &cut, "%sthe %s's %s (CSeq %u) has %s %s at %s and %s at %s",
			 listed ? "; " : "", who(d->from), d->message, d->cseq, d->field, d->value_a, mp_label(mp, d->point_a),
			 d->value_b, mp_label(mp, d->point_b));
		if (!cut)
			listed++;
		finding_evidence(fd, d->frame_a, d->ts_a, d->point_a, "%s %s before: %s", d->message, d->field, d->value_a);
		finding_evidence(fd, d->frame_b, d->ts_b, d->point_b, "%s %s after: %s", d->message, d->field, d->value_b);
	}
	finding_explain(fd, "The same messages of this call were captured at %s (point %u, %s) and at %s (point %u, %s), "
			"its neighbour on the path, and they differ: %s%s.", mp_label(mp, a->point), mp_no(mp, a->point),
			multipoint_point_name(mp, a->point), mp_label(mp, b->point), mp_no(mp, b->point),
			multipoint_point_name(mp, b->point), list, listed < rewrites ? "; and more (all in the table of changes)" : "");
	/* what stayed as it was tells an ALG from an SBC */
	bool o_kept = false, via_kept = false;
	for (uint32_t i = 0; i < a->n_msgs; i++) {
		const struct mp_msg *ma = &a->msgs[i], *mb = mp_find_msg(b, ma);
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

/* Whether point p (the call c there) was in the way of sender's message sent
 * at t (on p's clock): capturing then, having seen an earlier message of the
 * sender and something of the call after. */
static bool in_the_way(const struct multipoint *mp, const struct mp_call *p, uint8_t sender, int64_t t)
{
	const struct mp_point *pp = &mp->points[p->point];
	if (!mp_inside(pp, t) || !mp_inside(pp, t + 2000000000LL))
		return false;
	bool before = false, after = false;
	for (uint32_t k = 0; k < p->n_msgs; k++) {
		if (p->msgs[k].from == sender && p->msgs[k].ts < t)
			before = true;
		if (p->msgs[k].ts > t)
			after = true;
	}
	return before && after;
}

static bool key_message(const struct mp_msg *m)
{
	return m->request ? (!strcmp(m->method, "INVITE") || !strcmp(m->method, "ACK") || !strcmp(m->method, "BYE"))
			  : (m->status >= 200 && m->status < 300 && !strcmp(m->method, "INVITE"));
}

#define LOST_MAX 64

/* The messages of one sender lost between one pair of neighbours. */
struct lost {
	unsigned n;
	bool crit;
	const struct mp_msg *m[LOST_MAX];   /* the copy at the last point that saw it */
};

static void sip_lost_finding(const struct multipoint *mp, struct mp_group *g, uint8_t sender,
			     const struct mp_call *const *seq, unsigned k, const struct lost *l)
{
	const struct mp_call *u = seq[k], *p = seq[k + 1];
	/* the capture at p dropped packets when each of them should have
	 * passed it, as many as they are: they may be among its drops */
	int64_t off = (int64_t)((mp_group_clock(g, p->point) - mp_group_clock(g, u->point)) * 1e9);
	unsigned kept = l->n < LOST_MAX ? l->n : LOST_MAX;
	bool each = kept == l->n;
	int64_t first = l->m[0]->ts, last = l->m[0]->ts;
	for (unsigned i = 0; i < kept && each; i++) {
		each = capture_losses_in(&mp->points[p->point].loss, l->m[i]->ts + off, l->m[i]->ts + off, NULL);
		first = l->m[i]->ts < first ? l->m[i]->ts : first;
		last = l->m[i]->ts > last ? l->m[i]->ts : last;
	}
	struct capture_loss_hit hit;
	bool explains = capture_may_explain(mp, p->point, first + off, last + off, l->n, &hit) && each;
	if (!each)
		memset(&hit, 0, sizeof(hit)); /* drops at other times: nothing to say of them */
	enum severity sev = explains ? SEV_INFO : l->crit ? SEV_CRITICAL : SEV_WARNING;
	struct finding *fd = finding_add(&g->findings, "SIP_LOST_BETWEEN_POINTS", sev, PARTY_NONE, l->m[0]->ts);
	if (!fd)
		return;
	if (!explains)
		mp_add_break(g, MP_BREAK_SIP, sender, u->point, p->point, fd->sev);
	finding_title(fd, "%u SIP message%s from the %s lost between %s and %s (capture points %u and %u)", l->n,
		      l->n == 1 ? "" : "s", who(sender), mp_label(mp, u->point), mp_label(mp, p->point),
		      mp_no(mp, u->point), mp_no(mp, p->point));
	char list[700] = "";
	bool cut = false;
	unsigned listed = 0;
	for (unsigned i = 0; i < l->n && i < LOST_MAX; i++) {
		char label[40];
		mp_msg_label(l->m[i], label, sizeof(label));
		cut |= listed >= 8;
		list_add(list, sizeof(list), &cut, "%s%s (CSeq %u, frame %llu at %s)", i ? "; " : "", label, l->m[i]->cseq,
			 (unsigned long long)l->m[i]->frame, mp_label(mp, u->point));
		if (!cut)
			listed++;
		finding_evidence(fd, l->m[i]->frame, l->m[i]->ts, u->point, "%s seen here, never at %s", label,
				 mp_label(mp, p->point));
	}
	char beyond[200] = "";
	bool bcut = false;
	for (unsigned j = k + 2; seq[j]; j++)
		list_add(beyond, sizeof(beyond), &bcut, "%s%s", j == k + 2 ? "" : ", ", mp_label(mp, seq[j]->point));
	finding_explain(fd, "Messages the %s sent reached %s (point %u, %s) but never the next point on their way, %s "
			"(point %u, %s), which saw the %s's earlier messages and the call going on after them%s%s%s: "
			"%s%s.", who(sender), mp_label(mp, u->point), mp_no(mp, u->point),
			multipoint_point_name(mp, u->point), mp_label(mp, p->point), mp_no(mp, p->point),
			multipoint_point_name(mp, p->point), who(sender), beyond[0] ? "; nor did the points beyond it (" : "",
			beyond, beyond[0] ? ")" : "", list, listed < l->n ? "; and more" : "");
	if (explains) {
		capture_drops_said(mp, fd, p->point, "messages", l->n, true, &hit);
		return;
	}
	finding_explain(fd, "The network or a firewall between %s and %s dropped them.", mp_label(mp, u->point),
			mp_label(mp, p->point));
	capture_drops_said(mp, fd, p->point, "messages", l->n, false, &hit);
	finding_recommend(fd, "Look at what lies between %s and %s (firewall rules, NAT state, a SIP ALG, MTU for large "
			  "UDP messages) and capture on each hop between them to narrow it down.", mp_label(mp, u->point),
			  mp_label(mp, p->point));
}

void mp_find_sip_lost(const struct multipoint *mp, struct mp_group *g)
{
	for (uint8_t sender = PARTY_A; sender <= PARTY_B; sender++) {
		const struct mp_call *seq[MP_MAX_POINTS + 1] = { 0 };
		mp_group_from(g, sender, seq);
		struct lost lost[MP_MAX_POINTS];
		memset(lost, 0, sizeof(lost));
		for (unsigned h = 0; h < g->n; h++) {
			for (uint32_t i = 0; i < seq[h]->n_msgs; i++) {
				const struct mp_msg *m = &seq[h]->msgs[i];
				if (m->from != sender || mp_hop_by_hop(m))
					continue;
				bool earlier = false;
				for (unsigned q = 0; q < h && !earlier; q++)
					earlier = mp_find_msg(seq[q], m) != NULL;
				if (earlier)
					continue;
				/* the last point on its way that saw it, and the next one */
				unsigned last = h;
				for (unsigned q = h + 1; q < g->n; q++)
					if (mp_find_msg(seq[q], m))
						last = q;
				if (last + 1 >= g->n)
					continue;
				const struct mp_call *u = seq[last], *p = seq[last + 1];
				const struct mp_msg *mu = mp_find_msg(u, m);
				int64_t off = (int64_t)((mp_group_clock(g, p->point) - mp_group_clock(g, u->point)) * 1e9);
				if (mp_proxy_between(u, p) || !in_the_way(mp, p, sender, mu->ts + off))
					continue;
				struct lost *l = &lost[last];
				if (l->n < LOST_MAX)
					l->m[l->n] = mu;
				l->n++;
				l->crit |= key_message(m);
			}
		}
		for (unsigned k = 0; k + 1 < g->n; k++)
			if (lost[k].n)
				sip_lost_finding(mp, g, sender, seq, k, &lost[k]);
	}
}

/* RTP of md lost between the neighbours u and d (d saw it, or not at all). */
static bool media_break(const struct multipoint *mp, struct mp_group *g, const struct mp_media *md, uint16_t pu,
			uint16_t pd, bool beyond)
{
	const struct mp_stream *su = mp_media_at(md, pu), *sp = mp_media_at(md, pd);
	int64_t off = (int64_t)((mp_group_clock(g, pd) - mp_group_clock(g, pu)) * 1e9);
	uint32_t got = sp ? sp->packets : 0;
	if (got >= su->packets)
		return false;
	uint32_t missing = su->packets - got;
	bool stopped = !sp || sp->last_ts - off < su->last_ts - 2000000000LL;
	if (missing < 50 || (uint64_t)missing * 20 < su->packets)
		return false;
	bool crit = !sp || (uint64_t)missing * 2 >= su->packets ||
		    (stopped && su->last_ts - (sp->last_ts - off) >= 5000000000LL);
	/* where it stops, the loss begins with the next packet that passed
	 * upstream: after a silence both points shared (a hold), that is the
	 * first packet after the silence, not the last before it */
	int64_t at = sp ? sp->last_ts : su->first_ts;
	const struct gap_rec *resumed = NULL;
	for (unsigned i = 0; sp && stopped && i < su->n_gaps; i++) {
		const struct gap_rec *gr = &su->gaps[i];
		if (gr->start <= sp->last_ts - off + 500000000LL && gr->end > sp->last_ts - off)
			resumed = gr;
	}
	if (resumed)
		at = resumed->end + off;
	/* the capture at pd dropped packets while the packets missing there
	 * passed (from where the stream stopped there, or over the whole
	 * stream), as many or more: they may be its own drops */
	int64_t miss_from = su->first_ts + off;
	if (stopped)
		miss_from = resumed ? resumed->end + off : sp ? sp->last_ts : miss_from;
	struct capture_loss_hit hit;
	bool explains = capture_may_explain(mp, pd, miss_from, su->last_ts + off, missing, &hit);
	struct finding *fd = finding_add(&g->findings, "MEDIA_LOST_BETWEEN_POINTS",
					 explains ? SEV_INFO : crit ? SEV_CRITICAL : SEV_WARNING, md->dir, at);
	if (!fd)
		return true;
	if (!explains)
		mp_add_break(g, MP_BREAK_MEDIA, md->dir, pu, pd, fd->sev);
	char a[64], b[64];
	ep_text(&su->src, a, sizeof(a));
	ep_text(&su->dst, b, sizeof(b));
	const char *lu = mp_label(mp, pu), *ld = mp_label(mp, pd);
	double ou = mp_group_clock(g, pu);
	if (!sp) {
		finding_title(fd, "RTP %s -> %s reaches %s but never %s (capture points %u and %u)", who(md->dir),
			      who(facts_other(md->dir)), lu, ld, mp_no(mp, pu), mp_no(mp, pd));
		finding_explain(fd, "SSRC 0x%08X (%s -> %s at %s) passed %s (point %u, %s) %u times between %+.3f and "
				"%+.3f s; %s (point %u, %s), the next point on its way, which saw this call's SIP, has "
				"none of it%s.", md->ssrc, a, b, lu, lu, mp_no(mp, pu), multipoint_point_name(mp, pu),
				su->packets, (double)(su->first_ts - g->origin) / 1e9 - ou,
				(double)(su->last_ts - g->origin) / 1e9 - ou, ld, mp_no(mp, pd), multipoint_point_name(mp, pd),
				beyond ? ", nor any point beyond it" : "");
	} else {
		finding_title(fd, "RTP %s -> %s: %u packets pass %s but not %s (capture points %u and %u)%s", who(md->dir),
			      who(facts_other(md->dir)), missing, lu, ld, mp_no(mp, pu), mp_no(mp, pd),
			      stopped ? ", it stops there" : "");
		finding_explain(fd, "SSRC 0x%08X: %s (point %u, %s) saw %u packets until %+.3f s (frame %llu); %s (point "
				"%u, %s), the next point on its way, saw %u, the last at %+.3f s (frame %llu): %u missing "
				"(%.1f%%).", md->ssrc, lu, mp_no(mp, pu), multipoint_point_name(mp, pu), su->packets,
				(double)(su->last_ts - g->origin) / 1e9 - ou, (unsigned long long)su->last_frame, ld,
				mp_no(mp, pd), multipoint_point_name(mp, pd), got,
				(double)(sp->last_ts - g->origin) / 1e9 - mp_group_clock(g, pd),
				(unsigned long long)sp->last_frame, missing, 100.0 * missing / su->packets);
		finding_evidence(fd, sp->last_frame, sp->last_ts, pd, "last packet of 0x%08X at %s", md->ssrc, ld);
		if (resumed) {
			finding_explain(fd, "Both points saw it fall silent at %+.3f s (a hold); from %+.3f s on it passed %s "
					"again, and never reached %s.", (double)(resumed->start - g->origin) / 1e9 - ou,
					(double)(resumed->end - g->origin) / 1e9 - ou, lu, ld);
			finding_evidence(fd, resumed->frame_after, resumed->end, pu, "first packet after the silence at %s",
					 lu);
		}
	}
	finding_evidence(fd, su->last_frame, su->last_ts, pu, "last packet of 0x%08X at %s", md->ssrc, lu);
	if (explains) {
		capture_drops_said(mp, fd, pd, "packets", missing, true, &hit);
		return true;
	}
	finding_explain(fd, "The break is between %s and %s.", lu, ld);
	capture_drops_said(mp, fd, pd, "packets", missing, false, &hit);
	finding_recommend(fd, "Look at what lies between %s and %s: a NAT whose mapping expired or changed "
			  "(keep-alives, longer UDP timeouts), a firewall rule, an SBC that stopped relaying; capture "
			  "on each hop between them to narrow it down.", lu, ld);
	return true;
}

void mp_find_media_lost(const struct multipoint *mp, struct mp_group *g, const struct mp_media *md)
{
	const struct mp_call *seq[MP_MAX_POINTS + 1] = { 0 };
	mp_group_from(g, md->dir, seq);
	/* the first point on its way that saw it times the stream */
	const struct mp_stream *ref = NULL;
	uint16_t pref = 0;
	for (unsigned k = 0; k < g->n && !ref; k++)
		if ((ref = mp_media_at(md, seq[k]->point)))
			pref = seq[k]->point;
	if (!ref)
		return;
	/* the points it should cross: not a log (no RTP there), capturing while
	 * it flowed, and on its way (a point without it before one with it is
	 * off the media's path: a proxy that relays SIP only) */
	uint16_t way[MP_MAX_POINTS];
	unsigned n = 0;
	for (unsigned k = 0; k < g->n; k++) {
		uint16_t p = seq[k]->point;
		const struct mp_point *pp = &mp->points[p];
		if (pp->sip_only)
			continue;
		bool later = false;
		for (unsigned q = k + 1; q < g->n && !later; q++)
			later = !mp->points[seq[q]->point].sip_only && mp_media_at(md, seq[q]->point);
		if (!mp_media_at(md, p) && later)
			continue;
		int64_t off = (int64_t)((mp_group_clock(g, p) - mp_group_clock(g, pref)) * 1e9);
		if (!mp_inside(pp, ref->first_ts + off) || !mp_inside(pp, ref->last_ts + off))
			continue;
		way[n++] = p;
	}
	for (unsigned k = 0; k + 1 < n; k++) {
		if (!mp_media_at(md, way[k]))
			break;
		media_break(mp, g, md, way[k], way[k + 1], k + 2 < n);
	}
}
