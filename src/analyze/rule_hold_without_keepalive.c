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
		for (uint8_t p = PARTY_A; p <= PARTY_B; p++) {
			if (!f->dir[p].packets)
				continue; /* never sent media: nothing to keep alive */
			int64_t at = 0;
			int64_t quiet = facts_longest_silence(c, p, h->start, end, &at);
			if (quiet < QUIET_NS)
				continue;
			/* media still flowing towards p over its quiet time (music on hold, the
			 * other side's keep-alives) keeps the mapping of the flow refreshed */
			if (facts_longest_silence(c, facts_other(p), at, at + quiet, NULL) < QUIET_NS)
				continue;
			struct finding *fd = finding_add(out, "HOLD_WITHOUT_KEEPALIVE", SEV_WARNING, p, at);
			if (!fd)
				return;
			finding_title(fd, "The %s sent nothing for %.0f s while on hold", who(p), (double)quiet / 1e9);
			finding_explain(fd, "The call was on hold (%s, by the %s) from %+.3f s to %+.3f s. From %+.3f s the "
					"%s sent no RTP for %.0f s, and none came to it either. A NAT or firewall with a UDP timeout "
					"below that forgets the media mapping, and audio may not come back after the "
					"unhold.", h->how, who(h->by), rel_s(c, h->start), rel_s(c, end), rel_s(c, at),
					who(p), (double)quiet / 1e9);
			finding_evidence(fd, h->frame_start, h->start, c->point, "hold (%s)", h->how);
			if (h->end)
				finding_evidence(fd, h->frame_end, h->end, c->point, "unhold");
			rec_keepalive(fd, party_platform(c, p), 20);
		}
	}
}

const struct rule rule_hold_without_keepalive = { "HOLD_WITHOUT_KEEPALIVE", "Hold without media keep-alives",
						  SEV_WARNING, eval };
