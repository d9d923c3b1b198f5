/* SPDX-License-Identifier: MIT */
/* The per-direction account of a call's media over time (DESIGN.md, analyze
 * stage): for each direction, when it flowed, was on hold, was silent, went
 * where the receiver cannot receive, or was lost beyond this capture point as
 * the far end says (its BYE's Reason, its RTCP receiver reports about our
 * SSRC, ICMP errors answering our packets); and, when its audio was lost for
 * good, from when, how and why. The findings, the walk, the headline and the
 * timeline all read this one account. */
#include <string.h>
#include <strings.h>

#include "analyze/facts.h"
#include "analyze/rule_util.h"
#include "calls/calls.h"
#include "proto/icmp.h"

#define STOP_MARGIN_NS 5000000000LL   /* the other direction goes on at least this long */
#define BOTH_SILENT_NS 9000000000LL   /* both silent this long before a BYE: both stopped */
#define BOTH_SILENT_BOX_NS 3000000000LL /* ... before BYEs to both parties at once */
#define PAUSE_NS 5000000000LL         /* a silence a NAT mapping may not survive */
#define GRID_MAX 2000                 /* time steps of the segment grid */

const char *acct_state_str(uint8_t s)
{
	switch (s) {
	case ACCT_FLOWING: return "flowing";
	case ACCT_HELD: return "on hold";
	case ACCT_SILENT: return "silent";
	case ACCT_MISDIRECTED: return "sent where the receiver cannot receive it";
	case ACCT_LOST_BEYOND: return "lost beyond this capture point";
	default: return "none";
	}
}

static bool pub(const struct addr *a)
{
	return a->family && !addr_is_private(a) && !addr_is_cgnat(a) && !addr_is_linklocal(a) &&
	       !addr_is_loopback(a) && !addr_is_unspecified(a);
}

/* Whether party p sits behind a NAT: its SDP names a private address while the
 * other side is public, or its RTP comes from elsewhere than its SDP said. */
static bool natted(const struct call *c, uint8_t p, int64_t t)
{
	const struct sdp_media_rec *m = facts_audio_at(c, p, t);
	if (!m)
		return false;
	const struct addr *a = &m->rtp.addr;
	if (a->family && (addr_is_private(a) || addr_is_cgnat(a)))
		return true;
	for (const struct stream *s = c->streams; s; s = s->next)
		if (s->dir == p && !endpoint_eq(&s->src, &m->rtp))
			return true;
	return false;
}

/* Whether a BYE's Reason (or X-Asterisk-HangupCause) says the media timed out:
 * a text naming an RTP or media timeout, or Q.850 cause 102 ("recovery on timer
 * expiry") when no session timer could be the timer that expired. */
bool facts_reason_media_timeout(const struct call *c)
{
	static const char *const words[] = { "media_timeout", "media timeout", "rtp timeout", "rtp_timeout",
					     "rtp-timeout", "lack of rtp", "rtptimeout", "no rtp", "rtp inactivity",
					     "media inactivity", NULL };
	char low[sizeof(c->bye_reason)];
	size_t n = 0;
	for (; c->bye_reason[n] && n < sizeof(low) - 1; n++)
		low[n] = (char)(c->bye_reason[n] >= 'A' && c->bye_reason[n] <= 'Z' ? c->bye_reason[n] + 32
										     : c->bye_reason[n]);
	low[n] = '\0';
	for (size_t i = 0; words[i]; i++)
		if (strstr(low, words[i]))
			return true;
	const char *q = strstr(low, "q.850");
	const char *cause = q ? strstr(q, "cause=") : NULL;
	if (cause && !strncmp(cause + 6, "102", 3) && (cause[9] < '0' || cause[9] > '9') && !c->session_expires)
		return true;
	return false;
}

/* The ICMP errors answering party p's RTP (or RTCP), the most telling first. */
static int icmp_about(const struct call *c, uint8_t p)
{
	const struct icmp_rec *best = NULL;
	for (unsigned i = 0; i < c->n_icmp; i++) {
		const struct icmp_rec *r = &c->icmp[i];
		if (r->refused != p || r->about != ICMP_ABOUT_RTP)
			continue; /* RTCP to a port nothing listens on is common and harmless */
		if (r->kind != ICMP_PORT_UNREACHABLE && r->kind != ICMP_HOST_UNREACHABLE && r->kind != ICMP_PROHIBITED)
			continue;
		if (!best || r->first_ts < best->first_ts)
			best = r;
	}
	return best ? (int)(best - c->icmp) : -1;
}

static void mark(struct acct_dir *d, uint8_t state, uint8_t cause, int64_t from, uint64_t frame, uint16_t point,
		 bool exact)
{
	d->lost = true;
	d->state = state;
	d->cause = cause;
	d->lost_from = from;
	d->lost_frame = frame;
	d->lost_point = point;
	d->from_exact = exact;
}

static void say(struct acct_dir *d, uint8_t by, uint64_t frame, int64_t ts, uint16_t point)
{
	if (d->said_by)
		return;
	d->said_by = by;
	d->said_frame = frame;
	d->said_ts = ts;
	d->said_point = point;
}

/* Outside a NAT: the receiver's RTP came back after a pause from a new source
 * port while the sender kept sending to the old one (the mapping it left). */
static bool stale_mapping(const struct call *c, uint8_t p, struct acct_dir *d)
{
	uint8_t q = facts_other(p);
	for (const struct stream *old = c->streams; old; old = old->next) {
		if (old->dir != q || old->packets < 20)
			continue;
		const struct stream *nw = NULL;
		for (const struct stream *s = c->streams; s; s = s->next)
			if (s != old && s->dir == q && s->packets >= 20 && s->first_ts > old->last_ts &&
			    (!nw || s->first_ts < nw->first_ts))
				nw = s;
		if (!nw || endpoint_eq(&nw->src, &old->src) || nw->first_ts - old->last_ts < PAUSE_NS ||
		    !natted(c, q, nw->first_ts))
			continue;
		uint32_t to_old = 0, to_new = 0;
		const struct stream *first_old = NULL;
		for (const struct stream *s = c->streams; s; s = s->next) {
			if (s->dir != p)
				continue;
			if (endpoint_eq(&s->dst, &old->src)) {
				uint32_t n = facts_stream_packets_between(s, nw->first_ts + 1000000000LL, INT64_MAX);
				to_old += n;
				if (n && !first_old)
					first_old = s;
			} else if (endpoint_eq(&s->dst, &nw->src)) {
				to_new += facts_stream_packets_between(s, nw->first_ts, INT64_MAX);
			}
		}
		if (to_old < 50 || to_new * 10 > to_old)
			continue;
		mark(d, ACCT_MISDIRECTED, CAUSE_STALE_MAPPING, nw->first_ts, nw->first_frame, nw->point, true);
		d->silence_s = (double)(nw->first_ts - old->last_ts) / 1e9;
		d->packets_after = to_old;
		d->to = old->src;
		return true;
	}
	return false;
}

/* Far-end statements that this direction's RTP, seen here, did not arrive. */
static void beyond(const struct call *c, const struct call_facts *f, uint8_t p, struct acct_dir *d)
{
	uint8_t q = facts_other(p);
	const struct dir_facts *df = &f->dir[p];
	const struct stream *s = df->main;
	int64_t end = f->talk_end;
	/* the receiver's RTCP about the main stream */
	if (s && s->rtcp.reports >= 2) {
		const struct rtcp_view *v = &s->rtcp;
		if (v->seq_frozen_since && v->frozen_reports >= 2 &&
		    facts_stream_packets_between(s, v->seq_frozen_since, v->last_ts) >= 50) {
			if (!d->lost)
				mark(d, ACCT_LOST_BEYOND, CAUSE_RTCP_FROZEN, v->seq_frozen_since, v->seq_frozen_frame, s->point,
				     false);
			say(d, CAUSE_RTCP_FROZEN, v->last_frame, v->last_ts, s->point);
		} else if (v->full_loss_reports >= 2 &&
			   facts_stream_packets_between(s, v->first_full_loss_ts, end) >= 50) {
			if (!d->lost)
				mark(d, ACCT_LOST_BEYOND, CAUSE_RTCP_FULL_LOSS, v->first_full_loss_ts,
				     v->first_full_loss_frame, s->point, false);
			say(d, CAUSE_RTCP_FULL_LOSS, v->first_full_loss_frame, v->first_full_loss_ts, s->point);
		}
	}
	if (s && s->rtcp.reports >= 2 && c->rtcp_by[q] >= s->rtcp.reports + 2 &&
	    c->rtcp_last_by[q] - s->rtcp.last_ts >= 10000000000LL &&
	    facts_stream_packets_between(s, s->rtcp.last_ts + 1000000000LL, end) >= 100) {
		/* the receiver kept sending RTCP, without a report about this stream:
		 * RFC 3550 6.4 reports only sources heard since the last report */
		if (!d->lost)
			mark(d, ACCT_LOST_BEYOND, CAUSE_RTCP_STOPPED, s->rtcp.last_ts, s->rtcp.last_frame, s->point, false);
		say(d, CAUSE_RTCP_STOPPED, s->rtcp.last_frame, s->rtcp.last_ts, s->point);
	}
	/* ICMP errors answering it */
	int ix = icmp_about(c, p);
	if (ix >= 0) {
		const struct icmp_rec *ic = &c->icmp[ix];
		d->icmp = (int8_t)ix;
		/* a door that stays closed: refusals (rate-limited, about one a second)
		 * over two seconds or more, still coming at the stream's end; one at the
		 * start is a receiver that opened its port a moment late, and refusals
		 * that stop while the stream goes on are a door closed for a while
		 * (NAT_PINHOLE_EXPIRY says that one) */
		if (!d->lost && df->packets && ic->count >= 3 && ic->last_ts - ic->first_ts >= 2000000000LL &&
		    df->last_ts - ic->last_ts < 2500000000LL && facts_packets_between(c, p, ic->first_ts, end) >= 50)
			mark(d, ACCT_LOST_BEYOND, CAUSE_ICMP, ic->first_ts, ic->first_frame, ic->point, true);
		if (d->lost)
			say(d, CAUSE_ICMP, ic->first_frame, ic->first_ts, ic->point);
		else
			d->icmp = -1; /* not the story of this direction */
	}
	/* the receiver hung up saying the media timed out, while it flowed here */
	if (f->has_bye && f->bye_by == q && facts_reason_media_timeout(c) && df->packets >= 50 &&
	    f->bye_ts - df->last_ts < 2000000000LL) {
		if (!d->lost)
			mark(d, ACCT_LOST_BEYOND, CAUSE_FAR_END_TIMEOUT, f->bye_ts, f->bye_frame, c->point, false);
		say(d, CAUSE_FAR_END_TIMEOUT, f->bye_frame, f->bye_ts, c->point);
	}
}

static void lost_dir(const struct call *c, struct call_facts *f, uint8_t p, bool both_quiet)
{
	struct acct_dir *d = &f->acct.dir[p];
	uint8_t q = facts_other(p);
	const struct dir_facts *s = &f->dir[p], *t = &f->dir[q];
	if (!d->expected)
		return;
	/* 1. nothing reached the other party from the start, while the other way flowed */
	if (t->packets_in_talk >= 25 && s->packets_in_talk * 50 < t->packets_in_talk && s->intended && t->intended) {
		const struct stream *m = s->misdirected_stream;
		if (m) {
			bool priv = m->dst.addr.family && !pub(&m->dst.addr);
			mark(d, ACCT_MISDIRECTED, priv ? CAUSE_PRIVATE_ADDR : CAUSE_THIRD_HOST, f->talk_start, m->first_frame,
			     m->point, true);
			d->to = m->dst;
			d->packets_after = m->packets;
		} else {
			mark(d, ACCT_SILENT, CAUSE_NEVER_SENT, f->talk_start, c->answer_frame, c->point, true);
		}
		d->from_start = true;
		goto beyond;
	}
	/* 2. outside a NAT: sent to the mapping the receiver left */
	if (stale_mapping(c, p, d))
		goto beyond;
	/* 3. it stopped while the other direction went on */
	if (s->packets_in_talk) {
		int64_t stop = s->last_ts;
		int64_t talker_end = t->last_ts < f->talk_end ? t->last_ts : f->talk_end;
		const struct hold_period *h = facts_hold_at(f, stop + 500000000LL);
		int64_t from = stop;
		uint8_t cause = CAUSE_STOPPED;
		if (h && h->end == 0)
			goto beyond; /* on hold until the end: nothing was due */
		if (h && h->end > stop) {
			from = h->end; /* nothing was due before the unhold */
			cause = CAUSE_NOT_RESUMED;
		}
		if (talker_end - from >= STOP_MARGIN_NS &&
		    facts_packets_between(c, q, from + 1000000000LL, talker_end) >= 100 && s->intended_end) {
			mark(d, ACCT_SILENT, cause, from, cause == CAUSE_NOT_RESUMED ? h->frame_end : s->last_frame,
			     cause == CAUSE_NOT_RESUMED ? c->point : s->last_point, true);
			d->hold = cause == CAUSE_NOT_RESUMED ? (int8_t)(h - f->holds) : -1;
			/* the sender went on, to an address:port none of the receiver's (a NAT
			 * gave the mapping to another device): sent, but where it cannot arrive */
			const struct stream *m = s->misdirected_stream;
			if (m && facts_stream_packets_between(m, from, f->talk_end + 1) >= 10) {
				d->state = ACCT_MISDIRECTED;
				d->to = m->dst;
				d->packets_after = facts_stream_packets_between(m, from, f->talk_end + 1);
			}
			if (h && cause == CAUSE_NOT_RESUMED) {
				/* both ways quiet over the hold, the receiver behind a NAT: its
				 * mapping did not outlive the silence */
				int64_t q_quiet = facts_longest_silence(c, q, h->start, h->end, NULL);
				if (natted(c, q, from) && q_quiet >= PAUSE_NS && h->end - stop >= PAUSE_NS) {
					d->cause = CAUSE_NAT_EXPIRED;
					d->silence_s = (double)(h->end - stop) / 1e9;
					if ((double)q_quiet / 1e9 < d->silence_s)
						d->silence_s = (double)q_quiet / 1e9;
				}
			}
			goto beyond;
		}
		/* 4. both stopped well before the BYE */
		if (both_quiet && s->packets >= 50 && !h && f->has_bye &&
		    f->bye_ts - stop >= (f->bye_both_ways ? BOTH_SILENT_BOX_NS : BOTH_SILENT_NS))
			mark(d, ACCT_SILENT, CAUSE_BOTH_STOPPED, stop, s->last_frame, s->last_point, true);
	}
beyond:
	beyond(c, f, p, d);
}

bool account_no_media(const struct call *c, const struct call_facts *f, bool capture_has_rtp)
{
	if (!f->answered || secs(f->talk_start, f->talk_end) < 2.0 || !capture_has_rtp)
		return false;
	if (f->dir[PARTY_A].packets || f->dir[PARTY_B].packets)
		return false;
	if (!f->dir[PARTY_A].intended && !f->dir[PARTY_B].intended)
		return false;
	return !c->media_elsewhere && c->media_path_seen;
}

/* Steps of the talk time: what each direction did in each. */
static void segments(const struct call *c, const struct call_facts *f, uint8_t p, struct acct_dir *d)
{
	int64_t t0 = f->talk_start, t1 = f->talk_end;
	if (t1 <= t0)
		return;
	int64_t step = (t1 - t0) / GRID_MAX + 1;
	if (step < 200000000LL)
		step = 200000000LL;
	uint8_t prev = ACCT_NONE;
	int64_t prev_t = t0;
	/* the sender went on where its sequence numbers jumped: no packets there
	 * during a hold are then audio lost before this point, not the hold */
	struct outage o;
	bool outage = f->dir[p].main && stream_outage(f->dir[p].main, &o);
	for (int64_t t = t0; t < t1; t += step) {
		int64_t e = t + step < t1 ? t + step : t1;
		uint8_t st;
		if (d->lost && t + step / 2 >= d->lost_from && !(facts_hold_at(f, t + step / 2) &&
								  d->cause != CAUSE_NOT_RESUMED && d->cause != CAUSE_NAT_EXPIRED))
			st = d->state;
		else if (!facts_sdp_allows(c, p, t + step / 2))
			st = ACCT_HELD;
		else if (facts_packets_between(c, p, t, e))
			st = ACCT_FLOWING;
		else if (facts_hold_at(f, t + step / 2) && !(outage && t < o.end && e > o.start))
			st = ACCT_HELD; /* the holder of a sendonly hold may send (music), and need not (RFC 3264) */
		else
			st = ACCT_SILENT;
		/* a silence shorter than a second inside flowing audio is speech, not a state */
		if (st != prev) {
			if (prev != ACCT_NONE) {
				if (d->n_seg < ACCT_MAX_SEGS) {
					d->seg[d->n_seg++] = (struct acct_seg){ prev_t, t, prev };
				} else {
					d->seg[ACCT_MAX_SEGS - 1].t1 = t;
				}
			}
			prev = st;
			prev_t = t;
		}
	}
	if (prev != ACCT_NONE) {
		if (d->n_seg < ACCT_MAX_SEGS)
			d->seg[d->n_seg++] = (struct acct_seg){ prev_t, t1, prev };
		else
			d->seg[ACCT_MAX_SEGS - 1].t1 = t1;
	}
	/* merge silent gaps under a second into the flow around them */
	unsigned w = 0;
	for (unsigned i = 0; i < d->n_seg; i++) {
		struct acct_seg sg = d->seg[i];
		if (sg.state == ACCT_SILENT && sg.t1 - sg.t0 < 1000000000LL && w && d->seg[w - 1].state == ACCT_FLOWING)
			sg.state = ACCT_FLOWING;
		if (w && d->seg[w - 1].state == sg.state)
			d->seg[w - 1].t1 = sg.t1;
		else
			d->seg[w++] = sg;
	}
	d->n_seg = w;
}

void account_build(const struct call *c, struct call_facts *f, bool signalling_only, bool capture_has_rtp)
{
	struct media_account *a = &f->acct;
	memset(a, 0, sizeof(*a));
	a->dir[0].hold = a->dir[0].icmp = a->dir[1].hold = a->dir[1].icmp = -1;
	if (!f->answered || signalling_only || !capture_has_rtp || f->talk_end <= f->talk_start)
		return; /* without RTP in the input, absent media proves nothing */
	a->valid = true;
	for (uint8_t p = PARTY_A; p <= PARTY_B; p++) {
		struct acct_dir *d = &a->dir[p];
		d->hold = d->icmp = -1;
		d->expected = f->dir[p].intended || f->dir[p].intended_end;
		for (unsigned i = 0; i < f->n_holds && !d->expected; i++)
			if (f->holds[i].end && facts_sdp_allows(c, p, f->holds[i].end + 1000000))
				d->expected = true;
	}
	if (account_no_media(c, f, capture_has_rtp)) {
		for (uint8_t p = PARTY_A; p <= PARTY_B; p++) {
			struct acct_dir *d = &a->dir[p];
			if (!d->expected)
				continue;
			mark(d, ACCT_SILENT, CAUSE_NEVER_SENT, f->talk_start, c->answer_frame, c->point, true);
			d->from_start = true;
		}
	} else if (!c->media_elsewhere && secs(f->talk_start, f->talk_end) >= 2.0) {
		/* (under 2 s of talk nothing can be told of a direction's loss) */
		/* both silent a watchdog's time before the BYE */
		/* (a BYE to both parties at once, from a box between them: its own
		 * watchdog, however short, ended it) */
		int64_t quiet = f->bye_both_ways ? BOTH_SILENT_BOX_NS : BOTH_SILENT_NS;
		bool both_quiet = f->has_bye && f->dir[PARTY_A].packets && f->dir[PARTY_B].packets &&
				  f->bye_ts - f->dir[PARTY_A].last_ts >= quiet && f->bye_ts - f->dir[PARTY_B].last_ts >= quiet;
		for (uint8_t p = PARTY_A; p <= PARTY_B; p++)
			lost_dir(c, f, p, both_quiet);
	}
	for (uint8_t p = PARTY_A; p <= PARTY_B; p++)
		segments(c, f, p, &a->dir[p]);
}

static double at(const struct call *c, int64_t t)
{
	return (double)(t - c->start_ts) / 1e9;
}

static const char *dname(uint8_t p)
{
	return p == PARTY_A ? "caller -> callee" : "callee -> caller";
}

void acct_describe(const struct call *c, const struct call_facts *f, uint8_t p, char *buf, size_t cap)
{
	const struct acct_dir *d = &f->acct.dir[p];
	uint8_t q = facts_other(p);
	const char *rx = party_str(q), *tx = party_str(p);
	char to[64] = "";
	if (d->to.addr.family)
		endpoint_str(&d->to, to, sizeof(to));
	int n = 0;
	if (d->from_start)
		n = snprintf(buf, cap, "%s lost from the answer (%+.1f s): ", dname(p), at(c, d->lost_from));
	else
		n = snprintf(buf, cap, "%s lost from %s%+.1f s: ", dname(p), d->from_exact ? "" : "at the latest ",
			     at(c, d->lost_from));
	if (n < 0 || (size_t)n >= cap)
		return;
	buf += n;
	cap -= (size_t)n;
	const struct hold_period *h = d->hold >= 0 ? &f->holds[d->hold] : NULL;
	switch (d->cause) {
	case CAUSE_NEVER_SENT:
		snprintf(buf, cap, "the %s sent no RTP", tx);
		break;
	case CAUSE_STOPPED:
		snprintf(buf, cap, "the %s's RTP stopped while the %s's went on", tx, rx);
		break;
	case CAUSE_NOT_RESUMED:
		snprintf(buf, cap, "the %s's RTP never came back after the unhold", tx);
		break;
	case CAUSE_NAT_EXPIRED:
		if (d->state == ACCT_MISDIRECTED)
			snprintf(buf, cap, "after %.0f s of silence on hold the %s's NAT had forgotten the media mapping: the "
				 "%s's RTP went to %s, another device that now owns it", d->silence_s, rx, tx, to);
		else
			snprintf(buf, cap, "after %.0f s of silence on hold the %s's NAT had forgotten the media mapping: "
				 "the %s sends, nothing comes back", d->silence_s, rx, rx);
		break;
	case CAUSE_BOTH_STOPPED:
		snprintf(buf, cap, "RTP stopped both ways, long before the BYE");
		break;
	case CAUSE_PRIVATE_ADDR:
		snprintf(buf, cap, "the %s sends it to %s, a private address of the %s that cannot be reached from "
			 "here (PRIVATE_IP_IN_SDP)", tx, to, rx);
		break;
	case CAUSE_THIRD_HOST:
		snprintf(buf, cap, "the %s sends it to %s, none of the %s's addresses", tx, to, rx);
		break;
	case CAUSE_STALE_MAPPING:
		snprintf(buf, cap, "the %s keeps sending to %s, the NAT mapping the %s used before %.0f s of silence; "
			 "its RTP now comes from a new port (NAT_PINHOLE_EXPIRY)", tx, to, rx, d->silence_s);
		break;
	case CAUSE_FAR_END_TIMEOUT:
		snprintf(buf, cap, "it passed this capture point until the BYE, whose Reason says the %s's media timed "
			 "out: lost between here and the %s", rx, rx);
		break;
	case CAUSE_RTCP_FROZEN:
		snprintf(buf, cap, "it passed this capture point, but the %s's RTCP reports say nothing more arrived "
			 "(highest sequence number frozen): lost between here and the %s", rx, rx);
		break;
	case CAUSE_RTCP_STOPPED:
		snprintf(buf, cap, "it passed this capture point, but the %s's RTCP stopped reporting on it: lost "
			 "between here and the %s", rx, rx);
		break;
	case CAUSE_RTCP_FULL_LOSS:
		snprintf(buf, cap, "it passed this capture point, but the %s's RTCP reports 100%% loss: lost between "
			 "here and the %s", rx, rx);
		break;
	case CAUSE_ICMP:
		snprintf(buf, cap, "it passed this capture point and was answered by ICMP %s: a closed door between "
			 "here and the %s", d->icmp >= 0 ? icmp_kind_str(c->icmp[d->icmp].kind) : "errors", rx);
		break;
	default:
		snprintf(buf, cap, "%s", acct_state_str(d->state));
		break;
	}
	(void)h;
}
