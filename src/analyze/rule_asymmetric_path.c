/* SPDX-License-Identifier: MIT */
/* ASYMMETRIC_PATH: the two directions of the media use different address pairs
 * (media anchors, SBCs, direct media on one side only), and whether one failed. */
#include "analyze/rule_util.h"

/* Whether the call has a stream running the reverse of s (its source and
 * destination addresses swapped) with packets enough to count. */
static bool mirrored(const struct call *c, const struct stream *s)
{
	for (const struct stream *o = c->streams; o; o = o->next)
		if (o != s && o->packets >= 20 && addr_eq(&o->src.addr, &s->dst.addr) && addr_eq(&o->dst.addr, &s->src.addr))
			return true;
	return false;
}

static void eval(const struct rule_ctx *x, struct findings *out)
{
	const struct call_facts *f = x->f;
	const struct stream *ab = f->dir[PARTY_A].main, *ba = f->dir[PARTY_B].main;
	if (!ab || !ba || ab->packets < 20 || ba->packets < 20)
		return;
	if (addr_eq(&ab->src.addr, &ba->dst.addr) && addr_eq(&ab->dst.addr, &ba->src.addr))
		return;
	/* a relay between the parties (rtpengine beside a proxy, an SBC): each leg
	 * mirrors itself (the caller <-> relay, relay <-> callee), the capture
	 * sees both legs, and the directions' first streams are on different legs */
	if (mirrored(x->c, ab) && mirrored(x->c, ba))
		return;
	bool failed = findings_has(out, "ONE_WAY_AUDIO") || findings_has(out, "RTP_TIMEOUT");
	struct finding *fd = finding_add(out, "ASYMMETRIC_PATH", failed ? SEV_WARNING : SEV_INFO, PARTY_NONE,
					 ab->first_ts < ba->first_ts ? ab->first_ts : ba->first_ts);
	if (!fd)
		return;
	char a1[64], a2[64], b1[64], b2[64];
	ep_text(&ab->src, a1, sizeof(a1));
	ep_text(&ab->dst, a2, sizeof(a2));
	ep_text(&ba->src, b1, sizeof(b1));
	ep_text(&ba->dst, b2, sizeof(b2));
	finding_title(fd, "The two directions of the media take different paths");
	finding_explain(fd, "caller -> callee runs %s -> %s, callee -> caller runs %s -> %s: the address pairs do not "
			"mirror each other, so each direction crosses different hosts (a media anchor or SBC on one side, "
			"a NAT's public address on the other).", a1, a2, b1, b2);
	if (failed)
		finding_explain(fd, "One direction failed in this call (see the other findings): look at the hop only "
				"that direction uses.");
	finding_evidence(fd, ab->first_frame, ab->first_ts, ab->point, "first RTP %s -> %s", a1, a2);
	finding_evidence(fd, ba->first_frame, ba->first_ts, ba->point, "first RTP %s -> %s", b1, b2);
	finding_recommend(fd, "If this is not by design, anchor both directions at the same media relay (SBC or "
			  "rtpengine), or make sure both SDPs advertise the addresses the media really uses.");
}

const struct rule rule_asymmetric_path = { "ASYMMETRIC_PATH", "The directions take different address pairs",
					   SEV_WARNING, eval };
