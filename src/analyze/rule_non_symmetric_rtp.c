/* SPDX-License-Identifier: MIT */
/* NON_SYMMETRIC_RTP: a side sends RTP from a port other than the one it
 * advertised for receiving (same address). Firewalls and NATs in front of the
 * other side only admit media from the address:port they sent to. A new
 * source port after a long silence, where the same side's earlier RTP was
 * symmetric, is a NAT's new mapping (NAT_PINHOLE_EXPIRY), not the endpoint. */
#include "analyze/rule_util.h"

#define REMAP_PAUSE_NS 5000000000LL

static bool sdp_port(const struct sdp_rec *r, uint16_t port)
{
	for (unsigned i = 0; r && i < r->n_media; i++)
		if (r->media[i].rtp.port == port)
			return true;
	return false;
}

/* Whether s follows, after a pause, an earlier stream of the same sender from
 * the same address that was symmetric: the port changed behind the endpoint. */
static bool remapped_after_pause(const struct call *c, const struct stream *s)
{
	for (const struct stream *o = c->streams; o; o = o->next) {
		if (o == s || o->dir != s->dir || o->packets < 20 || o->last_ts + REMAP_PAUSE_NS > s->first_ts ||
		    !addr_eq(&o->src.addr, &s->src.addr))
			continue;
		if (sdp_port(facts_sdp_by(c, o->dir, o->first_ts), o->src.port))
			return true;
	}
	return false;
}

static void eval(const struct rule_ctx *x, struct findings *out)
{
	const struct call *c = x->c;
	for (const struct stream *s = c->streams; s; s = s->next) {
		if (s->dir == PARTY_NONE || s->packets < 20)
			continue;
		const struct sdp_rec *r = facts_sdp_by(c, s->dir, s->first_ts);
		/* symmetric when it sends from any port its SDP receives on (audio, video...) */
		const struct sdp_media_rec *m = NULL;
		bool same = false;
		for (unsigned i = 0; r && i < r->n_media; i++) {
			if (r->media[i].rtp.port == s->src.port)
				same = true;
			if (!m && r->media[i].rtp.port && addr_eq(&r->media[i].rtp.addr, &s->src.addr))
				m = &r->media[i];
		}
		if (!m || same || remapped_after_pause(c, s))
			continue;
		uint8_t rx = facts_other(s->dir);
		bool failed = x->f->dir[rx].packets == 0 || findings_has(out, "ONE_WAY_AUDIO");
		struct finding *fd = finding_add(out, "NON_SYMMETRIC_RTP", failed ? SEV_CRITICAL : SEV_WARNING, s->dir,
						 s->first_ts);
		if (!fd)
			return;
		char src[64], adv[64];
		ep_text(&s->src, src, sizeof(src));
		ep_text(&m->rtp, adv, sizeof(adv));
		finding_title(fd, "The %s sends RTP from %s but receives on %s", who(s->dir), src, adv);
		finding_explain(fd, "The %s's SDP (%s, frame %llu) says it receives RTP on %s, but its RTP (%u packets, SSRC "
				"0x%08X) comes from port %u. NATs and stateful firewalls in front of the %s only let in "
				"media from the address:port they sent to (%s), so these packets may be dropped before "
				"they reach the %s.", who(s->dir), r->context, (unsigned long long)r->frame, adv,
				s->packets, s->ssrc, s->src.port, who(rx), adv, who(rx));
		finding_evidence(fd, r->frame, r->ts, c->point, "SDP of the %s", who(s->dir));
		finding_evidence(fd, s->first_frame, s->first_ts, s->point, "first RTP from %s", src);
		finding_recommend(fd, "Configure the %s to send RTP from the port it receives on (symmetric RTP, RFC 4961); "
				  "on the other side, let the server latch onto the source of the RTP.", who(s->dir));
		rec_symmetric(fd, party_platform(c, s->dir));
	}
}

const struct rule rule_non_symmetric_rtp = { "NON_SYMMETRIC_RTP", "RTP sent from another port than received on",
					     SEV_CRITICAL, eval };
