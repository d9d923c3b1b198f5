/* SPDX-License-Identifier: MIT */
/* Running the rules on a call, and the diagnostic walk: the six questions an
 * expert asks of a failed call, answered from the evidence in order. */
#include "analyze/analyze.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "analyze/audio_account.h"
#include "calls/calls.h"

const char *const walk_questions[WALK_QUESTIONS] = {
	"Was SIP healthy until the BYE?",
	"Was the BYE preceded by silence, and how long?",
	"Was the loss one-way or both ways?",
	"Did it coincide with hold/unhold?",
	"Were there codec changes?",
	"Where did RTP last arrive (which capture point, when)?",
};

/* snprintf whose truncation is expected (long descriptions are cut). */
static void put(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void put(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
}

void analyzer_init(struct analyzer *a, const struct analyze_config *cfg)
{
	memset(a, 0, sizeof(*a));
	a->cfg = *cfg;
}

/* The interface of frame `frame` of call c, from the message or stream
 * record that holds it; false when none does. */
static bool frame_iface(const struct call *c, uint64_t frame, uint16_t *iface)
{
	for (uint32_t i = 0; i < c->n_msgs; i++)
		if (c->msgs[i].frame == frame) {
			*iface = c->msgs[i].iface;
			return true;
		}
	for (const struct stream *s = c->streams; s; s = s->next) {
		if (s->last_frame == frame) {
			*iface = s->last_iface;
			return true;
		}
		bool in = s->first_frame == frame || s->max_delta_frame == frame || s->rtcp.last_frame == frame;
		for (uint32_t g = 0; !in && g < s->n_gaps && g < STREAM_MAX_GAPS; g++)
			in = s->gaps[g].frame_before == frame || s->gaps[g].frame_after == frame;
		for (uint32_t k = 0; !in && k < s->n_events && k < STREAM_MAX_EVENTS; k++)
			in = s->events[k].frame == frame;
		for (uint32_t k = 0; !in && k < s->n_pt_changes && k < STREAM_MAX_PT_CHANGES; k++)
			in = s->pt_changes[k].frame == frame;
		if (in) {
			*iface = s->iface;
			return true;
		}
	}
	for (unsigned i = 0; i < c->n_icmp && i < CALL_MAX_ICMP; i++)
		if (c->icmp[i].first_frame == frame || c->icmp[i].last_frame == frame) {
			*iface = c->icmp[i].first_frame == frame ? c->icmp[i].first_iface : c->icmp[i].last_iface;
			return true;
		}
	return false;
}

/* With several interfaces in the capture, every piece of evidence names its frame's. */
static void name_interfaces(const struct analyzer *a, const struct call *c, struct findings *out)
{
	const struct capture *cap = a->cfg.cap;
	if (!cap || cap->n_ifaces < 2)
		return;
	for (unsigned i = 0; i < out->n; i++)
		for (unsigned k = 0; k < out->f[i].n_ev; k++) {
			struct evidence *e = &out->f[i].ev[k];
			uint16_t ifc;
			if (e->point == c->point && frame_iface(c, e->frame, &ifc) && ifc < cap->n_ifaces)
				snprintf(e->iface, sizeof(e->iface), "%s", cap->ifaces[ifc].name);
		}
}

/* The NAT idle timeout this call bounds: the silence after which a mapping was
 * gone (or, when another mapping of the capture survived less, that), so that
 * every finding of the call gives the same keep-alive advice. */
/* The address party p's media came from: its busiest stream's source. */
static const struct addr *media_source(const struct call *c, uint8_t p)
{
	const struct stream *best = NULL;
	for (const struct stream *s = c->streams; s; s = s->next)
		if (s->dir == p && (!best || s->packets > best->packets))
			best = s;
	return best ? &best->src.addr : NULL;
}

const struct nat_bounds *analyzer_nat_of(const struct analyzer *a, const struct call *c, uint8_t p)
{
	const struct addr *where = media_source(c, p);
	for (unsigned i = 0; i < a->n_nat; i++)
		if (where ? addr_eq(&a->nat[i].where, where) : !a->nat[i].where.family)
			return &a->nat[i];
	return NULL;
}

struct nat_bounds *analyzer_nat_add(struct analyzer *a, const struct call *c, uint8_t p)
{
	const struct nat_bounds *known = analyzer_nat_of(a, c, p);
	if (known)
		return &a->nat[known - a->nat];
	if (a->n_nat >= NAT_MAX) {
		a->nat_unlisted++;
		return NULL;
	}
	struct nat_bounds *b = &a->nat[a->n_nat++];
	memset(b, 0, sizeof(*b));
	const struct addr *where = media_source(c, p);
	if (where)
		b->where = *where;
	return b;
}

static double keepalive_below(const struct analyzer *a, const struct call *c, const struct call_facts *f)
{
	double died = 0, survived = 0;
	for (uint8_t far = PARTY_A; far <= PARTY_B; far++) {
		const struct acct_dir *d = &f->acct.dir[far];
		if (!d->lost || (d->cause != CAUSE_NAT_EXPIRED && d->cause != CAUSE_STALE_MAPPING) || d->silence_s <= 0 ||
		    (died != 0 && d->silence_s >= died))
			continue;
		died = d->silence_s;
		/* what a mapping of the same NAT (the receiver's) survived elsewhere */
		const struct nat_bounds *b = analyzer_nat_of(a, c, far == PARTY_A ? PARTY_B : PARTY_A);
		survived = b && b->have_survived ? b->survived_s : 0;
	}
	if (died > 0 && survived > 0 && survived < died)
		return survived;
	return died;
}

void analyze_call(struct analyzer *a, const struct call *c, struct findings *out, struct walk *w)
{
	struct call_facts f;
	facts_derive(c, &f);
	account_build(c, &f, a->cfg.signalling_only, a->rtp_seen > 0);
	f.keepalive_below_s = keepalive_below(a, c, &f);
	/* finding_add clears each finding it hands out: the list, some 100 KB,
	 * is not cleared whole for every call */
	out->n = 0;
	out->dropped = 0;
	memset(a->call_survived_s, 0, sizeof(a->call_survived_s));
	memset(a->call_died_s, 0, sizeof(a->call_died_s));
	struct rule_ctx ctx = { c, &f, a };
	for (size_t i = 0; i < n_rules; i++)
		rule_at(i)->eval(&ctx, out);
	/* packets the capture itself dropped while the call was up: before the
	 * findings are ranked and counted (loss findings are lowered) */
	struct capture_loss_hit lost;
	capture_loss_mark(a, c, c->start_ts, f.end > c->last_activity_ts ? f.end : c->last_activity_ts, out, &lost);
	findings_sort(out);
	name_interfaces(a, c, out);
	a->calls++;
	bool problem = false;
	for (unsigned i = 0; i < out->n; i++) {
		const struct finding *fd = &out->f[i];
		a->by_sev[fd->sev]++;
		for (size_t r = 0; r < n_rules && r < 32; r++)
			if (!strcmp(rule_at(r)->id, fd->id)) {
				a->by_rule[r]++;
				break;
			}
		if (fd->sev >= SEV_WARNING)
			problem = true;
		if (!a->any || fd->sev > a->worst)
			a->worst = fd->sev;
		a->any = true;
	}
	if (problem)
		a->calls_with_problems++;
	memset(w, 0, sizeof(*w));
	w->capture_loss = lost;
	headline_build(c, &f, &a->cfg, w);
	if (problem) {
		walk_build(c, &f, out, w);
		if (a->cfg.signalling_only)
			walk_signalling_only(c, &f, &a->cfg, w);
	}
}

static double rel(const struct call *c, int64_t t);

/* A stretch of the talk time in which a direction's audio, asked for, did not
 * reach this point although its sender went on (its sequence numbers jumped
 * over the packets, at least a second's worth: no silence suppression, which
 * sends fewer packets and skips no number): said in the headline, so that
 * "flowed" does not hide an outage before the capture point. */
static void outage_clause(const struct call *c, const struct call_facts *f, char *buf, size_t cap)
{
	for (uint8_t p = PARTY_A; p <= PARTY_B; p++) {
		const struct stream *s = f->dir[p].main;
		const struct acct_dir *d = &f->acct.dir[p];
		if (!s || s->max_loss_burst < 50)
			continue;
		const struct acct_seg *best = NULL;
		for (unsigned i = 0; i < d->n_seg; i++)
			if (d->seg[i].state == ACCT_SILENT && d->seg[i].t1 - d->seg[i].t0 >= 2000000000LL &&
			    (!best || d->seg[i].t1 - d->seg[i].t0 > best->t1 - best->t0))
				best = &d->seg[i];
		if (!best || best->t1 >= f->talk_end)
			continue;
		size_t n = strlen(buf);
		if (n && buf[n - 1] == '.')
			buf[--n] = '\0';
		put(buf + n, cap - n, ", but %s did not reach this point from %+.1f s to %+.1f s (%u packets in a row never "
		    "arrived).", p == PARTY_A ? "caller -> callee" : "callee -> caller", rel(c, best->t0), rel(c, best->t1), s->max_loss_burst);
	}
}

void headline_build(const struct call *c, const struct call_facts *f, const struct analyze_config *cfg, struct walk *w)
{
	w->acct = f->acct;
	w->n_holds = f->n_holds;
	memcpy(w->holds, f->holds, sizeof(w->holds));
	const struct media_account *a = &f->acct;
	size_t cap = sizeof(w->headline);
	if (!f->answered) {
		snprintf(w->headline, cap, "Not answered (%s%s%s).", call_state_str(c->state), c->final_status ? ", " : "",
			 c->final_status ? (c->final_status >= 500 ? "a server failure" : "refused") : "");
		return;
	}
	if (cfg->signalling_only || !a->valid) {
		snprintf(w->headline, cap, "Answered; the media cannot be judged from this input (no RTP in it).");
		return;
	}
	char d0[300], d1[300];
	bool l0 = a->dir[PARTY_A].lost, l1 = a->dir[PARTY_B].lost;
	w->headline_lost = (uint8_t)((l0 ? 1u << PARTY_A : 0) | (l1 ? 1u << PARTY_B : 0));
	if (l0)
		acct_describe(c, f, PARTY_A, d0, sizeof(d0));
	if (l1)
		acct_describe(c, f, PARTY_B, d1, sizeof(d1));
	if (l0 && l1 && a->dir[PARTY_A].from_start && a->dir[PARTY_B].from_start)
		put(w->headline, cap, "No audio either way: %s; %s.", d0, d1);
	else if (l0 && l1)
		put(w->headline, cap, "Audio lost both ways: %s; %s.", d0, d1);
	else if (l0 || l1)
		put(w->headline, cap, "One-way audio: %s; %s flowed.", l0 ? d0 : d1,
			 l0 ? "callee -> caller" : "caller -> callee");
	else {
		/* nothing lost: say what each direction did */
		const char *st[2];
		for (uint8_t p = PARTY_A; p <= PARTY_B; p++)
			st[p] = !a->dir[p].expected ? "not asked for by the SDP" :
				f->dir[p].packets_in_talk ? "flowed" : "none seen";
		if (!strcmp(st[0], "flowed") && !strcmp(st[1], "flowed")) {
			snprintf(w->headline, cap, "Audio flowed both ways%s.", f->n_holds ? " (apart from hold)" : "");
			outage_clause(c, f, w->headline, cap);
		} else
			snprintf(w->headline, cap, "No loss of audio found: caller -> callee %s, callee -> caller %s.", st[0],
				 st[1]);
	}
}

/* The first change of a party's audio codecs from one SDP to the next. */
static bool sdp_codec_change(const struct call *c, char *buf, size_t cap)
{
	for (uint8_t p = PARTY_A; p <= PARTY_B; p++) {
		const struct sdp_media_rec *prev = NULL;
		const struct sdp_rec *prev_rec = NULL;
		for (uint32_t i = 0; i < c->n_sdp; i++) {
			const struct sdp_rec *r = &c->sdp[i];
			if (r->by != p)
				continue;
			const struct sdp_media_rec *m = NULL;
			for (unsigned k = 0; k < r->n_media; k++)
				if (!strcmp(r->media[k].type, "audio") && r->media[k].rtp.port)
					m = &r->media[k];
			if (!m)
				continue;
			if (prev && prev->n_codecs && m->n_codecs &&
			    (prev->codecs[0].pt != m->codecs[0].pt || prev->n_codecs != m->n_codecs)) {
				snprintf(buf, cap, "the %s's SDP went from %s (%s) to %s (%s) at %+.3f s", party_str(p),
					 prev->codecs[0].name[0] ? prev->codecs[0].name : "?", prev_rec->context,
					 m->codecs[0].name[0] ? m->codecs[0].name : "?", r->context, rel(c, r->ts));
				return true;
			}
			prev = m;
			prev_rec = r;
		}
	}
	return false;
}

void walk_signalling_only(const struct call *c, const struct call_facts *f, const struct analyze_config *cfg,
			  struct walk *w)
{
	const char *u = cfg->lines ? "line" : "frame";
	const char *advice = "capture RTP on the PBX, e.g. tcpdump -i any udp portrange 10000-20000";
	if (f->has_bye) {
		snprintf(w->answer[1], sizeof(w->answer[1]),
			 "Unknown from a SIP trace (no RTP in it): the BYE came from the %s at %+.3f s (%s %llu)%s%s%s; "
			 "to see whether media was silent before it, %s.", party_str(f->bye_by), rel(c, f->bye_ts), u,
			 (unsigned long long)f->bye_frame, c->bye_reason[0] ? ", Reason \"" : "", c->bye_reason,
			 c->bye_reason[0] ? "\"" : "", advice);
	} else {
		snprintf(w->answer[1], sizeof(w->answer[1]), "Unknown: no BYE in the trace, and no RTP in it.");
	}
	w->known[1] = false;
	snprintf(w->answer[2], sizeof(w->answer[2]),
		 "Unknown from a SIP trace: it holds no RTP, so which direction lost audio cannot be seen; %s.", advice);
	w->known[2] = false;
	unsigned offers = 0;
	for (uint32_t i = 0; i < c->n_sdp; i++)
		offers += c->sdp[i].kind == SDP_OFFER;
	char change[200];
	if (sdp_codec_change(c, change, sizeof(change)))
		snprintf(w->answer[4], sizeof(w->answer[4]), "In the SDP: %s (%u offer(s)); in the RTP: unknown (no RTP "
			 "in a trace).", change, offers);
	else
		snprintf(w->answer[4], sizeof(w->answer[4]), "In the SDP: no codec change over %u offer(s); in the RTP: "
			 "unknown (no RTP in a trace).", offers);
	w->known[4] = false;
	snprintf(w->answer[5], sizeof(w->answer[5]), "Unknown: a SIP trace holds no RTP; %s, at each hop you want "
		 "to compare.", advice);
	w->known[5] = false;
	(void)f;
}

static double rel(const struct call *c, int64_t t)
{
	return (double)(t - c->start_ts) / 1e9;
}

void walk_build(const struct call *c, const struct call_facts *f, const struct findings *fs, struct walk *w)
{
	w->present = true;
	/* 1. SIP health until the BYE */
	if (!f->has_bye) {
		snprintf(w->answer[0], sizeof(w->answer[0]), "No BYE was captured (the call %s).",
			 c->state == CALL_ANSWERED ? "was still up at the end" : call_state_str(c->state));
		w->known[0] = c->state != CALL_ANSWERED;
	} else if (f->retrans_before_bye == 0) {
		snprintf(w->answer[0], sizeof(w->answer[0]),
			 "Yes: no SIP retransmissions before the BYE%s.",
			 c->bye_status ? ", and the BYE was answered" : ", but the BYE itself got no answer");
		w->known[0] = true;
	} else {
		snprintf(w->answer[0], sizeof(w->answer[0]),
			 "No: %u SIP retransmissions before the BYE (%u of the 200 OK to the INVITE)%s.",
			 f->retrans_before_bye, c->ok_retrans, c->acked ? "" : ", and no ACK was seen");
		w->known[0] = true;
	}
	/* 2. silence before the BYE */
	if (f->has_bye) {
		char buf[2][160];
		for (uint8_t p = PARTY_A; p <= PARTY_B; p++) {
			const struct dir_facts *d = &f->dir[p];
			if (!d->packets)
				snprintf(buf[p], sizeof(buf[p]), "no RTP %s at all", p == PARTY_A ? "caller -> callee" :
												    "callee -> caller");
			else
				snprintf(buf[p], sizeof(buf[p]), "%s silent for %.1f s (last packet frame %llu)",
					 p == PARTY_A ? "caller -> callee" : "callee -> caller",
					 secs(d->last_ts, f->bye_ts) > 0 ? secs(d->last_ts, f->bye_ts) : 0.0,
					 (unsigned long long)d->last_frame);
		}
		snprintf(w->answer[1], sizeof(w->answer[1]), "BYE from the %s at %+.3f s: %s; %s.", party_str(f->bye_by),
			 rel(c, f->bye_ts), buf[0], buf[1]);
		w->known[1] = true;
	} else {
		snprintf(w->answer[1], sizeof(w->answer[1]), "Unknown: no BYE in the capture.");
	}
	/* 3. one-way or both: the media account's word */
	uint32_t a = f->dir[PARTY_A].packets_in_talk, b = f->dir[PARTY_B].packets_in_talk;
	const struct media_account *acct = &f->acct;
	bool l0 = acct->valid && acct->dir[PARTY_A].lost, l1 = acct->valid && acct->dir[PARTY_B].lost;
	w->walk_lost = (uint8_t)((l0 ? 1u << PARTY_A : 0) | (l1 ? 1u << PARTY_B : 0));
	char d0[300] = "", d1[300] = "";
	if (l0)
		acct_describe(c, f, PARTY_A, d0, sizeof(d0));
	if (l1)
		acct_describe(c, f, PARTY_B, d1, sizeof(d1));
	(void)fs;
	if (!f->answered)
		snprintf(w->answer[2], sizeof(w->answer[2]), "The call was never answered: no media expected.");
	else if (!acct->valid)
		snprintf(w->answer[2], sizeof(w->answer[2]), "Unknown: the media cannot be judged from this input.");
	else if (l0 && l1)
		put(w->answer[2], sizeof(w->answer[2]), "Both ways: %s; %s.", d0, d1);
	else if (l0 || l1)
		put(w->answer[2], sizeof(w->answer[2]), "One-way: %s. %s still reached the %s (%u packets).",
			 l0 ? d0 : d1, l0 ? "callee -> caller" : "caller -> callee", l0 ? "caller" : "callee", l0 ? b : a);
	else
		snprintf(w->answer[2], sizeof(w->answer[2]), "Neither: no direction lost its audio (%u packets caller -> "
			 "callee, %u callee -> caller reached the other party during the talk time).", a, b);
	w->known[2] = f->answered && acct->valid;
	char audio[360];
	audio_walk(c, f, audio, sizeof(audio));
	if (audio[0]) {
		size_t used = strlen(w->answer[2]);
		snprintf(w->answer[2] + used, sizeof(w->answer[2]) - used, " Audio: %s.", audio);
	}
	/* 4. hold */
	if (!f->n_holds) {
		snprintf(w->answer[3], sizeof(w->answer[3]), "No: the call was never put on hold.");
	} else {
		const struct hold_period *h = &f->holds[f->n_holds - 1];
		int n = snprintf(w->answer[3], sizeof(w->answer[3]), "%u hold period(s); the last by the %s (%s) at %+.3f s",
				 f->n_holds, party_str(h->by), h->how, rel(c, h->start));
		if (n > 0 && (size_t)n < sizeof(w->answer[3])) {
			if (h->end)
				snprintf(w->answer[3] + n, sizeof(w->answer[3]) - (size_t)n, ", resumed at %+.3f s.",
					 rel(c, h->end));
			else
				snprintf(w->answer[3] + n, sizeof(w->answer[3]) - (size_t)n, ", never resumed.");
		}
	}
	w->known[3] = true;
	/* 5. codec changes */
	unsigned changes = 0;
	for (const struct stream *s = c->streams; s; s = s->next)
		changes += s->n_pt_changes;
	unsigned offers = 0;
	for (uint32_t i = 0; i < c->n_sdp; i++)
		offers += c->sdp[i].kind == SDP_OFFER;
	snprintf(w->answer[4], sizeof(w->answer[4]), "%u payload-type change(s) in the RTP, %u SDP offer(s)%s.", changes,
		 offers, changes && !offers ? "" : "");
	w->known[4] = true;
	/* 6. where RTP last arrived */
	char buf[2][180];
	for (uint8_t p = PARTY_A; p <= PARTY_B; p++) {
		const struct dir_facts *d = &f->dir[p];
		char ep[64] = "";
		if (d->last_stream)
			endpoint_str(&d->last_stream->dst, ep, sizeof(ep));
		if (d->packets)
			snprintf(buf[p], sizeof(buf[p]), "%s last at %+.3f s (frame %llu, capture point %u, to %s)",
				 p == PARTY_A ? "caller -> callee" : "callee -> caller", rel(c, d->last_ts),
				 (unsigned long long)d->last_frame, d->last_point + 1u, ep);
		else
			snprintf(buf[p], sizeof(buf[p]), "%s never seen", p == PARTY_A ? "caller -> callee" : "callee -> caller");
	}
	snprintf(w->answer[5], sizeof(w->answer[5]), "%s; %s.", buf[0], buf[1]);
	w->known[5] = f->dir[PARTY_A].packets || f->dir[PARTY_B].packets;
}
