/* SPDX-License-Identifier: MIT */
/* HOLD_WITHOUT_KEEPALIVE: a hold of more than 20 s during which a side sent no
 * RTP, RTCP or STUN at all: NAT mappings with short UDP timeouts expire; a risk
 * even when this call survived. */
#include "analyze/rule_util.h"

#define QUIET_NS 20000000000LL

static void eval(const struct rule_ctx *x, struct findings *out)
{
	const struct call *c = x->c;
	const struct call_facts *f = x->f;
	for (unsigned i = 0; i < f->n_holds; i++) {
		const struct hold_period *h = &f->holds[i];
		int64_t end = h->end ? h->end : f->talk_end;
		if (end - h->start < QUIET_NS)
			continue;
		/* the sides that sent nothing for 20 s while nothing came to them either:
		 * one finding for the hold, naming them */
		bool quiet[2] = { false, false };
		int64_t at[2] = { 0, 0 }, len[2] = { 0, 0 };
		for (uint8_t p = PARTY_A; p <= PARTY_B; p++) {
			if (!f->dir[p].packets)
				continue; /* never sent media: nothing to keep alive */
			len[p] = facts_longest_silence(c, p, h->start, end, &at[p]);
			if (len[p] < QUIET_NS)
				continue;
			/* media still flowing towards p over its quiet time (music on hold, the
			 * other side's keep-alives) keeps the mapping of the flow refreshed */
			if (facts_longest_silence(c, facts_other(p), at[p], at[p] + len[p], NULL) < QUIET_NS)
				continue;
			quiet[p] = true;
		}
		if (!quiet[0] && !quiet[1])
			continue;
		uint8_t p = quiet[0] && quiet[1] ? PARTY_NONE : quiet[0] ? PARTY_A : PARTY_B;
		uint8_t q0 = quiet[0] ? PARTY_A : PARTY_B;
		double secs_quiet = (double)len[q0] / 1e9;
		struct finding *fd = finding_add(out, "HOLD_WITHOUT_KEEPALIVE", SEV_WARNING, p, at[q0]);
		if (!fd)
			return;
		if (p == PARTY_NONE)
			finding_title(fd, "Nothing was sent either way for %.0f s while on hold", secs_quiet);
		else
			finding_title(fd, "The %s sent nothing for %.0f s while on hold", who(p), secs_quiet);
		if (p == PARTY_NONE)
			finding_explain(fd, "The call was on hold (%s, by the %s) from %+.3f s to %+.3f s. From %+.3f s neither "
					"side sent RTP, RTCP or STUN for %.0f s.", h->how, who(h->by), rel_s(c, h->start),
					rel_s(c, end), rel_s(c, at[q0]), secs_quiet);
		else
			finding_explain(fd, "The call was on hold (%s, by the %s) from %+.3f s to %+.3f s. From %+.3f s the %s "
					"sent no RTP, RTCP or STUN for %.0f s, and none came to it either.", h->how, who(h->by),
					rel_s(c, h->start), rel_s(c, end), rel_s(c, at[q0]), who(p), secs_quiet);
		finding_explain(fd, "A NAT or firewall with a UDP timeout below that forgets the media mapping, and audio "
				"may not come back after the unhold.");
		finding_evidence(fd, h->frame_start, h->start, c->point, "hold (%s)", h->how);
		if (h->end)
			finding_evidence(fd, h->frame_end, h->end, c->point, "unhold");
		rec_keepalive(fd, party_platform(c, p == PARTY_NONE ? h->by : p), keepalive_below(x));
	}
}

const struct rule rule_hold_without_keepalive = { "HOLD_WITHOUT_KEEPALIVE", "Hold without media keep-alives",
						  SEV_WARNING, eval };
