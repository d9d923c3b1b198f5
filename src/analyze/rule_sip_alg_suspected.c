/* SPDX-License-Identifier: MIT */
/* SIP_ALG_SUSPECTED: signs of a middlebox rewriting SIP/SDP: a public c= with a
 * private o= in the same description (the ALG rewrote one line, not the other),
 * a side's c= flipping between private and public from one offer to the next
 * while its messages keep coming from the same address (not when a proxy that
 * added its own Via forwarded the message: its rewrite is deliberate and
 * visible; nor when an SBC speaks from two interfaces, one per network), or a
 * caller whose Via, Contact and SDP all name the public address its INVITE
 * came from while its Call-ID keeps a private one (the Linux nf_nat_sip ALG
 * rewrites Via, Contact, From, To, o= and c=, never the Call-ID; an endpoint
 * that learned its public address by STUN rarely rewrites its Via too). */
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

/* The private address after the '@' of a Call-ID, if it is one. */
static bool callid_private(const char *cid, struct addr *out)
{
	const char *at = strrchr(cid, '@');
	if (!at)
		return false;
	struct sv host = sv_from_cstr(at + 1);
	/* "10.0.0.2", "10.0.0.2:5060", "[fd00::1]" */
	if (host.n && host.p[0] == '[') {
		host = sv_sub(host, 1, host.n);
		host = sv_sub(host, 0, sv_find_char(host, ']'));
	} else {
		size_t colon = sv_find_char(host, ':');
		struct sv after = sv_sub(host, colon + 1, host.n);
		if (colon < host.n && sv_find_char(after, ':') == after.n)
			host = sv_sub(host, 0, colon); /* one colon: IPv4 with a port */
	}
	return addr_parse(host, out) && priv(out);
}

static void callid_left_private(const struct rule_ctx *x, struct findings *out)
{
	const struct call *c = x->c;
	struct addr cid;
	if (!c->a_hosts_seen || c->mid_call_start || !callid_private(c->call_id, &cid))
		return;
	const struct addr *src = &c->a_sig.addr;
	if (!src->family || priv(src) || !addr_eq(&c->a_via_host, src))
		return;
	if (c->a_contact_host.family && !addr_eq(&c->a_contact_host, src))
		return;
	const struct sdp_rec *r = NULL;
	for (uint32_t i = 0; i < c->n_sdp && !r; i++)
		if (c->sdp[i].by == PARTY_A)
			r = &c->sdp[i];
	const struct sdp_media_rec *m = NULL;
	for (unsigned k = 0; r && k < r->n_media; k++)
		if (!strcmp(r->media[k].type, "audio"))
			m = &r->media[k];
	/* the SDP, when there is one, names the public address too */
	if (m && m->rtp.addr.family && !addr_is_unspecified(&m->rtp.addr) && !addr_eq(&m->rtp.addr, src))
		return;
	if (r && r->o_addr.family && !addr_eq(&r->o_addr, src))
		return;
	struct finding *fd = finding_add(out, "SIP_ALG_SUSPECTED", SEV_WARNING, PARTY_A, c->start_ts);
	if (!fd)
		return;
	char sbuf[ADDR_STRLEN], cbuf[ADDR_STRLEN];
	addr_str(src, sbuf);
	addr_str(&cid, cbuf);
	finding_title(fd, "A SIP ALG seems to rewrite the caller's messages: all say %s, the Call-ID says %s", sbuf,
		      cbuf);
	finding_explain(fd, "The caller's INVITE (%s %llu) came from %s, and its top Via%s%s name that same public "
			"address, but its Call-ID (%s) holds the private address %s. A phone behind a NAT writes "
			"its own (private) address everywhere; a SIP ALG in the router rewrites the headers it "
			"knows (Via, Contact, From/To, SDP o= and c=) to the NAT's public address and leaves the "
			"Call-ID alone, as the Linux kernel's nf_nat_sip does. (A phone that learned its public "
			"address by STUN may write it too, but seldom into its Via.)",
			unit(x), (unsigned long long)c->start_frame, sbuf, c->a_contact_host.family ? ", Contact" : "",
			m ? " and SDP" : "", c->call_id, cbuf);
	finding_evidence(fd, c->start_frame, c->start_ts, c->point, "INVITE: Via %s, Call-ID %.60s", sbuf, c->call_id);
	finding_explain(fd, "A capture on both sides of the router proves it: the same message differs.");
	rec_disable_alg(fd);
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
	if (!done[PARTY_A])
		callid_left_private(x, out);
}

const struct rule rule_sip_alg_suspected = { "SIP_ALG_SUSPECTED", "A middlebox rewrites SIP/SDP", SEV_WARNING, eval };
