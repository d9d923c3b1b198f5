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

static const char *party_word(uint8_t p)
{
	return p == PARTY_A ? "caller" : "callee";
}

void mp_summary_add(struct mp_summary *s, const struct mp_group *g)
{
	s->groups++;
	if (g->findings.n)
		s->with_findings++;
	for (unsigned i = 0; i < g->n_breaks; i++) {
		const struct mp_break *b = &g->breaks[i];
		unsigned k = 0;
		while (k < s->n && !(s->k[k].b.kind == b->kind && s->k[k].b.from == b->from && s->k[k].b.a == b->a &&
				     s->k[k].b.b == b->b))
			k++;
		if (k == s->n) {
			if (s->n >= MP_SUMMARY_MAX) {
				s->more++;
				continue;
			}
			s->k[s->n].b = *b;
			s->n++;
		}
		if (b->sev > s->k[k].b.sev)
			s->k[k].b.sev = b->sev;
		s->k[k].calls++;
	}
}

void mp_break_text(const struct multipoint *mp, const struct mp_break *b, char *buf, size_t cap)
{
	const char *la = mp_label(mp, b->a), *lb = mp_label(mp, b->b);
	unsigned na = mp_no(mp, b->a), nb = mp_no(mp, b->b);
	if (b->kind == MP_BREAK_REWRITE)
		snprintf(buf, cap, "SIP rewritten between %s and %s (points %u and %u) by a box that does not show itself",
			 la, lb, na, nb);
	else
		snprintf(buf, cap, "%s from the %s lost between %s and %s (points %u and %u)",
			 b->kind == MP_BREAK_SIP ? "SIP" : "RTP", party_word(b->from), la, lb, na, nb);
}

void mp_path_text(const struct multipoint *mp, char *buf, size_t cap)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t k = 0; k < mp->n_points && mp->order.path; k++) {
		uint16_t p = mp->order.path[k];
		int w = snprintf(buf + used, cap - used, "%s%u %s%s", k ? " -> " : "", (unsigned)k + 1, mp_label(mp, p),
				 mp->points[p].sip_only ? " (a log: SIP only)" : "");
		if (w < 0 || (size_t)w >= cap - used) {
			buf[used] = '\0';
			break;
		}
		used += (size_t)w;
	}
}

void mp_order_text(const struct multipoint *mp, char *buf, size_t cap)
{
	const struct mp_order *o = &mp->order;
	if (o->given) {
		snprintf(buf, cap, "as --points gives it");
		return;
	}
	static const struct {
		unsigned bit;
		const char *what;
	} kinds[] = {
		{ MP_EV_VIA, "a proxy's Via headers" },
		{ MP_EV_NAT, "the NAT's address change (private on one side, public on the other)" },
		{ MP_EV_TTL, "the IP TTL lower past a router" },
		{ MP_EV_TIME, "which point saw each request first and which its answer" },
		{ MP_EV_LOSS, "what reached one point and not the next" },
	};
	size_t used = 0;
	unsigned listed = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!(o->ev & kinds[i].bit))
			continue;
		int w = snprintf(buf + used, cap - used, "%s%s", listed ? "; " : "ordered by ", kinds[i].what);
		if (w < 0 || (size_t)w >= cap - used) {
			buf[used] = '\0';
			return;
		}
		used += (size_t)w;
		listed++;
	}
	if (!listed)
		snprintf(buf, cap, "nothing told the points apart: input order (--points gives the order)");
}

static void guesses_text(FILE *f, const struct multipoint *mp, const char *indent)
{
	const struct mp_order *o = &mp->order;
	if (o->given || !o->ev || !o->path)
		return;
	for (size_t k = 0; k + 1 < mp->n_points; k++)
		if (!o->adj_ev[k])
			fprintf(f, "%snothing told %s and %s apart: their order is a guess (--points gives it)\n", indent,
				mp_label(mp, o->path[k]), mp_label(mp, o->path[k + 1]));
}

void report_multipoint_text_head(FILE *f, const struct multipoint *mp, const struct mp_summary *sum,
				 const struct text_style *st)
{
	fprintf(f, "%sacross capture points%s: %zu call%s seen at two or more of the %zu points\n",
		st->color ? "\033[1m" : "", st->color ? "\033[0m" : "", sum->groups, sum->groups == 1 ? "" : "s",
		mp->n_points);
	char buf[1024];
	mp_path_text(mp, buf, sizeof(buf));
	fprintf(f, "  path: %s\n", buf);
	mp_order_text(mp, buf, sizeof(buf));
	fprintf(f, "    (%s; the first call's caller on the left)\n", buf);
	guesses_text(f, mp, "    ");
	if (mp->order.note[0])
		fprintf(f, "    %s\n", mp->order.note);
	if (!sum->n) {
		fprintf(f, "  verdict: %s\n", sum->with_findings ? "see the findings of each call below"
				: "the points agree: nothing lost or rewritten between them");
	} else {
		fputs("  verdict:\n", f);
		for (unsigned i = 0; i < sum->n; i++) {
			mp_break_text(mp, &sum->k[i].b, buf, sizeof(buf));
			fprintf(f, "    %s%s%s: %s, %u call%s\n", st->color && sum->k[i].b.sev == SEV_CRITICAL ? "\033[31m" : "",
				buf, st->color && sum->k[i].b.sev == SEV_CRITICAL ? "\033[0m" : "",
				severity_str(sum->k[i].b.sev), sum->k[i].calls, sum->k[i].calls == 1 ? "" : "s");
		}
		if (sum->more)
			fprintf(f, "    and %u more\n", sum->more);
	}
	if (mp->dropped)
		fprintf(f, "  (%" PRIu64 " calls were not followed across points: over the limit of %d)\n", mp->dropped,
			MP_MAX_CALLS);
	fputc('\n', f);
}

void report_multipoint_json_head(struct jw *w, const struct multipoint *mp)
{
	jw_arr(w, "path");
	for (size_t k = 0; k < mp->n_points && mp->order.path; k++) {
		uint16_t p = mp->order.path[k];
		jw_obj(w, NULL);
		jw_uint(w, "point", (uint64_t)k + 1);
		jw_str(w, "name", mp_label(mp, p));
		jw_str(w, "file", multipoint_point_name(mp, p));
		jw_uint(w, "input_order", (uint64_t)p + 1);
		jw_bool(w, "signalling_only", mp->points[p].sip_only);
		if (k + 1 < mp->n_points)
			jw_bool(w, "order_to_next_known", mp->order.adj_ev[k] != 0);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	char buf[512];
	mp_order_text(mp, buf, sizeof(buf));
	jw_str(w, "ordered_by", buf);
	if (mp->order.note[0])
		jw_str(w, "order_note", mp->order.note);
	else
		jw_null(w, "order_note");
}

void report_multipoint_text(FILE *f, const struct multipoint *mp, const struct mp_group *g,
			    const struct text_style *st)
{
	fprintf(f, "%s%s%s\n", st->color ? "\033[1m" : "", g->call_id, st->color ? "\033[0m" : "");
	if (g->flip)
		fputs("  this call runs the other way: its caller is at the path's far end\n", f);
	report_finding_list_text(f, &g->findings, g->origin, st);
	for (unsigned i = 0; i < g->n; i++) {
		const struct mp_call *c = g->at[i];
		const struct mp_clock *k = &g->clock[i];
		fprintf(f, "  point %u %s (%s): call %u", mp_no(mp, c->point), mp_label(mp, c->point),
			multipoint_point_name(mp, c->point), c->index);
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
		fputs("  changed between neighbouring points\n", f);
		for (unsigned i = 0; i < g->n_diffs; i++) {
			const struct mp_diff *d = &g->diffs[i];
			fprintf(f, "    %s's %s (CSeq %u): %-8s %s (%s, frame %" PRIu64 ") -> %s (%s, frame %" PRIu64 ")\n",
				d->from == PARTY_A ? "caller" : "callee", d->message, d->cseq, d->field, d->value_a,
				mp_label(mp, d->point_a), d->frame_a, d->value_b, mp_label(mp, d->point_b), d->frame_b);
		}
		if (g->diffs_dropped)
			fprintf(f, "    (%u more differences)\n", g->diffs_dropped);
	} else {
		fputs("  SIP and SDP the same at every point\n", f);
	}
	fputs("  media per point, from the sender's side (times on the reference clock)\n", f);
	for (unsigned m = 0; m < g->n_media; m++) {
		const struct mp_media *md = &g->media[m];
		fprintf(f, "    %s  SSRC 0x%08X\n", dir_str(md->dir), md->ssrc);
		const struct mp_call *seq[MP_MAX_POINTS + 1];
		mp_group_from(g, md->dir, seq);
		for (unsigned k = 0; k < g->n; k++) {
			uint16_t p = seq[k]->point;
			const struct mp_stream *s = mp_media_at(md, p);
			if (mp->points[p].sip_only) {
				fprintf(f, "      point %u %s: a log, signalling only\n", mp_no(mp, p), mp_label(mp, p));
				continue;
			}
			if (!s) {
				fprintf(f, "      point %u %s: none\n", mp_no(mp, p), mp_label(mp, p));
				continue;
			}
			double off = mp_group_clock(g, p);
			char a[ADDR_STRLEN + 10], b[ADDR_STRLEN + 10];
			endpoint_str(&s->src, a, sizeof(a));
			endpoint_str(&s->dst, b, sizeof(b));
			fprintf(f, "      point %u %s: %u packets %+.3f..%+.3f s (frames %" PRIu64 "-%" PRIu64 ")  %s -> %s",
				mp_no(mp, p), mp_label(mp, p), s->packets, (double)(s->first_ts - g->origin) / 1e9 - off,
				(double)(s->last_ts - g->origin) / 1e9 - off, s->first_frame, s->last_frame, a, b);
			if (s->pairs > 1)
				fprintf(f, " and %u more address pair%s", s->pairs - 1, s->pairs > 2 ? "s" : "");
			fputc('\n', f);
		}
	}
	if (!g->n_media)
		fputs("    no RTP at any point\n", f);
	fputc('\n', f);
}

void report_multipoint_json(struct jw *w, const struct multipoint *mp, const struct mp_group *g)
{
	jw_obj(w, NULL);
	jw_str(w, "call_id", g->call_id);
	jw_time(w, "start", g->origin);
	jw_arr(w, "path");
	for (unsigned i = 0; i < g->n; i++)
		jw_str(w, NULL, mp_label(mp, g->at[i]->point));
	jw_arr_end(w);
	jw_bool(w, "caller_at_far_end", g->flip);
	jw_arr(w, "breaks");
	for (unsigned i = 0; i < g->n_breaks; i++) {
		const struct mp_break *b = &g->breaks[i];
		jw_obj(w, NULL);
		jw_str(w, "kind", b->kind == MP_BREAK_SIP ? "sip" : b->kind == MP_BREAK_MEDIA ? "rtp" : "rewrite");
		if (b->kind == MP_BREAK_REWRITE)
			jw_null(w, "from");
		else
			jw_str(w, "from", party_str(b->from));
		/* the two neighbours, the one nearer the sender first */
		jw_arr(w, "between");
		jw_str(w, NULL, mp_label(mp, b->a));
		jw_str(w, NULL, mp_label(mp, b->b));
		jw_arr_end(w);
		uint16_t nos[2] = { (uint16_t)mp_no(mp, b->a), (uint16_t)mp_no(mp, b->b) };
		jw_uint_list(w, "between_points", nos, 2);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_arr(w, "points");
	for (unsigned i = 0; i < g->n; i++) {
		const struct mp_call *c = g->at[i];
		const struct mp_clock *k = &g->clock[i];
		jw_obj(w, NULL);
		jw_uint(w, "point", mp_no(mp, c->point));
		jw_str(w, "name", mp_label(mp, c->point));
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
		jw_uint(w, "point_a", mp_no(mp, d->point_a));
		jw_uint(w, "frame_a", d->frame_a);
		jw_str(w, "value_a", d->value_a);
		jw_uint(w, "point_b", mp_no(mp, d->point_b));
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
			jw_uint(w, "point", mp_no(mp, p));
			jw_bool(w, "signalling_only", mp->points[p].sip_only);
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
