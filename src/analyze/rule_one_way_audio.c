/* SPDX-License-Identifier: MIT */
/* ONE_WAY_AUDIO: during the talk time RTP flows in one direction only, from the
 * start or after some moment, although the SDP asked for both directions. */
#include "analyze/rule_util.h"

/* RTP of the silent side that went to a third host: say where. */
static void misdirected(const struct call *c, const struct dir_facts *s, uint8_t silent, struct finding *fd)
{
	const struct stream *m = s->misdirected_stream;
	if (!m)
		return;
	char dst[64];
	ep_text(&m->dst, dst, sizeof(dst));
	finding_explain(fd, "From %+.3f s (frame %llu) the %s's RTP (SSRC 0x%08X, %u packets) went to %s, which is "
			"none of the %s's addresses (its SDP, its RTP source, its signalling): another host now owns "
			"the address:port it was sent to, as when a NAT gave an expired mapping to another device.",
			rel_s(c, m->first_ts), (unsigned long long)m->first_frame, who(silent), m->ssrc, m->packets, dst,
			who(facts_other(silent)));
	finding_evidence(fd, m->first_frame, m->first_ts, m->point, "RTP %s sent to %s", dir_text(silent), dst);
}

static void from_start(const struct rule_ctx *x, struct findings *out, uint8_t silent)
{
	const struct call *c = x->c;
	const struct call_facts *f = x->f;
	uint8_t talker = facts_other(silent);
	const struct dir_facts *t = &f->dir[talker];
	struct finding *fd = finding_add(out, "ONE_WAY_AUDIO", SEV_CRITICAL, silent, f->talk_start);
	if (!fd)
		return;
	char ep[64];
	ep_text(&t->main->src, ep, sizeof(ep));
	finding_title(fd, "One-way audio: no RTP from the %s, the %s's audio flows", who(silent), who(talker));
	finding_explain(fd, "During the %.1f s of the answered call the %s sent %u RTP packets (from %s) and the %s sent "
			"%u, although both sides' SDP asked for sendrecv audio. The %s hears nothing.",
			secs(f->talk_start, f->talk_end), who(talker), t->packets_in_talk, ep, who(silent),
			f->dir[silent].packets_in_talk, who(talker));
	const struct sdp_rec *sr = facts_sdp_by(c, silent, f->talk_start + 1);
	if (sr)
		finding_evidence(fd, sr->frame, sr->ts, c->point, "SDP of the %s (%s): where it said it receives",
				 who(silent), sr->context);
	finding_evidence(fd, t->first_frame, t->first_ts, t->main->point, "first RTP %s", dir_text(talker));
	finding_evidence(fd, c->answer_frame, c->answer_ts, c->point, "call answered");
	misdirected(c, &f->dir[silent], silent, fd);
	finding_recommend(fd, "Check the %s's media path: an RTP destination that is a private address, a firewall "
			  "or NAT dropping the %s's media, or the %s's media port blocked (see the other findings "
			  "for this call).", who(silent), who(silent), who(silent));
}

static void after_event(const struct rule_ctx *x, struct findings *out, uint8_t silent)
{
	const struct call *c = x->c;
	const struct call_facts *f = x->f;
	uint8_t talker = facts_other(silent);
	const struct dir_facts *s = &f->dir[silent], *t = &f->dir[talker];
	int64_t stop = s->last_ts;
	/* the talker keeps going for at least 5 s after the silent side's last packet */
	int64_t talker_end = t->last_ts < f->talk_end ? t->last_ts : f->talk_end;
	if (talker_end - stop < 5000000000LL)
		return;
	if (facts_packets_between(c, talker, stop + 1000000000LL, talker_end) < 100)
		return;
	const struct hold_period *h = facts_hold_at(f, stop + 500000000LL);
	if (h && h->end == 0)
		return; /* on hold until the end: no audio expected */
	if (!f->dir[silent].intended_end)
		return;
	struct finding *fd = finding_add(out, "ONE_WAY_AUDIO", SEV_CRITICAL, silent, stop);
	if (!fd)
		return;
	finding_title(fd, "One-way audio from %+.1f s: the %s's RTP stopped, the %s's continued", rel_s(c, stop),
		      who(silent), who(talker));
	finding_explain(fd, "The %s's RTP ended at %+.3f s (frame %llu) while the %s went on sending for another %.1f s "
			"(until %+.3f s).", who(silent), rel_s(c, stop), (unsigned long long)s->last_frame,
			who(talker), secs(stop, talker_end), rel_s(c, talker_end));
	/* a SIP event near the stop is the likely trigger */
	for (uint32_t i = 0; i < c->n_msgs; i++) {
		const struct msg_rec *m = &c->msgs[i];
		if (!msg_is_first(m) || !m->request || m->ts < stop - 3000000000LL || m->ts > stop + 3000000000LL)
			continue;
		if (!strcmp(m->method, "INVITE") || !strcmp(m->method, "UPDATE")) {
			finding_explain(fd, "It coincides with a re-%s from the %s at %+.3f s (frame %llu).",
					m->method, who(m->from), rel_s(c, m->ts), (unsigned long long)m->frame);
			finding_evidence(fd, m->frame, m->ts, m->point, "re-%s from the %s", m->method, who(m->from));
			break;
		}
	}
	if (s->n_streams > 1)
		finding_explain(fd, "The %s's media used %u different streams (source or SSRC changes).", who(silent),
				s->n_streams);
	misdirected(c, s, silent, fd);
	finding_evidence(fd, s->last_frame, s->last_ts, s->last_point, "last RTP %s", dir_text(silent));
	finding_evidence(fd, t->last_frame, t->last_ts, t->last_point, "RTP %s still flowing until here",
			 dir_text(talker));
	finding_recommend(fd, "Find where the %s's RTP is lost after %+.1f s: compare captures on both sides of NATs and "
			  "firewalls; if it followed a hold/unhold or re-INVITE, see NAT_PINHOLE_EXPIRY and "
			  "MEDIA_PATH_CHANGE.", who(silent), rel_s(c, stop));
}

static void eval(const struct rule_ctx *x, struct findings *out)
{
	const struct call_facts *f = x->f;
	if (!f->answered || secs(f->talk_start, f->talk_end) < 2.0 || x->a->cfg.signalling_only)
		return; /* a trace holds no RTP: its absence proves nothing */
	if (x->c->media_elsewhere)
		return; /* part of its media is bound to another leg that advertised the same endpoints */
	for (uint8_t silent = PARTY_A; silent <= PARTY_B; silent++) {
		uint8_t talker = facts_other(silent);
		const struct dir_facts *s = &f->dir[silent], *t = &f->dir[talker];
		if (t->packets_in_talk < 25 || !s->intended || !f->dir[talker].intended)
			continue;
		if (s->packets_in_talk * 50 < t->packets_in_talk)
			from_start(x, out, silent);
		else
			after_event(x, out, silent);
	}
}

const struct rule rule_one_way_audio = { "ONE_WAY_AUDIO", "RTP flows in one direction only", SEV_CRITICAL, eval };
