/* SPDX-License-Identifier: MIT */
/* SIP_ALG_SUSPECTED from one capture point: only on evidence an endpoint does
 * not produce itself. A phone that learned its public address by STUN writes
 * it into Via, Contact and c= while its Call-ID and o= keep the private one; an
 * ICE offer puts its server-reflexive candidate in c=. Neither is an ALG. What
 * real ALGs leave behind (docs/findings.md): the Linux nf_nat_sip helper
 * rewrites the Request-URI, Via, Contact, From/To and the SDP's o=, c= and
 * m= ports and fixes Content-Length, but leaves a=rtcp (RFC 3605) and the ICE
 * candidates (RFC 8839) alone; many CPE ALGs rewrite one c= line of several or
 * forget Content-Length; some rewrite requests and not the answers to
 * re-INVITEs. So: c= lines that disagree in one SDP, a=rtcp or the candidates
 * disagreeing with c=, a Content-Length that no longer matches the datagram,
 * or a side's c= flipping between private and public from one SDP to the next
 * (not explained by ICE or STUN, not by a proxy that shows itself in Via).
 * Across capture points the proof is a diff (multipoint.c). */
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

/* The Call-ID's host part is a private address ("abc@10.0.0.2"): the caller
 * sits behind a NAT, whatever its other headers say. */
static bool callid_private(const char *cid)
{
	const char *at = strrchr(cid, '@');
	if (!at)
		return false;
	struct sv host = sv_from_cstr(at + 1);
	size_t colon = sv_find_char(host, ':');
	if (colon < host.n && sv_find_char(sv_sub(host, colon + 1, host.n), ':') == host.n - colon - 1)
		host = sv_sub(host, 0, colon);
	struct addr a;
	return addr_parse(host, &a) && priv(&a);
}

static const struct sdp_media_rec *audio(const struct sdp_rec *r)
{
	for (unsigned k = 0; r && k < r->n_media; k++)
		if (!strcmp(r->media[k].type, "audio"))
			return &r->media[k];
	return NULL;
}

/* The endpoint itself says where its public address came from. */
static bool explained(const struct sdp_rec *r, const struct sdp_media_rec *m)
{
	return (r->marks & SDP_MARK_STUN_MAPPED) ||
	       (m && (m->ice_default == ICE_DEFAULT_SRFLX || m->ice_default == ICE_DEFAULT_RELAY ||
		      m->ice_default == ICE_DEFAULT_HOST));
}

static void speaker(const struct rule_ctx *x, uint8_t p, struct finding *fd)
{
	const struct call *c = x->c;
	if (c->ua_varies[p])
		finding_explain(fd, "The %s's requests carry more than one User-Agent (\"%s\" and another): a SIP element "
				"(an SBC or B2BUA) speaks for it, and may be the box that rewrote this.", who(p),
				p == PARTY_A ? c->a_ua : c->b_ua);
}

/* One SDP whose lines disagree, as no endpoint writes them. */
static bool in_message(const struct rule_ctx *x, const struct sdp_rec *r, struct finding **out_fd, struct findings *out)
{
	const struct call *c = x->c;
	const struct sdp_media_rec *m = audio(r);
	uint8_t marks = r->marks & (SDP_MARK_C_MIXED | SDP_MARK_RTCP_MIXED | SDP_MARK_ICE_MISMATCH | SDP_MARK_LENGTH);
	/* a wrong Content-Length counts when the body shows what was rewritten: a
	 * public address from a party that is behind a NAT (its o= or Call-ID
	 * private); else it is a sloppy stack */
	bool rewritten = (m && m->rtp.addr.family && !priv(&m->rtp.addr) && !addr_is_unspecified(&m->rtp.addr)) ||
			 (r->o_addr.family && !priv(&r->o_addr));
	bool behind_nat = priv(&r->o_addr) || (r->by == PARTY_A && callid_private(c->call_id));
	if ((marks & SDP_MARK_LENGTH) && !(rewritten && behind_nat))
		marks &= (uint8_t)~SDP_MARK_LENGTH;
	if (!marks || proxy_forwarded(c, r))
		return false;
	struct finding *fd = finding_add(out, "SIP_ALG_SUSPECTED", SEV_WARNING, r->by, r->ts);
	*out_fd = fd;
	if (!fd)
		return true;
	char cbuf[ADDR_STRLEN] = "?", obuf[ADDR_STRLEN] = "?";
	if (m)
		addr_str(&m->rtp.addr, cbuf);
	addr_str(&r->mark_addr, obuf);
	finding_title(fd, "A middlebox rewrote the %s's SDP (%s, %s %llu): it holds what no endpoint writes",
		      who(r->by), r->context, unit(x), (unsigned long long)r->frame);
	if (marks & SDP_MARK_C_MIXED)
		finding_explain(fd, "Its session-level c= is public but the c= of its media line says %s (private): a "
				"rewrite caught the session line and not the media line. (The reverse, a private session "
				"c= and a public media c=, is what a STUN client writes, and is no sign.)", obuf);
	if (marks & SDP_MARK_RTCP_MIXED)
		finding_explain(fd, "Its c= says %s but its a=rtcp line (RFC 3605) names %s: the Linux nf_nat_sip ALG, "
				"for one, rewrites o=, c= and m= and leaves a=rtcp as it was.", cbuf, obuf);
	if (marks & SDP_MARK_ICE_MISMATCH)
		finding_explain(fd, "Its c=/m= (%s:%u) is none of the ICE candidates it lists: RFC 8839 has c=/m= name one "
				"of them, and an answerer reports a mismatch (a=ice-mismatch) exactly because a middlebox "
				"rewrote c= after the endpoint wrote it.", cbuf, m ? m->rtp.port : 0);
	if (marks & SDP_MARK_LENGTH)
		finding_explain(fd, "Its Content-Length does not match the body in the UDP datagram: a box changed the "
				"body (an address of another length) and did not fix the header.");
	speaker(x, r->by, fd);
	finding_evidence(fd, r->frame, r->ts, c->point, "SDP with disagreeing lines (%s)", r->context);
	return true;
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
		const struct sdp_rec *prev = last[r->by];
		last[r->by] = r;
		if (done[r->by])
			continue;
		struct finding *fd = NULL;
		if (in_message(x, r, &fd, out)) {
			done[r->by] = true;
			if (fd)
				rec_disable_alg(fd);
			continue;
		}
		/* the c= of one side flipping between private and public from one SDP to
		 * the next while its messages keep coming from the same address */
		const struct sdp_media_rec *m = audio(r), *pm = audio(prev);
		if (!m || !pm || !m->rtp.addr.family || addr_is_unspecified(&m->rtp.addr) || !pm->rtp.addr.family ||
		    addr_is_unspecified(&pm->rtp.addr) || priv(&pm->rtp.addr) == priv(&m->rtp.addr))
			continue;
		if (proxy_forwarded(c, r) || !addr_eq(&prev->src.addr, &r->src.addr))
			continue;
		/* an ICE endpoint moves c= to the pair its checks chose; a STUN one to what it learned */
		if (explained(r, m) || explained(prev, pm))
			continue;
		done[r->by] = true;
		fd = finding_add(out, "SIP_ALG_SUSPECTED", SEV_WARNING, r->by, r->ts);
		if (!fd)
			return;
		char cbuf[ADDR_STRLEN], pbuf[ADDR_STRLEN];
		addr_str(&m->rtp.addr, cbuf);
		addr_str(&pm->rtp.addr, pbuf);
		finding_title(fd, "A middlebox rewrote one of the %s's SDPs and not the other", who(r->by));
		finding_explain(fd, "The %s's media address changed from %s (%s, %s %llu) to %s (%s, %s %llu) while its "
				"messages kept coming from the same address: a middlebox rewrote one SDP and not the "
				"other (ALGs often miss re-INVITEs and their answers, such as hold/unhold). Neither SDP "
				"says the address came from STUN or ICE.", who(r->by), pbuf, prev->context, unit(x),
				(unsigned long long)prev->frame, cbuf, r->context, unit(x), (unsigned long long)r->frame);
		speaker(x, r->by, fd);
		finding_evidence(fd, prev->frame, prev->ts, c->point, "earlier SDP: c=%s", pbuf);
		finding_evidence(fd, r->frame, r->ts, c->point, "SDP with c=%s", cbuf);
		finding_explain(fd, "A capture on both sides of the router proves it: the same message differs.");
		rec_disable_alg(fd);
	}
}

const struct rule rule_sip_alg_suspected = { "SIP_ALG_SUSPECTED", "A middlebox rewrites SIP/SDP", SEV_WARNING, eval };
