/* SPDX-License-Identifier: MIT */
/* SIP_UNREACHABLE: a SIP request of the call was answered by the network, not
 * by SIP: ICMP destination unreachable (RFC 792/4443) quoting it. Port
 * unreachable: nothing listens on that address:port (the far end's SIP stack
 * is down, or a NAT has no mapping for it); administratively prohibited: a
 * firewall refused it; host unreachable: no route. For an INVITE the call
 * could not be set up. */
#include "analyze/rule_util.h"

static bool any_response(const struct call *c, const char *method, uint32_t cseq)
{
	for (uint32_t i = 0; i < c->n_msgs; i++)
		if (!c->msgs[i].request && c->msgs[i].cseq == cseq && !strcmp(c->msgs[i].method, method))
			return true;
	return false;
}

static void eval(const struct rule_ctx *x, struct findings *out)
{
	const struct call *c = x->c;
	for (unsigned i = 0; i < c->n_icmp; i++) {
		const struct icmp_rec *ic = &c->icmp[i];
		if (ic->about != ICMP_ABOUT_SIP || ic->refused > PARTY_B)
			continue;
		if (ic->kind != ICMP_PORT_UNREACHABLE && ic->kind != ICMP_HOST_UNREACHABLE && ic->kind != ICMP_PROHIBITED)
			continue;
		bool invite = !strcmp(ic->method, "INVITE") || (!ic->method[0] && !c->answer_ts);
		bool answered = ic->method[0] && ic->method[0] >= 'A' && any_response(c, ic->method, ic->cseq);
		enum severity sev = invite && !c->answer_ts ? SEV_CRITICAL : SEV_WARNING;
		struct finding *fd = finding_add(out, "SIP_UNREACHABLE", sev, PARTY_NONE, ic->first_ts);
		if (!fd)
			return;
		char dst[64], from[ADDR_STRLEN];
		ep_text(&ic->q_dst, dst, sizeof(dst));
		addr_str(&ic->from.addr, from);
		const char *what = ic->method[0] ? ic->method : "a SIP message";
		finding_title(fd, "%s%s to %s answered by ICMP %s", ic->method[0] && ic->method[0] <= '9' ? "a " : "",
			      what, dst, icmp_kind_str(ic->kind));
		finding_explain(fd, "The %s's %s (CSeq %u) to %s was answered %u time%s by ICMP %s from %s, from %+.3f s "
				"(%s %llu) to %+.3f s: the network refused it before any SIP stack read it.", who(ic->refused),
				what, ic->cseq, dst, ic->count, ic->count == 1 ? "" : "s", icmp_kind_str(ic->kind), from,
				rel_s(c, ic->first_ts), unit(x), (unsigned long long)ic->first_frame, rel_s(c, ic->last_ts));
		switch (ic->kind) {
		case ICMP_PORT_UNREACHABLE:
			finding_explain(fd, "Port unreachable: nothing listens on %s (the SIP service is down or on another "
					"port), or a NAT there has no mapping for it.", dst);
			finding_recommend(fd, "Check that the far end's SIP service runs and listens on that address and port "
					  "(ss -lunp), that DNS/SRV or the registration points to the right port, and, "
					  "behind a NAT, that its SIP mapping is kept alive (registration refresh, CRLF or "
					  "OPTIONS keep-alives).");
			break;
		case ICMP_PROHIBITED:
			finding_explain(fd, "Administratively prohibited: a firewall (at %s) refused the packet.", from);
			finding_recommend(fd, "Open the firewall at %s for SIP from %s to %s (UDP/TCP 5060, or the port in "
					  "use).", from, party_str(ic->refused), dst);
			break;
		default:
			finding_explain(fd, "Host unreachable: no route to %s from %s.", dst, from);
			finding_recommend(fd, "Check the route and the far end's address (DNS, registration contact).");
			break;
		}
		if (invite && !c->answer_ts)
			finding_explain(fd, "The call could not be set up%s.", answered ? "" : ": no SIP response came");
		finding_evidence(fd, ic->first_frame, ic->first_ts, ic->point, "ICMP %s quoting the %s",
				 icmp_kind_str(ic->kind), what);
	}
}

const struct rule rule_sip_unreachable = { "SIP_UNREACHABLE", "SIP request answered by ICMP", SEV_CRITICAL, eval };
