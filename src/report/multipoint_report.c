/* SPDX-License-Identifier: MIT */
/* Text and JSON for calls seen across capture points. */
#include "report/multipoint_report.h"

#include <inttypes.h>
#include <string.h>

#include "report/findings_report.h"

static const char *dir_str(uint8_t d)
{
	return d == PARTY_A ? "caller -> callee" : "callee -> caller";
}

void report_multipoint_text_head(FILE *f, const struct multipoint *mp, size_t groups, const struct text_style *st)
{
	fprintf(f, "%sacross capture points%s: %zu call%s seen at two or more of the %zu points\n",
		st->color ? "\033[1m" : "", st->color ? "\033[0m" : "", groups, groups == 1 ? "" : "s", mp->n_points);
	if (mp->dropped)
		fprintf(f, "  (%" PRIu64 " calls were not followed across points: over the limit of %d)\n", mp->dropped,
			MP_MAX_CALLS);
	fputc('\n', f);
}

void report_multipoint_text(FILE *f, const struct multipoint *mp, const struct mp_group *g,
			    const struct text_style *st)
{
	fprintf(f, "%s%s%s\n", st->color ? "\033[1m" : "", g->call_id, st->color ? "\033[0m" : "");
	for (unsigned i = 0; i < g->n; i++) {
		const struct mp_call *c = g->at[i];
		const struct mp_clock *k = &g->clock[i];
		fprintf(f, "  point %u (%s): call %u", c->point + 1u, multipoint_point_name(mp, c->point), c->index);
		if (i == 0)
			fputs(", the reference clock\n", f);
		else if (!k->from_msgs)
			fputs(", clock offset unknown (no message seen at both points)\n", f);
		else if (k->both_ways)
			fprintf(f, ", clock %+.6f s, one-way transit %.6f s (from %u messages both ways)\n", k->offset_s,
				k->transit_s, k->from_msgs);
		else
			fprintf(f, ", clock and transit together %+.6f s (from %u messages one way)\n", k->offset_s,
				k->from_msgs);
	}
	if (g->n_diffs) {
		fputs("  changed between points\n", f);
		for (unsigned i = 0; i < g->n_diffs; i++) {
			const struct mp_diff *d = &g->diffs[i];
			fprintf(f, "    %s's %s (CSeq %u): %-8s %s (point %u, frame %" PRIu64 ") -> %s (point %u, frame %" PRIu64
				   ")\n",
				d->from == PARTY_A ? "caller" : "callee", d->message, d->cseq, d->field, d->value_a,
				d->point_a + 1u, d->frame_a, d->value_b, d->point_b + 1u, d->frame_b);
		}
		if (g->diffs_dropped)
			fprintf(f, "    (%u more differences)\n", g->diffs_dropped);
	} else {
		fputs("  SIP and SDP the same at every point\n", f);
	}
	fputs("  media per point (times on the reference clock)\n", f);
	for (unsigned m = 0; m < g->n_media; m++) {
		const struct mp_media *md = &g->media[m];
		fprintf(f, "    %s  SSRC 0x%08X\n", dir_str(md->dir), md->ssrc);
		for (unsigned k = 0; k < g->n; k++) {
			uint16_t p = g->at[k]->point;
			const struct mp_stream *s = mp_media_at(md, p);
			if (!s) {
				fprintf(f, "      point %u: none\n", p + 1u);
				continue;
			}
			double off = mp_group_clock(g, p);
			char a[ADDR_STRLEN + 10], b[ADDR_STRLEN + 10];
			endpoint_str(&s->src, a, sizeof(a));
			endpoint_str(&s->dst, b, sizeof(b));
			fprintf(f, "      point %u: %u packets %+.3f..%+.3f s (frames %" PRIu64 "-%" PRIu64 ")  %s -> %s", p + 1u,
				s->packets, (double)(s->first_ts - g->origin) / 1e9 - off,
				(double)(s->last_ts - g->origin) / 1e9 - off, s->first_frame, s->last_frame, a, b);
			if (s->pairs > 1)
				fprintf(f, " and %u more address pair%s", s->pairs - 1, s->pairs > 2 ? "s" : "");
			fputc('\n', f);
		}
	}
	if (!g->n_media)
		fputs("    no RTP at any point\n", f);
	report_finding_list_text(f, &g->findings, g->origin, st);
	fputc('\n', f);
}

void report_multipoint_json(struct jw *w, const struct multipoint *mp, const struct mp_group *g)
{
	jw_obj(w, NULL);
	jw_str(w, "call_id", g->call_id);
	jw_time(w, "start", g->origin);
	jw_arr(w, "points");
	for (unsigned i = 0; i < g->n; i++) {
		const struct mp_call *c = g->at[i];
		const struct mp_clock *k = &g->clock[i];
		jw_obj(w, NULL);
		jw_uint(w, "point", (uint64_t)c->point + 1);
		jw_str(w, "file", multipoint_point_name(mp, c->point));
		jw_uint(w, "call", c->index);
		if (i == 0 || k->from_msgs)
			jw_num(w, "clock_offset_s", k->offset_s, 6);
		else
			jw_null(w, "clock_offset_s");
		if (i > 0 && k->both_ways)
			jw_num(w, "transit_s", k->transit_s, 6);
		else
			jw_null(w, "transit_s");
		jw_uint(w, "aligned_messages", k->from_msgs);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_arr(w, "differences");
	for (unsigned i = 0; i < g->n_diffs; i++) {
		const struct mp_diff *d = &g->diffs[i];
		jw_obj(w, NULL);
		jw_str(w, "from", party_str(d->from));
		jw_str(w, "message", d->message);
		jw_uint(w, "cseq", d->cseq);
		jw_str(w, "field", d->field);
		jw_uint(w, "point_a", (uint64_t)d->point_a + 1);
		jw_uint(w, "frame_a", d->frame_a);
		jw_str(w, "value_a", d->value_a);
		jw_uint(w, "point_b", (uint64_t)d->point_b + 1);
		jw_uint(w, "frame_b", d->frame_b);
		jw_str(w, "value_b", d->value_b);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_uint(w, "differences_not_shown", g->diffs_dropped);
	jw_arr(w, "media");
	for (unsigned m = 0; m < g->n_media; m++) {
		const struct mp_media *md = &g->media[m];
		jw_obj(w, NULL);
		jw_str(w, "direction", md->dir == PARTY_A ? "caller->callee" : "callee->caller");
		char ssrc[16];
		snprintf(ssrc, sizeof(ssrc), "0x%08X", md->ssrc);
		jw_str(w, "ssrc", ssrc);
		jw_arr(w, "at");
		for (unsigned k = 0; k < g->n; k++) {
			uint16_t p = g->at[k]->point;
			const struct mp_stream *s = mp_media_at(md, p);
			jw_obj(w, NULL);
			jw_uint(w, "point", (uint64_t)p + 1);
			jw_uint(w, "packets", s ? s->packets : 0);
			if (s) {
				double off = mp_group_clock(g, p);
				char a[ADDR_STRLEN + 10], b[ADDR_STRLEN + 10];
				endpoint_str(&s->src, a, sizeof(a));
				endpoint_str(&s->dst, b, sizeof(b));
				jw_str(w, "src", a);
				jw_str(w, "dst", b);
				jw_uint(w, "address_pairs", s->pairs);
				jw_num(w, "first_t", (double)(s->first_ts - g->origin) / 1e9 - off, 6);
				jw_num(w, "last_t", (double)(s->last_ts - g->origin) / 1e9 - off, 6);
				jw_uint(w, "first_frame", s->first_frame);
				jw_uint(w, "last_frame", s->last_frame);
			} else {
				jw_null(w, "first_t");
				jw_null(w, "last_t");
			}
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	report_finding_list_json(w, &g->findings, g->origin);
	jw_obj_end(w);
}
