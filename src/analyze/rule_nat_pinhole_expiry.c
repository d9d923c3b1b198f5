/* SPDX-License-Identifier: MIT */
/* NAT_PINHOLE_EXPIRY: after a hold or a long media pause, one side's RTP comes
 * back from a new external port that the far end does not follow (it keeps
 * sending to the old, expired mapping), or one direction never comes back.
 * Each pause also bounds the NAT's UDP idle timeout: mappings that survived
 * X s of silence, mappings that were gone after Y s. */
#include "analyze/rule_util.h"

#define MIN_PAUSE_NS 5000000000LL

/* Intervals after which media watchdogs commonly hang up: the defaults of
 * watchdogs.c and the values people commonly set (Asterisk rtptimeout=30/60). */
static bool watchdog_like(const struct rule_ctx *x, double s, char *names, size_t cap)
{
	size_t used = 0;
	names[0] = '\0';
	double tol;
	if (x->a->cfg.rtp_timeout_s > 0) {
		tol = x->a->cfg.rtp_timeout_s * 0.1 > 3.0 ? x->a->cfg.rtp_timeout_s * 0.1 : 3.0;
		if (s >= x->a->cfg.rtp_timeout_s - tol && s <= x->a->cfg.rtp_timeout_s + tol)
			used += (size_t)snprintf(names + used, cap - used, "your --rtp-timeout of %.0f s",
						 x->a->cfg.rtp_timeout_s);
	}
	for (size_t i = 0; i < n_watchdogs && used < cap - 1; i++) {
		tol = watchdogs[i].seconds * 0.1 > 3.0 ? watchdogs[i].seconds * 0.1 : 3.0;
		if (s >= watchdogs[i].seconds - tol && s <= watchdogs[i].seconds + tol)
			used += (size_t)snprintf(names + used, cap - used, "%s%s (%.0f s)", used ? "; " : "",
						 watchdogs[i].platform, watchdogs[i].seconds);
	}
	if (used < cap - 1 && ((s >= 27 && s <= 33) || (s >= 57 && s <= 63)))
		used += (size_t)snprintf(names + used, cap - used, "%san Asterisk rtptimeout / rtp_timeout of %s s as "
					 "commonly set", used ? "; " : "", s < 45 ? "30" : "60");
	return used > 0;
}

/* Signalling only (a pasted trace): a hold long enough for a NAT to forget
 * the media mapping, an unhold, then a BYE a watchdog interval later. A clue
 * from the timing, said as such; never from the absence of RTP. */
static void from_signalling(const struct rule_ctx *x, struct findings *out)
{
	const struct call *c = x->c;
	const struct call_facts *f = x->f;
	if (!f->has_bye || !f->answered || !f->n_holds || x->a->cfg.no_times)
		return;
	const struct hold_period *h = NULL;
	for (unsigned i = 0; i < f->n_holds; i++)
		if (f->holds[i].end && f->holds[i].end <= f->bye_ts)
			h = &f->holds[i];
	if (!h)
		return;
	double held = secs(h->start, h->end), after = secs(h->end, f->bye_ts);
	char names[300];
	if (held < 20.0 || !watchdog_like(x, after, names, sizeof(names)))
		return;
	struct finding *fd = finding_add(out, "NAT_PINHOLE_EXPIRY", SEV_WARNING, PARTY_NONE, h->end);
	if (!fd)
		return;
	finding_title(fd, "BYE %.1f s after the unhold: audio may not have come back after the %.0f s hold", after,
		      held);
	finding_explain(fd, "The %s put the call on hold (%s) at %+.3f s (%s %llu) and resumed it at %+.3f s (%s %llu); "
			"the %s hung up %.1f s later (%s %llu). That interval matches a media watchdog: %s.",
			who(h->by), h->how, rel_s(c, h->start), unit(x), (unsigned long long)h->frame_start,
			rel_s(c, h->end), unit(x), (unsigned long long)h->frame_end, who(f->bye_by), after, unit(x),
			(unsigned long long)f->bye_frame, names);
	finding_explain(fd, "It is the pattern of a NAT or firewall that forgot the media mapping during the %.0f s "
			"of hold: after the unhold one direction's RTP never arrives, and a watchdog ends the call. "
			"The trace holds no RTP, so this is a clue from the timing, not a proof.", held);
	if (c->bye_reason[0])
		finding_explain(fd, "The BYE's Reason: \"%s\".", c->bye_reason);
	finding_evidence(fd, h->frame_start, h->start, c->point, "hold (%s)", h->how);
	finding_evidence(fd, h->frame_end, h->end, c->point, "unhold");
	finding_evidence(fd, f->bye_frame, f->bye_ts, c->point, "BYE from the %s", who(f->bye_by));
	rec_keepalive(fd, party_platform(c, h->by), 20);
	finding_recommend(fd, "Confirm with a capture of SIP and RTP during a hold/unhold (tcpdump -i any udp portrange "
			  "10000-20000 or port 5060): deadair then shows which direction does not come back.");
}

static void note_bound(struct analyzer *a, const struct call *c, bool died, double s)
{
	struct nat_bounds *b = &a->nat;
	if (died && (!b->have_died || s < b->died_s)) {
		b->have_died = true;
		b->died_s = s;
		snprintf(b->died_call, sizeof(b->died_call), "%.100s", c->call_id);
	} else if (!died && (!b->have_survived || s > b->survived_s)) {
		b->have_survived = true;
		b->survived_s = s;
		snprintf(b->survived_call, sizeof(b->survived_call), "%.100s", c->call_id);
	}
}

/* The other party's packets sent to endpoint e at or after t. */
static uint32_t towards(const struct call *c, uint8_t sender, const struct endpoint *e, int64_t t)
{
	uint32_t n = 0;
	for (const struct stream *s = c->streams; s; s = s->next)
		if (s->dir == sender && endpoint_eq(&s->dst, e))
			n += facts_stream_packets_between(s, t, INT64_MAX);
	return n;
}

/* Whether p looks to be behind a NAT: its RTP comes from somewhere its SDP did not say. */
static bool natted(const struct call *c, uint8_t p, const struct stream *s)
{
	const struct sdp_rec *r = facts_sdp_by(c, p, s->first_ts);
	for (unsigned i = 0; r && i < r->n_media; i++)
		if (!strcmp(r->media[i].type, "audio"))
			return !endpoint_eq(&r->media[i].rtp, &s->src) || addr_is_private(&r->media[i].rtp.addr) ||
			       addr_is_cgnat(&r->media[i].rtp.addr);
	return false;
}

static void eval(const struct rule_ctx *x, struct findings *out)
{
	const struct call *c = x->c;
	const struct call_facts *f = x->f;
	if (x->a->cfg.signalling_only) {
		from_signalling(x, out);
		return;
	}
	if (!f->answered)
		return;
	for (uint8_t p = PARTY_A; p <= PARTY_B; p++) {
		uint8_t far = facts_other(p);
		/* pairs of consecutive streams of p separated by a pause */
		for (const struct stream *old = c->streams; old; old = old->next) {
			if (old->dir != p || old->packets < 20)
				continue;
			const struct stream *nw = NULL;
			for (const struct stream *s = c->streams; s; s = s->next)
				if (s != old && s->dir == p && s->packets >= 20 && s->first_ts > old->last_ts &&
				    (!nw || s->first_ts < nw->first_ts))
					nw = s;
			int64_t pause_end = nw ? nw->first_ts : 0;
			/* pauses inside old itself (hold with the same mapping) */
			for (uint32_t g = 0; g < old->n_gaps && g < STREAM_MAX_GAPS; g++) {
				int64_t len = old->gaps[g].end - old->gaps[g].start;
				if (len < MIN_PAUSE_NS || !natted(c, p, old))
					continue;
				/* audio came back on the same mapping: did the far end's media reach it? */
				if (towards(c, far, &old->src, old->gaps[g].end + 1000000000LL) > 0)
					note_bound(x->a, c, false, (double)len / 1e9);
			}
			if (!nw || endpoint_eq(&nw->src, &old->src) || !natted(c, p, nw))
				continue;
			int64_t pause = pause_end - old->last_ts;
			if (pause < MIN_PAUSE_NS)
				continue;
			/* the far end keeps sending to the old mapping and not to the new one */
			uint32_t to_old = towards(c, far, &old->src, nw->first_ts + 1000000000LL);
			uint32_t to_new = towards(c, far, &nw->src, nw->first_ts);
			if (to_old < 50 || to_new * 10 > to_old)
				continue;
			note_bound(x->a, c, true, (double)pause / 1e9);
			struct finding *fd = finding_add(out, "NAT_PINHOLE_EXPIRY", SEV_CRITICAL, far, nw->first_ts);
			if (!fd)
				return;
			char a[64], b[64];
			ep_text(&old->src, a, sizeof(a));
			ep_text(&nw->src, b, sizeof(b));
			const struct hold_period *h = facts_hold_at(f, old->last_ts + 500000000LL);
			finding_title(fd, "NAT mapping expired after %.0f s of %s: the %s's RTP came back from a new port, "
				      "the %s kept sending to the old one", (double)pause / 1e9, h ? "hold" : "silence",
				      who(p), who(far));
			finding_explain(fd, "The %s's RTP came from %s until %+.3f s (frame %llu).", who(p), a,
					rel_s(c, old->last_ts), (unsigned long long)old->last_frame);
			if (h)
				finding_explain(fd, "The call was on hold (%s, by the %s, frame %llu) and nothing was sent "
						"for %.1f s.", h->how, who(h->by), (unsigned long long)h->frame_start,
						(double)pause / 1e9);
			finding_explain(fd, "When the audio resumed at %+.3f s (frame %llu) it came from %s: the NAT in front "
					"of the %s had forgotten the old mapping and made a new one. The %s kept "
					"sending to %s (%u packets after the resume, %u to the new port), which the NAT "
					"now drops: the %s hears nothing.",
					rel_s(c, nw->first_ts), (unsigned long long)nw->first_frame, b, who(p), who(far),
					a, to_old, to_new, who(p));
			finding_explain(fd, "So this NAT's UDP idle timeout is below %.0f s.", (double)pause / 1e9);
			if (x->a->nat.have_survived && x->a->nat.survived_s < (double)pause / 1e9)
				finding_explain(fd, "A mapping in this capture survived %.0f s of silence (call %s), so the "
						"timeout lies between %.0f and %.0f s.", x->a->nat.survived_s,
						x->a->nat.survived_call, x->a->nat.survived_s, (double)pause / 1e9);
			finding_evidence(fd, old->last_frame, old->last_ts, old->point, "last RTP from %s before the pause", a);
			if (h)
				finding_evidence(fd, h->frame_start, h->start, c->point, "hold (%s)", h->how);
			if (h && h->end)
				finding_evidence(fd, h->frame_end, h->end, c->point, "unhold");
			finding_evidence(fd, nw->first_frame, nw->first_ts, nw->point, "RTP resumes from %s", b);
			double below = (double)pause / 1e9;
			if (x->a->nat.have_survived && x->a->nat.survived_s < below)
				below = x->a->nat.survived_s;
			rec_keepalive(fd, party_platform(c, p), below);
			rec_symmetric(fd, party_platform(c, far));
		}
	}
}

const struct rule rule_nat_pinhole_expiry = { "NAT_PINHOLE_EXPIRY", "NAT mapping expired during hold or silence",
					      SEV_CRITICAL, eval };
