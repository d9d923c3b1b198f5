/* SPDX-License-Identifier: MIT */
/* Media timelines (inline SVG) for HTML reports. Time runs left to right from
 * the call's first message; each direction is a lane whose bars are packets per
 * column relative to the direction's full rate; a silence of 0.5 s or more in
 * the talk time is shaded and says how long it lasted. */
#include "report/html_timeline.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/facts.h"
#include "calls/calls.h"
#include "report/html.h"
#include "report/html_audio.h"
#include "report/html_ladder.h"

#define W 1000
#define LEFT 150
#define RIGHT 20
#define PLOT_W (W - LEFT - RIGHT)
#define FLAG_Y 14
#define FLAG_CHAR_W 7.6 /* width of a flag label's character: 10.5 px bold capitals (html.css) */
#define SIP_Y 40
#define LANE_Y0 58
#define LANE_H 54
#define LANE_GAP (12 + HTML_AUDIO_H + 4) /* room for the audio band under each lane */
#define MAX_COLS 600
#define MAX_IVS 512
#define SILENCE_NS 500000000LL

struct axis {
	int64_t t0, t1;
	double px_per_ns;
};

static double xpos(const struct axis *ax, int64_t t)
{
	if (t < ax->t0)
		t = ax->t0;
	if (t > ax->t1)
		t = ax->t1;
	return LEFT + (double)(t - ax->t0) * ax->px_per_ns;
}

static double rel(const struct call *c, int64_t t)
{
	return (double)(t - c->start_ts) / 1e9;
}

static unsigned lane_y(unsigned lane)
{
	return LANE_Y0 + lane * (LANE_H + LANE_GAP);
}

struct iv {
	int64_t a, b;
};

static int iv_cmp(const void *x, const void *y)
{
	const struct iv *p = x, *q = y;
	return p->a < q->a ? -1 : p->a > q->a;
}

/* Times a direction had RTP: each stream's span less its gaps, merged. */
static unsigned activity(const struct call *c, uint8_t dir, struct iv *v)
{
	unsigned n = 0;
	for (const struct stream *s = c->streams; s; s = s->next) {
		if (s->dir != dir || !s->packets)
			continue;
		int64_t from = s->first_ts;
		for (uint32_t g = 0; g < s->n_gaps && g < STREAM_MAX_GAPS && n < MAX_IVS; g++) {
			v[n++] = (struct iv){ from, s->gaps[g].start };
			from = s->gaps[g].end;
		}
		if (n < MAX_IVS)
			v[n++] = (struct iv){ from, s->last_ts };
	}
	qsort(v, n, sizeof(*v), iv_cmp);
	unsigned m = 0;
	for (unsigned i = 0; i < n; i++) {
		if (m && v[i].a <= v[m - 1].b + SILENCE_NS) {
			if (v[i].b > v[m - 1].b)
				v[m - 1].b = v[i].b;
		} else {
			v[m++] = v[i];
		}
	}
	return m;
}

static void silence(FILE *f, const struct call *c, const struct axis *ax, unsigned lane, const char *dir, int64_t a,
		    int64_t b, bool whole)
{
	if (b - a < SILENCE_NS)
		return;
	double x0 = xpos(ax, a), x1 = xpos(ax, b);
	unsigned y = lane_y(lane);
	fprintf(f, "<g class=\"silence\"><title>");
	if (whole)
		html_printf(f, "no RTP %s in the talk time (%+.3f..%+.3f s)", dir, rel(c, a), rel(c, b));
	else
		html_printf(f, "no RTP %s for %.1f s (%+.3f..%+.3f s)", dir, (double)(b - a) / 1e9, rel(c, a), rel(c, b));
	fprintf(f, "</title><rect x=\"%.1f\" y=\"%u\" width=\"%.1f\" height=\"%u\"/>", x0, y, x1 - x0 > 1 ? x1 - x0 : 1,
		LANE_H);
	if (x1 - x0 > 70)
		fprintf(f, "<text x=\"%.1f\" y=\"%u\">%s %.1f s</text>", (x0 + x1) / 2, y + LANE_H / 2 + 4,
			whole ? "no RTP" : "silent", (double)(b - a) / 1e9);
	fputs("</g>\n", f);
}

/* The talk time of a direction whose media this input cannot show. */
static void unseen_band(FILE *f, const struct call *c, const struct axis *ax, unsigned lane, int64_t a, int64_t b,
			const char *why)
{
	double x0 = xpos(ax, a), x1 = xpos(ax, b);
	unsigned y = lane_y(lane);
	fprintf(f, "<g class=\"unseen\"><title>");
	html_printf(f, "%s (%+.3f..%+.3f s)", why, rel(c, a), rel(c, b));
	fprintf(f, "</title><rect x=\"%.1f\" y=\"%u\" width=\"%.1f\" height=\"%u\"/>", x0, y, x1 - x0 > 1 ? x1 - x0 : 1,
		LANE_H);
	if (x1 - x0 > 110)
		fprintf(f, "<text x=\"%.1f\" y=\"%u\">media not in this input</text>", (x0 + x1) / 2, y + LANE_H / 2 + 4);
	fputs("</g>\n", f);
}

/* Packets per column of one direction, and the bars. */
static void bars(FILE *f, const struct call *c, const struct axis *ax, uint8_t dir, unsigned lane, int64_t colw,
		 unsigned ncols)
{
	double *cols = calloc(ncols, sizeof(double));
	if (!cols)
		return;
	const struct stream *best = NULL;
	for (const struct stream *s = c->streams; s; s = s->next) {
		if (s->dir != dir)
			continue;
		if (s->packets > 1 && (!best || s->packets > best->packets))
			best = s;
		for (uint32_t i = 0; i < s->n_bins; i++) {
			int64_t mid = s->bin_origin + (int64_t)i * s->bin_ns + s->bin_ns / 2;
			if (mid < ax->t0)
				continue;
			int64_t k = (mid - ax->t0) / colw;
			if (k >= 0 && (uint64_t)k < ncols)
				cols[k] += s->bins[i];
		}
	}
	double rate = 0;
	if (best && best->last_ts > best->first_ts) {
		double mean_ms = stream_mean_delta_ms(best);
		rate = mean_ms > 0 ? 1000.0 / mean_ms : 0;
	}
	double full = rate * (double)colw / 1e9;
	if (full <= 0) {
		for (unsigned i = 0; i < ncols; i++)
			if (cols[i] > full)
				full = cols[i];
	}
	unsigned y = lane_y(lane);
	double cw = (double)colw * ax->px_per_ns;
	fprintf(f, "<path class=\"bars %s\" d=\"", dir == PARTY_A ? "a" : "b");
	for (unsigned i = 0; i < ncols; i++) {
		if (cols[i] <= 0)
			continue;
		double h = full > 0 ? cols[i] / full : 1;
		if (h > 1)
			h = 1;
		double hp = h * (LANE_H - 4);
		if (hp < 2)
			hp = 2;
		fprintf(f, "M%.1f %.1fh%.2fv%.1fh%.2fz", LEFT + i * cw, y + LANE_H - hp, cw > 1.2 ? cw - 0.2 : cw, hp,
			-(cw > 1.2 ? cw - 0.2 : cw));
	}
	fputs("\"/>\n", f);
	free(cols);
}

static double nice_step(double span_s)
{
	double raw = span_s / 8;
	double p = pow(10, floor(log10(raw)));
	double m = raw / p;
	return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

static const char *sip_event(const struct msg_rec *m, bool first_invite)
{
	if (m->retrans)
		return NULL;
	if (m->request) {
		if (!strcmp(m->method, "INVITE"))
			return first_invite ? "INVITE" : "re-INVITE";
		if (!strcmp(m->method, "BYE") || !strcmp(m->method, "CANCEL") || !strcmp(m->method, "UPDATE"))
			return m->method;
		return NULL;
	}
	if (!strcmp(m->method, "INVITE") && m->status >= 180)
		return m->status < 200 ? (m->status == 183 ? "183" : "ringing") : m->status < 300 ? "answer" : "failure";
	return NULL;
}

static void sip_markers(FILE *f, const struct call *c, const struct axis *ax, const char *idp, const char *unit,
			unsigned bottom)
{
	double last_label = -1000;
	bool seen_invite = false;
	for (uint32_t i = 0; i < c->n_msgs; i++) {
		const struct msg_rec *m = &c->msgs[i];
		bool first = m->request && !strcmp(m->method, "INVITE") && !seen_invite;
		const char *ev = sip_event(m, first);
		if (m->request && !strcmp(m->method, "INVITE"))
			seen_invite = true;
		if (!ev)
			continue;
		double x = xpos(ax, m->ts);
		int row = html_ladder_row_of_frame(c, m->frame);
		char label[96];
		html_ladder_label(m, label, sizeof(label));
		if (row >= 0)
			fprintf(f, "<a href=\"#%s-m%d\">", idp, row);
		fprintf(f, "<g class=\"sipev%s\"><title>", !strcmp(ev, "failure") ? " bad" : "");
		html_printf(f, "%s at %+.3f s (%s %" PRIu64 ") by the %s", label, rel(c, m->ts), unit, m->frame,
			    party_str(m->from));
		fprintf(f, "</title><line x1=\"%.1f\" y1=\"%u\" x2=\"%.1f\" y2=\"%u\"/>", x, SIP_Y - 10, x, bottom);
		if (x - last_label >= 46) {
			fprintf(f, "<text x=\"%.1f\" y=\"%u\">%s</text>", x, SIP_Y - 13, ev);
			last_label = x;
		}
		fputs("</g>", f);
		if (row >= 0)
			fputs("</a>", f);
		fputc('\n', f);
	}
}

static const char *sev_class(enum severity s)
{
	return s == SEV_CRITICAL ? "critical" : s == SEV_WARNING ? "warning" : "info";
}

static void finding_marks(FILE *f, const struct call *c, const struct findings *fs, const struct axis *ax,
			  const char *idp, const char *unit, unsigned bottom)
{
	if (!fs)
		return;
	double last_label = -1000, last_flag = -1000; /* right end of the last label; the last flag */
	for (unsigned i = 0; i < fs->n; i++) {
		const struct finding *fd = &fs->f[i];
		if (fd->at) {
			double x = xpos(ax, fd->at);
			fprintf(f, "<a href=\"#%s-f%u\"><g class=\"flag %s\" id=\"%s-t%u\"><title>", idp, i, sev_class(fd->sev), idp, i);
			html_printf(f, "%s at %+.3f s: %s", fd->id, rel(c, fd->at), fd->title);
			fprintf(f, "</title><line x1=\"%.1f\" y1=\"%u\" x2=\"%.1f\" y2=\"%u\"/>"
				   "<path d=\"M%.1f %uh9l-3 4 3 4h-9z\"/>",
				x, FLAG_Y - 10, x, bottom, x, FLAG_Y - 10);
			/* the label right of the flag, or left of it where it would run
			 * past the picture's right edge; never over the previous one */
			double wid = FLAG_CHAR_W * (double)strlen(fd->id), x0 = x + 11, anchor = x0;
			bool left = x0 + wid > W - 2;
			if (left) {
				anchor = x - 3;
				x0 = anchor - wid;
			}
			if (x0 > last_label + 4 || x < last_flag) {
				fprintf(f, "<text x=\"%.1f\" y=\"%u\"%s>", anchor, FLAG_Y - 3,
					left ? " text-anchor=\"end\"" : "");
				html_str(f, fd->id);
				fputs("</text>", f);
				last_label = x0 + wid;
			}
			last_flag = x;
			fputs("</g></a>\n", f);
		}
		/* a media watchdog fires at the BYE that follows the silence */
		if (!strcmp(fd->id, "RTP_TIMEOUT") && c->end_ts && fd->at && c->end_ts > fd->at) {
			double x0 = xpos(ax, fd->at), x1 = xpos(ax, c->end_ts);
			unsigned y = lane_y(fd->direction == PARTY_B ? 1 : 0);
			fprintf(f, "<g class=\"watchdog\"><title>");
			html_printf(f, "a media watchdog fired: %.1f s after the last RTP %s, the %s sent BYE (%s %" PRIu64 ")",
				    (double)(c->end_ts - fd->at) / 1e9,
				    fd->direction == PARTY_A ? "caller -> callee" : "callee -> caller", party_str(c->ended_by),
				    unit, c->end_frame);
			fprintf(f, "</title><line class=\"span\" x1=\"%.1f\" y1=\"%u\" x2=\"%.1f\" y2=\"%u\"/>"
				   "<line class=\"fire\" x1=\"%.1f\" y1=\"%u\" x2=\"%.1f\" y2=\"%u\"/>"
				   "<text x=\"%.1f\" y=\"%u\">watchdog fired</text></g>\n",
				x0, y + 8, x1, y + 8, x1, y - 4, x1, y + LANE_H, x1 - 4, y + 20);
		}
		for (unsigned k = 0; k < fd->n_ev; k++) {
			const struct evidence *e = &fd->ev[k];
			if (html_ladder_row_of_frame(c, e->frame) >= 0 || !e->ts)
				continue;
			double x = xpos(ax, e->ts);
			unsigned y = fd->direction == PARTY_B ? lane_y(1) : fd->direction == PARTY_A ? lane_y(0) : lane_y(0) - 6;
			fprintf(f, "<g class=\"ev %s\" id=\"%s-e%u-%u\"><title>", sev_class(fd->sev), idp, i, k);
			html_printf(f, "%s evidence: %s %" PRIu64 " at %+.3f s: %s", fd->id, unit, e->frame, rel(c, e->ts),
				    e->what);
			fprintf(f, "</title><path d=\"M%.1f %uL%.1f %uL%.1f %uz\"/><line x1=\"%.1f\" y1=\"%u\" x2=\"%.1f\" y2=\"%u\"/></g>\n",
				x - 5, y - 9, x + 5, y - 9, x, y - 1, x, y, x, y + LANE_H);
		}
	}
}

/* The loss the media account found in a direction: shaded from when it began,
 * with how and why in its title, over the bars and silences. */
static void lost_band(FILE *f, const struct call *c, const struct axis *ax, unsigned lane, const struct acct_dir *d,
		      int64_t end)
{
	if (!d->lost || end <= d->lost_from)
		return;
	double x0 = xpos(ax, d->lost_from), x1 = xpos(ax, end);
	unsigned y = lane_y(lane);
	fprintf(f, "<g class=\"lost\"><title>");
	html_printf(f, "%s from %s%+.3f s", acct_state_str(d->state), d->from_exact ? "" : "at the latest ",
		    rel(c, d->lost_from));
	fprintf(f, "</title><rect x=\"%.1f\" y=\"%u\" width=\"%.1f\" height=\"%u\"/>", x0, y + LANE_H - 6,
		x1 - x0 > 1 ? x1 - x0 : 1, 6);
	fputs("</g>\n", f);
}

void html_timeline(FILE *f, const struct call *c, const struct findings *fs, const struct walk *w, const char *idp,
		   const char *unit)
{
	struct axis ax;
	ax.t0 = c->start_ts;
	ax.t1 = c->end_ts > c->last_sip_ts ? c->end_ts : c->last_sip_ts;
	for (const struct stream *s = c->streams; s; s = s->next)
		if (s->last_ts > ax.t1)
			ax.t1 = s->last_ts;
	if (ax.t1 - ax.t0 < 1000000000LL)
		ax.t1 = ax.t0 + 1000000000LL;
	int64_t span = ax.t1 - ax.t0;
	/* whole 100 ms bins per column, so that columns do not alias the bins */
	int64_t colw = ((span / MAX_COLS) / 100000000LL + 1) * 100000000LL;
	unsigned ncols = (unsigned)((span + colw - 1) / colw);
	ax.t1 = ax.t0 + (int64_t)ncols * colw;
	ax.px_per_ns = (double)PLOT_W / (double)(ax.t1 - ax.t0);
	bool unknown = false;
	for (const struct stream *s = c->streams; s; s = s->next)
		if (s->dir == PARTY_NONE)
			unknown = true;
	unsigned lanes = unknown ? 3 : 2;
	bool audio = html_audio_any(c);
	/* below the last lane: its audio band (a third lane has none) */
	unsigned bottom = lane_y(lanes) - LANE_GAP + (audio && !unknown ? HTML_AUDIO_H + 4 : 0);
	unsigned height = bottom + 30;
	struct call_facts facts;
	facts_derive(c, &facts);
	/* media the input cannot judge: a signalling-only input (a SIP trace, a
	 * capture with no RTP at all), or a capture off this call's media path */
	const char *why_unjudged = NULL;
	if (w && facts.answered && !w->acct.valid)
		why_unjudged = "no RTP in this input (signalling only): whether audio flowed cannot be seen here";
	else if (facts.answered && !c->streams && !c->media_path_seen && c->n_sdp)
		why_unjudged = "this capture is not on the call's media path: its RTP ran elsewhere";
	bool unjudged = why_unjudged != NULL;

	fprintf(f, "<div class=\"scroll\"><svg class=\"timeline\" width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\" "
		   "role=\"img\" aria-label=\"media timeline\">\n",
		W, height, W, height);
	static const char *const names[3] = { "caller \xe2\x86\x92 callee", "callee \xe2\x86\x92 caller", "unknown" };
	static const char *const plain[3] = { "caller -> callee", "callee -> caller", "of unknown direction" };
	for (unsigned lane = 0; lane < lanes; lane++) {
		unsigned y = lane_y(lane);
		fprintf(f, "<rect class=\"lane\" x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\"/>", LEFT, y, PLOT_W, LANE_H);
		fprintf(f, "<text class=\"lanelbl\" x=\"%u\" y=\"%u\">%s</text>", LEFT - 8, y + LANE_H / 2 - 2, names[lane]);
		/* the endpoints of the lane's busiest stream */
		const struct stream *best = NULL;
		for (const struct stream *s = c->streams; s; s = s->next)
			if (s->dir == (lane == 2 ? PARTY_NONE : lane) && (!best || s->packets > best->packets))
				best = s;
		if (best) {
			char src[ADDR_STRLEN + 10];
			endpoint_str(&best->src, src, sizeof(src));
			fprintf(f, "<text class=\"lanesub\" x=\"%u\" y=\"%u\">from ", LEFT - 8, y + LANE_H / 2 + 12);
			html_str(f, src);
			fputs("</text>", f);
		}
		fputc('\n', f);
		bars(f, c, &ax, lane == 2 ? PARTY_NONE : (uint8_t)lane, lane, colw, ncols);
		if (lane == 2)
			continue;
		if (w && w->acct.valid)
			lost_band(f, c, &ax, lane, &w->acct.dir[lane], facts.talk_end);
		if (audio)
			html_audio_band(f, c, (uint8_t)lane, ax.t0, colw, ncols, LEFT, (double)colw * ax.px_per_ns,
					y + LANE_H + 3);
		/* silences in the talk time */
		int64_t ts = facts.answered ? facts.talk_start : 0, te = facts.talk_end;
		if (!ts || te <= ts)
			continue;
		if (unjudged) {
			/* nothing here can say whether audio flowed: grey, not the red of a silence */
			unseen_band(f, c, &ax, lane, ts, te, why_unjudged);
			continue;
		}
		struct iv *v = malloc(MAX_IVS * sizeof(*v));
		if (!v)
			continue;
		unsigned n = activity(c, (uint8_t)lane, v);
		int64_t from = ts;
		bool any = false;
		for (unsigned i = 0; i < n; i++) {
			if (v[i].b < ts || v[i].a > te)
				continue;
			any = true;
			if (v[i].a > from)
				silence(f, c, &ax, lane, plain[lane], from, v[i].a, false);
			if (v[i].b > from)
				from = v[i].b;
		}
		if (!any)
			silence(f, c, &ax, lane, plain[lane], ts, te, true);
		else if (te > from)
			silence(f, c, &ax, lane, plain[lane], from, te, false);
		free(v);
	}
	/* hold periods across every lane, over the bars and silences they explain */
	for (unsigned i = 0; i < facts.n_holds; i++) {
		const struct hold_period *h = &facts.holds[i];
		int64_t end = h->end ? h->end : ax.t1;
		double x0 = xpos(&ax, h->start), x1 = xpos(&ax, end);
		fprintf(f, "<g class=\"hold\"><title>");
		html_printf(f, "on hold (%s by the %s) %+.3f..%s", h->how, party_str(h->by), rel(c, h->start),
			    h->end ? "" : "the end");
		if (h->end)
			html_printf(f, "%+.3f s", rel(c, h->end));
		fprintf(f, "</title><rect x=\"%.1f\" y=\"%u\" width=\"%.1f\" height=\"%u\"/><text x=\"%.1f\" y=\"%u\">",
			x0, LANE_Y0 - 4, x1 - x0 > 1 ? x1 - x0 : 1, bottom - LANE_Y0 + 8, x0 + 3, lane_y(1) - 2);
		if (x1 - x0 > 170)
			html_printf(f, "on hold (%s, by the %s)", h->how, party_str(h->by));
		else
			fputs("on hold", f);
		fputs("</text></g>\n", f);
	}
	/* the time axis */
	double span_s = (double)(ax.t1 - ax.t0) / 1e9, step = nice_step(span_s);
	fprintf(f, "<g class=\"axis\"><line x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\"/>", LEFT, bottom + 4, LEFT + PLOT_W,
		bottom + 4);
	for (double t = 0; t <= span_s + 1e-9; t += step) {
		double x = LEFT + t * 1e9 * ax.px_per_ns;
		fprintf(f, "<line x1=\"%.1f\" y1=\"%u\" x2=\"%.1f\" y2=\"%u\"/><text x=\"%.1f\" y=\"%u\">%g s</text>", x,
			bottom + 4, x, bottom + 9, x, bottom + 21, t);
	}
	fputs("</g>\n", f);
	sip_markers(f, c, &ax, idp, unit, bottom);
	finding_marks(f, c, fs, &ax, idp, unit, bottom);
	fputs("</svg></div>\n", f);
	fprintf(f, "<p class=\"legend\"><span class=\"key a\"></span>caller \xe2\x86\x92 callee "
		   "<span class=\"key b\"></span>callee \xe2\x86\x92 caller <span class=\"key lost\"></span>audio lost "
		   "(the media account) <span class=\"key silent\"></span>silence "
		   "&#8805; 0.5 s in the talk time <span class=\"key held\"></span>on hold &middot; bars: packets per "
		   "%.1f s relative to the direction's full rate%s</p>\n",
		(double)colw / 1e9,
		audio ? "<br>under each lane, the audio its RTP carried: <span class=\"key lvl\"></span>audio (height: "
			"level, -70 to 0 dBov) <span class=\"key deadair\"></span>digital silence <span "
			"class=\"key stuck\"></span>the same payload repeated <span class=\"key cn\"></span>comfort noise"
		      : "");
}
