/* SPDX-License-Identifier: MIT */
/* NO_RTP: an answered call with no RTP either way, in a capture that does carry
 * RTP (otherwise it is CAPTURE_INCOMPLETE: the capture could not have seen it). */
#include "analyze/rule_util.h"

static void eval(const struct rule_ctx *x, struct findings *out)
{
	const struct call *c = x->c;
	const struct call_facts *f = x->f;
	if (x->a->cfg.signalling_only)
		return; /* a trace holds no RTP: its absence proves nothing */
	/* the media account's word (account_no_media: answered 2 s or more, no RTP
	 * either way, a capture that carries RTP and is on this call's media path) */
	if (!account_no_media(c, f, x->a->rtp_seen > 0))
		return;
	struct finding *fd = finding_add(out, "NO_RTP", SEV_CRITICAL, PARTY_NONE, f->talk_start);
	if (!fd)
		return;
	fd->lost_dirs = (uint8_t)((f->acct.dir[PARTY_A].lost ? 1u << PARTY_A : 0) |
				  (f->acct.dir[PARTY_B].lost ? 1u << PARTY_B : 0));
	finding_title(fd, "No RTP in either direction during %.1f s of answered call", secs(f->talk_start, f->talk_end));
	finding_explain(fd, "The call was answered at %+.3f s and lasted %.1f s, but no RTP to or from the addresses its SDP "
			"advertised was seen, while the capture does carry other RTP of those hosts (%llu RTP packets so "
			"far): it was on the media path.",
			rel_s(c, f->talk_start), secs(f->talk_start, f->talk_end), (unsigned long long)x->a->rtp_seen);
	for (uint8_t p = PARTY_A; p <= PARTY_B; p++) {
		const struct sdp_rec *r = facts_sdp_by(c, p, f->talk_start + 1);
		if (r)
			finding_evidence(fd, r->frame, r->ts, c->point, "%s's SDP (%s)", who(p), r->context);
	}
	finding_evidence(fd, c->answer_frame, c->answer_ts, c->point, "call answered");
	finding_recommend(fd, "Check that both media addresses in the SDP are reachable from the other side (private "
			  "addresses, firewalls blocking the RTP port range), and that the capture point is on the "
			  "media path (media anchored elsewhere, e.g. direct media between phones, is not seen here).");
}

const struct rule rule_no_rtp = { "NO_RTP", "Answered, but no RTP either way", SEV_CRITICAL, eval };
