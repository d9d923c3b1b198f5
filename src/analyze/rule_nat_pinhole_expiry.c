/* SPDX-License-Identifier: MIT */
/* NAT_PINHOLE_EXPIRY: after a hold or a long media pause, one side's RTP comes
 * back from a new external port that the far end does not follow (it keeps
 * sending to the old, expired mapping), or one direction never comes back.
 * Each pause also bounds the NAT's UDP idle timeout: mappings that survived
 * X s of silence, mappings that were gone after Y s. */
#include "analyze/rule_util.h"

#define MIN_PAUSE_NS 5000000000LL

/* Intervals after which media watchdogs commonly hang up: the defaults of
 * watchdogs.c and the values people commonly set (Asterisk rtp_timeout=30/60). */
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
		if (!watchdogs[i].on_by_default)
			continue;
		tol = watchdogs[i].seconds * 0.1 > 3.0 ? watchdogs[i].seconds * 0.1 : 3.0;
		if (s >= watchdogs[i].seconds - tol && s <= watchdogs[i].seconds + tol)
			used += (size_t)snprintf(names + used, cap - used, "%sthe default of %s (%.0f s)", used ? "; " : "",
						 watchdogs[i].platform, watchdogs[i].seconds);
	}
	if (used < cap - 1 && ((s >= 27 && s <= 33) || (s >= 57 && s <= 63)))
		used += (size_t)snprintf(names + used, cap - used, "%san Asterisk rtp_timeout of %s s as commonly set",
					 used ? "; " : "", s < 45 ? "30" : "60");
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
	rec_keepalive(fd, party_platform(c, h->by), keepalive_below(x));
	finding_recommend(fd, "Confirm with a capture of SIP and RTP during a hold/unhold (tcpdump -i any udp portrange "
			  "10000-20000 or port 5060): deadair then shows which direction does not come back.");
}

static void note_bound(struct analyzer *a, const struct call *c, uint8_t party, bool died, double s)
{
	if (party <= PARTY_B) {
		if (died && (a->call_died_s[party] == 0 || s < a->call_died_s[party]))
			a->call_died_s[party] = s;
		else if (!died && s > a->call_survived_s[party])
			a->call_survived_s[party] = s;
	}
	struct nat_bounds *b = analyzer_nat_add(a, c, party);
	if (!b)
		return;
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
	/* a copy of its SDP (as written, or as a relay rewrote it) names the
	 * public source itself: no NAT between */
	for (uint32_t i = 0; i < c->n_sdp; i++)
		for (unsigned k = 0; c->sdp[i].by == p && k < c->sdp[i].n_media; k++)
			if (!strcmp(c->sdp[i].media[k].type, "audio") && endpoint_eq(&c->sdp[i].media[k].rtp, &s->src) &&
			    !addr_is_private(&s->src.addr) && !addr_is_cgnat(&s->src.addr))
				return false;
	const struct sdp_rec *r = facts_sdp_by(c, p, s->first_ts);
	for (unsigned i = 0; r && i < r->n_media; i++)
		if (!strcmp(r->media[i].type, "audio"))
			return !endpoint_eq(&r->media[i].rtp, &s->src) || addr_is_private(&r->media[i].rtp.addr) ||
			       addr_is_cgnat(&r->media[i].rtp.addr);
	return false;
}

/* Silences the mappings of a NATed party survived: audio came back on the same
 * source after them and the far end's media reached it. */
static void survived(const struct rule_ctx *x)
{
	const struct call *c = x->c;
	for (uint8_t p = PARTY_A; p <= PARTY_B; p++)
		for (const struct stream *old = c->streams; old; old = old->next) {
			if (old->dir != p || old->packets < 20 || !natted(c, p, old) || facts_relay_in(c, old)) /* a relay's silences, not the NAT's */
				continue;
			for (uint32_t g = 0; g < old->n_gaps && g < STREAM_MAX_GAPS; g++) {
				int64_t len = old->gaps[g].end - old->gaps[g].start;
				if (len >= MIN_PAUSE_NS && towards(c, facts_other(p), &old->src, old->gaps[g].end + 1000000000LL))
					note_bound(x->a, c, p, false, (double)len / 1e9);
			}
		}
}

static void door_closed_for_a_while(const struct rule_ctx *x, struct findings *out);

static void cite_icmp(const struct rule_ctx *x, const struct acct_dir *d, uint8_t far, uint8_t p, struct finding *fd)
{
	if (d->icmp < 0)
		return;
	const struct icmp_rec *ic = &x->c->icmp[d->icmp];
	char from[ADDR_STRLEN];
	addr_str(&ic->from.addr, from);
	finding_explain(fd, "The NAT says so itself: %u ICMP %s error%s from %s answered the %s's RTP from %+.3f s (%s "
			"%llu), the closed door of the mapping the %s no longer has.", ic->count, icmp_kind_str(ic->kind),
			ic->count == 1 ? "" : "s", from, who(far), rel_s(x->c, ic->first_ts), unit(x),
			(unsigned long long)ic->first_frame, who(p));
	finding_evidence(fd, ic->first_frame, ic->first_ts, ic->point, "ICMP %s from %s", icmp_kind_str(ic->kind), from);
}

static void eval(const struct rule_ctx *x, struct findings *out)
{
	const struct call *c = x->c;
	const struct call_facts *f = x->f;
	if (x->a->cfg.signalling_only) {
		from_signalling(x, out);
		return;
	}
	if (!f->answered || !f->acct.valid)
		return;
	survived(x);
	door_closed_for_a_while(x, out);
	for (uint8_t far = PARTY_A; far <= PARTY_B; far++) {
		const struct acct_dir *d = &f->acct.dir[far];
		uint8_t p = facts_other(far); /* the party behind the NAT */
		if (!d->lost || (d->cause != CAUSE_STALE_MAPPING && d->cause != CAUSE_NAT_EXPIRED))
			continue;
		double pause = d->silence_s;
		note_bound(x->a, c, p, true, pause);
		const struct hold_period *h = d->hold >= 0 ? &f->holds[d->hold] : facts_hold_at(f, d->lost_from - (int64_t)(pause * 1e9) + 500000000LL);
		struct finding *fd = finding_add(out, "NAT_PINHOLE_EXPIRY", SEV_CRITICAL, far, d->lost_from);
		if (!fd)
			return;
		fd->lost_dirs = (uint8_t)(1u << far);
		if (d->cause == CAUSE_STALE_MAPPING) {
			char a[64], b[64] = "?";
			ep_text(&d->to, a, sizeof(a));
			const struct stream *nw = NULL;
			for (const struct stream *s = c->streams; s; s = s->next)
				if (s->dir == p && s->first_frame == d->lost_frame)
					nw = s;
			if (nw)
				ep_text(&nw->src, b, sizeof(b));
			finding_title(fd, "NAT mapping expired after %.0f s of %s: the %s's RTP came back from a new port, "
				      "the %s kept sending to the old one", pause, h ? "hold" : "silence", who(p), who(far));
			finding_explain(fd, "The %s's RTP came from %s before a silence of %.1f s%s.", who(p), a, pause,
					h ? " on hold" : "");
			if (h)
				finding_explain(fd, "The call was on hold (%s, by the %s, frame %llu).", h->how, who(h->by),
						(unsigned long long)h->frame_start);
			finding_explain(fd, "When the audio resumed at %+.3f s (frame %llu) it came from %s: the NAT in front "
					"of the %s had forgotten the old mapping and made a new one. The %s kept sending to "
					"%s (%u packets after the resume), which the NAT now drops: the %s hears nothing.",
					rel_s(c, d->lost_from), (unsigned long long)d->lost_frame, b, who(p), who(far), a,
					d->packets_after, who(p));
			if (nw)
				finding_evidence(fd, nw->first_frame, nw->first_ts, nw->point, "RTP resumes from %s", b);
		} else {
			finding_title(fd, "NAT mapping expired during %.0f s of silence on hold: after the unhold the %s sends, "
				      "nothing comes back", pause, who(p));
			finding_explain(fd, "The call was on hold (%s, by the %s) from %+.3f s to %+.3f s, and no RTP went either "
					"way for %.0f s. After the unhold the %s sent RTP again (%u packets until %+.3f s), "
					"and none came from the %s: the NAT in front of the %s had forgotten the mapping "
					"through which the %s's media came in, as a NAT does when nothing crosses it for "
					"longer than its UDP idle timeout.", h ? h->how : "?", h ? who(h->by) : "?",
					h ? rel_s(c, h->start) : 0.0, h ? rel_s(c, h->end) : 0.0, pause, who(p),
					facts_packets_between(c, p, d->lost_from, INT64_MAX), rel_s(c, f->dir[p].last_ts),
					who(far), who(p), who(far));
			finding_explain(fd, "This is what the %s sees from inside the NAT; outside it, the %s's RTP would come "
					"back from a new port while the %s keeps sending to the old one.", who(p), who(p),
					who(far));
		}
		finding_explain(fd, "So this NAT's UDP idle timeout is below %.0f s: the mapping survived nothing of that "
				"silence.", pause);
		const struct nat_bounds *nb = analyzer_nat_of(x->a, c, p);
		if (nb && nb->have_survived && nb->survived_s < pause)
			finding_explain(fd, "A mapping of the same NAT survived %.0f s of silence (call %s), so the timeout "
					"lies between %.0f and %.0f s.", nb->survived_s, nb->survived_call, nb->survived_s,
					pause);
		cite_icmp(x, d, far, p, fd);
		if (h)
			finding_evidence(fd, h->frame_start, h->start, c->point, "hold (%s)", h->how);
		if (h && h->end)
			finding_evidence(fd, h->frame_end, h->end, c->point, "unhold");
		if (f->dir[far].packets)
			finding_evidence(fd, f->dir[far].last_frame, f->dir[far].last_ts, f->dir[far].last_point,
					 "last RTP %s seen here", dir_text(far));
		rec_keepalive(fd, party_platform(c, p), keepalive_below(x));
		rec_symmetric(fd, party_platform(c, far));
	}
}

/* Whether e, where the far end sent p's audio, is a NAT's mapping for p: an
 * address p's RTP came from that p's SDP did not name (learned by latching),
 * or that p's SDP names as learned (a STUN Binding response in this capture
 * gave it, or ICE calls it server-reflexive), and p's RTP had come from it
 * before: the mapping was there and went (refusals before p's first packet
 * are a mapping not made yet). A port p advertised as its own and then
 * refused is p's own closed socket. */
static bool learned(const struct call *c, uint8_t p, const struct endpoint *e, int64_t before)
{
	for (unsigned i = 0; i < c->n_sdp; i++) {
		const struct sdp_rec *r = &c->sdp[i];
		for (unsigned m = 0; r->by == p && m < r->n_media; m++)
			if (endpoint_eq(&r->media[m].rtp, e) && !(r->marks & SDP_MARK_STUN_MAPPED) &&
			    r->media[m].ice_default != ICE_DEFAULT_SRFLX)
				return false;
	}
	for (const struct stream *s = c->streams; s; s = s->next)
		if (s->dir == p && s->packets >= 20 && endpoint_eq(&s->src, e) && s->first_ts < before)
			return true;
	return false;
}

/* A mapping gone for a while: the NAT in front of p answered the far end's
 * RTP to p's public address with ICMP port unreachable (the closed door
 * itself) over two seconds or more, and the audio came back after. */
static void door_closed_for_a_while(const struct rule_ctx *x, struct findings *out)
{
	const struct call *c = x->c;
	const struct call_facts *f = x->f;
	for (unsigned i = 0; i < c->n_icmp; i++) {
		const struct icmp_rec *ic = &c->icmp[i];
		if (ic->about != ICMP_ABOUT_RTP || ic->kind != ICMP_PORT_UNREACHABLE || ic->refused > PARTY_B ||
		    ic->count < 3 || ic->last_ts - ic->first_ts < 2000000000LL || !addr_eq(&ic->from.addr, &ic->q_dst.addr))
			continue;
		uint8_t far = ic->refused, p = facts_other(far);
		const struct acct_dir *d = &f->acct.dir[far];
		if (d->lost && (d->cause == CAUSE_STALE_MAPPING || d->cause == CAUSE_NAT_EXPIRED))
			continue; /* said above, with the ICMP cited */
		if (!learned(c, p, &ic->q_dst, ic->first_ts))
			continue;
		struct finding *fd = finding_add(out, "NAT_PINHOLE_EXPIRY", SEV_WARNING, far, ic->first_ts);
		if (!fd)
			return;
		char to[64], from[ADDR_STRLEN];
		ep_text(&ic->q_dst, to, sizeof(to));
		addr_str(&ic->from.addr, from);
		finding_title(fd, "The NAT in front of the %s had no mapping for %.0f s: it refused the %s's RTP with ICMP "
			      "port unreachable", who(p), secs(ic->first_ts, ic->last_ts), who(far));
		finding_explain(fd, "From %+.3f s (%s %llu) to %+.3f s the %s's RTP to %s was answered %u times by ICMP port "
				"unreachable from %s, the NAT's own address: it had no mapping for that port any more "
				"(expired, or flushed by a restart or a link flap), and the %s heard nothing of it then "
				"(RTP passing this point is no proof it arrived).", rel_s(c, ic->first_ts), unit(x),
				(unsigned long long)ic->first_frame, rel_s(c, ic->last_ts), who(far), to, ic->count, from,
				who(p));
		if (d->lost)
			finding_explain(fd, "The audio did not come back.");
		else
			finding_explain(fd, "The refusals stopped and the audio went on: the mapping was made again (by the "
					"%s's own next packet or a registration).", who(p));
		finding_evidence(fd, ic->first_frame, ic->first_ts, ic->point, "ICMP port unreachable from %s", from);
		finding_evidence(fd, ic->last_frame, ic->last_ts, ic->point, "last of %u such errors", ic->count);
		rec_keepalive(fd, party_platform(c, p), keepalive_below(x));
	}
}

const struct rule rule_nat_pinhole_expiry = { "NAT_PINHOLE_EXPIRY", "NAT mapping expired during hold or silence",
					      SEV_CRITICAL, eval };
