/* SPDX-License-Identifier: MIT */
/* RTCP_REPORTED_PROBLEMS: loss, jitter or round-trip time as the far end's
 * RTCP receiver reports (RFC 3550) or XR VoIP metrics (RFC 3611) describe them. */
#include "analyze/rule_util.h"

static void eval(const struct rule_ctx *x, struct findings *out)
{
	const struct call *c = x->c;
	for (const struct stream *s = c->streams; s; s = s->next) {
		const struct rtcp_view *v = &s->rtcp;
		if (!v->reports && !v->has_xr_voip)
			continue;
		double loss = v->max_fraction_lost * 100.0 / 256.0;
		double jit = s->clock ? v->max_jitter * 1000.0 / s->clock : 0;
		bool bad_loss = loss >= 5.0, bad_jit = jit >= 50.0, bad_rtt = v->max_rtt_ms >= 400.0;
		bool bad_mos = v->has_xr_voip && v->xr_mos_lq != 127 && v->xr_mos_lq < 35;
		if (!bad_loss && !bad_jit && !bad_rtt && !bad_mos)
			continue;
		struct finding *fd = finding_add(out, "RTCP_REPORTED_PROBLEMS", SEV_WARNING, s->dir, s->first_ts);
		if (!fd)
			return;
		uint8_t rx = facts_other(s->dir);
		finding_title(fd, "The %s's RTCP reports problems with the media %s", who(rx), dir_text(s->dir));
		finding_explain(fd, "In %u receiver reports about SSRC 0x%08X:", v->reports, s->ssrc);
		if (bad_loss)
			finding_explain(fd, "loss up to %.1f%% in a reporting interval (cumulative %d packets);", loss,
					v->last_cum_lost);
		if (bad_jit)
			finding_explain(fd, "jitter up to %.1f ms;", jit);
		if (bad_rtt)
			finding_explain(fd, "round-trip time up to %.0f ms;", v->max_rtt_ms);
		if (bad_mos)
			finding_explain(fd, "RTCP XR MOS-LQ %.1f;", v->xr_mos_lq / 10.0);
		finding_explain(fd, "this is what the receiver measured, so it covers the whole path, including the part "
				"after this capture point.");
		finding_evidence(fd, v->last_frame, s->last_ts, s->point, "last receiver report about 0x%08X", s->ssrc);
		finding_recommend(fd, "Compare with the loss and jitter measured at this capture point: if they are lower "
				  "here, the problem lies between this point and the receiver.");
	}
}

const struct rule rule_rtcp_reported = { "RTCP_REPORTED_PROBLEMS", "Problems reported by RTCP", SEV_WARNING, eval };
