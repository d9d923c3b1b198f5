/* SPDX-License-Identifier: MIT */
/* E-model (ITU-T G.107) with G.113 Appendix I codec values. */
#include "analyze/emodel.h"

#include <string.h>
#include <strings.h>

#include "calls/calls.h"

struct codec_imp {
	const char *name;   /* SDP encoding name prefix */
	double ie, bpl;
	double lookahead_ms;
};

/* G.113 Appendix I values (G.711 with packet loss concealment). G.113 gives
 * no Bpl for G.729 (G.729A's 19.0 is used), G.723.1 5.3k (6.3k's 16.1) or GSM
 * FR (EFR's 10); iLBC, Opus and Speex are not in G.113 at all and get G.711's
 * values with the estimate flagged. Wideband G.722 is rated like G.711 on this
 * narrowband scale, as other tools do. */
static const struct codec_imp codecs[] = {
	{ "PCMU", 0, 25.1, 0 },
	{ "PCMA", 0, 25.1, 0 },
	{ "G722", 0, 25.1, 0 },
	{ "G729", 11, 19.0, 5 },
	{ "G723", 15, 16.1, 7.5 },
	{ "G726-32", 7, 25.1, 0 },
	{ "GSM", 20, 10.0, 0 },
	{ "AMR", 5, 10.0, 5 },
};

double emodel_mos(double r)
{
	if (r < 6.5153) /* the polynomial dips below 1 there */
		return 1.0;
	if (r >= 100)
		return 4.5;
	return 1.0 + 0.035 * r + r * (r - 60.0) * (100.0 - r) * 7e-6;
}

const char *emodel_band(double r)
{
	if (r >= 90)
		return "users very satisfied";
	if (r >= 80)
		return "users satisfied";
	if (r >= 70)
		return "some users dissatisfied";
	if (r >= 60)
		return "many users dissatisfied";
	if (r >= 50)
		return "nearly all users dissatisfied";
	return "not recommended";
}

void emodel_stream(const struct stream *s, const char *codec, struct quality *q)
{
	memset(q, 0, sizeof(*q));
	/* the E-model rates voice: a video stream gets no MOS */
	if (s->media == MEDIA_VIDEO || s->media == MEDIA_OTHER)
		return;
	int64_t exp = stream_expected(s);
	if (exp < 50 || s->packets < 50)
		return;
	const struct codec_imp *ci = NULL;
	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++)
		if (!strncasecmp(codec, codecs[i].name, strlen(codecs[i].name)))
			ci = &codecs[i];
	q->codec_assumed = ci == NULL;
	if (!ci)
		ci = &codecs[0];
	q->codec = ci->name;
	q->ie = ci->ie;
	q->bpl = ci->bpl;
	int64_t lost = exp - (int64_t)(s->packets - s->duplicates);
	if (lost < 0)
		lost = 0;
	q->ppl = 100.0 * (double)lost / (double)exp;
	/* burst ratio: observed mean burst length over the random-loss one, 1/(1-p) */
	q->burst_r = 1.0;
	if (lost > 0 && s->loss_bursts > 0) {
		double mean_burst = (double)lost / (double)s->loss_bursts;
		q->burst_r = mean_burst * (1.0 - q->ppl / 100.0);
		if (q->burst_r < 1.0)
			q->burst_r = 1.0;
	}
	double ie_eff = q->ie + (95.0 - q->ie) * q->ppl / (q->ppl / q->burst_r + q->bpl);
	/* one-way delay: half the RTCP round trip when reported, a jitter buffer of
	 * twice the mean jitter (at least 20 ms), packetisation and look-ahead */
	double ptime = s->mean_delta_ms > 0 && s->mean_delta_ms < 200 ? s->mean_delta_ms : 20.0;
	double jb = 2.0 * stream_voice_mean_jitter_ms(s);
	if (jb < 20.0)
		jb = 20.0;
	double net = s->rtcp.max_rtt_ms > 0 && s->rtcp.last_rtt_ms > 0 ? s->rtcp.last_rtt_ms / 2.0 : 0.0;
	if (net < 0)
		net = 0;
	q->delay_ms = net + jb + ptime + ci->lookahead_ms;
	double ta = q->delay_ms;
	double id = 0.024 * ta + (ta > 177.3 ? 0.11 * (ta - 177.3) : 0.0);
	q->r = 93.2 - id - ie_eff;
	if (q->r < 0)
		q->r = 0;
	q->mos = emodel_mos(q->r);
	q->valid = true;
}
