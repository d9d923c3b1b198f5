/* SPDX-License-Identifier: MIT */
/* SIP ladder diagrams (inline SVG) for HTML reports: columns are the
 * address:port pairs the call's messages went between, in order of first
 * appearance (the caller's first), rows the messages as the capture saw them. */
#include "report/html_ladder.h"

#include <inttypes.h>
#include <string.h>

#include "report/call_report.h"
#include "report/html.h"
#include "report/ladder_rtp.h"

#define MAX_COLS 12
#define COL_W 240
#define MARGIN_L 110
#define MARGIN_R 70
#define HEAD_H 58
#define ROW_H 26

struct cols {
	struct endpoint ep[MAX_COLS];
	unsigned n;
	bool overflow;             /* endpoints beyond MAX_COLS share the last column */
};

static unsigned col_of(struct cols *k, const struct endpoint *e)
{
	for (unsigned i = 0; i < k->n; i++)
		if (endpoint_eq(&k->ep[i], e))
			return i;
	if (k->n < MAX_COLS) {
		k->ep[k->n] = *e;
		return k->n++;
	}
	k->overflow = true;
	return MAX_COLS - 1;
}

static unsigned rows_drawn(const struct call *c)
{
	return c->n_msgs < HTML_LADDER_MAX_ROWS ? c->n_msgs : HTML_LADDER_MAX_ROWS;
}

int html_ladder_row_of_frame(const struct call *c, uint64_t frame)
{
	unsigned n = rows_drawn(c);
	for (unsigned i = 0; i < n; i++)
		if (c->msgs[i].frame == frame)
			return (int)i;
	return -1;
}

void html_ladder_sdp_summary(const struct sdp_rec *r, const char *unit, char *buf, size_t cap)
{
	size_t used = (size_t)snprintf(buf, cap, "SDP %s by the %s (%s, %s %" PRIu64 ")",
				       r->kind == SDP_OFFER ? "offer" : "answer", party_str(r->by), r->context, unit, r->frame);
	for (unsigned i = 0; i < r->n_media && used < cap; i++) {
		const struct sdp_media_rec *m = &r->media[i];
		char ep[ADDR_STRLEN + 10];
		if (m->rtp.addr.family)
			endpoint_str(&m->rtp, ep, sizeof(ep));
		else
			snprintf(ep, sizeof(ep), "%.30s:%u", m->addr_text[0] ? m->addr_text : "?", m->rtp.port);
		used += (size_t)snprintf(buf + used, cap - used, "; %s %s %s", m->type, ep, sdp_media_dir_str(m));
		for (unsigned k = 0; k < m->n_codecs && used < cap; k++)
			used += (size_t)snprintf(buf + used, cap - used, "%s%s", k ? "," : " ", m->codecs[k].name);
		if (m->rtcp_mux && used < cap)
			used += (size_t)snprintf(buf + used, cap - used, " rtcp-mux");
	}
	if (sdp_rec_is_hold(r) && used < cap)
		snprintf(buf + used, cap - used, " (hold)");
}

void html_ladder_label(const struct msg_rec *m, char *buf, size_t cap)
{
	if (m->request)
		snprintf(buf, cap, "%s", m->method);
	else if (!strcmp(m->method, "INVITE"))
		snprintf(buf, cap, "%u %s", m->status, m->reason_phrase);
	else
		snprintf(buf, cap, "%u %s (%s)", m->status, m->reason_phrase, m->method);
}

static const char *row_class(const struct msg_rec *m)
{
	if (m->request)
		return "req";
	if (m->status >= 400)
		return "err";
	if (m->status >= 300)
		return "redir";
	if (m->status >= 200)
		return "ok";
	return "prov";
}

static void column_head(FILE *f, const struct call *c, const struct cols *k, unsigned i, unsigned x)
{
	char ep[ADDR_STRLEN + 10];
	endpoint_str(&k->ep[i], ep, sizeof(ep));
	const char *role = NULL, *ua = NULL;
	if (endpoint_eq(&k->ep[i], &c->a_sig)) {
		role = "caller";
		ua = c->a_ua;
	} else if (endpoint_eq(&k->ep[i], &c->b_sig)) {
		role = "callee";
		ua = c->b_ua;
	}
	if (!role)
		for (const struct stream *s = c->streams; s; s = s->next)
			if (s->dir <= PARTY_B && (endpoint_eq(&k->ep[i], &s->src) || endpoint_eq(&k->ep[i], &s->dst))) {
				/* a media address: whose, by the stream it sends or receives */
				bool sends = endpoint_eq(&k->ep[i], &s->src);
				role = (s->dir == PARTY_A) == sends ? "caller media" : "callee media";
				break;
			}
	if (k->overflow && i == MAX_COLS - 1)
		role = "and others";
	fprintf(f, "<g class=\"col\"><title>");
	html_str(f, ep);
	if (role) {
		fputs(" (", f);
		html_str(f, role);
		fputc(')', f);
	}
	if (ua && ua[0]) {
		fputs("\n", f);
		html_str(f, ua);
	}
	fprintf(f, "</title><rect class=\"colhead\" x=\"%u\" y=\"4\" width=\"%u\" height=\"44\" rx=\"4\"/>", x - 92, 184);
	fprintf(f, "<text class=\"ep\" x=\"%u\" y=\"20\">", x);
	html_str(f, ep);
	fprintf(f, "</text><text class=\"role\" x=\"%u\" y=\"38\">", x);
	char line[64];
	if (ua && ua[0])
		snprintf(line, sizeof(line), "%s%s%.26s%s", role ? role : "", role ? ": " : "", ua,
			 strlen(ua) > 26 ? "..." : "");
	else
		snprintf(line, sizeof(line), "%s", role ? role : "");
	html_str(f, line);
	fputs("</text></g>\n", f);
}

/* One RTP row: a stream's first packet (an arrow), a silence (a dashed
 * line, no arrow head) or its last packet, coloured by its sender. */
static void rtp_row(FILE *f, const struct call *c, struct cols *k, const struct ladder_rtp *r, unsigned row,
		    unsigned no, unsigned width, const char *idp, const char *unit)
{
	const struct stream *s = r->s;
	unsigned a = col_of(k, &s->src), b = col_of(k, &s->dst);
	unsigned xa = MARGIN_L + 50 + a * COL_W, xb = MARGIN_L + 50 + b * COL_W;
	unsigned y = HEAD_H + row * ROW_H + 18;
	double t = (double)(r->ts - c->start_ts) / 1e9;
	char label[160], src[ADDR_STRLEN + 10], dst[ADDR_STRLEN + 10];
	ladder_rtp_label(r, label, sizeof(label));
	endpoint_str(&s->src, src, sizeof(src));
	endpoint_str(&s->dst, dst, sizeof(dst));
	const char *kind = r->kind == LRTP_FIRST ? "first" : r->kind == LRTP_GAP ? "gap" : "last";
	fprintf(f, "<g class=\"rtp %s %s\" id=\"%s-p%u\"><title>", kind,
		s->dir == PARTY_A ? "a" : s->dir == PARTY_B ? "b" : "u", idp, no);
	html_printf(f, "%s\n%s %" PRIu64 ", %+.6f s, %s -> %s", label, unit, r->frame, t, src, dst);
	if (r->kind == LRTP_GAP)
		html_printf(f, "\nthe next packet: %s %" PRIu64 ", %+.6f s", unit, r->frame_after,
			    (double)(r->ts + r->silence_ns - c->start_ts) / 1e9);
	fputs("</title>", f);
	fprintf(f, "<rect class=\"rowbg\" x=\"0\" y=\"%u\" width=\"%u\" height=\"%u\"/>", y - 16, width, ROW_H);
	fprintf(f, "<text class=\"t\" x=\"6\" y=\"%u\">%+.3f s</text>", y + 2, t);
	fprintf(f, "<text class=\"fr\" x=\"%u\" y=\"%u\">#%" PRIu64 "</text>", width - 6, y + 2, r->frame);
	if (a == b) {
		fprintf(f, "<path class=\"rline\" d=\"M%u %u h30 v8 h-28\"/>", xa, y - 4);
	} else {
		int dir = xb > xa ? 1 : -1;
		fprintf(f, "<line class=\"rline\" x1=\"%u\" y1=\"%u\" x2=\"%d\" y2=\"%u\"/>", xa, y, (int)xb - dir * 2, y);
	}
	char shown[48];
	if (r->kind == LRTP_FIRST) {
		char codec[24];
		stream_codec_name(s, codec, sizeof(codec));
		snprintf(shown, sizeof(shown), "RTP %.20s", codec);
	} else if (r->kind == LRTP_GAP) {
		snprintf(shown, sizeof(shown), "no RTP for %.2f s", (double)r->silence_ns / 1e9);
	} else {
		snprintf(shown, sizeof(shown), "last RTP (%" PRIu32 " packets)", s->packets);
	}
	unsigned mid = a == b ? xa + 40 : (xa + xb) / 2;
	fprintf(f, "<text class=\"rlbl\" x=\"%u\" y=\"%u\"%s>", mid, y - 4, a == b ? " text-anchor=\"start\"" : "");
	html_str(f, shown);
	fputs("</text></g>\n", f);
}

void html_ladder(FILE *f, const struct call *c, const char *idp, const char *unit)
{
	struct cols k;
	memset(&k, 0, sizeof(k));
	if (c->a_sig.addr.family)
		col_of(&k, &c->a_sig);
	unsigned n = rows_drawn(c);
	for (unsigned i = 0; i < n; i++) {
		col_of(&k, &c->msgs[i].src);
		col_of(&k, &c->msgs[i].dst);
	}
	struct ladder_rtp rtp[LADDER_RTP_MAX];
	unsigned rtp_left = 0, nr = n ? ladder_rtp_rows(c, rtp, LADDER_RTP_MAX, &rtp_left) : 0;
	for (unsigned i = 0; i < nr; i++) {
		col_of(&k, &rtp[i].s->src);
		col_of(&k, &rtp[i].s->dst);
	}
	if (!n) {
		fputs("<p class=\"none\">No SIP messages of this call were kept.</p>\n", f);
		return;
	}
	unsigned ncols = k.n < 2 ? 2 : k.n;
	unsigned width = MARGIN_L + (ncols - 1) * COL_W + MARGIN_R + 100;
	unsigned height = HEAD_H + (n + nr) * ROW_H + 16;
	fprintf(f, "<div class=\"scroll\"><svg class=\"ladder\" width=\"%u\" "
		   "height=\"%u\" viewBox=\"0 0 %u %u\" role=\"img\" aria-label=\"SIP ladder\">\n",
		width, height, width, height);
	for (unsigned i = 0; i < k.n; i++) {
		unsigned x = MARGIN_L + 50 + i * COL_W;
		fprintf(f, "<line class=\"life\" x1=\"%u\" y1=\"48\" x2=\"%u\" y2=\"%u\"/>\n", x, x, height - 8);
		column_head(f, c, &k, i, x);
	}
	/* SIP messages in capture order, the RTP rows merged in by time */
	unsigned row = 0, ri = 0;
	for (unsigned i = 0; i < n; i++) {
		const struct msg_rec *m = &c->msgs[i];
		for (; ri < nr && rtp[ri].ts < m->ts; ri++)
			rtp_row(f, c, &k, &rtp[ri], row++, ri, width, idp, unit);
		unsigned a = col_of(&k, &m->src), b = col_of(&k, &m->dst);
		unsigned xa = MARGIN_L + 50 + a * COL_W, xb = MARGIN_L + 50 + b * COL_W;
		unsigned y = HEAD_H + row++ * ROW_H + 18;
		char label[96], src[ADDR_STRLEN + 10], dst[ADDR_STRLEN + 10];
		html_ladder_label(m, label, sizeof(label));
		endpoint_str(&m->src, src, sizeof(src));
		endpoint_str(&m->dst, dst, sizeof(dst));
		double t = (double)(m->ts - c->start_ts) / 1e9;
		fprintf(f, "<g class=\"msg %s%s\" id=\"%s-m%u\"><title>", row_class(m), m->retrans ? " retrans" : "", idp, i);
		html_printf(f, "%s\n%s %" PRIu64 ", %+.6f s, %s -> %s %s, CSeq %" PRIu32 " %s%s", label, unit, m->frame, t,
			    src, dst, m->transport == 6 ? "TCP" : m->transport == 132 ? "SCTP" : "UDP", m->cseq,
			    m->method, m->retrans ? "\nretransmission" : "");
		if (m->sdp >= 0 && (uint32_t)m->sdp < c->n_sdp) {
			char sdp[600];
			html_ladder_sdp_summary(&c->sdp[m->sdp], unit, sdp, sizeof(sdp));
			fputc('\n', f);
			html_str(f, sdp);
		}
		fputs("</title>", f);
		fprintf(f, "<rect class=\"rowbg\" x=\"0\" y=\"%u\" width=\"%u\" height=\"%u\"/>", y - 16, width, ROW_H);
		fprintf(f, "<text class=\"t\" x=\"6\" y=\"%u\">%+.3f s</text>", y + 2, t);
		fprintf(f, "<text class=\"fr\" x=\"%u\" y=\"%u\">#%" PRIu64 "</text>", width - 6, y + 2, m->frame);
		/* the arrow and its label open the message whole when its bytes were kept */
		bool raw = m->raw != RAW_NONE;
		if (raw)
			fprintf(f, "<a class=\"msgref\" href=\"#%s-r%u\">", idp, i);
		if (a == b) {
			fprintf(f, "<path class=\"arrow\" d=\"M%u %u h30 v8 h-28\"/>", xa, y - 4);
		} else {
			int dir = xb > xa ? 1 : -1;
			unsigned lo = xa < xb ? xa : xb;
			if (raw) /* a wider target than the 1.4 px line */
				fprintf(f, "<rect class=\"hit\" x=\"%u\" y=\"%u\" width=\"%u\" height=\"10\"/>", lo,
					y - 5, (xa > xb ? xa - xb : xb - xa));
			fprintf(f, "<line class=\"arrow\" x1=\"%u\" y1=\"%u\" x2=\"%d\" y2=\"%u\"/>", xa, y, (int)xb - dir * 2, y);
		}
		unsigned mid = a == b ? xa + 40 : (xa + xb) / 2;
		fprintf(f, "<text class=\"lbl\" x=\"%u\" y=\"%u\"%s>", mid, y - 4, a == b ? " text-anchor=\"start\"" : "");
		char shown[48];
		snprintf(shown, sizeof(shown), "%.40s", label);
		html_str(f, shown);
		fputs("</text>", f);
		if (raw)
			fputs("</a>", f);
		if (m->sdp >= 0 && (uint32_t)m->sdp < c->n_sdp) {
			bool hold = sdp_rec_is_hold(&c->sdp[m->sdp]);
			unsigned bx = (a == b ? xa : (xa < xb ? xa : xb)) + 8;
			fprintf(f, "<a href=\"#%s-s%d\" class=\"sdpref\"><rect class=\"sdp%s\" x=\"%u\" y=\"%u\" width=\"%u\" "
				   "height=\"13\" rx=\"3\"/><text class=\"sdpt\" x=\"%u\" y=\"%u\">%s</text></a>",
				idp, m->sdp, hold ? " hold" : "", bx, y + 2, hold ? 58 : 30, bx + (hold ? 29 : 15), y + 12,
				hold ? "SDP hold" : "SDP");
		}
		fputs("</g>\n", f);
	}
	for (; ri < nr; ri++)
		rtp_row(f, c, &k, &rtp[ri], row++, ri, width, idp, unit);
	fputs("</svg></div>\n", f);
	if (rtp_left)
		fprintf(f, "<p class=\"note\">%u more RTP rows (silences, streams) not drawn.</p>\n", rtp_left);
	if (c->n_msgs > n || c->msgs_total > c->n_msgs)
		fprintf(f, "<p class=\"note\">%" PRIu32 " more messages not drawn (the ladder shows the first %u).</p>\n",
			c->msgs_total - n, n);
}
