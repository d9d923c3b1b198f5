/* SPDX-License-Identifier: MIT */
/* The audio of each direction over time, read from the streams' level bins:
 * speech, digital silence and constant payloads (dead air with packets),
 * comfort noise, no packets (silence suppression), and quiet during hold; the
 * expected silences told apart from dead air. Read by SILENT_MEDIA, the walk
 * and the reports. */
#ifndef DEADAIR_ANALYZE_AUDIO_ACCOUNT_H
#define DEADAIR_ANALYZE_AUDIO_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/facts.h"
#include "calls/model.h"

/* What one level bin held. */
enum audio_bin_kind {
	AB_NONE = '-',      /* no decoded packet */
	AB_AUDIO = 'A',     /* decoded audio above digital silence */
	AB_SILENT = 'S',    /* digital silence: every sample within +-LEVEL_QUIET_SAMPLE */
	AB_CONSTANT = 'R',  /* every payload repeats the one before (a stuck source), not silence */
	AB_CN = 'C',        /* comfort noise (RFC 3389, G.729 SID, opus DTX) */
};
char audio_bin_kind(const struct level_bin *b);

/* Dead air shorter than this is a pause, not SILENT_MEDIA. */
#define SILENT_MEDIA_MIN_S 10.0
/* Bins without packets (a stall, jitter, a few packets lost) that do not
 * break a run of digital silence or repeats when the same comes back after. */
#define AUDIO_RUN_BRIDGE_S 1.0
#define AUDIO_MAX_RUNS 4

struct audio_run {
	const struct stream *s;
	int64_t start, end;       /* ns */
	uint64_t frame;           /* first packet of the run */
	char kind;                /* AB_SILENT or AB_CONSTANT */
	bool after_audio;         /* the stream carried audio before the run */
	bool audio_later;         /* ... and after it */
};

struct audio_dir {
	bool decoded;             /* some of this direction's audio was decoded */
	uint32_t encrypted;       /* packets of SRTP media */
	uint32_t undecoded;       /* packets of a codec not decoded */
	char undecoded_codec[20];
	char codec[20];
	uint64_t energy, samples; /* of the audio bins */
	double audio_s;           /* seconds of bins with audio, in the talk time */
	double silent_s;          /* digital silence or constant payloads, outside hold */
	double cn_s;              /* comfort noise */
	double suppressed_s;      /* no packets, then a talkspurt's marker bit, outside hold
				   * (silence suppression, RFC 3551 4.1) */
	double gap_s;             /* no packets between packets otherwise (loss, an outage) */
	double hold_s;            /* quiet or absent during hold */
	double talk_s;            /* talk time the bins covered */
	unsigned silences;        /* separate stretches of digital silence (0.2 s or more): a
				   * source with several gates its microphone to zero when its
				   * user does not speak */
	unsigned n_runs;          /* dead air of at least min_s */
	struct audio_run runs[AUDIO_MAX_RUNS];
};

/* The audio party p sent over the talk time (answer to end), hold left out. */
void audio_account_dir(const struct call *c, const struct call_facts *f, uint8_t p, double min_s,
		       struct audio_dir *out);
/* What party p's audio did during [t0, t1), as words: "carried audio at -23.1
 * dBov", "was digital silence too", "carried comfort noise only", "sent no
 * RTP", "could not be decoded (SRTP)". */
void audio_describe_between(const struct call *c, uint8_t p, int64_t t0, int64_t t1, char *buf, size_t cap);

/* The audio of both directions in one sentence for the diagnostic walk: what
 * each carried, dead air, and the expected silences named as such (hold,
 * comfort noise, silence suppression), or why it was not judged (SRTP, a codec
 * not decoded). Empty when no stream's audio was looked at. */
void audio_walk(const struct call *c, const struct call_facts *f, char *buf, size_t cap);

#endif
