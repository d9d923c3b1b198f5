/* SPDX-License-Identifier: MIT */
/* SIP_TIMEOUT: a request retransmitted without any response (RFC 3261 Timers
 * A/B and E/F), or answered 408 Request Timeout. */
#include "analyze/rule_util.h"

static void eval(const struct rule_ctx *x, struct findings *out)
{
	const struct call *c = x->c;
	/* per request (method, CSeq): sends, retransmissions, responses */
	for (uint32_t i = 0; i < c->n_msgs; i++) {
		const struct msg_rec *r = &c->msgs[i];
		if (!r->request || !msg_is_first(r) || !strcmp(r->method, "ACK"))
			continue;
		unsigned resend = 0, responses = 0;
		uint16_t final = 0;
		const struct msg_rec *last = r;
		for (uint32_t k = i + 1; k < c->n_msgs; k++) {
			const struct msg_rec *m = &c->msgs[k];
			if (m->cseq != r->cseq || strcmp(m->method, r->method) != 0)
				continue;
			if (m->request && m->retrans && m->from == r->from) {
				resend++;
				last = m;
			} else if (!m->request) {
				responses++;
				if (m->status >= 200 && !final)
					final = m->status;
			}
		}
		bool timeout = (responses == 0 && resend >= 2) || final == 408;
		if (!timeout)
			continue;
		bool refused = false; /* answered by ICMP: SIP_UNREACHABLE says it */
		for (unsigned k = 0; k < c->n_icmp; k++)
			if (c->icmp[k].about == ICMP_ABOUT_SIP && c->icmp[k].cseq == r->cseq &&
			    !strcmp(c->icmp[k].method, r->method))
				refused = true;
		if (refused && responses == 0)
			continue;
		struct finding *fd = finding_add(out, "SIP_TIMEOUT", SEV_CRITICAL, r->from, r->ts);
		if (!fd)
			return;
		if (final == 408)
			finding_title(fd, "%s answered 408 Request Timeout", r->method);
		else
			finding_title(fd, "%s from the %s sent %u times, never answered", r->method, who(r->from), resend + 1);
		char dst[64];
		ep_text(&r->dst, dst, sizeof(dst));
		finding_explain(fd, "The %s sent %s (CSeq %u) to %s at %+.3f s (%s %llu)", who(r->from), r->method,
				r->cseq, dst, rel_s(c, r->ts), unit(x), (unsigned long long)r->frame);
		if (final == 408)
			finding_explain(fd, "and got 408 Request Timeout: a proxy or the far end could not reach the next "
					"hop in time.");
		else
			finding_explain(fd, "and retransmitted it %u times until %+.3f s without any response (RFC 3261 "
					"Timer %s): the request, or its responses, are lost on the way.", resend,
					rel_s(c, last->ts), !strcmp(r->method, "INVITE") ? "A/B" : "E/F");
		if (!strcmp(r->method, "BYE"))
			finding_explain(fd, "A BYE that gets no answer means the signalling path died too: a network "
					"event (NAT mapping of the SIP flow expired, link down), not only media.");
		finding_evidence(fd, r->frame, r->ts, r->point, "%s", r->method);
		if (last != r)
			finding_evidence(fd, last->frame, last->ts, last->point, "last retransmission");
		finding_recommend(fd, "Check reachability of %s for SIP (firewall, NAT keep-alive of the SIP flow: "
				  "CRLF or OPTIONS keep-alives, registration refresh intervals below the NAT's UDP "
				  "timeout; or use TCP/TLS).", dst);
	}
}

const struct rule rule_sip_timeout = { "SIP_TIMEOUT", "Request never answered", SEV_CRITICAL, eval };
