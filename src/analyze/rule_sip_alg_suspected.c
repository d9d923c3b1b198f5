/* SPDX-License-Identifier: MIT */
/* SIP_ALG_SUSPECTED: signs of a middlebox rewriting SIP/SDP: a public c= with a
 * private o= in the same description (the ALG rewrote one line, not the other),
 * or a side's c= flipping between private and public from one offer to the next
 * while its messages keep coming from the same address (not when a proxy that
 * added its own Via forwarded the message: its rewrite is deliberate and
 * visible; nor when an SBC speaks from two interfaces, one per network). */
#include "analyze/rule_util.h"

static bool priv(const struct addr *a)
{
	return a->family && (addr_is_private(a) || addr_is_cgnat(a));
}

/* The message that carried r is a copy of an earlier one forwarded by a SIP
 * element that shows itself: it added a Via to the request, or took its own
 * off the response. That proxy or SBC rewrote the SDP on purpose, in the open,
 * as nathelper or an SBC does; an ALG rewrites without a trace in Via. */
static bool proxy_forwarded(const struct call *c, const struct sdp_rec *r)
{
	const struct msg_rec *mine = NULL;
	for (uint32_t i = 0; i < c->n_msgs; i++)
		if (c->msgs[i].frame == r->frame && c->msgs[i].sdp >= 0 && &c->sdp[c->msgs[i].sdp] == r)
			mine = &c->msgs[i];
	if (!mine || !mine->n_via)
		return false;
	for (uint32_t i = 0; i < c->n_msgs; i++) {
		const struct msg_rec *m = &c->msgs[i];
		if (m == mine || m->frame >= mine->frame || m->request != mine->request || m->cseq != mine->cseq ||
		    m->status != mine->status || strcmp(m->method, mine->method) != 0)
			continue;
		if (!endpoint_eq(&m->src, &mine->src) && m->n_via && m->n_via != mine->n_via)
			return true;
	}
	return false;
}

static void eval(const struct rule_ctx *x, struct findings *out)
{
	const struct call *c = x->c;
	bool done[2] = { false, false };
	const struct sdp_rec *last[2] = { NULL, NULL };
	for (uint32_t i = 0; i < c->n_sdp; i++) {
		const struct sdp_rec *r = &c->sdp[i];
		if (r->by > PARTY_B)
			continue;
		const struct sdp_media_rec *m = NULL;
		for (unsigned k = 0; k < r->n_media; k++)
			if (!strcmp(r->media[k].type, "audio"))
				m = &r->media[k];
		const struct sdp_rec *prev = last[r->by];
		last[r->by] = r;
		if (!m || done[r->by] || !m->rtp.addr.family || addr_is_unspecified(&m->rtp.addr))
			continue;
		char cbuf[ADDR_STRLEN], obuf[ADDR_STRLEN];
		addr_str(&m->rtp.addr, cbuf);
		bool mixed = priv(&r->o_addr) && !priv(&m->rtp.addr);
		const struct sdp_media_rec *pm = NULL;
		for (unsigned k = 0; prev && k < prev->n_media; k++)
			if (!strcmp(prev->media[k].type, "audio"))
				pm = &prev->media[k];
		bool flip = pm && pm->rtp.addr.family && !addr_is_unspecified(&pm->rtp.addr) &&
			    priv(&pm->rtp.addr) != priv(&m->rtp.addr) && !proxy_forwarded(c, r) &&
			    addr_eq(&prev->src.addr, &r->src.addr);
		if (!mixed && !flip)
			continue;
		done[r->by] = true;
		struct finding *fd = finding_add(out, "SIP_ALG_SUSPECTED", SEV_WARNING, r->by, r->ts);
		if (!fd)
			return;
		finding_title(fd, "A SIP ALG seems to rewrite the %s's SDP", who(r->by));
		if (mixed) {
			addr_str(&r->o_addr, obuf);
			finding_explain(fd, "In the %s's SDP (%s, %s %llu) the connection address c= is public (%s) but the "
					"origin line o= still holds a private address (%s). Endpoints write both the "
					"same way; a router's SIP ALG typically rewrites c= and leaves o= (or the other "
					"way round), and the same box tends to rewrite other headers inconsistently.",
					who(r->by), r->context, unit(x), (unsigned long long)r->frame, cbuf, obuf);
		} else {
			char pbuf[ADDR_STRLEN];
			addr_str(&pm->rtp.addr, pbuf);
			finding_explain(fd, "The %s's media address changed from %s (%s, %s %llu) to %s (%s, %s %llu) "
					"without the %s moving: a middlebox rewrote one SDP and not the other (ALGs often "
					"miss re-INVITEs such as hold/unhold).", who(r->by), pbuf, prev->context, unit(x),
					(unsigned long long)prev->frame, cbuf, r->context, unit(x), (unsigned long long)r->frame,
					who(r->by));
			finding_evidence(fd, prev->frame, prev->ts, c->point, "earlier SDP: c=%s", pbuf);
		}
		finding_evidence(fd, r->frame, r->ts, c->point, "SDP with c=%s", cbuf);
		finding_explain(fd, "A capture on both sides of the router proves it: the same message differs.");
		rec_disable_alg(fd);
	}
}

const struct rule rule_sip_alg_suspected = { "SIP_ALG_SUSPECTED", "A middlebox rewrites SIP/SDP", SEV_WARNING, eval };
