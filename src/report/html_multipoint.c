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
};

/* Evidence of a comparison cites a frame of one point: link to the call there. */
static void point_evidence(FILE *f, void *ctx, unsigned fi, unsigned k, const struct evidence *e)
{
	(void)fi;
	(void)k;
	const struct mp_group *g = ((const struct ev_ctx *)ctx)->g;
	char label[48];
	snprintf(label, sizeof(label), "frame %" PRIu64 " at point %u", e->frame, e->point + 1u);
	call_link(f, g, e->point, label);
	fprintf(f, " <span class=\"evt\">%+.3f s</span> ", (double)(e->ts - g->origin) / 1e9);
	html_str(f, e->what);
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
		fprintf(f, "<tr><td>%u</td><td class=\"mono\">", c->point + 1u);
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
	struct ev_ctx ctx = { g };
	char idp[16];
	snprintf(idp, sizeof(idp), "x%u", n);
	for (unsigned i = 0; i < g->findings.n; i++)
		html_finding(f, &g->findings.f[i], i, idp, false, g->origin, point_evidence, &ctx);
	fputs("</section>\n", f);

	fputs("<section><h3>Changed between points</h3>\n", f);
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
				d->point_a + 1u, d->frame_a);
			html_str(f, d->value_b);
			fprintf(f, " <span class=\"evt\">point %u, frame %" PRIu64 "</span></td></tr>\n", d->point_b + 1u,
				d->frame_b);
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
				fprintf(f, "<tr><td>%s</td><td class=\"mono\">0x%08X</td><td>%u</td>",
					md->dir == PARTY_A ? "caller &rarr; callee" : "callee &rarr; caller", md->ssrc, p + 1u);
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
