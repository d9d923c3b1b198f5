/* SPDX-License-Identifier: MIT */
/* HIGH_JITTER: RFC 3550 interarrival jitter high enough for jitter buffers to
 * add delay or drop late packets. */
#include "analyze/rule_util.h"

static void eval(const struct rule_ctx *x, struct findings *out)
{
	const struct call *c = x->c;
	for (const struct stream *s = c->streams; s; s = s->next) {
		if (s->packets < 50 || s->voice_n < 50)
			continue;
		double mean = stream_voice_mean_jitter_ms(s), max = s->voice_max_jitter_ms;
		if (!(mean >= 20.0 && max >= 30.0) && !(max >= 100.0 && mean >= 15.0))
			continue;
		struct finding *fd = finding_add(out, "HIGH_JITTER", mean >= 50.0 ? SEV_CRITICAL : SEV_WARNING, s->dir,
						 s->first_ts);
		if (!fd)
			return;
		finding_title(fd, "High jitter %s: mean %.1f ms, max %.1f ms", dir_text(s->dir), mean, max);
		finding_explain(fd, "The RFC 3550 interarrival jitter of the voice packets of SSRC 0x%08X averaged %.1f ms "
				"and peaked at %.1f ms (arrival deltas %.1f..%.1f ms around a mean of %.1f ms). Jitter "
				"buffers must hold that much audio back, or drop the late packets.", s->ssrc, mean, max, s->min_delta_ms, s->max_delta_ms, s->mean_delta_ms);
		finding_evidence(fd, s->max_delta_frame, s->first_ts, s->point, "largest delta, %.1f ms", s->max_delta_ms);
		finding_recommend(fd, "Look for queueing on this direction's path: an uplink saturated by other traffic "
				  "(prioritise RTP with DSCP EF and shape below the line rate), Wi-Fi retries, or an "
				  "overloaded media server.");
	}
}

const struct rule rule_high_jitter = { "HIGH_JITTER", "High interarrival jitter", SEV_CRITICAL, eval };
