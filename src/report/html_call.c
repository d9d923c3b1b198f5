/* SPDX-License-Identifier: MIT */
/* HTML rendering of one call. Every string taken from the capture (URIs,
 * User-Agents, reason phrases, Reason headers, Call-IDs, explanations that
 * quote them) goes through the escaper in html.c. */
#include "report/html_call.h"

#include <inttypes.h>
#include <string.h>

#include "analyze/emodel.h"
#include "calls/calls.h"
#include "report/call_report.h"
#include "report/html.h"
#include "report/html_ladder.h"
#include "report/html_message.h"
#include "report/html_timeline.h"
#include "report/json.h"

static double rel(int64_t ts, int64_t origin)
{
	return (double)(ts - origin) / 1e9;
}

static const char *sev_class(enum severity s)
{
	return s == SEV_CRITICAL ? "critical" : s == SEV_WARNING ? "warning" : "info";
}

void html_call_id(char *buf, size_t cap, uint16_t point, unsigned index)
{
	snprintf(buf, cap, "p%u-c%u", point + 1u, index);
}

static void utc(FILE *f, int64_t ns)
{
	char buf[56];
	format_utc_readable(buf, sizeof(buf), ns);
	fprintf(f, "<time>%s</time>", buf);
}

static void party_line(FILE *f, const struct call *c, uint8_t p, const char *label, const char *uri,
		       const struct endpoint *sig, const char *ua)
{
	char ep[ADDR_STRLEN + 10];
	endpoint_str(sig, ep, sizeof(ep));
	fprintf(f, "<tr><th>%s</th><td><span class=\"uri\">", label);
	html_str(f, uri[0] ? uri : "?");
	fputs("</span> <span class=\"mono\">", f);
	html_str(f, sig->addr.family ? ep : "");
	fputs("</span>", f);
	if (ua[0]) {
		fputs(" <span class=\"ua\">", f);
		html_str(f, ua);
		fputs("</span>", f);
	}
	char contact[sizeof(c->msgs[0].contact)];
	if (call_party_contact(c, p, contact, sizeof(contact))) {
		fputs("<br>Contact <span class=\"mono\">", f);
		html_str(f, contact);
		fputs("</span>: another address than the one its messages came from", f);
	}
	fputs("</td></tr>\n", f);
}

static void header(FILE *f, const struct call *c, unsigned index, const struct findings *fs, const struct walk *w,
		   const char *unit)
{
	enum severity worst = SEV_INFO;
	bool any = false;
	for (unsigned i = 0; fs && i < fs->n; i++) {
		if (!any || fs->f[i].sev > worst)
			worst = fs->f[i].sev;
		any = true;
	}
	fprintf(f, "<header class=\"callhead\"><h2><span class=\"n\">Call %u</span> <span class=\"callid\">", index);
	html_str(f, c->call_id);
	fprintf(f, "</span> <span class=\"state %s\">%s", call_state_str(c->state), call_state_str(c->state));
	if (c->final_status)
		fprintf(f, " %u", c->final_status);
	fputs("</span>", f);
	if (any)
		fprintf(f, " <span class=\"verdict %s\">%s</span>", sev_class(worst),
			worst == SEV_CRITICAL ? "broken" : worst == SEV_WARNING ? "problems" : "notes");
	else if (fs)
		fputs(" <span class=\"verdict fine\">no problems found</span>", f);
	fputs("</h2>\n<table class=\"facts\">\n", f);
	party_line(f, c, PARTY_A, "caller", c->a_uri, &c->a_sig, c->a_ua);
	party_line(f, c, PARTY_B, "callee", c->b_uri, &c->b_sig, c->b_ua);
	fputs("<tr><th>start</th><td>", f);
	utc(f, c->start_ts);
	fprintf(f, " (%s %" PRIu64 ")%s</td></tr>\n", unit, c->start_frame,
		c->mid_call_start ? " &mdash; the capture began after the INVITE" : "");
	fputs("<tr><th>course</th><td>", f);
	if (c->answer_ts)
		fprintf(f, "answered at %+.3f s (%s %" PRIu64 ")", rel(c->answer_ts, c->start_ts), unit, c->answer_frame);
	else
		fputs("not answered", f);
	if (c->state == CALL_ENDED) {
		fprintf(f, "; ended at %+.3f s by the %s (BYE, %s %" PRIu64 ")", rel(c->end_ts, c->start_ts),
			party_str(c->ended_by), unit, c->end_frame);
		if (c->bye_status)
			fprintf(f, ", BYE answered %u", c->bye_status);
		else
			fputs(", BYE never answered", f);
		if (c->answer_ts)
			fprintf(f, "; talk time %.3f s", rel(c->end_ts, c->answer_ts));
	} else if (c->state == CALL_FAILED || c->state == CALL_CANCELLED) {
		fprintf(f, "; %s at %+.3f s with %u (%s %" PRIu64 ")", c->state == CALL_CANCELLED ? "cancelled" : "failed",
			rel(c->end_ts, c->start_ts), c->final_status, unit, c->end_frame);
	}
	fputs("</td></tr>\n", f);
	if (c->bye_reason[0]) {
		fputs("<tr><th>reason</th><td class=\"mono\">", f);
		html_str(f, c->bye_reason);
		fputs("</td></tr>\n", f);
	}
	fprintf(f, "<tr><th>SIP</th><td>%" PRIu32 " messages, %" PRIu32 " retransmissions", c->msgs_total, c->retrans);
	if (c->answered_tags > 1)
		fprintf(f, ", %" PRIu32 " forks answered", c->answered_tags);
	else if (c->early_tags > 1)
		fprintf(f, ", %" PRIu32 " early dialogs (forked)", c->early_tags);
	if (c->session_expires)
		fprintf(f, ", Session-Expires %" PRIu32 " s", c->session_expires);
	fputs("</td></tr>\n", f);
	for (unsigned i = 0; i < c->n_links; i++) {
		fputs("<tr><th>other leg</th><td class=\"mono\">", f);
		html_str(f, c->links[i]);
		fputs(" (B2BUA)</td></tr>\n", f);
	}
	if (w && (w->capture_loss.windows || w->capture_loss.older)) {
		fputs(w->capture_loss.wide ? "<tr><th>capture</th><td>dropped packets itself in a stretch of time that holds "
					     "this call (its statistics say how many, not when)"
				   : "<tr><th>capture</th><td>dropped packets itself while this call was up",
		      f);
		if (w->capture_loss.dropped)
			fprintf(f, " (%" PRIu64 " in all)", w->capture_loss.dropped);
		fputs(": the loss and MOS of its streams are not the network's, not to be trusted</td></tr>\n", f);
	}
	fputs("</table></header>\n", f);
}

static void evidence_link(FILE *f, const struct call *c, const char *idp, unsigned fi, unsigned k,
			  const struct evidence *e, const char *unit)
{
	int row = html_ladder_row_of_frame(c, e->frame);
	if (row >= 0)
		fprintf(f, "<a class=\"evref\" href=\"#%s-m%d\">", idp, row);
	else if (e->ts)
		fprintf(f, "<a class=\"evref\" href=\"#%s-e%u-%u\">", idp, fi, k);
	else
		fputs("<a class=\"evref nolink\">", f);
	fprintf(f, "%s %" PRIu64, unit, e->frame);
	if (e->iface[0]) {
		fputs(" (", f);
		html_str(f, e->iface);
		fputc(')', f);
	}
	fprintf(f, "</a> <span class=\"evt\">%+.3f s", rel(e->ts, c->start_ts));
	if (e->point)
		fprintf(f, ", capture point %u", e->point + 1u);
	fputs("</span> ", f);
	html_str(f, e->what);
	int msg = html_message_of_frame(c, e->frame);
	if (msg >= 0)
		fprintf(f, " <a class=\"msgref\" href=\"#%s-r%d\">message</a>", idp, msg);
}

void html_finding(FILE *f, const struct finding *fd, unsigned i, const char *idp, bool timeline, int64_t origin,
		  void (*evidence)(FILE *f, void *ctx, unsigned fi, unsigned k, const struct evidence *e), void *ctx)
{
	fprintf(f, "<div class=\"finding %s\" id=\"%s-f%u\">\n<div class=\"fhead\"><span class=\"sev %s\">%s</span> "
		   "<span class=\"fid\">",
		sev_class(fd->sev), idp, i, sev_class(fd->sev), severity_str(fd->sev));
	html_str(f, fd->id);
	fputs("</span> <span class=\"ftitle\">", f);
	html_str(f, fd->title);
	fputs("</span>", f);
	if (fd->at && timeline)
		fprintf(f, " <a class=\"when\" href=\"#%s-t%u\">at %+.3f s</a>", idp, i, rel(fd->at, origin));
	else if (fd->at)
		fprintf(f, " <span class=\"when\">at %+.3f s</span>", rel(fd->at, origin));
	fputs("</div>\n", f);
	if (fd->explanation[0]) {
		fputs("<p class=\"explain\">", f);
		html_str(f, fd->explanation);
		fputs("</p>\n", f);
	}
	if (fd->n_ev) {
		fputs("<ul class=\"evidence\">\n", f);
		for (unsigned k = 0; k < fd->n_ev; k++) {
			fputs("<li>", f);
			evidence(f, ctx, i, k, &fd->ev[k]);
			fputs("</li>\n", f);
		}
		fputs("</ul>\n", f);
	}
	if (fd->recommendation[0]) {
		fputs("<p class=\"fix\"><strong>What to change:</strong> ", f);
		html_str(f, fd->recommendation);
		fputs("</p>\n", f);
	}
	fputs("</div>\n", f);
}

struct ev_ctx {
	const struct call *c;
	const char *idp;
	const char *unit;
};

static void call_evidence(FILE *f, void *ctx, unsigned fi, unsigned k, const struct evidence *e)
{
	const struct ev_ctx *x = ctx;
	evidence_link(f, x->c, x->idp, fi, k, e, x->unit);
}

static void findings(FILE *f, const struct call *c, const char *idp, const struct findings *fs, const struct walk *w,
		     const char *unit)
{
	fputs("<section class=\"findings\"><h3>Findings</h3>\n", f);
	if (w && w->headline[0]) {
		fputs("<p class=\"headline\">", f);
		html_str(f, w->headline);
		fputs("</p>\n", f);
	}
	if (!fs->n) {
		fputs("<p class=\"none\">None: nothing in this call matched a rule of the findings catalog.</p>\n", f);
	}
	struct ev_ctx ctx = { c, idp, unit };
	for (unsigned i = 0; i < fs->n; i++)
		html_finding(f, &fs->f[i], i, idp, true, c->start_ts, call_evidence, &ctx);
	if (fs->dropped)
		fprintf(f, "<p class=\"note\">%u more findings not shown.</p>\n", fs->dropped);
	if (w && w->present) {
		fputs("<details class=\"walk\" open><summary>Diagnostic walk</summary><ol>\n", f);
		for (int q = 0; q < WALK_QUESTIONS; q++) {
			fprintf(f, "<li%s><span class=\"q\">", w->known[q] ? "" : " class=\"unknown\"");
			html_str(f, walk_questions[q]);
			fputs("</span> ", f);
			html_str(f, w->answer[q]);
			fputs("</li>\n", f);
		}
		fputs("</ol></details>\n", f);
	}
	fputs("</section>\n", f);
}

void html_call_stream_head(FILE *f)
{
	fputs("<tr><th>direction</th><th>from &rarr; to</th><th>SSRC</th><th>codec</th><th>packets</th>"
	      "<th>time</th><th>lost</th><th>delta max</th><th>jitter mean / max</th><th>MOS</th><th>gaps</th><th>notes</th></tr>\n",
	      f);
}

void html_call_stream_row(FILE *f, const struct stream *s, int64_t origin)
{
	char src[ADDR_STRLEN + 10], dst[ADDR_STRLEN + 10], codec[24];
	endpoint_str(&s->src, src, sizeof(src));
	endpoint_str(&s->dst, dst, sizeof(dst));
	stream_codec_name(s, codec, sizeof(codec));
	const char *dir = s->dir == PARTY_A ? "caller &rarr; callee" : s->dir == PARTY_B ? "callee &rarr; caller" : "unknown";
	int64_t lost = stream_lost(s), exp = stream_expected(s);
	double pct = exp > 0 ? 100.0 * (double)lost / (double)exp : 0.0;
	fprintf(f, "<tr class=\"%s\"><td>%s</td><td class=\"mono\">%s &rarr; %s</td><td class=\"mono\">0x%08" PRIX32
		   "</td><td>",
		s->dir == PARTY_A ? "a" : s->dir == PARTY_B ? "b" : "u", dir, src, dst, s->ssrc);
	html_str(f, codec);
	fprintf(f, " (%u)</td><td class=\"num\">%" PRIu32 "</td><td class=\"num\">%+.3f..%+.3f s</td>", s->first_pt,
		s->packets, rel(s->first_ts, origin), rel(s->last_ts, origin));
	fprintf(f, "<td class=\"num%s\">%" PRId64 " (%.1f%%)</td>", pct >= 1 ? " bad" : "", lost, pct);
	if (s->packets > 1)
		fprintf(f, "<td class=\"num\">%.1f ms</td>", s->max_delta_ms);
	else
		fputs("<td></td>", f);
	if (s->min_jitter_ms >= 0)
		fprintf(f, "<td class=\"num\">%.2f / %.2f ms</td>", stream_mean_jitter_ms(s), s->max_jitter_ms);
	else
		fputs("<td></td>", f);
	struct quality q;
	emodel_stream(s, codec, &q);
	if (q.valid && !(s->event_pt >= 0 && s->first_pt == s->event_pt))
		fprintf(f, "<td class=\"num%s\">%.2f</td>", q.r < 70 ? " bad" : "", q.mos);
	else
		fputs("<td></td>", f);
	fprintf(f, "<td class=\"num\">%" PRIu32 "</td><td>", s->n_gaps);
	bool sep = false;
	if (s->bound_by == BIND_LATCH || s->bound_by == BIND_SDP_SRC || s->bound_by == BIND_TURN) {
		fprintf(f, "bound by %s", stream_binding_str(s->bound_by));
		sep = true;
	}
	if (s->n_pt_changes) {
		fprintf(f, "%s%" PRIu32 " payload type changes", sep ? "; " : "", s->n_pt_changes);
		sep = true;
	}
	if (s->n_events) {
		fprintf(f, "%sDTMF ", sep ? "; " : "");
		for (uint32_t i = 0; i < s->n_events && i < STREAM_MAX_EVENTS; i++)
			html_text(f, &s->events[i].digit, 1);
		sep = true;
	}
	if (s->ttl_changes) {
		fprintf(f, "%sTTL %u&rarr;%u", sep ? "; " : "", s->first_ttl, s->last_ttl);
		sep = true;
	}
	if (s->rtcp.reports)
		fprintf(f, "%sRTCP: %" PRIu32 " receiver reports, loss max %.1f%%", sep ? "; " : "", s->rtcp.reports,
			s->rtcp.max_fraction_lost * 100.0 / 256);
	fputs("</td></tr>\n", f);
}

static void streams(FILE *f, const struct call *c)
{
	fputs("<section class=\"streams\"><h3>Media streams</h3>\n", f);
	if (!c->streams) {
		fputs("<p class=\"none\">No RTP was seen for this call.</p></section>\n", f);
		return;
	}
	fputs("<div class=\"scroll\"><table class=\"grid\">\n", f);
	html_call_stream_head(f);
	const struct stream *v[192];
	unsigned n = call_streams_ordered(c, v, 192);
	for (unsigned i = 0; i < n; i++)
		html_call_stream_row(f, v[i], c->start_ts);
	fputs("</table></div></section>\n", f);
}

static void sdp_history(FILE *f, const struct call *c, const char *idp, const char *unit)
{
	if (!c->n_sdp)
		return;
	fprintf(f, "<section class=\"sdp\"><h3>SDP offer/answer history</h3><div class=\"scroll\"><table class=\"grid\">\n"
	      "<tr><th>#</th><th>%s</th><th>time</th><th>by</th><th>kind</th><th>in</th><th>o= version / address</th>"
	      "<th>media</th></tr>\n",
	      unit);
	for (uint32_t i = 0; i < c->n_sdp; i++) {
		const struct sdp_rec *r = &c->sdp[i];
		int row = html_ladder_row_of_frame(c, r->frame);
		fprintf(f, "<tr id=\"%s-s%" PRIu32 "\"%s><td>%" PRIu32 "</td><td>", idp, i, sdp_rec_is_hold(r) ? " class=\"hold\"" : "",
			i);
		if (row >= 0)
			fprintf(f, "<a href=\"#%s-m%d\">%" PRIu64 "</a>", idp, row, r->frame);
		else
			fprintf(f, "%" PRIu64, r->frame);
		fprintf(f, "</td><td class=\"num\">%+.3f s</td><td>%s</td><td>%s</td><td>", rel(r->ts, c->start_ts),
			party_str(r->by), r->kind == SDP_OFFER ? "offer" : "answer");
		html_str(f, r->context);
		fputs("</td><td class=\"mono\">", f);
		html_str(f, r->o_version);
		fputs(" ", f);
		if (r->o_addr.family) {
			char a[ADDR_STRLEN];
			html_str(f, addr_str(&r->o_addr, a));
		} else {
			html_str(f, r->o_addr_text);
		}
		fputs("</td><td>", f);
		for (unsigned m = 0; m < r->n_media; m++) {
			const struct sdp_media_rec *md = &r->media[m];
			char ep[ADDR_STRLEN + 10];
			if (md->rtp.addr.family)
				endpoint_str(&md->rtp, ep, sizeof(ep));
			else
				snprintf(ep, sizeof(ep), "%.30s:%u", md->addr_text[0] ? md->addr_text : "?", md->rtp.port);
			fputs(m ? "<br>" : "", f);
			html_str(f, md->type);
			fputs(" <span class=\"mono\">", f);
			html_str(f, ep);
			fprintf(f, "</span> <span class=\"dir %s\">%s</span> ", sdp_media_dir_str(md), sdp_media_dir_str(md));
			for (unsigned k = 0; k < md->n_codecs; k++) {
				fputs(k ? ", " : "", f);
				html_str(f, md->codecs[k].name);
				fprintf(f, "/%u", md->codecs[k].pt);
			}
			if (md->rtcp_mux)
				fputs(" rtcp-mux", f);
			if (md->ptime)
				fprintf(f, " ptime %" PRIu32, md->ptime);
			if (md->has_crypto)
				fputs(" crypto", f);
			if (md->has_ice)
				fputs(" ICE", f);
		}
		if (sdp_rec_is_hold(r))
			fputs(" <span class=\"holdtag\">hold</span>", f);
		fputs("</td></tr>\n", f);
	}
	fputs("</table></div></section>\n", f);
}

void html_call(FILE *f, const struct call *c, uint16_t point, unsigned index, const struct findings *fs,
	       const struct walk *w, const char *unit, const struct html_player *player)
{
	char idp[32];
	html_call_id(idp, sizeof(idp), point, index);
	fprintf(f, "<article class=\"call\" id=\"%s\">\n", idp);
	header(f, c, index, fs, w, unit);
	if (fs)
		findings(f, c, idp, fs, w, unit);
	fputs("<section class=\"ladder\"><h3>SIP ladder</h3>\n", f);
	html_ladder(f, c, idp, unit);
	html_messages(f, c, fs, idp, unit);
	fputs("</section>\n<section class=\"media\"><h3>Media timeline</h3>\n", f);
	if (c->streams || (c->n_msgs && c->msgs[c->n_msgs - 1].ts > c->msgs[0].ts))
		html_timeline(f, c, fs, w, idp, unit);
	else
		fputs("<p class=\"none\">No RTP and no time between the messages: nothing to draw over time.</p>\n", f);
	fputs("</section>\n", f);
	if (player)
		html_player(f, player);
	streams(f, c);
	sdp_history(f, c, idp, unit);
	fputs("</article>\n", f);
}
