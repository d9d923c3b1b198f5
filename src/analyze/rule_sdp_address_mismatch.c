/* SPDX-License-Identifier: MIT */
/* SDP_ADDRESS_MISMATCH: a side's media arrives from another address than its
 * SDP advertised (a NAT or SBC in between); works only if the far end latches. */
#include "analyze/rule_util.h"

static void eval(const struct rule_ctx *x, struct findings *out)
{
	const struct call *c = x->c;
	for (uint8_t p = PARTY_A; p <= PARTY_B; p++) {
		const struct stream *s = x->f->dir[p].main;
		if (!s || s->packets < 20)
			continue;
		const struct sdp_rec *r = facts_sdp_by(c, p, s->first_ts);
		const struct sdp_media_rec *m = NULL;
		for (unsigned i = 0; r && i < r->n_media; i++)
			if (!strcmp(r->media[i].type, "audio"))
				m = &r->media[i];
		if (!m || !m->rtp.addr.family || addr_is_unspecified(&m->rtp.addr) || addr_eq(&m->rtp.addr, &s->src.addr))
			continue;
		if (addr_is_private(&m->rtp.addr) || addr_is_cgnat(&m->rtp.addr) || addr_is_linklocal(&m->rtp.addr))
			continue; /* PRIVATE_IP_IN_SDP says it */
		/* relayed to the far end by its own TURN server (RFC 8656): here the
		 * media comes from that server, not from a rewritten address */
		if (s->bound_by == BIND_TURN)
			continue;
		/* through a proxy with a media relay, the party's SDP is seen twice,
		 * as written and as the relay rewrote it for the next hop: the
		 * media of the leg seen here comes from one of the two */
		bool advertised = false;
		for (uint32_t i = 0; i < c->n_sdp && !advertised; i++)
			for (unsigned k = 0; c->sdp[i].by == p && k < c->sdp[i].n_media; k++)
				if (!strcmp(c->sdp[i].media[k].type, "audio") &&
				    (addr_eq(&c->sdp[i].media[k].rtp.addr, &s->src.addr) ||
				     addr_is_private(&c->sdp[i].media[k].rtp.addr) || addr_is_cgnat(&c->sdp[i].media[k].rtp.addr)))
					advertised = true; /* or a private one as written: PRIVATE_IP_IN_SDP says it */
		if (advertised)
			continue;
		/* inside the NAT, a phone that learned its public address (a STUN
		 * Binding response in this capture gave it, or ICE names it a
		 * server-reflexive or relay candidate) sends from its own private
		 * address: what it advertised is right, nothing to say here */
		if ((addr_is_private(&s->src.addr) || addr_is_cgnat(&s->src.addr)) &&
		    ((r->marks & SDP_MARK_STUN_MAPPED) || m->ice_default == ICE_DEFAULT_SRFLX ||
		     m->ice_default == ICE_DEFAULT_RELAY))
			continue;
		uint8_t far = facts_other(p);
		bool failed = x->f->dir[far].packets == 0 || findings_has(out, "ONE_WAY_AUDIO");
		struct finding *fd = finding_add(out, "SDP_ADDRESS_MISMATCH", failed ? SEV_WARNING : SEV_INFO, p, s->first_ts);
		if (!fd)
			return;
		char src[64], adv[64];
		ep_text(&s->src, src, sizeof(src));
		ep_text(&m->rtp, adv, sizeof(adv));
		finding_title(fd, "The %s's RTP comes from %s, its SDP said %s", who(p), src, adv);
		finding_explain(fd, "The %s advertised %s (frame %llu) but its media arrives from %s: something between "
				"rewrites the source address (a NAT or an SBC). Audio towards the %s works only if the %s "
				"sends to where the media comes from (latching).", who(p), adv, (unsigned long long)r->frame,
				src, who(p), who(far));
		finding_evidence(fd, r->frame, r->ts, c->point, "SDP of the %s", who(p));
		finding_evidence(fd, s->first_frame, s->first_ts, s->point, "first RTP from %s", src);
		rec_symmetric(fd, party_platform(c, far));
	}
}

const struct rule rule_sdp_address_mismatch = { "SDP_ADDRESS_MISMATCH", "Media arrives from another address than SDP said",
						SEV_WARNING, eval };
