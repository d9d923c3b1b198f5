/* SPDX-License-Identifier: MIT */
/* PACKET_LOSS: RTP lost in a direction (RFC 3550 counting), with its burstiness. */
#include "analyze/rule_util.h"

static void eval(const struct rule_ctx *x, struct findings *out)
{
	const struct call *c = x->c;
	for (const struct stream *s = c->streams; s; s = s->next) {
		int64_t exp = stream_expected(s);
		int64_t lost = exp - (int64_t)(s->packets - s->duplicates);
		if (exp < 50 || s->packets < 50 || lost <= 0)
			continue;
		double pct = 100.0 * (double)lost / (double)exp;
		if (pct < 1.0)
			continue;
		struct finding *fd = finding_add(out, "PACKET_LOSS", pct >= 5.0 ? SEV_CRITICAL : SEV_WARNING, s->dir,
						 s->first_ts);
		if (!fd)
			return;
		finding_title(fd, "%.1f%% packet loss %s", pct, dir_text(s->dir));
		finding_explain(fd, "Of %lld RTP packets expected from SSRC 0x%08X, %lld never arrived here (%.1f%%), in %u "
				"bursts; the longest burst was %u packets in a row.", (long long)exp, s->ssrc,
				(long long)lost, pct, s->loss_bursts, s->max_loss_burst);
		if (s->max_loss_burst >= 3)
			finding_explain(fd, "Bursty loss is heard as clipping and drop-outs even at low averages.");
		finding_evidence(fd, s->first_frame, s->first_ts, s->point, "stream 0x%08X, %u packets", s->ssrc, s->packets);
		finding_recommend(fd, "Find the congested or faulty link on this direction's path (compare captures at "
				  "several points); give RTP priority (DSCP EF) on access links; check Wi-Fi and "
				  "duplex mismatches.");
	}
}

const struct rule rule_packet_loss = { "PACKET_LOSS", "RTP packet loss", SEV_CRITICAL, eval };
