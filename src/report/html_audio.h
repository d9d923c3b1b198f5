/* SPDX-License-Identifier: MIT */
/* The audio band of the HTML media timeline: under each direction's packet
 * lane, what its RTP carried per column (speech by level, digital silence,
 * a repeated payload, comfort noise), from the streams' level bins. */
#ifndef DEADAIR_REPORT_HTML_AUDIO_H
#define DEADAIR_REPORT_HTML_AUDIO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "calls/model.h"

#define HTML_AUDIO_H 14   /* height of the band */

/* True when some stream of the call holds decoded audio or comfort noise. */
bool html_audio_any(const struct call *c);
/* Draws the band of direction dir at y: ncols columns of colw ns from t0,
 * each px wide, starting at x0. */
void html_audio_band(FILE *f, const struct call *c, uint8_t dir, int64_t t0, int64_t colw, unsigned ncols,
		     double x0, double px, unsigned y);

#endif
