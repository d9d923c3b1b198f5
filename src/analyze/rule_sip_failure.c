/* SPDX-License-Identifier: MIT */
/* SIP_FAILURE: a request refused with a final response that points at a
 * fault rather than a person's choice (RFC 3261 section 21): 481 (the far end
 * no longer knows the dialog), 488/606 (no acceptable media: codecs,
 * SRTP), 5xx (a server failed or has no route), 403, 487 with no CANCEL,
 * and other 4xx of the initial INVITE or of a request inside the dialog.
 * Busy (486/600), declined (603), not found (404), unavailable (480),
 * authentication challenges (401/407) and 408 (SIP_TIMEOUT) are left out. */
#include "analyze/rule_util.h"

static bool user_outcome(uint16_t st)
{
	return st == 401 || st == 407 || st == 408 || st == 404 || st == 480 || st == 486 || st == 600 ||
	       st == 603 || st == 410 || st == 484 || st == 491 || st == 482 || st == 483;
}

static const struct msg_rec *request_of(const struct call *c, const struct msg_rec *resp)
{
	const struct msg_rec *req = NULL;
	for (uint32_t i = 0; i < c->n_msgs && &c->msgs[i] < resp; i++) {
		const struct msg_rec *m = &c->msgs[i];
		if (m->request && m->cseq == resp->cseq && !strcmp(m->method, resp->method) && msg_is_first(m))
			req = m;
	}
	return req;
}

static void codec_list(const struct sdp_rec *r, char *buf, size_t cap)
{
	size_t used = 0;
	buf[0] = '\0';
	for (unsigned i = 0; r && i < r->n_media; i++)
		for (unsigned k = 0; k < r->media[i].n_codecs && used + 24 < cap; k++)
			used += (size_t)snprintf(buf + used, cap - used, "%s%s", used ? ", " : "",
						 r->media[i].codecs[k].name[0] ? r->media[i].codecs[k].name : "?");
}

static void eval(const struct rule_ctx *x, struct findings *out)
{
	const struct call *c = x->c;
	bool cancelled = false;
	for (uint32_t i = 0; i < c->n_msgs; i++)
		if (c->msgs[i].request && !strcmp(c->msgs[i].method, "CANCEL"))
			cancelled = true;
	uint32_t reported[8];
	unsigned n_rep = 0;
	for (uint32_t i = 0; i < c->n_msgs; i++) {
		const struct msg_rec *m = &c->msgs[i];
		if (m->request || !msg_is_first(m) || m->status < 400 || user_outcome(m->status))
			continue;
		if (m->status == 487 && cancelled)
			continue; /* the caller's CANCEL: the normal end of an unanswered call */
		if (!strcmp(m->method, "CANCEL") && m->status == 481)
			continue; /* CANCEL racing the final response */
		uint32_t key = (uint32_t)m->status << 16 | (uint32_t)(uint8_t)m->method[0] << 8 | (uint8_t)m->method[1];
		bool seen = false;
		for (unsigned k = 0; k < n_rep; k++)
			seen = seen || reported[k] == key;
		if (seen)
			continue;
		if (n_rep < 8)
			reported[n_rep++] = key;
		bool in_dialog = strcmp(m->method, "INVITE") != 0 || (c->answer_ts && m->ts > c->answer_ts);
		bool reinvite = !strcmp(m->method, "INVITE") && in_dialog;
		enum severity sev = SEV_WARNING;
		/* a refused re-INVITE or UPDATE: the far side lost a call this side holds up; a
		 * refused BYE ends a call that was over anyway (after a transfer, say) */
		if (m->status == 481 && (reinvite || !strcmp(m->method, "UPDATE")))
			sev = SEV_CRITICAL;
		if (!in_dialog && m->status != 487)
			sev = SEV_CRITICAL; /* the call could not be set up */
		const struct msg_rec *req = request_of(c, m);
		/* the request carried an SDP that did not parse: that is the reason given */
		const struct bad_sdp_rec *bad = c->n_bad_sdp && req && c->bad_sdp.frame == req->frame ? &c->bad_sdp : NULL;
		struct finding *fd = finding_add(out, "SIP_FAILURE", sev, PARTY_NONE, m->ts);
		if (!fd)
			return;
		const char *what = reinvite ? "re-INVITE" : m->method;
		finding_title(fd, "%s refused: %u %s", what, m->status, m->reason_phrase);
		finding_explain(fd, "The %s answered the %s's %s (CSeq %u) with %u %s at %+.3f s (%s %llu).", who(m->from),
				who(facts_other(m->from)), what, m->cseq, m->status, m->reason_phrase, rel_s(c, m->ts),
				unit(x), (unsigned long long)m->frame);
		if (req)
			finding_evidence(fd, req->frame, req->ts, req->point, "%s", what);
		finding_evidence(fd, m->frame, m->ts, m->point, "%u %s", m->status, m->reason_phrase);
		if (bad && (m->status == 400 || m->status == 488 || m->status == 606 || m->status == 415)) {
			finding_title(fd, "%s refused (%u %s): its SDP has a malformed line", what, m->status, m->reason_phrase);
			finding_explain(fd, "The %s's offer has a line that does not parse: line %u of its SDP, \"%s\"%s. "
					"The %s could not read the session description and refused it, as RFC 3261 "
					"section 21.4.1 (400) and RFC 3264 ask.", who(bad->by), bad->line_no, bad->line,
					bad->whole ? " (with that first line the body is not SDP at all)" : "", who(m->from));
			finding_evidence(fd, bad->frame, bad->ts, bad->point, "SDP line %u: %.60s", bad->line_no, bad->line);
			finding_recommend(fd, "Fix the SDP the %s writes (or whatever rewrites it on the way: an ALG or SBC "
					  "that mangles addresses can leave a line without its address); capture on "
					  "the %s's own interface to see whether it wrote the line so.", who(bad->by),
					  who(bad->by));
			continue;
		}
		switch (m->status) {
		case 481:
			finding_explain(fd, "481 Call/Transaction Does Not Exist: the %s no longer knows this dialog (it "
					"was torn down on that side already, a failover lost its state, or a proxy "
					"routed the request to another box).", who(m->from));
			if (!strcmp(m->method, "BYE"))
				finding_explain(fd, "For a BYE this means the call had already ended on the far side: "
						"the two sides disagreed about whether the call was up.");
			finding_recommend(fd, "Find where the dialog ended on the %s's side (an earlier BYE or CANCEL, a "
					  "session timer, a restart or failover); check that in-dialog requests follow "
					  "the Record-Route/Contact of the dialog to the same box.", who(m->from));
			break;
		case 488:
		case 606: {
			char offered[160] = "";
			const struct sdp_rec *r = NULL;
			for (uint32_t k = 0; req && k < c->n_sdp; k++)
				if (c->sdp[k].frame == req->frame)
					r = &c->sdp[k];
			codec_list(r, offered, sizeof(offered));
			finding_explain(fd, "%u Not Acceptable: the %s accepts none of the media offered%s%s%s.",
					m->status, who(m->from), offered[0] ? " (codecs: " : "", offered,
					offered[0] ? ")" : "");
			if (r && r->n_media && r->media[0].has_crypto)
				finding_explain(fd, "The offer asks for SRTP (a=crypto): a side that does not do SRTP "
						"refuses it.");
			finding_recommend(fd, "Give both sides a codec in common (allow= / disallow= on Asterisk, "
					  "codec-prefs on FreeSWITCH, the phone's codec list), and the same media "
					  "security (SRTP or not).");
			break;
		}
		case 487:
			finding_explain(fd, "487 Request Terminated without a CANCEL in the trace: the request was "
					"ended by the %s or a proxy (e.g. its own no-answer timer) rather than by the "
					"caller.", who(m->from));
			finding_recommend(fd, "Check the no-answer timers of the proxy or PBX (Dial() timeout, "
					  "call-timeout, fr_inv_timer).");
			break;
		case 403:
			finding_explain(fd, "403 Forbidden: the %s refuses this request by policy (credentials accepted "
					"but not allowed, an IP not on its access list, a blocked destination).",
					who(m->from));
			finding_recommend(fd, "Check the account's permissions and the access lists (ACL, permitted "
					  "IPs, dial plan restrictions) of the %s.", who(m->from));
			break;
		default:
			if (m->status >= 500 && m->status < 600) {
				finding_explain(fd, "A 5xx means the %s (or a server behind it) failed to handle the "
						"request: overloaded, no route or trunk available, or an internal error%s.",
						who(m->from), m->status == 503 ? " (503: often a trunk or gateway down, "
										"or no route to the destination)" : "");
				finding_recommend(fd, "Look at the log of the %s at that moment for why it gave %u; if a "
						  "proxy says it, check the next hop (its registrations, trunk status, "
						  "dispatcher/gateway state).", who(m->from), m->status);
			} else if (m->status >= 600) {
				finding_explain(fd, "A 6xx is a global failure: no other destination will take the call.");
				finding_recommend(fd, "Check the called number and the destination's policy.");
			} else {
				finding_explain(fd, "A %u refuses the request as it was sent (a header, extension or "
						"interval the %s does not accept).", m->status, who(m->from));
				finding_recommend(fd, "Compare the request with what the %s requires (Supported/Require, "
						  "Session-Expires and Min-SE for 422, Content-Type for 415).",
						  who(m->from));
			}
			break;
		}
		if (reinvite)
			finding_explain(fd, "A refused re-INVITE leaves the call as it was (RFC 3261 section 14.1): a "
					"hold, unhold or codec change it carried did not happen.");
	}
}

const struct rule rule_sip_failure = { "SIP_FAILURE", "Request refused by a fault", SEV_CRITICAL, eval };
