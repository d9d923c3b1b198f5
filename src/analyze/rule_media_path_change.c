/* SPDX-License-Identifier: MIT */
/* MEDIA_PATH_CHANGE: a side's RTP changes source address/port or SSRC mid-call
 * (Wi-Fi to cellular handoff, failover, NAT rebinding) or its TTL changes (the
 * route changed), and whether the audio survived it. */
#include "analyze/rule_util.h"

static void eval(const struct rule_ctx *x, struct findings *out)
{
	const struct call *c = x->c;
	const struct call_facts *f = x->f;
	if (findings_has(out, "NAT_PINHOLE_EXPIRY"))
		return; /* the same change, already explained */
	for (uint8_t p = PARTY_A; p <= PARTY_B; p++) {
		const struct stream *prev = NULL;
		/* consecutive audio streams of p: one ends, the next starts after it */
		for (;;) {
			const struct stream *next = NULL;
			for (const struct stream *s = c->streams; s; s = s->next) {
				if (s->dir != p || s->packets < 50 || (s->event_pt >= 0 && s->first_pt == s->event_pt))
					continue;
				if (prev && s->first_ts < prev->last_ts - 1000000000LL)
					continue;
				if (s == prev || (prev && s->first_ts <= prev->first_ts))
					continue;
				if (!next || s->first_ts < next->first_ts)
					next = s;
			}
			if (!next)
				break;
			if (prev && (!endpoint_eq(&prev->src, &next->src) || prev->ssrc != next->ssrc)) {
				uint8_t far = facts_other(p);
				int64_t t = next->first_ts;
				bool survived = facts_packets_between(c, p, t + 2000000000LL, f->end + 1) > 0 &&
						facts_packets_between(c, far, t + 2000000000LL, f->end + 1) > 0;
				struct finding *fd = finding_add(out, "MEDIA_PATH_CHANGE", survived ? SEV_INFO : SEV_WARNING,
								 p, t);
				if (!fd)
					return;
				char a[64], b[64];
				ep_text(&prev->src, a, sizeof(a));
				ep_text(&next->src, b, sizeof(b));
				bool moved = !endpoint_eq(&prev->src, &next->src);
				finding_title(fd, "The %s's media moved at %+.1f s (%s)%s", who(p), rel_s(c, t),
					      moved ? "new source address" : "new SSRC",
					      survived ? "; audio survived" : "; audio did not survive");
				finding_explain(fd, "Until %+.3f s (frame %llu) the %s's RTP came from %s with SSRC 0x%08X; from "
						"%+.3f s (frame %llu) it comes from %s with SSRC 0x%08X.", rel_s(c, prev->last_ts),
						(unsigned long long)prev->last_frame, who(p), a, prev->ssrc, rel_s(c, t),
						(unsigned long long)next->first_frame, b, next->ssrc);
				if (survived)
					finding_explain(fd, "Both directions carried audio after the change.");
				else
					finding_explain(fd, "After the change audio did not flow both ways: the far end did not "
							"follow the new address.");
				finding_evidence(fd, prev->last_frame, prev->last_ts, prev->point, "last RTP from %s", a);
				finding_evidence(fd, next->first_frame, next->first_ts, next->point, "first RTP from %s", b);
				if (!survived)
					rec_symmetric(fd, party_platform(c, far));
			}
			prev = next;
		}
		/* route changes inside one stream */
		const struct stream *m = f->dir[p].main;
		if (m && m->ttl_changes && m->first_ttl != m->last_ttl) {
			struct finding *fd = finding_add(out, "MEDIA_PATH_CHANGE", SEV_INFO, p, m->first_ts);
			if (!fd)
				return;
			finding_title(fd, "The TTL of the %s's RTP changed from %u to %u", who(p), m->first_ttl, m->last_ttl);
			finding_explain(fd, "The IP TTL of the %s's RTP (SSRC 0x%08X) changed %u times: the packets took a "
					"different route during the call.", who(p), m->ssrc, m->ttl_changes);
			finding_evidence(fd, m->first_frame, m->first_ts, m->point, "first RTP, TTL %u", m->first_ttl);
		}
	}
}

const struct rule rule_media_path_change = { "MEDIA_PATH_CHANGE", "Source, SSRC or route changed mid-call",
					     SEV_WARNING, eval };
