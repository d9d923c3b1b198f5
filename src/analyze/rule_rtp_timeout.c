/* SPDX-License-Identifier: MIT */
/* RTP_TIMEOUT: RTP flowed, then went silent in one or both directions, and a
 * BYE followed after a watchdog-like interval. Says which layer failed: SIP
 * still answering (media-only failure) or silent too (a network event). When
 * the silence began in a hold and the media never came back after the unhold,
 * a watchdog counts from the unhold (nothing was due before): the interval
 * that names it is unhold to BYE. */
#include <math.h>

#include "analyze/rule_util.h"

static bool matches(double silence, double wd)
{
	return fabs(silence - wd) <= (wd * 0.1 > 3.0 ? wd * 0.1 : 3.0);
}

/* Whether a BYE's Reason (or X-Asterisk-HangupCause) names a media timeout. */
static bool names_media_timeout(const char *r)
{
	static const char *const words[] = { "media_timeout", "media timeout", "rtp timeout", "rtp_timeout",
					     "rtp-timeout", "lack of rtp", "rtptimeout", NULL };
	char low[200];
	size_t n = 0;
	for (; r[n] && n < sizeof(low) - 1; n++)
		low[n] = (char)(r[n] >= 'A' && r[n] <= 'Z' ? r[n] + 32 : r[n]);
	low[n] = '\0';
	for (size_t i = 0; words[i]; i++)
		if (strstr(low, words[i]))
			return true;
	return false;
}

/* Signalling only (a pasted trace): the BYE's own Reason says the platform's
 * media watchdog hung up. The platform's word, not the absence of RTP. */
static void from_reason(const struct rule_ctx *x, struct findings *out)
{
	const struct call *c = x->c;
	const struct call_facts *f = x->f;
	if (!f->has_bye || !f->answered || f->bye_by == PARTY_NONE || !names_media_timeout(c->bye_reason))
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
	if (!f->has_bye || !f->answered)
		return;
	/* the direction towards the BYE's sender is the one its watchdog measures */
	uint8_t hanger = f->bye_by;
	if (hanger == PARTY_NONE)
		return;
	uint8_t silent = facts_other(hanger);
	const struct dir_facts *s = &f->dir[silent];
	if (s->packets < 50 || !s->intended_end)
		return;
	double silence = secs(s->last_ts, f->bye_ts);
	const struct hold_period *h = facts_hold_at(f, s->last_ts + 500000000LL);
	bool after_unhold = h && h->end && h->end > s->last_ts && h->end < f->bye_ts;
	double waited = after_unhold ? secs(h->end, f->bye_ts) : silence; /* what a watchdog measured */
	/* watchdogs start at 10 s (AudioCodes' default); shorter pauses before a
	 * hang-up are people, unless the user's own timeout says otherwise */
	double min = x->a->cfg.rtp_timeout_s > 0 && x->a->cfg.rtp_timeout_s < 10 ? x->a->cfg.rtp_timeout_s * 0.9 : 9.0;
	if (waited < min)
		return;
	const struct dir_facts *o = &f->dir[hanger];
	bool both = o->packets == 0 || secs(o->last_ts, f->bye_ts) >= silence - 2.0;
	struct finding *fd = finding_add(out, "RTP_TIMEOUT", SEV_CRITICAL, silent, s->last_ts);
	if (!fd)
		return;
	if (after_unhold)
		finding_title(fd, "RTP %s never came back after the unhold; the %s hung up %.1f s later", dir_text(silent),
			      who(hanger), waited);
	else
		finding_title(fd, "RTP %s stopped %.1f s before the %s hung up", dir_text(silent), silence, who(hanger));
	finding_explain(fd, "The %s's RTP (%u packets) last arrived at %+.3f s (frame %llu); %.1f s later, at %+.3f s, the "
			"%s sent BYE (frame %llu).", who(silent), s->packets, rel_s(c, s->last_ts),
			(unsigned long long)s->last_frame, silence, rel_s(c, f->bye_ts), who(hanger),
			(unsigned long long)f->bye_frame);
	if (both)
		finding_explain(fd, "RTP was silent in both directions over that time.");
	else
		finding_explain(fd, "The %s's own RTP went on until %+.3f s: the loss was one-way.", who(hanger),
				rel_s(c, o->last_ts));
	if (after_unhold)
		finding_explain(fd, "The silence began with a hold (%s by the %s, frame %llu); the unhold at %+.3f s (frame "
				"%llu) asked for media again, and none came in the %.1f s until the BYE.", h->how,
				who(h->by), (unsigned long long)h->frame_start, rel_s(c, h->end),
				(unsigned long long)h->frame_end, waited);
	else if (h)
		finding_explain(fd, "The silence began while the call was on hold (%s by the %s), where the watchdog for "
				"held calls applies.", h->how, who(h->by));
	if (c->bye_reason[0])
		finding_explain(fd, "The BYE says why: \"%s\".", c->bye_reason);
	/* which watchdog matches */
	char names[400] = "";
	size_t used = 0;
	if (x->a->cfg.rtp_timeout_s > 0 && matches(waited, x->a->cfg.rtp_timeout_s))
		used += (size_t)snprintf(names + used, sizeof(names) - used, "your own --rtp-timeout of %.0f s",
					 x->a->cfg.rtp_timeout_s);
	for (size_t i = 0; i < n_watchdogs && used < sizeof(names) - 1; i++)
		if (matches(waited, watchdogs[i].seconds))
			used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s (%s)", used ? "; " : "",
						 watchdogs[i].platform, watchdogs[i].setting);
	if (names[0])
		finding_explain(fd, "A %.0f s %s matches the default media watchdog of: %s.", waited,
				after_unhold ? "wait from the unhold to the BYE" : "silence-to-BYE", names);
	else
		finding_explain(fd, "The %.1f s interval matches no default watchdog (AudioCodes 10 s, rtpengine 60 s, "
				"FreeSWITCH's stock profile 300 s): a configured one (%s), or a person hanging up.",
				waited, configured_watchdogs);
	if (strstr(c->bye_reason, "MEDIA_TIMEOUT"))
		finding_explain(fd, "MEDIA_TIMEOUT is FreeSWITCH's hang-up cause for RTP inactivity (cause 604).");
	/* which layer failed */
	if (c->bye_status >= 200 && c->bye_status < 300)
		finding_explain(fd, "SIP was healthy until the end (the BYE was answered %u): a media-only failure.",
				c->bye_status);
	else if (!c->bye_status)
		finding_explain(fd, "The BYE got no answer (%u retransmissions): signalling was cut too, which points "
				"to a network event rather than a media-only problem.", f->bye_retrans);
	finding_evidence(fd, s->last_frame, s->last_ts, s->last_point, "last RTP %s", dir_text(silent));
	finding_evidence(fd, f->bye_frame, f->bye_ts, c->point, "BYE from the %s", who(hanger));
	rec_rtp_timeout(fd, party_platform(c, hanger));
	if (h)
		rec_keepalive(fd, party_platform(c, silent), 20);
}

const struct rule rule_rtp_timeout = { "RTP_TIMEOUT", "RTP stopped, then a watchdog-timed BYE", SEV_CRITICAL, eval };
