/* SPDX-License-Identifier: MIT */
/* PACKET_LOSS: RTP lost in a direction (RFC 3550 counting), with its burstiness. */
#include "analyze/rule_util.h"

/* One stretch of nothing: said as such, with the loss outside it. */
static void outage(const struct rule_ctx *x, const struct stream *s, const struct outage *o, struct findings *out)
{
	const struct call *c = x->c;
	double rest = o->rest_exp > 0 ? 100.0 * (double)(o->rest_lost > 0 ? o->rest_lost : 0) / (double)o->rest_exp : 0;
	struct finding *fd = finding_add(out, "PACKET_LOSS", rest >= 5.0 ? SEV_CRITICAL : SEV_WARNING, s->dir, o->start);
	if (!fd)
		return;
	finding_title(fd, "%s: no audio reached this point for %.1f s (%u packets in a row never arrived)",
		      dir_text(s->dir), (double)(o->end - o->start) / 1e9, o->packets);
	finding_explain(fd, "From %+.3f s (%s %llu) to %+.3f s (%s %llu) the RTP of SSRC 0x%08X skipped %u sequence "
			"numbers: its sender went on and these packets never arrived here. One stretch of nothing is "
			"an outage before this point (a NAT or firewall that lost its mapping, a link or Wi-Fi that "
			"dropped, a route change), not loss spread over the call.", rel_s(c, o->start), unit(x),
			(unsigned long long)o->frame_before, rel_s(c, o->end), unit(x),
			(unsigned long long)o->frame_after, s->ssrc, o->packets);
	finding_explain(fd, "Outside it, %lld of %lld packets were lost (%.1f%%).", (long long)(o->rest_lost > 0 ? o->rest_lost : 0),
			(long long)o->rest_exp, rest);
	finding_evidence(fd, o->frame_before, o->start, s->point, "last packet before the outage");
	finding_evidence(fd, o->frame_after, o->end, s->point, "first packet after it, %u sequence numbers on", o->packets + 1);
	finding_recommend(fd, "Look at what happened on this direction's path at that time: compare a capture taken "
			  "nearer the sender, the NAT's or firewall's logs (mappings flushed, a WAN link that flapped), "
			  "Wi-Fi roaming.");
	if (rest >= 1.0)
		finding_recommend(fd, "The loss outside the outage is high too: find the congested or faulty link on this "
				  "path; give RTP priority (DSCP EF) on access links.");
}

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
		struct outage o;
		if (stream_outage(s, &o)) {
			outage(x, s, &o, out);
			continue;
		}
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
