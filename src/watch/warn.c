/* SPDX-License-Identifier: MIT */
/* The watch's look at a call in progress (warn.h). A warning rests only on
 * what has been seen: media is expected of a party only once the call is
 * answered, outside a hold (the latest SDP of either party asking for anything
 * but sendrecv), and silence is counted from the later of the answer and the
 * latest SDP, so that a re-INVITE starts the count again. */
#include "watch/warn.h"

#include <string.h>

#include "report/json.h"

/* RTP of a direction counts as flowing when its last packet is this recent. */
#define FLOW_NS 2000000000LL
/* RFC 3261 Timer H: 64*T1 with T1 = 500 ms. */
#define TIMER_H_NS 32000000000LL
/* A hold this quiet (no RTP, RTCP or STUN from a party, none towards it) is
 * what analyze's HOLD_WITHOUT_KEEPALIVE names: NATs with short UDP timeouts
 * (20-30 s is common, below RFC 4787's two minutes) forget the mapping. */
#define HOLD_QUIET_NS 20000000000LL

struct dir_media {
	uint32_t packets;          /* in the whole call */
	int64_t last_ts;           /* last RTP packet, 0: none */
	uint64_t last_frame;
	const struct stream *last; /* the stream of that packet */
};

static bool sdp_asks_sendrecv(const struct sdp_rec *r)
{
	if (sdp_rec_is_hold(r))
		return false;
	for (unsigned i = 0; i < r->n_media; i++) {
		const struct sdp_media_rec *m = &r->media[i];
		if (!strcmp(m->type, "audio") && m->dir != SDP_DIR_UNSET && m->dir != SDP_SENDRECV)
			return false;
	}
	return true;
}

/* Whether media both ways is what the latest SDP of each party asks for; the
 * time of the latest SDP in *since. */
static bool media_expected(const struct call *c, int64_t *since)
{
	bool seen[2] = { false, false };
	bool ok = true;
	*since = 0;
	for (int i = (int)c->n_sdp - 1; i >= 0; i--) {
		const struct sdp_rec *r = &c->sdp[i];
		if (r->ts > *since)
			*since = r->ts;
		if (r->by > PARTY_B || seen[r->by])
			continue;
		seen[r->by] = true;
		if (!sdp_asks_sendrecv(r))
			ok = false;
	}
	return ok && seen[PARTY_A] && seen[PARTY_B];
}

/* Whether the latest SDP of a party asks for less than sendrecv (a hold, as
 * analyze's facts take it), not merely an answer not seen yet. */
static bool on_hold(const struct call *c)
{
	bool seen[2] = { false, false };
	for (int i = (int)c->n_sdp - 1; i >= 0; i--) {
		const struct sdp_rec *r = &c->sdp[i];
		if (r->by > PARTY_B || seen[r->by])
			continue;
		seen[r->by] = true;
		if (!sdp_asks_sendrecv(r))
			return true;
	}
	return false;
}

static void dir_media(const struct call *c, struct dir_media d[2])
{
	memset(d, 0, 2 * sizeof(*d));
	for (const struct stream *s = c->streams; s; s = s->next) {
		if (s->dir > PARTY_B || s->media == MEDIA_VIDEO || s->media == MEDIA_OTHER)
			continue;
		struct dir_media *x = &d[s->dir];
		x->packets += s->packets;
		if (s->packets && s->last_ts > x->last_ts) {
			x->last_ts = s->last_ts;
			x->last_frame = s->last_frame;
			x->last = s;
		}
	}
}

static const char *dir_text(uint8_t p)
{
	return p == PARTY_A ? "caller->callee" : "callee->caller";
}

static double secs(int64_t ns)
{
	return (double)ns / 1e9;
}

static void media_evidence(struct finding *f, const struct call *c, const struct dir_media *d, uint8_t p,
			   int64_t since)
{
	char ep[64];
	if (d->last_ts >= since && d->last_ts) {
		endpoint_str(&d->last->src, ep, sizeof(ep));
		finding_evidence(f, d->last_frame, d->last_ts, d->last->point, "RTP %s: last packet (from %s)",
				 dir_text(p), ep);
	} else if (d->last_ts) {
		finding_evidence(f, d->last_frame, d->last_ts, d->last->point,
				 "RTP %s: last packet, before the latest SDP", dir_text(p));
	}
}

static void answer_evidence(struct finding *f, const struct call *c)
{
	if (c->answer_frame)
		finding_evidence(f, c->answer_frame, c->answer_ts, c->point, "200 OK to the INVITE: the call is answered");
}

/* The latest SDP record, for evidence. */
static void sdp_evidence(struct finding *f, const struct call *c, int64_t since)
{
	for (int i = (int)c->n_sdp - 1; i >= 0; i--) {
		const struct sdp_rec *r = &c->sdp[i];
		if (r->ts == since && since > c->answer_ts) {
			finding_evidence(f, r->frame, r->ts, c->point, "the latest SDP (%s, by the %s)", r->context,
					 party_str(r->by));
			return;
		}
	}
}

void warn_capture_lost(struct warn_config *cfg, int64_t from, int64_t to)
{
	if (cfg->n_loss) {
		unsigned last = (cfg->n_loss - 1) % WARN_LOSS_WINDOWS;
		if (from <= cfg->loss[last].to) {
			if (to > cfg->loss[last].to)
				cfg->loss[last].to = to;
			return;
		}
	}
	unsigned i = cfg->n_loss % WARN_LOSS_WINDOWS;
	cfg->loss[i].from = from;
	cfg->loss[i].to = to;
	cfg->n_loss++;
}

/* Whether t falls in a window in which the capture dropped packets. */
static bool in_loss(const struct warn_config *cfg, int64_t t)
{
	unsigned n = cfg->n_loss < WARN_LOSS_WINDOWS ? cfg->n_loss : WARN_LOSS_WINDOWS;
	for (unsigned i = 0; i < n; i++)
		if (t > cfg->loss[i].from && t <= cfg->loss[i].to)
			return true;
	return false;
}

/* Whether a silence that began at t began while the capture dropped packets.
 * The answer is kept with the call (slot: which silence), as the windows kept
 * are only the latest few: a call whose BYE the capture dropped stays silent
 * long after its window has left the list, and is still not to be judged. */
static bool began_in_loss(struct call *c, unsigned slot, const struct warn_config *cfg, int64_t t)
{
	if (c->consumer_quiet[slot] == t && t)
		return true;
	if (!in_loss(cfg, t))
		return false;
	c->consumer_quiet[slot] = t;
	return true;
}

/* The latest of a party's RTP, RTCP and STUN (0: none). */
static int64_t last_sent(const struct call *c, const struct dir_media *d, uint8_t p)
{
	int64_t t = d[p].last_ts;
	if (c->rtcp_last_by[p] > t)
		t = c->rtcp_last_by[p];
	if (c->stun_last_by[p] > t)
		t = c->stun_last_by[p];
	return t;
}

/* (e) On hold since `since` (the latest SDP): a party that sent media before
 * and has sent nothing for 20 s, with nothing coming to it either. */
static unsigned hold_quiet(struct call *c, int64_t now, int64_t since, const struct warn_config *cfg,
			   struct findings *fs, void (*emit)(void *ctx, const struct call *c, const struct finding *f),
			   void *ctx)
{
	struct dir_media d[2];
	dir_media(c, d);
	bool quiet[2] = { false, false };
	int64_t from[2] = { 0, 0 };
	/* as for the other silences: only what the capture saw whole counts (its
	 * own drops may hold the keep-alives) */
	int64_t lost_to = cfg->n_loss ? cfg->loss[(cfg->n_loss - 1) % WARN_LOSS_WINDOWS].to : 0;
	for (uint8_t p = PARTY_A; p <= PARTY_B; p++) {
		if (!d[p].packets)
			continue; /* never sent media: nothing to keep alive */
		int64_t mine = last_sent(c, d, p), theirs = last_sent(c, d, (uint8_t)(1 - p));
		from[p] = mine > since ? mine : since;
		int64_t towards = theirs > since ? theirs : since;
		bool lost_mine = began_in_loss(c, 2 + p, cfg, from[p]);
		if (began_in_loss(c, 2 + (1 - p), cfg, towards) || lost_mine)
			continue;
		int64_t sure_mine = now - (lost_to > from[p] ? lost_to : from[p]);
		int64_t sure_theirs = now - (lost_to > towards ? lost_to : towards);
		quiet[p] = sure_mine >= HOLD_QUIET_NS && sure_theirs >= HOLD_QUIET_NS;
	}
	if (!quiet[0] && !quiet[1])
		return 0;
	uint8_t p = quiet[0] && quiet[1] ? PARTY_NONE : quiet[0] ? PARTY_A : PARTY_B;
	uint8_t q0 = quiet[0] ? PARTY_A : PARTY_B;
	struct finding *f = finding_add(fs, "HOLD_WITHOUT_KEEPALIVE", SEV_WARNING, p, from[q0]);
	if (!f)
		return 0;
	if (p == PARTY_NONE)
		finding_title(f, "On hold, nothing sent either way for %.0f s", secs(now - from[q0]));
	else
		finding_title(f, "On hold, the %s has sent nothing for %.0f s", party_str(p), secs(now - from[q0]));
	finding_explain(f, "The call is on hold and no RTP, RTCP or STUN has passed %s for %.0f s. A NAT or firewall "
			"with a shorter UDP timeout forgets the media mapping, and audio may not come back after the "
			"unhold.", p == PARTY_NONE ? "either way" : "from or to that party", secs(now - from[q0]));
	finding_recommend(f, "Turn on the phones' RTP keep-alives during hold (or let the PBX play music on hold), "
			  "at an interval below the NAT's UDP timeout.");
	sdp_evidence(f, c, since);
	c->consumer_marks |= WARN_HOLD_QUIET;
	emit(ctx, c, f);
	fs->n = 0;
	return 1;
}

/* The initial INVITE's 2xx retransmitted after the caller's first ACK, on
 * Timer G's schedule (as analyze's MISSING_ACK counts them: copies on several
 * hops come milliseconds apart): seen on the caller's side, the ACKs are lost
 * on the way. Its first ACK in *ack. */
static uint32_t oks_after_ack(const struct call *c, const struct msg_rec **ack)
{
	uint32_t after = 0;
	int64_t prev_ok = 0;
	*ack = NULL;
	for (uint32_t i = 0; i < c->n_msgs; i++) {
		const struct msg_rec *m = &c->msgs[i];
		bool ok = !m->request && m->status >= 200 && m->status < 300 && !strcmp(m->method, "INVITE") &&
			  m->cseq == c->initial_cseq;
		if (!*ack && m->request && !strcmp(m->method, "ACK") && m->cseq == c->initial_cseq &&
		    m->ts >= c->answer_ts)
			*ack = m;
		else if (*ack && ok && m->retrans && m->ts - prev_ok >= 400000000LL && m->ts - (*ack)->ts >= 100000000LL)
			after++;
		if (ok)
			prev_ok = m->ts;
	}
	return after;
}

unsigned warn_check(struct call *c, int64_t now, const struct warn_config *cfg, bool media_path,
		    void (*emit)(void *ctx, const struct call *c, const struct finding *f), void *ctx)
{
	unsigned raised = 0;
	struct findings fs;
	fs.n = 0;
	fs.dropped = 0;
	if (c->state != CALL_ANSWERED)
		return 0;

	/* (c) the 2xx retransmitted and no ACK: Timer H ends the call 32 s after the first 2xx */
	const struct msg_rec *ack = NULL;
	uint32_t after_ack = 0;
	if (!(c->consumer_marks & WARN_MISSING_ACK) && c->acked && c->ok_retrans >= 2 && !c->sig_gaps)
		after_ack = oks_after_ack(c, &ack);
	if (!(c->consumer_marks & WARN_MISSING_ACK) && (!c->acked || after_ack >= 2) && c->ok_retrans >= 2 &&
	    !c->sig_gaps) {
		int64_t left = c->answer_ts + TIMER_H_NS - now;
		struct finding *f = finding_add(&fs, "MISSING_ACK", SEV_CRITICAL, PARTY_B, c->answer_ts);
		if (f) {
			finding_title(f, ack ? "The 200 OK keeps coming after the ACK: Timer H ends this call in %.0f s"
					     : "No ACK for the 200 OK: Timer H ends this call in %.0f s",
				      left > 0 ? secs(left) : 0.0);
			char at[64];
			format_utc_readable(at, sizeof(at), c->answer_ts);
			if (ack)
				finding_explain(f, "The callee answered at %s; the caller ACKed it, yet the callee has "
						"retransmitted its 200 OK %u more times (RFC 3261 Timer G): the ACKs are lost "
						"between here and the callee. Unless one arrives, the callee gives up 64*T1 = "
						"32 s after the first 200 (Timer H) and hangs up.", at, after_ack);
			else
				finding_explain(f, "The callee answered at %s and has retransmitted its 200 OK %u time%s (RFC "
						"3261 Timer G) with no ACK seen. Unless an ACK arrives, the callee gives up "
						"64*T1 = 32 s after the first 200 (Timer H) and hangs up.",
						at, c->ok_retrans, c->ok_retrans == 1 ? "" : "s");
			finding_recommend(f, "Look at where the caller sends its ACK: the 200's Contact and Record-Route "
					  "(a private or unreachable address), and a NAT or SIP ALG between them.");
			answer_evidence(f, c);
			if (ack)
				finding_evidence(f, ack->frame, ack->ts, ack->point, "first ACK, sent by the caller");
			for (int i = (int)c->n_msgs - 1; i >= 0; i--) {
				const struct msg_rec *m = &c->msgs[i];
				if (!m->request && m->status >= 200 && m->status < 300 && m->retrans &&
				    m->cseq == c->initial_cseq && !strcmp(m->method, "INVITE")) {
					finding_evidence(f, m->frame, m->ts, m->point,
							 ack ? "the 200 OK again, after the ACK" : "the 200 OK again, with no ACK");
					break;
				}
			}
			c->consumer_marks |= WARN_MISSING_ACK;
			emit(ctx, c, f);
			raised++;
			fs.n = 0;
		}
	}

	int64_t since;
	if (!c->answer_ts)
		return raised;
	if (!media_expected(c, &since)) {
		if (since > c->answer_ts && on_hold(c) && !(c->consumer_marks & WARN_HOLD_QUIET))
			raised += hold_quiet(c, now, since, cfg, &fs, emit, ctx);
		return raised;
	}
	if (since < c->answer_ts)
		since = c->answer_ts;
	if (now <= since)
		return raised;
	struct dir_media d[2];
	dir_media(c, d);
	/* quiet: how long a direction has been silent; sure: the part of it the
	 * capture saw whole, after the latest window in which the capture itself
	 * dropped packets (the missing RTP may be in what it dropped), and none
	 * when the silence began inside such a window (what began it, a BYE or a
	 * re-INVITE to hold, may be in what it dropped) */
	int64_t quiet[2], sure[2];
	bool flowing[2];
	int64_t lost_to = cfg->n_loss ? cfg->loss[(cfg->n_loss - 1) % WARN_LOSS_WINDOWS].to : 0;
	for (int p = 0; p < 2; p++) {
		int64_t from = d[p].last_ts > since ? d[p].last_ts : since;
		quiet[p] = now - from;
		sure[p] = began_in_loss(c, (unsigned)p, cfg, from) ? -1 : now - (lost_to > from ? lost_to : from);
		flowing[p] = d[p].last_ts > since && now - d[p].last_ts <= FLOW_NS;
	}

	/* (a) one direction silent while the other flows: one-way audio now */
	for (uint8_t p = PARTY_A; p <= PARTY_B; p++) {
		uint8_t q = (uint8_t)(1 - p);
		unsigned bit = p == PARTY_A ? WARN_ONE_WAY_A : WARN_ONE_WAY_B;
		if ((c->consumer_marks & bit) || sure[p] < cfg->silence_ns || !flowing[q])
			continue;
		/* a keep-alive of the party (RTCP, STUN) still arriving after its RTP
		 * stopped: its packets get through, it has nothing to say (mute,
		 * silence suppression) */
		int64_t alive = c->rtcp_last_by[p] > c->stun_last_by[p] ? c->rtcp_last_by[p] : c->stun_last_by[p];
		/* ... unless its sender reports count RTP sent since its last packet
		 * came here: sent, and lost on the way (RFC 3550 6.4.1) */
		bool sent_unseen = d[p].last && d[p].last->sr_sent_unseen_ts > d[p].last_ts &&
				   d[p].last->sr_sent_unseen_ts > since;
		if (alive > d[p].last_ts && alive > since && now - alive < cfg->silence_ns && !sent_unseen)
			continue;
		/* silent while the other flows: when the other's RTP paused too (both
		 * quiet while nobody speaks) and came back during this silence, only
		 * the time since it came back counts */
		const struct stream *qs = d[q].last;
		if (qs && qs->n_gaps && qs->n_gaps <= STREAM_MAX_GAPS) {
			int64_t back = qs->gaps[qs->n_gaps - 1].end;
			if (back > now - quiet[p] && now - back < cfg->silence_ns)
				continue;
		}
		bool never = d[p].last_ts <= since;
		/* RTP that stopped may be a phone suppressing its silence: a warning;
		 * RTP that never came since the answer: critical */
		struct finding *f = finding_add(&fs, "ONE_WAY_AUDIO", never ? SEV_CRITICAL : SEV_WARNING, p,
						now - quiet[p]);
		if (!f)
			continue;
		finding_title(f, "One-way audio now: no RTP %s for %.1f s while %s flows", dir_text(p), secs(quiet[p]),
			      dir_text(q));
		if (never)
			finding_explain(f, "The %s has sent no RTP since %s (%.1f s), while the %s's RTP keeps arriving: "
					"the %s hears nothing.",
					party_str(p), since == c->answer_ts ? "the answer" : "the latest SDP", secs(quiet[p]),
					party_str(q), party_str(q));
		else
			finding_explain(f, "The %s's RTP stopped %.1f s ago, while the %s's RTP keeps arriving: the %s "
					"hears nothing now (unless the %s's phone suppresses its silence without comfort "
					"noise; the finding at the end of the call tells).",
					party_str(p), secs(quiet[p]), party_str(q), party_str(q), party_str(p));
		finding_recommend(f, "Look at the path from the %s to the %s (a firewall, a NAT mapping that expired, "
				  "the media anchor), and at the %s's SDP address and port.",
				  party_str(p), party_str(q), party_str(q));
		answer_evidence(f, c);
		sdp_evidence(f, c, since);
		media_evidence(f, c, &d[p], p, since);
		media_evidence(f, c, &d[q], q, since);
		c->consumer_marks |= bit;
		emit(ctx, c, f);
		raised++;
		fs.n = 0;
	}

	/* (b) silent both ways outside a hold (on a capture that carries media) */
	/* Both parties pausing at once is what two phones suppressing silence do
	 * while nobody speaks: RTP that flowed and stopped both ways is a warning
	 * after twice --silence; RTP that never came, after --silence, where the
	 * capture is on the call's media path. */
	bool never = d[0].last_ts <= since && d[1].last_ts <= since;
	int64_t both_ns = never ? cfg->silence_ns : 2 * cfg->silence_ns;
	if (!(c->consumer_marks & WARN_NO_RTP) && (never ? media_path : cfg->media_seen) && sure[0] >= both_ns &&
	    sure[1] >= both_ns) {
		int64_t q = quiet[0] < quiet[1] ? quiet[0] : quiet[1];
		struct finding *f = finding_add(&fs, "NO_RTP", never ? SEV_CRITICAL : SEV_WARNING, PARTY_NONE, now - q);
		if (f) {
			finding_title(f, "No RTP either way for %.1f s, outside a hold", secs(q));
			finding_explain(f, "%s Neither party asked for a hold in its latest SDP.",
					never ? "No RTP has been seen in either direction since the call was answered (or "
						"since the latest SDP)."
					      : "RTP stopped in both directions.");
			finding_recommend(f, "Check that the capture point is on the media path (a filter of SIP only "
					  "would look the same); if it is, look for what sits between the parties' media "
					  "addresses (firewall, NAT, a media relay that stopped).");
			answer_evidence(f, c);
			sdp_evidence(f, c, since);
			media_evidence(f, c, &d[0], PARTY_A, since);
			media_evidence(f, c, &d[1], PARTY_B, since);
			c->consumer_marks |= WARN_NO_RTP;
			emit(ctx, c, f);
			raised++;
			fs.n = 0;
		}
	}

	/* (d) the user's media watchdog: a direction silent more than half its interval */
	if (cfg->rtp_timeout_ns > 0 && !(c->consumer_marks & WARN_WATCHDOG)) {
		int64_t q = quiet[0] > quiet[1] ? quiet[0] : quiet[1];
		uint8_t p = quiet[0] > quiet[1] ? PARTY_A : PARTY_B;
		bool both = quiet[0] * 2 > cfg->rtp_timeout_ns && quiet[1] * 2 > cfg->rtp_timeout_ns;
		if (q * 2 > cfg->rtp_timeout_ns && sure[p] * 2 > cfg->rtp_timeout_ns) {
			int64_t left = cfg->rtp_timeout_ns - q;
			struct finding *f = finding_add(&fs, "RTP_TIMEOUT", SEV_WARNING, both ? PARTY_NONE : p, now - q);
			if (f) {
				if (cfg->watchdog_from)
					finding_title(f, "The media watchdog (about %.0f s, learned from an earlier call) will "
						      "hang up this call in %.0f s", secs(cfg->rtp_timeout_ns),
						      left > 0 ? secs(left) : 0.0);
				else
					finding_title(f, "The media watchdog (--rtp-timeout %.0f s) will hang up this call in "
						      "%.0f s", secs(cfg->rtp_timeout_ns), left > 0 ? secs(left) : 0.0);
				finding_explain(f, "No RTP %s for %.1f s; a media watchdog of %.0f s hangs up at %.0f s "
						"of silence.",
						both ? "either way" : dir_text(p), secs(q), secs(cfg->rtp_timeout_ns),
						secs(cfg->rtp_timeout_ns));
				if (cfg->watchdog_from)
					finding_explain(f, "%s", cfg->watchdog_from);
				finding_recommend(f, "Find why the media stopped before the watchdog ends the call (see "
						  "the one-way or no-RTP warning of this call).");
				answer_evidence(f, c);
				media_evidence(f, c, &d[p], p, since);
				c->consumer_marks |= WARN_WATCHDOG;
				emit(ctx, c, f);
				raised++;
			}
		}
	}
	return raised;
}
