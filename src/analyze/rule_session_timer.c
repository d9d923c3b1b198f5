/* SPDX-License-Identifier: MIT */
/* SESSION_TIMER_EXPIRY: Session-Expires (RFC 4028) negotiated, no refresh
 * (re-INVITE or UPDATE) within the interval, and the call ended at expiry. */
#include "analyze/rule_util.h"

static void eval(const struct rule_ctx *x, struct findings *out)
{
	const struct call *c = x->c;
	const struct call_facts *f = x->f;
	if (!f->answered || !c->session_expires || x->a->cfg.no_times)
		return; /* without time stamps no interval can be measured */
	int64_t last_refresh = c->answer_ts;
	uint64_t refresh_frame = c->answer_frame;
	for (uint32_t i = 0; i < c->n_msgs; i++) {
		const struct msg_rec *m = &c->msgs[i];
		if (m->request && msg_is_first(m) && m->ts > c->answer_ts &&
		    (!strcmp(m->method, "UPDATE") || !strcmp(m->method, "INVITE")) && (!f->has_bye || m->ts < f->bye_ts)) {
			last_refresh = m->ts;
			refresh_frame = m->frame;
		}
	}
	int64_t end = f->has_bye ? f->bye_ts : f->end;
	double since = secs(last_refresh, end);
	double se = (double)c->session_expires;
	if (since < se * 0.9)
		return;
	bool at_expiry = f->has_bye && since <= se * 1.1 + 2.0;
	struct finding *fd = finding_add(out, "SESSION_TIMER_EXPIRY", at_expiry ? SEV_CRITICAL : SEV_WARNING, PARTY_NONE,
					 last_refresh + (int64_t)(se * 1e9));
	if (!fd)
		return;
	finding_title(fd, "Session timer of %u s expired without a refresh", c->session_expires);
	finding_explain(fd, "Session-Expires was %u s%s%s; the last refresh was at %+.3f s (%s %llu) and none came in "
			"the next %.0f s.", c->session_expires, c->se_refresher[0] ? ", refresher " : "", c->se_refresher,
			rel_s(c, last_refresh), unit(x), (unsigned long long)refresh_frame, since);
	if (at_expiry)
		finding_explain(fd, "The %s ended the call at %+.3f s, right at the expiry (RFC 4028: without a refresh "
				"the session is torn down)%s%s.", who(f->bye_by), rel_s(c, f->bye_ts),
				c->bye_reason[0] ? "; Reason: " : "", c->bye_reason);
	finding_evidence(fd, refresh_frame, last_refresh, c->point, "last refresh (or the answer)");
	if (f->has_bye)
		finding_evidence(fd, f->bye_frame, f->bye_ts, c->point, "BYE");
	finding_recommend(fd, "Make the refresher (%s) send its re-INVITE/UPDATE before half the interval, or check "
			  "that the refresh reaches the other side (a proxy or ALG dropping it); both ends must "
			  "support the timer (Supported: timer).", c->se_refresher[0] ? c->se_refresher : "uac or uas");
}

const struct rule rule_session_timer = { "SESSION_TIMER_EXPIRY", "Session timer expired", SEV_CRITICAL, eval };
