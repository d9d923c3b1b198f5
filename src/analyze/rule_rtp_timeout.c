/* SPDX-License-Identifier: MIT */
/* RTP_TIMEOUT: RTP flowed, then went silent in one or both directions, and a
 * BYE followed after a watchdog-like interval. Says which layer failed: SIP
 * still answering (media-only failure) or silent too (a network event). When
 * the silence began in a hold and the media never came back after the unhold,
 * a watchdog counts from the unhold (nothing was due before): the interval
 * that names it is unhold to BYE. */
#include "analyze/rule_util.h"

/* Signalling only (a pasted trace): the BYE's own Reason says the platform's
 * media watchdog hung up. The platform's word, not the absence of RTP. */
static void from_reason(const struct rule_ctx *x, struct findings *out)
{
	const struct call *c = x->c;
	const struct call_facts *f = x->f;
	if (!f->has_bye || !f->answered || f->bye_by == PARTY_NONE || !facts_reason_media_timeout(c))
		return;
	uint8_t hanger = f->bye_by, silent = facts_other(hanger);
	struct finding *fd = finding_add(out, "RTP_TIMEOUT", SEV_CRITICAL, silent, f->bye_ts);
	if (!fd)
		return;
	finding_title(fd, "The %s hung up on a media timeout: RTP %s had stopped", who(hanger), dir_text(silent));
	finding_explain(fd, "At %+.3f s (%s %llu) the %s sent BYE saying \"%s\": its media watchdog found no RTP "
			"coming from the %s for its timeout interval.", rel_s(c, f->bye_ts), unit(x),
			(unsigned long long)f->bye_frame, who(hanger), c->bye_reason, who(silent));
	if (strstr(c->bye_reason, "MEDIA_TIMEOUT"))
		finding_explain(fd, "MEDIA_TIMEOUT is FreeSWITCH's hang-up cause for RTP inactivity (cause 604).");
	if (!x->a->cfg.no_times)
		finding_explain(fd, "The call had been up for %.1f s.", secs(c->answer_ts, f->bye_ts));
	if (f->n_holds) {
		const struct hold_period *h = &f->holds[f->n_holds - 1];
		if (h->end && !x->a->cfg.no_times)
			finding_explain(fd, "The last hold (%s, by the %s) ended %.1f s before the BYE: audio that never "
					"came back after an unhold is a common cause (see NAT_PINHOLE_EXPIRY).", h->how,
					who(h->by), secs(h->end, f->bye_ts));
		else if (!h->end)
			finding_explain(fd, "The call was still on hold (%s) when it ended.", h->how);
	}
	finding_explain(fd, "The trace holds no RTP, so when the media stopped, and whether it stopped in one "
			"direction or both, cannot be seen in it.");
	if (c->bye_status >= 200 && c->bye_status < 300)
		finding_explain(fd, "SIP still worked: the BYE was answered %u.", c->bye_status);
	finding_evidence(fd, f->bye_frame, f->bye_ts, c->point, "BYE from the %s: %.80s", who(hanger), c->bye_reason);
	rec_rtp_timeout(fd, party_platform(c, hanger));
	finding_recommend(fd, "Capture the RTP of such a call (tcpdump -i any udp portrange 10000-20000 on the %s) "
			  "to see which direction stops, and when.", who(hanger));
}

static void eval(const struct rule_ctx *x, struct findings *out)
{
	const struct call *c = x->c;
	const struct call_facts *f = x->f;
	if (x->a->cfg.signalling_only) {
		from_reason(x, out);
		return;
	}
	if (!f->has_bye || !f->answered || !f->acct.valid)
		return;
	/* the direction towards the BYE's sender is the one its watchdog measures */
	uint8_t hanger = f->bye_by;
	if (hanger == PARTY_NONE)
		return;
	uint8_t silent = facts_other(hanger);
	const struct acct_dir *d = &f->acct.dir[silent];
	const struct dir_facts *s = &f->dir[silent];
	if (!d->lost || (s->packets < 50 && !d->from_start) || d->lost_from > f->bye_ts)
		return;
	bool beyond = d->state == ACCT_LOST_BEYOND;
	const struct hold_period *h = d->hold >= 0 ? &f->holds[d->hold] : NULL;
	double waited = secs(d->lost_from, f->bye_ts); /* what a watchdog measured */
	/* watchdogs start at 10 s (AudioCodes' default); shorter pauses before a
	 * hang-up are people, unless the user's own timeout says otherwise; a far
	 * end that names a media timeout is taken at its word */
	double min = x->a->cfg.rtp_timeout_s > 0 && x->a->cfg.rtp_timeout_s < 10 ? x->a->cfg.rtp_timeout_s * 0.9 : 9.0;
	/* both parties sent BYE at once: neither hung up, a box between them ended
	 * the call (a proxy told by its media relay's timeout); both directions
	 * silent for seconds before that is its watchdog, however short it is set */
	bool both_silent = f->acct.dir[hanger].lost && f->acct.dir[hanger].lost_from <= d->lost_from + 2000000000LL;
	if (f->bye_both_ways && both_silent && min > 3.0)
		min = 3.0;
	if (d->said_by != CAUSE_FAR_END_TIMEOUT && waited < min)
		return;
	if (d->from_start && !facts_reason_media_timeout(c))
		return; /* no audio from the answer: ONE_WAY_AUDIO / NO_RTP say it; a hang-up is no watchdog */
	bool both = f->acct.dir[hanger].lost && f->acct.dir[hanger].lost_from <= d->lost_from + 2000000000LL;
	bool box = both && f->bye_both_ways; /* BYE to both parties: neither hung up */
	struct finding *fd = finding_add(out, "RTP_TIMEOUT", SEV_CRITICAL, box ? PARTY_NONE : silent, d->lost_from);
	if (!fd)
		return;
	fd->lost_dirs = (uint8_t)(1u << silent | (both ? 1u << hanger : 0));
	if (box)
		finding_title(fd, "RTP stopped both ways %.1f s before a box between the parties ended the call",
			      waited);
	else if (beyond && d->said_by == CAUSE_FAR_END_TIMEOUT)
		finding_title(fd, "The %s hung up on a media timeout: RTP %s passed this point but was lost beyond it",
			      who(hanger), dir_text(silent));
	else if (beyond)
		finding_title(fd, "RTP %s passed this point but was lost beyond it; the %s hung up %.1f s later",
			      dir_text(silent), who(hanger), waited);
	else if (d->state == ACCT_MISDIRECTED)
		finding_title(fd, "RTP %s went where the %s could not receive it; the %s hung up %.1f s later",
			      dir_text(silent), who(hanger), who(hanger), waited);
	else if (h)
		finding_title(fd, "RTP %s never came back after the unhold; the %s hung up %.1f s later", dir_text(silent),
			      who(hanger), waited);
	else
		finding_title(fd, "RTP %s stopped %.1f s before the %s hung up", dir_text(silent), waited, who(hanger));
	char how[320];
	acct_describe(c, f, silent, how, sizeof(how));
	finding_explain(fd, "Audio %s.", how);
	if (beyond && d->said_by == CAUSE_FAR_END_TIMEOUT)
		finding_explain(fd, "Here the %s's RTP (%u packets) kept coming until %+.3f s (frame %llu); the %s sent BYE "
				"at %+.3f s (frame %llu) saying \"%s\": its media watchdog found nothing arriving, so the "
				"RTP was lost between this capture point and the %s.", who(silent), s->packets,
				rel_s(c, s->last_ts), (unsigned long long)s->last_frame, who(hanger), rel_s(c, f->bye_ts),
				(unsigned long long)f->bye_frame, c->bye_reason, who(hanger));
	else if (beyond)
		finding_explain(fd, "Here the %s's RTP (%u packets) kept coming until %+.3f s (frame %llu), but it no "
				"longer reached the %s; the %s sent BYE at %+.3f s (frame %llu).", who(silent), s->packets,
				rel_s(c, s->last_ts), (unsigned long long)s->last_frame, who(hanger), who(hanger),
				rel_s(c, f->bye_ts), (unsigned long long)f->bye_frame);
	else if (s->packets)
		finding_explain(fd, "The %s's RTP (%u packets) was last seen here at %+.3f s (frame %llu); at %+.3f s, "
				"%.1f s after %s, the %s sent BYE (frame %llu).", who(silent), s->packets,
				rel_s(c, s->last_ts), (unsigned long long)s->last_frame, rel_s(c, f->bye_ts), waited,
				h ? "the unhold" : d->state == ACCT_MISDIRECTED ? "it went astray" : "it stopped", who(hanger),
				(unsigned long long)f->bye_frame);
	/* a relay seen here: it went on receiving what it no longer sent on */
	const struct stream *o = s->last_stream, *u = o ? facts_relay_in(c, o) : NULL;
	if (u && u->last_ts >= o->last_ts + 2000000000LL) {
		char relay[64];
		ep_text(&u->dst, relay, sizeof(relay));
		finding_explain(fd, "The relay at %s received the %s's RTP until %+.3f s (frame %llu) but sent it on only "
				"until %+.3f s: the media stopped inside the relay or on its host (its own timeout, a "
				"firewall rule, a crashed relay process), not on the way to it.", relay, who(silent),
				rel_s(c, u->last_ts), (unsigned long long)u->last_frame, rel_s(c, o->last_ts));
		finding_evidence(fd, u->last_frame, u->last_ts, u->point, "last RTP %s into the relay", dir_text(silent));
	}
	if (both)
		finding_explain(fd, "RTP was silent in both directions over that time.");
	else if (f->dir[hanger].packets)
		finding_explain(fd, "The %s's own RTP went on until %+.3f s: the loss was one-way.", who(hanger),
				rel_s(c, f->dir[hanger].last_ts));
	if (h)
		finding_explain(fd, "The silence began with a hold (%s by the %s, frame %llu); the unhold at %+.3f s (frame "
				"%llu) asked for media again, and none came in the %.1f s until the BYE, so a watchdog "
				"counted from the unhold.", h->how, who(h->by), (unsigned long long)h->frame_start,
				rel_s(c, h->end), (unsigned long long)h->frame_end, waited);
	if (c->bye_reason[0] && d->said_by != CAUSE_FAR_END_TIMEOUT)
		finding_explain(fd, "The BYE's Reason: \"%s\".", c->bye_reason);
	/* which watchdog: as surely as the Reason, the User-Agent and the timing say */
	char names[700];
	if (beyond && !x->a->cfg.rtp_timeout_s)
		snprintf(names, sizeof(names), "When the loss began beyond this point is %s.",
			 d->from_exact ? "known from the far end's reports" : "not visible here: the BYE only says it happened");
	else
		watchdog_name(c, hanger, waited, both, x->a->cfg.rtp_timeout_s, names, sizeof(names));
	finding_explain(fd, "%s", names);
	/* which layer failed */
	if (c->bye_status >= 200 && c->bye_status < 300)
		finding_explain(fd, "SIP was healthy until the end (the BYE was answered %u): a media-only failure.",
				c->bye_status);
	else if (!c->bye_status)
		finding_explain(fd, "The BYE got no answer (%u retransmissions): signalling was cut too, which points "
				"to a network event rather than a media-only problem.", f->bye_retrans);
	if (s->packets)
		finding_evidence(fd, s->last_frame, s->last_ts, s->last_point, "last RTP %s seen here", dir_text(silent));
	if (d->said_by && d->said_by != CAUSE_FAR_END_TIMEOUT)
		finding_evidence(fd, d->said_frame, d->said_ts, d->said_point, "the %s's %s", who(hanger),
				 d->said_by == CAUSE_ICMP ? "network answered with ICMP" : "RTCP says it received nothing");
	finding_evidence(fd, f->bye_frame, f->bye_ts, c->point, "BYE from the %s", who(hanger));
	rec_rtp_timeout(fd, party_platform(c, hanger));
	if (h)
		rec_keepalive(fd, party_platform(c, silent), keepalive_below(x));
}

const struct rule rule_rtp_timeout = { "RTP_TIMEOUT", "RTP stopped, then a watchdog-timed BYE", SEV_CRITICAL, eval };
