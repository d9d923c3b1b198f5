/* SPDX-License-Identifier: MIT */
/* HTML for calls seen across capture points (everything from the wire goes
 * through html_str). */
#include "report/html_multipoint.h"

#include <inttypes.h>
#include <string.h>

#include "report/html.h"
#include "report/html_call.h"

/* The call's index at a point, to link to its section. */
static unsigned index_at(const struct mp_group *g, uint16_t point)
{
	for (unsigned i = 0; i < g->n; i++)
		if (g->at[i]->point == point)
			return g->at[i]->index;
	return 0;
}

static void call_link(FILE *f, const struct mp_group *g, uint16_t point, const char *text)
{
	char id[32];
	html_call_id(id, sizeof(id), point, index_at(g, point));
	fprintf(f, "<a class=\"evref\" href=\"#%s\">", id);
	html_str(f, text);
	fputs("</a>", f);
}

struct ev_ctx {
	const struct mp_group *g;
	const struct multipoint *mp;
};

/* Evidence of a comparison cites a frame of one point: link to the call there. */
static void point_evidence(FILE *f, void *ctx, unsigned fi, unsigned k, const struct evidence *e)
{
	(void)fi;
	(void)k;
	const struct mp_group *g = ((const struct ev_ctx *)ctx)->g;
	const struct multipoint *mp = ((const struct ev_ctx *)ctx)->mp;
	/* the evidence names the point by its place on the path */
	uint16_t p = mp->order.path && e->point < mp->n_points ? mp->order.path[e->point] : e->point;
	char lab[128];
	snprintf(lab, sizeof(lab), "frame %" PRIu64 " at %s", e->frame, mp_label(mp, p));
	call_link(f, g, p, lab);
	fprintf(f, " <span class=\"evt\">%+.3f s</span> ", (double)(e->ts - g->origin) / 1e9);
	html_str(f, e->what);
}


void html_multipoint_head(FILE *f, const struct multipoint *mp, const struct mp_summary *sum)
{
	char buf[1024];
	fputs("<section class=\"capture across\" id=\"across\">\n<h2>Across capture points</h2>\n", f);
	fprintf(f, "<p>%zu call%s seen at two or more of the %zu points. Path: <span class=\"mono\">", sum->groups,
		sum->groups == 1 ? "" : "s", mp->n_points);
	mp_path_text(mp, buf, sizeof(buf));
	html_str(f, buf);
	fputs("</span></p>\n<p class=\"note\">", f);
	mp_order_text(mp, buf, sizeof(buf));
	html_str(f, buf);
	fputs("; the first call's caller on the left.", f);
	const struct mp_order *o = &mp->order;
	for (size_t k = 0; !o->given && o->ev && o->path && k + 1 < mp->n_points; k++)
		if (!o->adj_ev[k]) {
			fputs(" Nothing told ", f);
			html_str(f, mp_label(mp, o->path[k]));
			fputs(" and ", f);
			html_str(f, mp_label(mp, o->path[k + 1]));
			fputs(" apart: their order is a guess (--points gives it).", f);
		}
	if (o->note[0]) {
		fputc(' ', f);
		html_str(f, o->note);
	}
	fputs("</p>\n", f);
	if (!sum->n) {
		fprintf(f, "<p class=\"headline\">%s</p>\n", sum->with_findings ? "See the findings of each call below."
			: "The points agree: nothing lost or rewritten between them.");
	} else {
		fputs("<ul class=\"breaks\">\n", f);
		for (unsigned i = 0; i < sum->n; i++) {
			mp_break_text(mp, &sum->k[i].b, buf, sizeof(buf));
			fprintf(f, "<li><span class=\"sev %s\">%s</span> ", severity_str(sum->k[i].b.sev),
				severity_str(sum->k[i].b.sev));
			html_str(f, buf);
			fprintf(f, ": %u call%s</li>\n", sum->k[i].calls, sum->k[i].calls == 1 ? "" : "s");
		}
		if (sum->more)
			fprintf(f, "<li>and %u more</li>\n", sum->more);
		fputs("</ul>\n", f);
	}
	if (mp->dropped)
		fprintf(f, "<p class=\"note\">%" PRIu64 " calls were not followed across points (over the limit of %d).</p>\n",
			mp->dropped, MP_MAX_CALLS);
	fputs("</section>\n", f);
}

/* ---- one lane per point and direction ---- */

#define LW 900.0
#define LX 170.0
#define LH 16.0

struct span {
	double t0, t1;
};

static double xat(const struct span *sp, double t)
{
	double x = LX + (t - sp->t0) / (sp->t1 - sp->t0) * (LW - LX - 10);
	return x < LX ? LX : x > LW - 10 ? LW - 10 : x;
}

static void bar(FILE *f, const struct span *sp, double y, double a, double b, const char *cls)
{
	double x0 = xat(sp, a), x1 = xat(sp, b);
	fprintf(f, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>", cls, x0, y + 3,
		x1 - x0 < 1 ? 1 : x1 - x0, LH - 6);
}

static bool has_break(const struct mp_group *g, uint8_t dir, uint16_t a, uint16_t b)
{
	for (unsigned i = 0; i < g->n_breaks; i++)
		if (g->breaks[i].kind != MP_BREAK_REWRITE && g->breaks[i].from == dir && g->breaks[i].a == a &&
		    g->breaks[i].b == b)
			return true;
	return false;
}

static void lanes(FILE *f, const struct multipoint *mp, const struct mp_group *g)
{
	struct span sp = { 0, 0 };
	for (unsigned k = 0; k < g->n; k++) {
		const struct mp_call *c = g->at[k];
		double off = mp_group_clock(g, c->point);
		for (uint32_t i = 0; i < c->n_msgs; i++) {
			double t = (double)(c->msgs[i].ts - g->origin) / 1e9 - off;
			sp.t0 = t < sp.t0 ? t : sp.t0;
			sp.t1 = t > sp.t1 ? t : sp.t1;
		}
		for (uint32_t i = 0; i < c->n_streams; i++) {
			double t = (double)(c->streams[i].last_ts - g->origin) / 1e9 - off;
			sp.t1 = t > sp.t1 ? t : sp.t1;
		}
	}
	if (sp.t1 - sp.t0 < 1)
		sp.t1 = sp.t0 + 1;
	double h = 2 * (20 + g->n * (LH + 4)) + 24 + 20.0 * g->n_breaks;
	fprintf(f, "<div class=\"scroll\"><svg class=\"timeline lanes\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
		"aria-label=\"each direction at each capture point\">", LW, h);
	double y = 0;
	for (uint8_t dir = PARTY_A; dir <= PARTY_B; dir++) {
		const struct mp_call *seq[MP_MAX_POINTS + 1];
		mp_group_from(g, dir, seq);
		fprintf(f, "<text class=\"lanelbl\" x=\"%.0f\" y=\"%.1f\">%s</text>", LX - 6, y + 14,
			dir == PARTY_A ? "caller &#8594; callee" : "callee &#8594; caller");
		y += 20;
		for (unsigned k = 0; k < g->n; k++) {
			uint16_t p = seq[k]->point;
			double off = mp_group_clock(g, p);
			fprintf(f, "<g><rect class=\"lane\" x=\"%.0f\" y=\"%.1f\" width=\"%.0f\" height=\"%.0f\"/>", LX, y, LW - LX - 10, LH);
			fprintf(f, "<text class=\"lanesub\" x=\"%.0f\" y=\"%.1f\">%u ", LX - 6, y + 12, mp_no(mp, p));
			html_str(f, mp_label(mp, p));
			fputs("</text>", f);
			if (mp->points[p].sip_only) {
				bar(f, &sp, y, sp.t0, sp.t1, "siponly");
				fprintf(f, "<text class=\"sipnote\" x=\"%.0f\" y=\"%.1f\">a log: signalling only, no RTP here</text>",
					LX + 8, y + 12);
			} else {
				for (unsigned m = 0; m < g->n_media; m++) {
					const struct mp_media *md = &g->media[m];
					const struct mp_stream *s = md->dir == dir ? mp_media_at(md, p) : NULL;
					if (!s)
						continue;
					/* the stream, less its silences */
					double a = (double)(s->first_ts - g->origin) / 1e9 - off;
					for (unsigned q = 0; q < s->n_gaps; q++) {
						double gs = (double)(s->gaps[q].start - g->origin) / 1e9 - off;
						double ge = (double)(s->gaps[q].end - g->origin) / 1e9 - off;
						if (gs > a)
							bar(f, &sp, y, a, gs, dir == PARTY_A ? "bars a" : "bars b");
						a = ge;
					}
					bar(f, &sp, y, a, (double)(s->last_ts - g->origin) / 1e9 - off,
					    dir == PARTY_A ? "bars a" : "bars b");
				}
			}
			/* the sender's SIP messages seen here */
			for (uint32_t i = 0; i < seq[k]->n_msgs; i++) {
				const struct mp_msg *m = &seq[k]->msgs[i];
				if (m->from != dir)
					continue;
				double x = xat(&sp, (double)(m->ts - g->origin) / 1e9 - off);
				fprintf(f, "<line class=\"siptick\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", x, y, x, y + LH);
			}
			fputs("</g>", f);
			y += LH + 4;
			if (k + 1 < g->n && has_break(g, dir, p, seq[k + 1]->point)) {
				/* between the two lanes, in a row of its own */
				fprintf(f, "<g class=\"brk\"><line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\"/>"
					"<text x=\"%.0f\" y=\"%.1f\">lost between ", LX, y + 2, LW - 10, y + 2, LX + 4, y + 14);
				html_str(f, mp_label(mp, p));
				fputs(" and ", f);
				html_str(f, mp_label(mp, seq[k + 1]->point));
				fputs("</text></g>", f);
				y += 20;
			}
		}
	}
	fprintf(f, "<g class=\"axis\"><line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\"/>", LX, y + 2, LW - 10, y + 2);
	for (int i = 0; i <= 5; i++) {
		double t = sp.t0 + (sp.t1 - sp.t0) * i / 5;
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">%+.1f s</text>", xat(&sp, t), y + 16, t);
	}
	fputs("</g></svg></div>\n<p class=\"legend\">One lane per capture point and direction, from the sender's "
	      "side: RTP while it flowed, a tick per SIP message of the sender; times on the reference clock.</p>\n", f);
}

void html_multipoint(FILE *f, const struct multipoint *mp, const struct mp_group *g, unsigned n)
{
	fprintf(f, "<article class=\"call across\" id=\"x%u\">\n<header><h2>Across capture points: <span class=\"mono\">", n);
	html_str(f, g->call_id);
	fputs("</span></h2>\n<table class=\"grid\"><tr><th>point</th><th>file</th><th>call</th><th>clock</th></tr>\n", f);
	for (unsigned i = 0; i < g->n; i++) {
		const struct mp_call *c = g->at[i];
		const struct mp_clock *k = &g->clock[i];
		char label[32];
		snprintf(label, sizeof(label), "call %u", c->index);
		fprintf(f, "<tr><td>%u ", mp_no(mp, c->point));
		html_str(f, mp_label(mp, c->point));
		fputs("</td><td class=\"mono\">", f);
		html_str(f, multipoint_point_name(mp, c->point));
		fputs("</td><td>", f);
		call_link(f, g, c->point, label);
		fputs("</td><td>", f);
		if (i == 0)
			fputs("the reference", f);
		else if (!k->from_msgs)
			fputs("unknown (no message seen at both points)", f);
		else if (k->both_ways)
			fprintf(f, "%+.6f s, one-way transit %.6f s (%u messages both ways)", k->offset_s, k->transit_s,
				k->from_msgs);
		else
			fprintf(f, "%+.6f s with the transit (%u messages one way)", k->offset_s, k->from_msgs);
		fputs("</td></tr>\n", f);
	}
	fputs("</table></header>\n", f);

	fputs("<section class=\"findings\"><h3>Findings of the comparison</h3>\n", f);
	if (!g->findings.n)
		fputs("<p class=\"none\">None: the points agree on this call.</p>\n", f);
	struct ev_ctx ctx = { g, mp };
	char idp[16];
	snprintf(idp, sizeof(idp), "x%u", n);
	for (unsigned i = 0; i < g->findings.n; i++)
		html_finding(f, &g->findings.f[i], i, idp, false, g->origin, point_evidence, &ctx);
	fputs("</section>\n", f);
	fputs("<section><h3>Each direction at each point</h3>\n", f);
	lanes(f, mp, g);
	fputs("</section>\n", f);

	fputs("<section><h3>Changed between neighbouring points</h3>\n", f);
	if (!g->n_diffs) {
		fputs("<p class=\"none\">SIP and SDP are the same at every point.</p>\n", f);
	} else {
		fputs("<div class=\"scroll\"><table class=\"grid\"><tr><th>message</th><th>field</th><th>before</th>"
		      "<th>after</th></tr>\n", f);
		for (unsigned i = 0; i < g->n_diffs; i++) {
			const struct mp_diff *d = &g->diffs[i];
			fprintf(f, "<tr><td>%s's ", d->from == PARTY_A ? "caller" : "callee");
			html_str(f, d->message);
			fprintf(f, " (CSeq %u)</td><td class=\"mono\">", d->cseq);
			html_str(f, d->field);
			fputs("</td><td class=\"mono\">", f);
			html_str(f, d->value_a);
			fprintf(f, " <span class=\"evt\">point %u, frame %" PRIu64 "</span></td><td class=\"mono\">",
				mp_no(mp, d->point_a), d->frame_a);
			html_str(f, d->value_b);
			fprintf(f, " <span class=\"evt\">point %u, frame %" PRIu64 "</span></td></tr>\n",
				mp_no(mp, d->point_b), d->frame_b);
		}
		fputs("</table></div>\n", f);
		if (g->diffs_dropped)
			fprintf(f, "<p class=\"note\">%u more differences not shown.</p>\n", g->diffs_dropped);
	}
	fputs("</section>\n", f);

	fputs("<section><h3>Media at each point</h3>\n", f);
	if (!g->n_media) {
		fputs("<p class=\"none\">No RTP at any point.</p>\n", f);
	} else {
		fputs("<div class=\"scroll\"><table class=\"grid\"><tr><th>direction</th><th>SSRC</th><th>point</th>"
		      "<th>packets</th><th>first .. last (reference clock)</th><th>from &rarr; to</th></tr>\n", f);
		for (unsigned m = 0; m < g->n_media; m++) {
			const struct mp_media *md = &g->media[m];
			for (unsigned k = 0; k < g->n; k++) {
				uint16_t p = g->at[k]->point;
				const struct mp_stream *s = mp_media_at(md, p);
				fprintf(f, "<tr><td>%s</td><td class=\"mono\">0x%08X</td><td>%u ",
					md->dir == PARTY_A ? "caller &rarr; callee" : "callee &rarr; caller", md->ssrc, mp_no(mp, p));
				html_str(f, mp_label(mp, p));
				fputs("</td>", f);
				if (mp->points[p].sip_only) {
					fputs("<td></td><td>a log: signalling only</td><td></td></tr>\n", f);
					continue;
				}
				if (!s) {
					fputs("<td>0</td><td>never seen</td><td></td></tr>\n", f);
					continue;
				}
				double off = mp_group_clock(g, p);
				char a[ADDR_STRLEN + 10], b[ADDR_STRLEN + 10];
				endpoint_str(&s->src, a, sizeof(a));
				endpoint_str(&s->dst, b, sizeof(b));
				fprintf(f, "<td>%u</td><td>%+.3f .. %+.3f s</td><td class=\"mono\">", s->packets,
					(double)(s->first_ts - g->origin) / 1e9 - off, (double)(s->last_ts - g->origin) / 1e9 - off);
				html_str(f, a);
				fputs(" &rarr; ", f);
				html_str(f, b);
				fputs("</td></tr>\n", f);
			}
		}
		fputs("</table></div>\n", f);
	}
	fputs("</section>\n</article>\n", f);
}
