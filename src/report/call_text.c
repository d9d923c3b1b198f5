/* SPDX-License-Identifier: MIT */
/* Text rendering of calls for a terminal or a ticket: who called whom, how it
 * ended, the SIP ladder with SDP summaries, one line per media direction and an
 * activity strip per direction across the call's time. */
#include <inttypes.h>
#include <string.h>

#include "analyze/emodel.h"
#include "calls/calls.h"
#include "report/audio_report.h"
#include "report/call_report.h"
#include "report/findings_report.h"
#include "report/ladder_rtp.h"
#include "report/raw_message.h"

#define BOLD "\033[1m"
#define RED "\033[31m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define DIM "\033[2m"
#define RESET "\033[0m"

static const char *col(const struct text_style *st, const char *c)
{
	return st->color ? c : "";
}

static double rel(int64_t ts, int64_t origin)
{
	return (double)(ts - origin) / 1e9;
}

static void put_utc_text(FILE *f, int64_t ns)
{
	char buf[56];
	format_utc_readable(buf, sizeof(buf), ns);
	fputs(buf, f);
}

static void sdp_summary(FILE *f, const struct sdp_rec *r)
{
	fprintf(f, "SDP %s", r->kind == SDP_OFFER ? "offer" : "answer");
	for (unsigned i = 0; i < r->n_media; i++) {
		const struct sdp_media_rec *m = &r->media[i];
		char ep[ADDR_STRLEN + 10];
		if (m->rtp.addr.family)
			endpoint_str(&m->rtp, ep, sizeof(ep));
		else
			snprintf(ep, sizeof(ep), "%s:%u", m->addr_text[0] ? m->addr_text : "?", m->rtp.port);
		fprintf(f, "%s %s %s %s", i ? ";" : ":", m->type, ep, sdp_media_dir_str(m));
		for (unsigned k = 0; k < m->n_codecs && k < 4; k++)
			fprintf(f, "%s%s", k ? "," : " ", m->codecs[k].name);
		if (m->n_codecs > 4)
			fputs(",...", f);
		if (m->rtcp_mux)
			fputs(" rtcp-mux", f);
	}
}

/* An RTP row of the ladder: a stream's first packet, a silence, its last packet. */
static void rtp_line(FILE *f, const struct call *c, const struct ladder_rtp *r, const struct text_style *st)
{
	const char *arrow = r->s->dir == PARTY_A ? "caller --> callee" : r->s->dir == PARTY_B ? "caller <-- callee"
											       : "      RTP       ";
	char label[160], src[ADDR_STRLEN + 10], dst[ADDR_STRLEN + 10];
	ladder_rtp_label(r, label, sizeof(label));
	endpoint_str(&r->s->src, src, sizeof(src));
	endpoint_str(&r->s->dst, dst, sizeof(dst));
	bool gap = r->kind == LRTP_GAP;
	fprintf(f, "    %+11.6f %7" PRIu64 "  %s  %s%s%s  %s -> %s", rel(r->ts, c->start_ts), r->frame, arrow,
		col(st, gap ? YELLOW : DIM), label, col(st, RESET), src, dst);
	if (gap)
		fprintf(f, ", until %s %" PRIu64, style_unit(st), r->frame_after);
	fputc('\n', f);
}

static void ladder(FILE *f, const struct call *c, const struct text_style *st)
{
	char a[ADDR_STRLEN + 10], b[ADDR_STRLEN + 10];
	endpoint_str(&c->a_sig, a, sizeof(a));
	endpoint_str(&c->b_sig, b, sizeof(b));
	fprintf(f, "  %sSIP%s (caller %s, callee %s)\n", col(st, BOLD), col(st, RESET), a, b);
	struct ladder_rtp rtp[LADDER_RTP_MAX];
	unsigned rtp_left = 0, nr = ladder_rtp_rows(c, rtp, LADDER_RTP_MAX, &rtp_left), ri = 0;
	for (uint32_t i = 0; i < c->n_msgs; i++) {
		const struct msg_rec *m = &c->msgs[i];
		for (; ri < nr && rtp[ri].ts < m->ts; ri++)
			rtp_line(f, c, &rtp[ri], st);
		char label[80];
		if (m->request)
			snprintf(label, sizeof(label), "%s", m->method);
		else
			snprintf(label, sizeof(label), "%u %s", m->status, m->reason_phrase);
		const char *arrow = m->from == PARTY_A ? "caller --> callee" : "caller <-- callee";
		bool bad = !m->request && m->status >= 400;
		fprintf(f, "    %+11.6f %7" PRIu64 "  %s  %s%-24.24s%s", rel(m->ts, c->start_ts), m->frame,
			arrow, bad ? col(st, RED) : "", label, bad ? col(st, RESET) : "");
		if (!m->request)
			fprintf(f, " (%s)", m->method);
		if (m->retrans)
			fprintf(f, " %s(retransmission)%s", col(st, YELLOW), col(st, RESET));
		else if (m->copy == COPY_OTHER_HOP)
			fputs(" (same message, another hop)", f);
		else if (m->copy == COPY_DUPLICATE)
			fputs(" (duplicate packet)", f);
		if (m->sdp >= 0) {
			fputs("  ", f);
			sdp_summary(f, &c->sdp[m->sdp]);
		}
		fputc('\n', f);
	}
	for (; ri < nr; ri++)
		rtp_line(f, c, &rtp[ri], st);
	if (c->msgs_total > c->n_msgs)
		fprintf(f, "    ... %" PRIu32 " more messages not kept\n", c->msgs_total - c->n_msgs);
	if (rtp_left)
		fprintf(f, "    ... %u more RTP rows (silences, streams) not shown\n", rtp_left);
}

void report_stream_text(FILE *f, const struct stream *s, int64_t origin, const struct text_style *st)
{
	char src[ADDR_STRLEN + 10], dst[ADDR_STRLEN + 10], codec[24];
	endpoint_str(&s->src, src, sizeof(src));
	endpoint_str(&s->dst, dst, sizeof(dst));
	stream_codec_name(s, codec, sizeof(codec));
	const char *dir = s->dir == PARTY_A ? "caller -> callee" :
			  s->dir == PARTY_B ? "callee -> caller" : "unknown";
	fprintf(f, "    %s%s%s  %s -> %s  SSRC 0x%08" PRIX32 "  %s (PT %u)", col(st, BOLD), dir,
		col(st, RESET), src, dst, s->ssrc, codec, s->first_pt);
	if (s->bound_by == BIND_LATCH || s->bound_by == BIND_SDP_SRC || s->bound_by == BIND_TURN)
		fprintf(f, "  [bound by %s]", stream_binding_str(s->bound_by));
	fputc('\n', f);
	int64_t lost = stream_lost(s);
	int64_t exp = stream_expected(s);
	fprintf(f, "      %" PRIu32 " packets %+.3f..%+.3f s (frames %" PRIu64 "-%" PRIu64 "), lost %" PRId64
		   " (%.1f%%)",
		s->packets, rel(s->first_ts, origin), rel(s->last_ts, origin), s->first_frame, s->last_frame,
		lost, exp > 0 ? 100.0 * (double)lost / (double)exp : 0.0);
	if (s->duplicates)
		fprintf(f, ", %" PRIu32 " duplicates", s->duplicates);
	if (s->out_of_order)
		fprintf(f, ", %" PRIu32 " late/out of order", s->out_of_order);
	if (s->packets > 1)
		fprintf(f, "; delta min %.1f mean %.1f max %.1f ms (frame %" PRIu64 ")", s->min_delta_ms,
			stream_mean_delta_ms(s), s->max_delta_ms, s->max_delta_frame);
	if (s->min_jitter_ms >= 0)
		fprintf(f, "; jitter mean %.2f max %.2f ms", stream_mean_jitter_ms(s), s->max_jitter_ms);
	struct quality q;
	emodel_stream(s, codec, &q);
	if (q.valid && !(s->event_pt >= 0 && s->first_pt == s->event_pt))
		fprintf(f, "; MOS %.2f (R %.0f%s)", q.mos, q.r, q.codec_assumed ? ", codec value assumed" : "");
	fputc('\n', f);
	for (uint32_t i = 0; i < s->n_gaps && i < STREAM_MAX_GAPS; i++) {
		const struct gap_rec *g = &s->gaps[i];
		fprintf(f, "      %sgap%s %.3f s: %+.3f..%+.3f (frames %" PRIu64 "-%" PRIu64 ")\n", col(st, YELLOW),
			col(st, RESET), (double)(g->end - g->start) / 1e9, rel(g->start, origin), rel(g->end, origin),
			g->frame_before, g->frame_after);
	}
	if (s->n_gaps > STREAM_MAX_GAPS)
		fprintf(f, "      ... %" PRIu32 " gaps in all\n", s->n_gaps);
	for (uint32_t i = 0; i < s->n_pt_changes && i < STREAM_MAX_PT_CHANGES; i++)
		fprintf(f, "      payload type %u -> %u at %+.3f (frame %" PRIu64 ")\n", s->pt_changes[i].from,
			s->pt_changes[i].to, rel(s->pt_changes[i].ts, origin), s->pt_changes[i].frame);
	if (s->n_events) {
		fputs("      DTMF (RFC 4733):", f);
		for (uint32_t i = 0; i < s->n_events && i < STREAM_MAX_EVENTS; i++)
			fprintf(f, " %c@%+.2f", s->events[i].digit, rel(s->events[i].ts, origin));
		fputc('\n', f);
	}
	if (s->comfort_noise || s->markers > 1 || s->ttl_changes || s->seq_jumps)
		fprintf(f, "      %" PRIu32 " comfort noise, %" PRIu32 " marker bits, TTL %u->%u (%" PRIu32
			   " changes), %" PRIu32 " sequence restarts\n",
			s->comfort_noise, s->markers, s->first_ttl, s->last_ttl, s->ttl_changes, s->seq_jumps);
	report_stream_audio_text(f, s);
	if (s->rtcp.reports) {
		fprintf(f, "      RTCP from the receiver: %" PRIu32 " reports, loss last %.1f%% max %.1f%%, "
			   "cumulative %" PRId32,
			s->rtcp.reports, s->rtcp.last_fraction_lost * 100.0 / 256, s->rtcp.max_fraction_lost * 100.0 / 256,
			s->rtcp.last_cum_lost);
		if (s->clock)
			fprintf(f, ", jitter max %.1f ms", s->rtcp.max_jitter * 1000.0 / s->clock);
		if (s->rtcp.max_rtt_ms >= 0 && s->rtcp.max_rtt_ms > 0)
			fprintf(f, ", RTT max %.1f ms", s->rtcp.max_rtt_ms);
		fputc('\n', f);
	}
}

/* Packets of all streams of one direction in [t0, t1). */
static double packets_in(const struct call *c, uint8_t dir, int64_t t0, int64_t t1)
{
	double n = 0;
	for (const struct stream *s = c->streams; s; s = s->next) {
		if (s->dir != dir)
			continue;
		for (uint32_t i = 0; i < s->n_bins; i++) {
			int64_t mid = s->bin_origin + (int64_t)i * s->bin_ns + s->bin_ns / 2;
			if (mid >= t0 && mid < t1)
				n += s->bins[i];
		}
	}
	return n;
}

/* Packets per second of the busiest stream of a direction while it ran. */
static double full_rate(const struct call *c, uint8_t dir)
{
	const struct stream *best = NULL;
	for (const struct stream *s = c->streams; s; s = s->next)
		if (s->dir == dir && s->packets > 1 && (!best || s->packets > best->packets))
			best = s;
	if (!best || best->last_ts <= best->first_ts)
		return 0;
	double mean_ms = stream_mean_delta_ms(best);
	return mean_ms > 0 ? 1000.0 / mean_ms : 0;
}

static void strip(FILE *f, const struct call *c, const struct text_style *st, int64_t t0, int64_t t1)
{
	unsigned w = st->strip_width ? st->strip_width : 64;
	int64_t span = t1 - t0;
	if (span <= 0)
		return;
	/* whole 100 ms bins per column, so columns do not alias the bins */
	int64_t colw = ((span / w) / 100000000LL + 1) * 100000000LL;
	w = (unsigned)((span + colw - 1) / colw);
	if (w == 0)
		w = 1;
	fprintf(f, "  %sactivity%s %+.1f..%+.1f s, %.2f s per column ('#' full rate, ':' reduced, '.' trickle, ' ' none)\n",
		col(st, BOLD), col(st, RESET), 0.0, rel(t1, t0), (double)colw / 1e9);
	for (uint8_t dir = PARTY_A; dir <= PARTY_B; dir++) {
		double rate = full_rate(c, dir);
		fprintf(f, "    %s |", dir == PARTY_A ? "caller -> callee" : "callee -> caller");
		for (unsigned i = 0; i < w; i++) {
			int64_t a = t0 + (int64_t)i * colw;
			double n = packets_in(c, dir, a, a + colw);
			double full = rate * (double)colw / 1e9;
			char ch = ' ';
			if (n > 0)
				ch = (full > 0 && n >= 0.75 * full) ? '#' : (full > 0 && n >= 0.25 * full) ? ':' : '.';
			fputc(ch, f);
		}
		fputs("|\n", f);
	}
	/* SIP events on the same time axis; hold periods as '~' */
	char line[512];
	unsigned n = w < sizeof(line) - 1 ? w : sizeof(line) - 1;
	memset(line, ' ', n);
	line[n] = '\0';
	bool held = false;
	int64_t hold_from = 0;
	for (uint32_t i = 0; i < c->n_sdp; i++) {
		bool h = sdp_rec_is_hold(&c->sdp[i]);
		if (h && !held) {
			held = true;
			hold_from = c->sdp[i].ts;
		} else if (!h && held && c->sdp[i].kind == SDP_OFFER) {
			for (int64_t x = (hold_from - t0) / colw; x <= (c->sdp[i].ts - t0) / colw && x < n; x++)
				if (x >= 0)
					line[x] = '~';
			held = false;
		}
	}
	if (held)
		for (int64_t x = (hold_from - t0) / colw; x < n; x++)
			if (x >= 0)
				line[x] = '~';
	for (uint32_t i = 0; i < c->n_msgs; i++) {
		const struct msg_rec *m = &c->msgs[i];
		if (!msg_is_first(m))
			continue;
		char ch = 0;
		if (m->request) {
			if (!strcmp(m->method, "INVITE"))
				ch = i == 0 ? 'I' : 'R';
			else if (!strcmp(m->method, "BYE"))
				ch = 'B';
			else if (!strcmp(m->method, "CANCEL"))
				ch = 'C';
			else if (!strcmp(m->method, "UPDATE"))
				ch = 'U';
		} else if (!strcmp(m->method, "INVITE") && m->status >= 200 && m->status < 300) {
			ch = 'A';
		} else if (m->status >= 300 && !strcmp(m->method, "INVITE")) {
			ch = 'x';
		}
		int64_t x = (m->ts - t0) / colw;
		if (ch && x >= 0 && x < n && (line[x] == ' ' || line[x] == '~'))
			line[x] = ch;
	}
	fprintf(f, "    %-16s |%s|\n", "SIP", line);
	fputs("    (I INVITE, A answer, R re-INVITE, U UPDATE, B BYE, C CANCEL, x failure, ~ on hold)\n", f);
}

void report_call_text(FILE *f, const struct call *c, unsigned index, const struct text_style *st,
		      const struct findings *fs, const struct walk *w)
{
	const char *state_col = c->state == CALL_FAILED ? RED : c->state == CALL_ENDED ? GREEN : YELLOW;
	fprintf(f, "%scall %u%s  %s  [%s%s", col(st, BOLD), index, col(st, RESET), c->call_id,
		col(st, state_col), call_state_str(c->state));
	if (c->final_status)
		fprintf(f, " %u", c->final_status);
	fprintf(f, "%s]\n", col(st, RESET));
	char a[ADDR_STRLEN + 10], b[ADDR_STRLEN + 10];
	endpoint_str(&c->a_sig, a, sizeof(a));
	endpoint_str(&c->b_sig, b, sizeof(b));
	for (uint8_t p = PARTY_A; p <= PARTY_B; p++) {
		char contact[sizeof(c->msgs[0].contact)];
		fprintf(f, "  %s %s (%s%s%s)\n", p == PARTY_A ? "from" : "to  ", p == PARTY_A ? (c->a_uri[0] ? c->a_uri : "?")
			: (c->b_uri[0] ? c->b_uri : "?"), p == PARTY_A ? a : b, (p == PARTY_A ? c->a_ua : c->b_ua)[0] ? ", " : "",
			p == PARTY_A ? c->a_ua : c->b_ua);
		if (call_party_contact(c, p, contact, sizeof(contact)))
			fprintf(f, "       Contact %s: another address than %s, where its messages came from\n", contact,
				p == PARTY_A ? a : b);
	}
	fputs("  start ", f);
	put_utc_text(f, c->start_ts);
	fprintf(f, " (%s %" PRIu64 ")", style_unit(st), c->start_frame);
	if (c->mid_call_start)
		fputs(" -- the capture began after the INVITE", f);
	fputc('\n', f);
	if (c->answer_ts)
		fprintf(f, "  answered %+.3f s (%s %" PRIu64 ")", rel(c->answer_ts, c->start_ts), style_unit(st),
			c->answer_frame);
	else
		fputs("  not answered", f);
	if (c->state == CALL_ENDED) {
		fprintf(f, ", ended %+.3f s by the %s (BYE, %s %" PRIu64 ")", rel(c->end_ts, c->start_ts),
			party_str(c->ended_by), style_unit(st), c->end_frame);
		if (c->bye_status)
			fprintf(f, ", BYE answered %u", c->bye_status);
		else
			fputs(", BYE never answered", f);
	} else if (c->state == CALL_FAILED || c->state == CALL_CANCELLED) {
		fprintf(f, ", %s %+.3f s with %u (%s %" PRIu64 ")",
			c->state == CALL_CANCELLED ? "cancelled" : "failed", rel(c->end_ts, c->start_ts),
			c->final_status, style_unit(st), c->end_frame);
	}
	fputc('\n', f);
	if (c->bye_reason[0])
		fprintf(f, "  reason: %s\n", c->bye_reason);
	if (c->answer_ts && c->state == CALL_ENDED)
		fprintf(f, "  talk time %.3f s\n", rel(c->end_ts, c->answer_ts));
	fprintf(f, "  %" PRIu32 " SIP messages, %" PRIu32 " retransmissions", c->msgs_total, c->retrans);
	if (c->hop_copies)
		fprintf(f, ", %" PRIu32 " seen again on another hop", c->hop_copies);
	if (c->duplicates)
		fprintf(f, ", %" PRIu32 " duplicate packets", c->duplicates);
	if (c->answered_tags > 1)
		fprintf(f, ", %" PRIu32 " forks answered", c->answered_tags);
	else if (c->early_tags > 1)
		fprintf(f, ", %" PRIu32 " early dialogs (forked)", c->early_tags);
	if (c->session_expires)
		fprintf(f, ", Session-Expires %" PRIu32 " s", c->session_expires);
	fputc('\n', f);
	for (unsigned i = 0; i < c->n_links; i++)
		fprintf(f, "  other leg (B2BUA): %s\n", c->links[i]);
	if (w && (w->capture_loss.windows || w->capture_loss.older)) {
		fputs(w->capture_loss.wide ? "  capture: dropped packets itself in a stretch of time that holds this call (its "
					     "statistics say how many, not when)"
				   : "  capture: dropped packets itself while this call was up",
		      f);
		if (w->capture_loss.dropped)
			fprintf(f, " (%" PRIu64 " in all)", w->capture_loss.dropped);
		fputs(": the loss and MOS of its streams are not the network's, not to be trusted\n", f);
	}
	if (fs && w)
		report_findings_text(f, c, fs, w, st);
	ladder(f, c, st);
	report_messages_text(f, c, st);
	fprintf(f, "  %smedia%s", col(st, BOLD), col(st, RESET));
	if (!c->streams)
		fputs(": no RTP seen", f);
	fputc('\n', f);
	const struct stream *v[192];
	unsigned n = call_streams_ordered(c, v, 192);
	for (unsigned i = 0; i < n; i++)
		report_stream_text(f, v[i], c->start_ts, st);
	int64_t end = c->end_ts > c->last_sip_ts ? c->end_ts : c->last_sip_ts;
	for (const struct stream *s = c->streams; s; s = s->next)
		if (s->last_ts > end)
			end = s->last_ts;
	if (end > c->start_ts)
		strip(f, c, st, c->start_ts, end);
	fputc('\n', f);
}
