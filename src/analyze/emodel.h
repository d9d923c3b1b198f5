/* SPDX-License-Identifier: MIT */
/* A listening-quality estimate per RTP direction with the ITU-T G.107 E-model
 * (default values, narrowband), codec impairments Ie/Bpl from ITU-T G.113
 * Appendix I, packet loss with its burstiness, and a delay estimate from RTCP
 * round-trip time, jitter buffer and packetisation. */
#ifndef DEADAIR_ANALYZE_EMODEL_H
#define DEADAIR_ANALYZE_EMODEL_H

#include <stdbool.h>

#include "calls/model.h"

struct quality {
	bool valid;
	double r;                /* R-factor */
	double mos;              /* MOS-CQE */
	double ppl;              /* packet loss, % */
	double burst_r;          /* burst ratio, 1 = random */
	double delay_ms;         /* one-way delay assumed */
	double ie, bpl;          /* codec impairment and robustness used */
	const char *codec;       /* codec the values are for */
	bool codec_assumed;      /* no table entry: G.711 values assumed */
};

/* R -> MOS (G.107 Annex B). */
double emodel_mos(double r);
/* Estimates the quality of one stream (codec from its payload type's name). */
void emodel_stream(const struct stream *s, const char *codec, struct quality *q);
/* The usual user-satisfaction band of an R-factor. */
const char *emodel_band(double r);

#endif
