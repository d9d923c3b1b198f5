/* SPDX-License-Identifier: MIT */
/* The audio of a stream in the reports: one compact JSON object (levels per
 * bin, what each bin held, what was not decoded and why) and one text line. */
#ifndef DEADAIR_REPORT_AUDIO_REPORT_H
#define DEADAIR_REPORT_AUDIO_REPORT_H

#include <stdio.h>

#include "calls/model.h"
#include "report/json.h"

/* "audio": {...}, or null when no packet of the stream was looked at. */
void report_stream_audio_json(struct jw *w, const struct stream *s, int64_t origin);
/* "      audio: PCMU decoded, -23.4 dBov; 12.0 s digital silence ..." (nothing when no audio state). */
void report_stream_audio_text(FILE *f, const struct stream *s);

#endif
