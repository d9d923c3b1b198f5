/* SPDX-License-Identifier: MIT */
/* --write-audio DIR: one WAV file per stream (direction and SSRC) of decoded
 * audio, silence where packets were lost or absent so that the files of a call
 * line up from the call's start; --mix: one stereo WAV per call, the caller on
 * the left, the callee on the right. */
#ifndef DEADAIR_PIPELINE_AUDIO_FILES_H
#define DEADAIR_PIPELINE_AUDIO_FILES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "calls/calls.h"

struct audio_files {
	const char *dir;           /* NULL: no files */
	bool mix;
	uint16_t point;            /* the input being read (for file names) */
	unsigned written, mixed, failed;
	FILE *err;                 /* one line per file that could not be written */
	struct audio_out out;      /* handed to the calls stage */
};

void audio_files_init(struct audio_files *af, const char *dir, bool mix, FILE *err);
/* The calls stage's writer, or NULL when no directory was given. */
const struct audio_out *audio_files_out(struct audio_files *af);
/* A call is done: closes its streams' files and, with --mix, writes the mix. */
void audio_files_call_done(struct audio_files *af, struct call *c);

#endif
