/* SPDX-License-Identifier: MIT */
/* PRIVATE_IP_IN_SDP: a private (RFC 1918/4193), CGNAT (100.64/10) or link-local
 * media address advertised to a peer across a public path. */
#include "analyze/rule_util.h"

static const char *kind_of(const struct addr *a)
{
	if (addr_is_cgnat(a))
		return "carrier-grade NAT (100.64.0.0/10)";
	if (addr_is_linklocal(a))
		return "link-local";
	if (addr_is_private(a))
		return "private";
	return NULL;
}

static bool is_public(const struct addr *a)
{
	return a->family && !addr_is_private(a) && !addr_is_cgnat(a) && !addr_is_linklocal(a) &&
	       !addr_is_loopback(a) && !addr_is_unspecified(a);
}

static void eval(const struct rule_ctx *x, struct findings *out)
{
	const struct call *c = x->c;
	bool seen[2] = { false, false };
	for (uint32_t i = 0; i < c->n_sdp; i++) {
		const struct sdp_rec *r = &c->sdp[i];
		if (r->by > PARTY_B || seen[r->by])
			continue;
		const struct sdp_media_rec *m = NULL;
		for (unsigned k = 0; k < r->n_media; k++)
			if (!strcmp(r->media[k].type, "audio") && r->media[k].rtp.port)
				m = &r->media[k];
		const char *kind = m ? kind_of(&m->rtp.addr) : NULL;
		if (!kind)
			continue;
		if (m->has_ice)
			continue; /* ICE (RFC 8445): c= is one candidate of several; the checks find the path */
		/* across a public path: the message carrying it, or the party's own RTP,
		 * comes from a public address (a NAT rewrote the packets, not the SDP) */
		const struct msg_rec *carrier = NULL;
		for (uint32_t k = 0; k < c->n_msgs; k++)
			if (c->msgs[k].frame == r->frame)
				carrier = &c->msgs[k];
		const struct stream *own = x->f->dir[r->by].main;
		bool across = (carrier && is_public(&carrier->src.addr)) || (own && is_public(&own->src.addr));
		if (!across)
			continue;
		seen[r->by] = true;
		uint8_t p = r->by, far = facts_other(p);
		/* is media sent to that address on the wire, or missing altogether? */
		uint32_t to_private = 0;
		for (const struct stream *s = c->streams; s; s = s->next)
			if (s->dir == far && addr_eq(&s->dst.addr, &m->rtp.addr))
				to_private += s->packets;
		const struct acct_dir *ad = &x->f->acct.dir[far];
		bool lost = x->f->acct.valid && ad->lost && (ad->cause == CAUSE_PRIVATE_ADDR || ad->from_start);
		bool failed = to_private > 0 || lost;
		/* a copy of the same message seen on the next hop with a public
		 * address in its place: a relay or SBC on the path rewrote it */
		const struct sdp_rec *rw = NULL;
		const struct sdp_media_rec *rwm = NULL;
		for (uint32_t j = i + 1; j < c->n_sdp && !rw; j++) {
			const struct sdp_rec *r2 = &c->sdp[j];
			if (r2->by != r->by || r2->cseq != r->cseq || strcmp(r2->context, r->context) != 0)
				continue;
			for (unsigned k = 0; k < r2->n_media; k++)
				if (!strcmp(r2->media[k].type, "audio") && r2->media[k].rtp.port && is_public(&r2->media[k].rtp.addr)) {
					rw = r2;
					rwm = &r2->media[k];
					break;
				}
		}
		/* the far side's audio reached this party anyway: it sent to where the
		 * party's RTP came from (latching, as Asterisk's rtp_symmetric, an SBC or
		 * rtpengine do). The call was healthy; what is left is a risk, said as such. */
		bool latched = !failed && !rw && !x->a->cfg.signalling_only && x->f->acct.valid && x->f->dir[far].packets;
		enum severity sev = failed ? SEV_CRITICAL : rw || latched ? SEV_INFO : SEV_WARNING;
		struct finding *fd = finding_add(out, "PRIVATE_IP_IN_SDP", sev, far, r->ts);
		if (!fd)
			return;
		char adv[64];
		ep_text(&m->rtp, adv, sizeof(adv));
		finding_title(fd, "The %s advertises a %s media address (%s) across a public path", who(p), kind, adv);
		finding_explain(fd, "The %s's SDP (%s, %s %llu) asks for RTP at %s, a %s address that the %s cannot "
				"reach", who(p), r->context, unit(x), (unsigned long long)r->frame, adv, kind, who(far));
		if (carrier && is_public(&carrier->src.addr)) {
			char a[64];
			ep_text(&carrier->src, a, sizeof(a));
			finding_explain(fd, "(the message itself arrived from %s, the NAT's public side).", a);
		} else {
			finding_explain(fd, "from its public address.");
		}
		if (to_private)
			finding_explain(fd, "The %s did send %u RTP packets to that address: they cannot arrive, and the "
					"%s hears nothing (ONE_WAY_AUDIO is the symptom, this its cause).", who(far),
					to_private, who(p));
		else if (lost)
			finding_explain(fd, "No audio of the %s reached the %s (ONE_WAY_AUDIO is the symptom, this its "
					"cause).", who(far), who(p));
		else if (x->a->cfg.signalling_only || !x->f->acct.valid || !x->f->dir[far].packets)
			finding_explain(fd, "%s, so whether the %s's audio reached the %s (through latching by the %s) "
					"cannot be told from it.", x->a->cfg.signalling_only ? "The trace holds no RTP" :
					"The capture holds no RTP of it for this call", who(far), who(p), who(far));
		else if (rw) {
			char to[64];
			ep_text(&rwm->rtp, to, sizeof(to));
			finding_explain(fd, "The copy of this SDP that went on towards the %s names %s instead (%s %llu): a "
					"media relay or SBC on the path rewrote it and anchors the media, which flowed: "
					"the NAT is handled there, nothing to fix.", who(far), to, unit(x),
					(unsigned long long)rw->frame);
		} else
			finding_explain(fd, "Audio worked in this call only because the %s sent its media to where the %s's "
					"RTP came from (latching): a healthy call, but one that depends on the %s sending "
					"RTP and its NAT keeping the mapping (a hold without keepalives can break it).",
					who(far), who(p), who(p));
		finding_evidence(fd, r->frame, r->ts, c->point, "SDP with %s", adv);
		if (rw && !failed) {
			finding_evidence(fd, rw->frame, rw->ts, c->point, "the same SDP rewritten on the next hop");
			continue;
		}
		rec_public_address(fd, party_platform(c, p));
		rec_symmetric(fd, party_platform(c, far));
	}
}

const struct rule rule_private_ip_in_sdp = { "PRIVATE_IP_IN_SDP", "Private address advertised across a public path",
					     SEV_CRITICAL, eval };
