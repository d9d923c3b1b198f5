/* SPDX-License-Identifier: MIT */
/* --write-audio DIR: one WAV file per stream (direction and SSRC) of decoded
 * audio, silence where packets were lost or absent so that the files of a call
 * line up from the call's start; --mix: one stereo WAV per call, the caller on
 * the left, the callee on the right; --embed-audio: that stereo mix handed to
 * the HTML report of the call, within a byte budget per report, made from the
 * same files (written to a private temporary directory when no DIR is given,
 * and removed as soon as the call is rendered). */
#ifndef DEADAIR_PIPELINE_AUDIO_FILES_H
#define DEADAIR_PIPELINE_AUDIO_FILES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "calls/calls.h"
#include "report/html_player.h"

/* What the calls of one report share when their audio is embedded (the copies
 * of a run for the points of a capture point at the same one). */
struct audio_embed {
	uint64_t max;              /* bytes of WAV the report may embed */
	uint64_t left;             /* of them, not yet used */
	unsigned embedded;         /* calls whose mix was embedded */
	unsigned too_large;        /* calls left out for the budget */
	uint64_t seq;              /* names of the files in tmpdir */
	uint64_t held;             /* bytes in tmpdir's stream files now (kept within left) */
	char tmpdir[256];          /* private directory for the files ("" when DIR is given or none could be made) */
};

/* The files of the call being handed over (valid during its call_done). */
struct audio_call_files {
	const struct call *call;
	const char *left[16], *right[16];
	size_t nl, nr;
	uint64_t frames;           /* of the mix, at rate */
	uint32_t rate;
	bool over;                 /* a stream was cut at the budget: the mix would pass it */
	bool shared;               /* a stream was cut: the streams in progress together would pass it */
	char mix[4096];            /* the mix written to DIR with --mix, or "" */
	char tmp_mix[4096];        /* a mix made for the report only, removed after */
};

struct audio_files {
	const char *dir;           /* NULL: no files (but the report's, with emb) */
	bool mix;
	uint16_t point;            /* the input being read (for file names) */
	unsigned written, mixed, failed;
	FILE *err;                 /* one line per file that could not be written */
	struct audio_out out;      /* handed to the calls stage */
	struct audio_embed *emb;   /* --embed-audio, or NULL */
	struct audio_call_files cur;
};

void audio_files_init(struct audio_files *af, const char *dir, bool mix, FILE *err);
/* Embeds each call's mix in the report, at most max bytes of WAV in all;
 * emb must outlive the run. False when no private directory can be made (then
 * nothing is embedded, and each call says why). */
bool audio_files_embed_init(struct audio_files *af, struct audio_embed *emb, uint64_t max);
/* Removes the private directory. */
void audio_files_embed_end(struct audio_embed *emb);
/* The calls stage's writer, or NULL when no directory was given. */
const struct audio_out *audio_files_out(struct audio_files *af);
/* A call is done: closes its streams' files and, with --mix, writes the mix. */
void audio_files_call_done(struct audio_files *af, struct call *c);
/* The player of call c (after audio_files_call_done): its mix, made now when
 * needed and when the budget holds it, or why there is none. */
void audio_files_player(struct audio_files *af, const struct call *c, struct html_player *p);
/* After the call is rendered: removes what was made for the report only. */
void audio_files_player_done(struct audio_files *af, struct html_player *p);

#endif
