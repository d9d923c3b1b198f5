/* SPDX-License-Identifier: MIT */
/* Audio levels over time in bins of fixed width (100 ms to start with, twice
 * as wide each time the bins run out, as the streams' activity bins do):
 * energy for the level in dBov (20 log10 of the RMS over full scale 32768, the
 * figure `sox stats` calls "RMS lev dB"), digital silence, clipping, repeated
 * payloads and comfort noise. Pure arithmetic over the caller's memory. */
#ifndef DEADAIR_AUDIO_LEVELS_H
#define DEADAIR_AUDIO_LEVELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LEVEL_MAX_BINS 512
/* A sample this close to zero is digital silence: G.711's idle codes decode to
 * 0 (mu-law 0xFF/0x7F) and +-8 (A-law 0xD5/0x55); -72 dBov. */
#define LEVEL_QUIET_SAMPLE 8
/* A sample this close to full scale is clipped: mu-law's and A-law's largest
 * codes decode to 32124 and 32256. */
#define LEVEL_CLIP_SAMPLE 32000
/* flags: a packet with the RTP marker bit, the start of a talkspurt after
 * silence suppression (RFC 3551 section 4.1) */
#define LEVEL_TALKSPURT 1
/* Level reported for a bin with no energy. */
#define LEVEL_FLOOR_DBOV (-100.0)

/* 32 bytes; the counts saturate. */
struct level_bin {
	uint64_t energy;      /* sum of squared samples */
	uint32_t samples;     /* decoded samples, all channels */
	uint32_t frame;       /* capture frame of the bin's first packet (low 32 bits; 0: none) */
	uint16_t peak;        /* largest magnitude: digital silence when <= LEVEL_QUIET_SAMPLE */
	uint16_t clipped;     /* samples at or beyond +-LEVEL_CLIP_SAMPLE */
	uint16_t concealed;   /* samples standing in for lost packets (not in energy) */
	uint16_t packets;     /* decoded packets */
	uint16_t repeats;     /* packets whose payload repeats the previous one's bytes */
	uint16_t cn_packets;  /* comfort noise packets (RFC 3389 or G.729 SID) */
	uint8_t cn_level;     /* loudest comfort noise level, -dBov (0xff: none) */
	uint8_t flags;        /* LEVEL_TALKSPURT */
};

struct level_track {
	int64_t origin;       /* ns, start of bin 0 */
	int64_t width;        /* ns per bin */
	uint32_t n;           /* bins in use */
	uint32_t hot;         /* the bin found last, for times in [hot_lo, hot_hi) */
	int64_t hot_lo, hot_hi;
	uint32_t ready;       /* bins set up (empty), at least n: the rest are set up as
			       * time reaches them, not all 16 KiB of them per stream */
	struct level_bin bins[LEVEL_MAX_BINS];
};

void level_track_init(struct level_track *t, int64_t origin, int64_t width);
/* The bin for time ts (before the origin: bin 0), merging pairs of bins and
 * doubling the width as often as needed to fit it. */
struct level_bin *level_track_seek(struct level_track *t, int64_t ts);
/* The same, in line for most packets: in the bin of the one before. */
static inline struct level_bin *level_track_at(struct level_track *t, int64_t ts)
{
	if (ts >= t->hot_lo && ts < t->hot_hi)
		return &t->bins[t->hot];
	return level_track_seek(t, ts);
}

/* Adds decoded samples to a bin's energy, silence, clipping and peak. */
void level_bin_add(struct level_bin *b, const int16_t *x, size_t n);
/* Adds n samples whose squares sum to e, clipped of them at or beyond
 * LEVEL_CLIP_SAMPLE, the largest magnitude peak: what level_bin_add does
 * after its loop, for a codec that knows these without decoding. */
static inline void level_bin_add_sums(struct level_bin *b, uint64_t e, size_t n, uint32_t clipped, uint32_t peak)
{
	uint32_t n32 = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
	uint16_t c16 = clipped > 0xffff ? 0xffff : (uint16_t)clipped;
	if (__builtin_add_overflow(b->energy, e, &b->energy))
		b->energy = UINT64_MAX;
	if (__builtin_add_overflow(b->samples, n32, &b->samples))
		b->samples = UINT32_MAX;
	if (__builtin_add_overflow(b->clipped, c16, &b->clipped))
		b->clipped = 0xffff;
	if (peak > b->peak)
		b->peak = peak > 0xffff ? 0xffff : (uint16_t)peak;
}
void level_bin_add_cn(struct level_bin *b, uint8_t neg_dbov);
/* Folds b into a (the wider bin both make). */
void level_bin_merge(struct level_bin *a, const struct level_bin *b);

/* RMS level in dBov, LEVEL_FLOOR_DBOV when there is no energy or no sample. */
double level_dbov(uint64_t energy, uint64_t samples);
double level_bin_dbov(const struct level_bin *b);
/* Every decoded sample of the bin is digital silence (and there is one). */
bool level_bin_silent(const struct level_bin *b);
/* The bin held decoded audio or comfort noise. */
bool level_bin_has_audio(const struct level_bin *b);
/* Whether a decoded frame (every stride-th sample of n) is one periodic signal:
 * a pure tone repeats itself within the frame (normalised autocorrelation at
 * some lag of at least 0.98), so identical payloads carrying it are a tone
 * (a test or hold tone whose period divides the packet time), not a stuck
 * source repeating a frame of speech. */
bool level_frame_periodic(const int16_t *x, size_t n, size_t stride);
/* The same, its lags summed with AVX (avx, only if level_frame_periodic_avx_ok)
 * or SSE2; level_frame_periodic picks AVX where the processor has it. Every
 * way gives the same answer, as each sum is the plain loop's (for tests). */
bool level_frame_periodic_with(const int16_t *x, size_t n, size_t stride, bool avx);
bool level_frame_periodic_avx_ok(void);

#endif
