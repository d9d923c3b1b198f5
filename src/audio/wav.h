/* SPDX-License-Identifier: MIT */
/* WAV files (RIFF WAVE, 16-bit PCM little-endian): a streaming writer that
 * places audio at a sample position and fills what is missing with silence,
 * so that files of one call line up in time; a reader of the files it wrote;
 * and a stereo mix of two sets of them (caller left, callee right). */
#ifndef DEADAIR_AUDIO_WAV_H
#define DEADAIR_AUDIO_WAV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A data chunk may hold at most this many bytes (RIFF sizes are 32-bit). */
#define WAV_MAX_DATA 0xFFFFFF00u

struct wav_writer {
	FILE *f;
	uint32_t rate;
	uint16_t channels;
	uint64_t frames;      /* sample frames written */
	uint64_t dropped;     /* frames not written: past WAV_MAX_DATA, or overlapping */
	bool failed;          /* a write failed */
};

/* Creates path and writes a header; false (errno set) when it cannot. */
bool wav_open(struct wav_writer *w, const char *path, uint32_t rate, uint16_t channels);
/* Appends frames of samples (channels interleaved). */
void wav_write(struct wav_writer *w, const int16_t *x, size_t frames);
/* Appends frames of silence. */
void wav_silence(struct wav_writer *w, uint64_t frames);
/* Writes frames so that they start at frame position pos: silence fills up to
 * pos; what lies before the end already written is dropped (counted). */
void wav_write_at(struct wav_writer *w, uint64_t pos, const int16_t *x, size_t frames);
/* Patches the sizes into the header and closes; false when anything failed. */
bool wav_close(struct wav_writer *w);

struct wav_reader {
	FILE *f;
	uint32_t rate;
	uint16_t channels;
	uint64_t frames;      /* in the data chunk */
	uint64_t pos;
};

/* Opens a 16-bit PCM WAV file (as wav_open writes them); false when it is not one. */
bool wav_read_open(struct wav_reader *r, const char *path);
/* Reads up to frames frames; returns how many (0 at the end). */
size_t wav_read(struct wav_reader *r, int16_t *x, size_t frames);
void wav_read_close(struct wav_reader *r);

/* Mixes mono WAV files that all start at the same instant into one stereo
 * file at `rate`: the left files summed into the left channel, the right ones
 * into the right (with saturation); a file at another rate is resampled
 * linearly. Reads in blocks: memory does not grow with the length. */
bool wav_mix_stereo(const char *out, uint32_t rate, const char *const *left, size_t n_left,
		    const char *const *right, size_t n_right);

#endif
