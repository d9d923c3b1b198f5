/* SPDX-License-Identifier: MIT */
/* POOR_QUALITY: the E-model's R-factor / MOS estimate of a direction falls
 * below what users accept (R < 70, MOS < 3.6). */
#include "analyze/emodel.h"
#include "analyze/rule_util.h"

static void eval(const struct rule_ctx *x, struct findings *out)
{
	const struct call *c = x->c;
	for (const struct stream *s = c->streams; s; s = s->next) {
		if (s->event_pt >= 0 && s->first_pt == s->event_pt)
			continue;
		char codec[24];
		stream_codec_name(s, codec, sizeof(codec));
		struct quality q;
		emodel_stream(s, codec, &q);
		if (!q.valid || q.r >= 70.0)
			continue;
		/* an outage is no codec-quality figure: PACKET_LOSS says it; judge
		 * quality by the loss outside it (the E-model averages one long
		 * stretch of nothing over the call) */
		struct outage o;
		if (q.ppl >= 1.0 && stream_outage(s, &o) &&
		    (o.rest_exp <= 0 || 100.0 * (double)o.rest_lost < 1.0 * (double)o.rest_exp))
			continue;
		struct finding *fd = finding_add(out, "POOR_QUALITY", q.r < 60.0 ? SEV_CRITICAL : SEV_WARNING, s->dir,
						 s->first_ts);
		if (!fd)
			return;
		finding_title(fd, "Poor audio quality %s: MOS %.2f (R %.0f, %s)", dir_text(s->dir), q.mos, q.r,
			      emodel_band(q.r));
		finding_explain(fd, "E-model (ITU-T G.107) estimate for SSRC 0x%08X: %s (Ie %.0f, Bpl %.1f%s), %.2f%% loss with "
				"burst ratio %.2f, one-way delay taken as %.0f ms (jitter buffer, packetisation%s) gives R = "
				"%.1f, MOS %.2f.", s->ssrc, codec, q.ie, q.bpl,
				q.codec_assumed ? ", no G.113 value: G.711's assumed" : "", q.ppl, q.burst_r, q.delay_ms,
				s->rtcp.max_rtt_ms > 0 ? ", half the RTCP round trip" : "", q.r, q.mos);
		finding_evidence(fd, s->first_frame, s->first_ts, s->point, "stream 0x%08X", s->ssrc);
		finding_recommend(fd, "Quality is limited by %s: see PACKET_LOSS / HIGH_JITTER for this direction.",
				  q.ppl >= 1.0 ? "packet loss" : "delay and jitter");
	}
}

const struct rule rule_poor_quality = { "POOR_QUALITY", "Poor estimated quality (E-model)", SEV_CRITICAL, eval };
