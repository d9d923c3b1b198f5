/* SPDX-License-Identifier: MIT */
/* MISSING_ACK: the 2xx to the INVITE is retransmitted (RFC 3261 Timer G) and no
 * ACK ever arrives; after Timer H (64*T1 = 32 s) the callee gives up and hangs up.
 * Captured on the caller's side, the ACKs are there and the 2xx keeps coming
 * after them: they are lost on the way, and the callee never got one. */
#include "analyze/rule_util.h"

static void eval(const struct rule_ctx *x, struct findings *out)
{
	const struct call *c = x->c;
	const struct call_facts *f = x->f;
	if (!f->answered || c->ok_retrans < 2)
		return;
	/* the capture lost bytes of this call's SIP connection: the ACK may be among
	 * them (CAPTURE_INCOMPLETE says so); no critical finding on an absence then */
	if (c->sig_gaps)
		return;
	/* with ACKs seen: the initial INVITE's 2xx retransmitted after the first ACK
	 * on Timer G's schedule (copies of one packet on several hops of the
	 * capture come milliseconds apart, a retransmission 500 ms or more) */
	const struct msg_rec *ack = NULL;
	uint32_t after_ack = 0;
	/* a trace without times keeps only the order: every retransmission counts */
	bool untimed = x->a->cfg.no_times;
	int64_t prev_ok = 0;
	for (uint32_t i = 0; i < c->n_msgs; i++) {
		const struct msg_rec *m = &c->msgs[i];
		bool ok = !m->request && m->status >= 200 && m->status < 300 && !strcmp(m->method, "INVITE") &&
			  m->cseq == c->initial_cseq;
		if (!ack && m->request && !strcmp(m->method, "ACK") && m->cseq == c->initial_cseq &&
		    m->ts >= c->answer_ts)
			ack = m;
		else if (ack && ok && m->retrans &&
			 (untimed || (m->ts - prev_ok >= 400000000LL && m->ts - ack->ts >= 100000000LL)))
			after_ack++;
		if (ok)
			prev_ok = m->ts;
	}
	if (c->acked && (!ack || after_ack < 2))
		return;
	/* the caller's INVITE again after the 2xx went out: it never got the 200
	 * (or could not match it), so it has nothing to ACK */
	const struct msg_rec *inv = NULL, *last_inv = NULL, *first_ok = NULL;
	uint32_t inv_after = 0;
	for (uint32_t i = 0; i < c->n_msgs; i++) {
		const struct msg_rec *m = &c->msgs[i];
		if (m->request && !strcmp(m->method, "INVITE") && m->cseq == c->initial_cseq && m->from == PARTY_A) {
			if (msg_is_first(m) && !inv)
				inv = m;
			if (m->retrans && first_ok && m->ts > first_ok->ts) {
				inv_after++;
				last_inv = m;
			}
		}
		if (!first_ok && !m->request && m->status >= 200 && m->status < 300 && !strcmp(m->method, "INVITE") &&
		    m->cseq == c->initial_cseq)
			first_ok = m;
	}
	struct finding *fd = finding_add(out, "MISSING_ACK", SEV_CRITICAL, PARTY_B, c->answer_ts);
	if (!fd)
		return;
	if (!c->acked && inv_after && inv && first_ok) {
		char via[96], src[64], okdst[64];
		snprintf(via, sizeof(via), "%s", inv->via_sent_by[0] ? inv->via_sent_by : "?");
		ep_text(&inv->src, src, sizeof(src));
		ep_text(&first_ok->dst, okdst, sizeof(okdst));
		finding_title(fd, "The 200 OK never reached the caller: it sent its INVITE %u more time%s after the 200s "
			      "went out", inv_after, inv_after == 1 ? "" : "s");
		finding_explain(fd, "The callee answered at %+.3f s (%s %llu) and retransmitted its 200 OK %u times (RFC 3261 "
				"Timer G). The caller meanwhile retransmitted its INVITE %u times after that (RFC 3261 "
				"Timer A, last at %+.3f s, %s %llu): it never received a 200 it could match, so it had "
				"nothing to ACK. The problem is the 200's way back, not the ACK's.",
				rel_s(c, c->answer_ts), unit(x), (unsigned long long)c->answer_frame, c->ok_retrans, inv_after,
				rel_s(c, last_inv->ts), unit(x), (unsigned long long)last_inv->frame);
		finding_explain(fd, "Responses follow the INVITE's top Via (RFC 3261 18.2.2; with rport, RFC 3581, the "
				"address the request came from): the caller's Via says %s, its INVITE came from %s, and the "
				"200 went to %s.", via, src, okdst);
		if (!endpoint_eq(&first_ok->dst, &inv->src))
			finding_explain(fd, "The 200 did not go back to where the INVITE came from: a NAT in front of the "
					"caller drops it unless the Via (received/rport) or the server's NAT handling "
					"sends it there.");
		finding_evidence(fd, inv->frame, inv->ts, inv->point, "INVITE (top Via %.60s)", via);
		finding_evidence(fd, last_inv->frame, last_inv->ts, last_inv->point, "INVITE retransmitted after the 200");
		finding_evidence(fd, first_ok->frame, first_ok->ts, first_ok->point, "200 OK sent to %s", okdst);
		finding_recommend(fd, "Check the 200's path back to the caller: the INVITE's Via (rport, and received= when "
				  "the Via names a private address: Asterisk force_rport=yes, Kamailio force_rport()), "
				  "the Record-Route of any proxy between them, and the NAT or firewall in front of the "
				  "caller (a UDP mapping for the SIP flow, a SIP ALG mangling the response, a 200 too "
				  "large for UDP that is fragmented and dropped).");
		if (f->has_bye)
			finding_explain(fd, "The %s hung up %.1f s after the answer (%s %llu)%s.", who(f->bye_by),
					secs(c->answer_ts, f->bye_ts), unit(x), (unsigned long long)f->bye_frame,
					secs(c->answer_ts, f->bye_ts) >= 28 && secs(c->answer_ts, f->bye_ts) <= 40 ?
					": Timer H (64*T1 = 32 s) running out" : "");
		return;
	}
	if (c->acked) {
		finding_title(fd, "200 OK retransmitted %u times after the caller's ACK: the ACK does not reach the "
			      "callee", after_ack);
		finding_explain(fd, "The callee answered at %+.3f s (%s %llu). The caller sent its ACK at %+.3f s "
				"(%s %llu), yet the callee retransmitted its 200 OK %u more times (RFC 3261 Timer "
				"G), each answered by the caller's ACK again: the ACKs are lost between this capture "
				"point and the callee.", rel_s(c, c->answer_ts), unit(x), (unsigned long long)c->answer_frame,
				rel_s(c, ack->ts), unit(x), (unsigned long long)ack->frame, after_ack);
		finding_evidence(fd, ack->frame, ack->ts, ack->point, "first ACK, sent by the caller");
	} else {
		finding_title(fd, "200 OK retransmitted %u times, no ACK ever seen", c->ok_retrans);
		finding_explain(fd, "The callee answered at %+.3f s (%s %llu) and retransmitted its 200 OK %u times "
				"because no ACK came back (RFC 3261 Timer G).", rel_s(c, c->answer_ts), unit(x),
				(unsigned long long)c->answer_frame, c->ok_retrans);
	}
	finding_evidence(fd, c->answer_frame, c->answer_ts, c->point, "200 OK");
	const struct msg_rec *last_ok = NULL;
	for (uint32_t i = 0; i < c->n_msgs; i++) {
		const struct msg_rec *m = &c->msgs[i];
		if (!m->request && m->retrans && m->status >= 200 && m->status < 300 && !strcmp(m->method, "INVITE"))
			last_ok = m;
	}
	if (last_ok)
		finding_evidence(fd, last_ok->frame, last_ok->ts, last_ok->point, "last 200 OK retransmission");
	if (f->has_bye && x->a->cfg.no_times) {
		finding_explain(fd, "The %s hung up later (%s %llu); the trace has no time stamps, so whether that was "
				"Timer H (64*T1 = 32 s after the answer) cannot be told.", who(f->bye_by), unit(x),
				(unsigned long long)f->bye_frame);
		finding_evidence(fd, f->bye_frame, f->bye_ts, c->point, "BYE");
	} else if (f->has_bye) {
		double after = secs(c->answer_ts, f->bye_ts);
		finding_explain(fd, "The %s hung up %.1f s after the answer (%s %llu)%s.", who(f->bye_by), after,
				unit(x), (unsigned long long)f->bye_frame,
				after >= 28 && after <= 40 ? ": that is Timer H (64*T1 = 32 s) running out, the callee "
							    "giving up on the ACK" : "");
		finding_evidence(fd, f->bye_frame, f->bye_ts, c->point, "BYE");
	}
	finding_explain(fd, "The caller sends the ACK to the Contact (or Record-Route) of the 200 OK: when that "
			"address is private, behind a NAT, or a proxy does not record-route, the ACK never reaches the "
			"callee, while the caller thinks the call is up.");
	finding_recommend(fd, "Check the 200 OK's Contact and Record-Route: they must be reachable from the caller "
			  "(a public or NAT-fixed address: Asterisk force_rport/rewrite_contact, Kamailio "
			  "fix_nated_contact() and record_route()); and check that a SIP ALG or firewall is not "
			  "dropping the ACK (capture on both sides).");
}

const struct rule rule_missing_ack = { "MISSING_ACK", "200 OK never acknowledged", SEV_CRITICAL, eval };
