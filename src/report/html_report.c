/* SPDX-License-Identifier: MIT */
/* The HTML report document: head with the inlined style, script and their
 * Content-Security-Policy; per capture a summary (the diagnosis, an index of
 * the calls, what the capture held) followed by the calls, which were rendered
 * into temporary files as they finished. */
#include "report/html_report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/sha256.h"
#include "core/status.h"
#include "report/call_list.h"
#include "report/findings_report.h"
#include "report/html.h"
#include "report/html_assets.h"
#include "report/html_call.h"
#include "report/json.h"
#include "report/patterns_report.h"

struct html_capture {
	uint16_t point;
	FILE *index;      /* one <tr> per call */
	FILE *calls;      /* one <article> per call */
	FILE *unsig;      /* one <tr> per unsignalled stream */
	unsigned n_calls, n_unsig;
	struct call_list list; /* where each call's row and article are, to copy them in start order */
	bool lines;       /* a pasted trace: frame numbers are line numbers */
};

void html_report_csp_form(char *buf, size_t cap, bool media, bool form)
{
	char css[SHA256_CSP_LEN], js[SHA256_CSP_LEN];
	sha256_csp_source(html_report_css, html_report_css_len, css);
	sha256_csp_source(html_report_js, html_report_js_len, js);
	snprintf(buf, cap,
		 "default-src 'none'; style-src %s; script-src %s; img-src data:;%s base-uri 'none'; form-action %s",
		 css, js, media ? " media-src data:;" : "", form ? "'self'" : "'none'");
}

void html_report_csp(char *buf, size_t cap, bool media)
{
	html_report_csp_form(buf, cap, media, false);
}

/* The pasted trace, back in its box, to edit and send again (serve). */
static void trace_form(FILE *out, const struct html_doc_opts *o)
{
	fputs("<section class=\"capture again noprint\"><form method=\"post\" action=\"/report\" "
	      "enctype=\"multipart/form-data\"><label for=\"trace\">The SIP trace you pasted</label>\n"
	      "<textarea id=\"trace\" name=\"trace\" spellcheck=\"false\">\n",
	      out);
	/* a leading newline right after <textarea> is dropped by the parser: the one above */
	html_text(out, o->trace, o->trace_len);
	fputs("</textarea>\n<div class=\"row\"><button type=\"submit\">Analyze again</button></div></form></section>\n",
	      out);
}

void html_doc_begin(FILE *out, const struct html_doc_opts *o)
{
	char csp[300];
	bool form = o && o->served && o->trace;
	html_report_csp_form(csp, sizeof(csp), o && o->media, form);
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
	      out);
	fprintf(out, "<meta http-equiv=\"Content-Security-Policy\" content=\"%s\">\n", csp);
	fprintf(out, "<meta name=\"generator\" content=\"deadair %s\">\n<title>", DEADAIR_VERSION_STRING);
	if (o && o->title) {
		html_str(out, o->title);
		fputs(" &mdash; deadair", out);
	} else {
		fputs("deadair report", out);
	}
	fputs("</title>\n<style>", out);
	fwrite(html_report_css, 1, html_report_css_len, out);
	fputs("</style>\n</head>\n<body>\n", out);
	/* shared SVG definitions: arrow heads and the hatching of silences */
	fputs("<svg class=\"defs\" aria-hidden=\"true\" width=\"0\" height=\"0\"><defs>"
	      "<marker id=\"da-arr\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
	      "orient=\"auto\"><path d=\"M0 0L10 5L0 10z\" fill=\"#37474f\"/></marker>"
	      "<marker id=\"da-arr-ok\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
	      "orient=\"auto\"><path d=\"M0 0L10 5L0 10z\" fill=\"#2e7d32\"/></marker>"
	      "<marker id=\"da-arr-err\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
	      "orient=\"auto\"><path d=\"M0 0L10 5L0 10z\" fill=\"#c62828\"/></marker>"
	      "<pattern id=\"da-hatch\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" "
	      "patternTransform=\"rotate(45)\"><rect width=\"8\" height=\"8\" fill=\"#fbe3e3\"/>"
	      "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"8\" stroke=\"#e57373\" stroke-width=\"3\"/></pattern>"
	      "</defs></svg>\n",
	      out);
	fprintf(out, "<header class=\"top\"><h1>deadair</h1><span class=\"sub\">why the call lost its audio</span>%s</header>\n<main>\n",
		o && o->served ? "<a class=\"noprint\" href=\"/\">New analysis</a>" : "");
	if (form)
		trace_form(out, o);
}

void html_doc_end(FILE *out)
{
	fprintf(out, "</main>\n<footer>deadair %s &middot; frame numbers count from 1 per capture, as in Wireshark (in a "
		     "pasted trace: line numbers); times are seconds from the call's first message.</footer>\n<script>",
		DEADAIR_VERSION_STRING);
	fwrite(html_report_js, 1, html_report_js_len, out);
	fputs("</script>\n</body>\n</html>\n", out);
}

struct html_capture *html_capture_new(uint16_t point)
{
	struct html_capture *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->point = point;
	h->index = tmpfile();
	h->calls = tmpfile();
	h->unsig = tmpfile();
	if (!h->index || !h->calls || !h->unsig) {
		html_capture_free(h);
		return NULL;
	}
	return h;
}

void html_capture_set_lines(struct html_capture *h, bool lines)
{
	if (h)
		h->lines = lines;
}

void html_capture_free(struct html_capture *h)
{
	if (!h)
		return;
	if (h->index)
		fclose(h->index);
	if (h->calls)
		fclose(h->calls);
	if (h->unsig)
		fclose(h->unsig);
	call_list_free(&h->list);
	free(h);
}

static const char *sev_class(enum severity s)
{
	return s == SEV_CRITICAL ? "critical" : s == SEV_WARNING ? "warning" : "info";
}

/* One row of the call table: what the page's script sorts and filters by is
 * in data- attributes (start in seconds since the epoch, duration in seconds,
 * the finding IDs). */
static void index_row(FILE *f, const struct call *c, const char *idp, unsigned index, const struct findings *fs,
		      const struct call_line *e)
{
	char t[64];
	format_utc_readable(t, sizeof(t), e->start_ts);
	char *dot = strchr(t, '.');
	if (dot && strlen(dot) > 4)
		dot[4] = '\0';
	double dur = (double)(e->end_ts - e->start_ts) / 1e9;
	int64_t sec = e->start_ts / 1000000000LL, frac = e->start_ts % 1000000000LL;
	if (frac < 0) {
		frac += 1000000000LL;
		sec--;
	}
	fprintf(f, "<tr data-start=\"%" PRId64 ".%06" PRId64 "\" data-dur=\"%.3f\" data-findings=\"", sec, frac / 1000,
		dur);
	for (unsigned i = 0; fs && i < fs->n; i++) {
		if (i)
			fputc(' ', f);
		html_str(f, fs->f[i].id);
	}
	fprintf(f, "\"><td class=\"num\"><a href=\"#%s\">%u</a></td><td class=\"mono\">", idp, index);
	html_str(f, t);
	fprintf(f, "</td><td class=\"num\">%.1f s</td><td title=\"", dur);
	html_str(f, c->a_uri[0] ? c->a_uri : "?");
	fputs(" &#8594; ", f);
	html_str(f, c->b_uri[0] ? c->b_uri : "?");
	fputs("\">", f);
	html_str(f, e->from[0] ? e->from : "?");
	fputs(" &rarr; ", f);
	html_str(f, e->to[0] ? e->to : "?");
	fprintf(f, "</td><td>%s", call_state_str(c->state));
	if (c->final_status)
		fprintf(f, " %u", c->final_status);
	fputs("</td><td>", f);
	for (unsigned i = 0; fs && i < fs->n; i++) {
		fprintf(f, "<a class=\"chip %s\" href=\"#%s-f%u\">", sev_class(fs->f[i].sev), idp, i);
		html_str(f, fs->f[i].id);
		fputs("</a>", f);
	}
	if (fs && !fs->n)
		fputs("<span class=\"none\">none</span>", f);
	fputs("</td><td class=\"mono callid\">", f);
	html_str(f, c->call_id);
	fputs("</td></tr>\n", f);
}

void html_capture_call(struct html_capture *h, const struct call *c, unsigned index, const struct findings *fs,
		       const struct walk *w, const struct html_player *player)
{
	if (!h)
		return;
	char idp[32];
	html_call_id(idp, sizeof(idp), h->point, index);
	h->n_calls++;
	struct call_line *e = NULL;
	if (call_list_add(&h->list, c, index, fs))
		e = &h->list.v[h->list.n - 1];
	long row = ftell(h->index), art = ftell(h->calls);
	if (e) {
		index_row(h->index, c, idp, index, fs, e);
	} else {
		/* no memory to order the calls: the row as the calls finish */
		struct call_line tmp;
		memset(&tmp, 0, sizeof(tmp));
		tmp.start_ts = tmp.end_ts = c->start_ts;
		index_row(h->index, c, idp, index, fs, &tmp);
	}
	html_call(h->calls, c, h->point, index, fs, w, h->lines ? "line" : "frame", player);
	if (e) {
		e->off = row;
		e->len = ftell(h->index) - row;
		e->off2 = art;
		e->len2 = ftell(h->calls) - art;
	}
}

void html_capture_stream(struct html_capture *h, const struct stream *s)
{
	if (!h)
		return;
	h->n_unsig++;
	html_call_stream_row(h->unsig, s, s->first_ts);
}

static void copy(FILE *from, FILE *to)
{
	char buf[65536];
	size_t n;
	fflush(from);
	rewind(from);
	while ((n = fread(buf, 1, sizeof(buf), from)) > 0)
		fwrite(buf, 1, n, to);
}

static void row(FILE *out, const char *name, uint64_t v)
{
	if (v)
		fprintf(out, "<tr><td>%s</td><td class=\"num\">%" PRIu64 "</td></tr>\n", name, v);
}

static void counts(FILE *out, const struct html_capture_info *in)
{
	const struct capture_summary *s = in->sum;
	const struct decode_stats *ds = s->dstats;
	const struct calls_stats *cs = in->cs;
	fputs("<details class=\"counts\"><summary>What the capture held</summary><table class=\"counts\">\n", out);
	row(out, "frames", s->frames);
	if (s->filter) {
		fputs("<tr><td>frames matching the filter <code>", out);
		html_str(out, s->filter);
		fprintf(out, "</code></td><td class=\"num\">%" PRIu64 "</td></tr>\n", s->frames - s->filtered_out);
	}
	fprintf(out, "<tr><td>SIP messages</td><td class=\"num\">%" PRIu64 "</td><td>%" PRIu64 " requests, %" PRIu64
		     " responses, %" PRIu64 " with broken headers</td></tr>\n",
		s->sip_messages, s->sip_requests, s->sip_responses, s->sip_malformed);
	row(out, "calls (INVITE dialogs)", cs->calls);
	for (int i = 0; i < 8; i++)
		if (cs->non_call_by_method[i]) {
			fputs("<tr><td>SIP outside calls: ", out);
			html_str(out, calls_non_call_methods[i]);
			fprintf(out, "</td><td class=\"num\">%" PRIu64 "</td></tr>\n", cs->non_call_by_method[i]);
		}
	row(out, "RTP packets", cs->rtp_packets);
	row(out, "RTP packets in calls", cs->rtp_in_calls);
	row(out, "RTCP packets", cs->rtcp_packets);
	row(out, "STUN packets", cs->stun_packets);
	row(out, "unsignalled RTP streams", cs->streams_unsignalled);
	row(out, "stray RTP-like packets", cs->stray_rtp);
	row(out, "frames: SIP", s->kind_frames[PK_SIP]);
	row(out, "frames: RTP", s->kind_frames[PK_RTP]);
	row(out, "frames: RTCP", s->kind_frames[PK_RTCP]);
	row(out, "frames: STUN", s->kind_frames[PK_STUN]);
	row(out, "frames: DTLS", s->kind_frames[PK_DTLS]);
	row(out, "frames: ZRTP", s->kind_frames[PK_ZRTP]);
	row(out, "frames: keep-alive", s->kind_frames[PK_KEEPALIVE]);
	row(out, "frames: other UDP", s->other_udp);
	row(out, "frames: other TCP", s->other_tcp + ds->frames[FR_TCP_OTHER]);
	row(out, "frames: other SCTP", s->other_sctp);
	row(out, "frames: TCP retransmission", ds->frames[FR_TCP_DUP]);
	row(out, "frames: other IP protocol", ds->frames[FR_OTHER_IP]);
	row(out, "frames: not IP", ds->frames[FR_NOT_IP]);
	row(out, "frames: unsupported link type", ds->frames[FR_UNSUPPORTED_LINK]);
	row(out, "frames: unsupported encapsulation", ds->frames[FR_UNSUPPORTED]);
	row(out, "frames: truncated", ds->frames[FR_TRUNCATED]);
	row(out, "frames: malformed", ds->frames[FR_MALFORMED]);
	row(out, "packets the capture dropped (its own statistics)", s->capture_dropped);
	row(out, "interface statistics blocks malformed", s->blocks_malformed);
	row(out, "frames cut by the snap length", ds->snap_cut);
	row(out, "IP fragments", ds->ip_fragments);
	row(out, "IP datagrams reassembled", ds->ip_reassembled);
	row(out, "IP datagrams given up (timed out, inconsistent)", ds->ip_frag_dropped);
	row(out, "IP datagrams evicted unfinished (table full)", ds->ip_frag_evicted);
	row(out, "TCP SIP messages reassembled", ds->tcp_messages);
	row(out, "WebSocket messages", ds->ws_messages);
	row(out, "TCP gaps skipped (bytes the capture lost)", ds->tcp_gaps);
	row(out, "TCP SIP messages too large (headers over 64 KiB), skipped", ds->tcp_too_large);
	row(out, "HEP packets", ds->hep_packets);
	row(out, "ICMP destination unreachable", ds->icmp_unreachable);
	row(out, "limits hit: TCP", ds->tcp_limit);
	row(out, "limits hit: calls", cs->limit_calls);
	row(out, "limits hit: streams", cs->limit_streams);
	char probation[96];
	snprintf(probation, sizeof(probation), "limits hit: RTP-like flows dropped before they showed %u packets in sequence",
		 STREAM_PROVEN_PACKETS);
	row(out, probation, cs->limit_probation);
	fputs("</table></details>\n", out);
}

static void diagnosis(FILE *out, const struct analyzer *a)
{
	const char *cls = a->by_sev[SEV_CRITICAL] ? "critical" : a->by_sev[SEV_WARNING] ? "warning" : a->calls ? "fine" : "info";
	const char *word = a->by_sev[SEV_CRITICAL] ? "calls broken" : a->by_sev[SEV_WARNING] ? "problems" :
			   a->calls ? "no problems found" : "no calls";
	fprintf(out, "<div class=\"diag\"><div class=\"headline\"><span class=\"verdict %s\">%s</span> %" PRIu64
		     " call%s, %" PRIu64 " with problems",
		cls, word, a->calls, a->calls == 1 ? "" : "s", a->calls_with_problems);
	if (a->by_sev[SEV_CRITICAL] || a->by_sev[SEV_WARNING])
		fprintf(out, " (%" PRIu64 " critical, %" PRIu64 " warning findings)", a->by_sev[SEV_CRITICAL],
			a->by_sev[SEV_WARNING]);
	fputs("</div>\n", out);
	bool any = false;
	for (size_t r = 0; r < n_rules && r < 32; r++)
		if (a->by_rule[r]) {
			if (!any)
				fputs("<ul class=\"byid\">", out);
			any = true;
			fputs("<li><span class=\"fid\">", out);
			html_str(out, rule_at(r)->id);
			fprintf(out, "</span> %" PRIu64 " call%s</li>", a->by_rule[r], a->by_rule[r] == 1 ? "" : "s");
		}
	if (any)
		fputs("</ul>\n", out);
	for (unsigned i = 0; i < a->n_nat && a->n_nat <= NAT_LIST_MAX; i++) {
		char line[600];
		nat_bounds_text(&a->nat[i], a->n_nat > 1, line, sizeof(line));
		fputs("<p class=\"nat\">", out);
		html_str(out, line);
		fputs("</p>\n", out);
	}
	if (a->n_nat > NAT_LIST_MAX) {
		char line[600];
		nat_bounds_overview(a, line, sizeof(line));
		fputs("<p class=\"nat\">", out);
		html_str(out, line);
		fputs("</p>\n", out);
	}
	fputs("</div>\n", out);
}

void html_capture_end(struct html_capture *h, FILE *out, const struct html_capture_info *in)
{
	if (!h)
		return;
	const struct capture_summary *s = in->sum;
	fprintf(out, "<section class=\"capture\" id=\"p%u\">\n<h2>Capture %u: <span class=\"file\">", h->point + 1u,
		h->point + 1u);
	html_str(out, in->name);
	fputs("</span></h2>\n<div class=\"meta\">", out);
	html_str(out, in->cap->format);
	fputs(" &middot; ", out);
	html_str(out, in->cap->linktype_name);
	fprintf(out, " &middot; %" PRIu64 " %s", s->frames, h->lines ? "messages" : "frames");
	if (s->frames) {
		char t[48];
		format_utc(t, sizeof(t), s->first_ts);
		fprintf(out, " &middot; from %s &middot; span %.3f s", t, (double)(s->last_ts - s->first_ts) / 1e9);
	}
	fputs("</div>\n", out);
	if (!in->complete && in->read_all) {
		fputs("<p class=\"banner\"><strong>Report cut short:</strong> ", out);
		html_str(out, in->error ? in->error : "");
		fputs(".</p>\n", out);
	} else if (!in->complete) {
		fputs("<p class=\"banner\"><strong>Reading stopped early:</strong> ", out);
		html_str(out, in->error ? in->error : "");
		fputs(". The report covers what was read.</p>\n", out);
	} else if (!s->frames) {
		fputs("<p class=\"banner\">The capture holds no packets.</p>\n", out);
	}
	if (s->capture_dropped)
		fprintf(out, "<p class=\"banner\"><strong>The capture dropped packets:</strong> %" PRIu64
			     " by its own statistics (pcapng interface statistics). Packets missing from calls up "
			     "then may be the capture's loss, not the network's.</p>\n",
			s->capture_dropped);
	diagnosis(out, in->an);
	/* in start order when every call could be kept in the list */
	bool ordered = h->list.n == h->n_calls;
	if (ordered) {
		call_list_sort(&h->list);
		fflush(h->index);
		fflush(h->calls);
	}
	if (in->selection || in->call_filter) {
		fputs("<p class=\"selection\">Calls chosen by ", out);
		if (in->call_filter) {
			fputs("--call '", out);
			html_str(out, in->call_filter);
			fputs(in->selection ? "', " : "'", out);
		}
		html_str(out, in->selection);
		fprintf(out, ": %u call%s.</p>\n", in->calls_matched, in->calls_matched == 1 ? "" : "s");
	}
	html_patterns(out, in->patterns, h->point);
	if (h->n_calls) {
		/* sortable by its column heads, filtered by the search box and the
		 * finding badges (report.js; without the script, a plain table) */
		fputs("<div class=\"calltable\"><div class=\"tools noprint\"><input type=\"search\" class=\"callsearch\" "
		      "placeholder=\"Filter calls: number, Call-ID, state, finding...\" aria-label=\"Filter calls\">"
		      " <span class=\"badges\"></span> <output class=\"shown\"></output></div>\n"
		      "<table class=\"index\">\n<thead><tr><th data-sort=\"num\">call</th><th data-sort=\"start\">start (UTC)</th>"
		      "<th data-sort=\"dur\">duration</th><th data-sort=\"text\">caller &rarr; callee</th>"
		      "<th data-sort=\"text\">state</th><th data-sort=\"text\">findings</th><th data-sort=\"text\">Call-ID</th>"
		      "</tr></thead>\n<tbody>\n",
		      out);
		if (ordered)
			for (size_t i = 0; i < h->list.n; i++)
				call_list_copy_part(h->index, h->list.v[i].off, h->list.v[i].len, out);
		else
			copy(h->index, out);
		fputs("</tbody></table></div>\n", out);
	} else if (in->call_filter || in->selection) {
		fputs("<p class=\"none\">No call matches the filters asked for.</p>\n", out);
	}
	counts(out, in);
	fputs("</section>\n", out);
	if (ordered)
		for (size_t i = 0; i < h->list.n; i++)
			call_list_copy_part(h->calls, h->list.v[i].off2, h->list.v[i].len2, out);
	else
		copy(h->calls, out);
	if (h->n_unsig) {
		fprintf(out, "<section class=\"unsig\"><h3>Unsignalled RTP streams</h3><p class=\"note\">%u streams with no "
			     "SIP/SDP seen for them in this capture (times from each stream's first packet).</p>"
			     "<div class=\"scroll\"><table class=\"grid\">\n",
			h->n_unsig);
		html_call_stream_head(out);
		copy(h->unsig, out);
		fputs("</table></div></section>\n", out);
	}
}
