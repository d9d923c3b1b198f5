/* SPDX-License-Identifier: MIT */
/* Test helper: runs deadair's audio decoders (src/audio) over a file of RTP
 * payloads, for the reference and level tests in tests/audio. The input is a
 * sequence of records: arrival time in microseconds (u64 big-endian), payload
 * length (u16 big-endian), payload. Usage:
 *   audio_tool decode NAME CLOCK CHANNELS IN OUT.raw   s16le samples of every payload
 *   audio_tool levels NAME CLOCK CHANNELS IN           level bins as text lines
 *   audio_tool conceal NAME CLOCK CHANNELS IN OUT.raw  as decode, but a record of
 *                                                      length 0 is a lost packet */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/audio.h"
#include "audio/levels.h"
#include "core/rd.h"
#include "core/sv.h"

static int usage(void)
{
	fprintf(stderr, "usage: audio_tool decode|levels|conceal NAME CLOCK CHANNELS IN [OUT]\n");
	return 2;
}

static uint8_t *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 20, len = 0;
	uint8_t *b = malloc(cap);
	size_t got;
	while (b && (got = fread(b + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap) {
			uint8_t *nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				b = NULL;
				break;
			}
			b = nb;
			cap *= 2;
		}
	}
	fclose(f);
	*n = len;
	return b;
}

int main(int argc, char **argv)
{
	if (argc < 6)
		return usage();
	const char *mode = argv[1];
	uint64_t clock = 0, ch = 0;
	if (!sv_to_u64(sv_from_cstr(argv[3]), 1000000, &clock) || !sv_to_u64(sv_from_cstr(argv[4]), 8, &ch))
		return usage();
	struct audio_format f;
	audio_format_rtpmap(argv[2], strlen(argv[2]), (uint32_t)clock, (uint8_t)ch, &f);
	struct audio_dec *dec = NULL;
	if (audio_dec_new(&f, &dec) != ST_OK) {
		fprintf(stderr, "audio_tool: %s/%s/%s is not decodable\n", argv[2], argv[3], argv[4]);
		return 3;
	}
	size_t n = 0;
	uint8_t *in = slurp(argv[5], &n);
	if (!in)
		return 1;
	FILE *out = NULL;
	bool levels = strcmp(mode, "levels") == 0;
	bool conceal = strcmp(mode, "conceal") == 0;
	if (!levels) {
		if (argc < 7 || !(out = fopen(argv[6], "wb")))
			return usage();
	}
	static struct level_track lt;
	bool lt_init = false;
	static int16_t pcm[AUDIO_OUT_MAX];
	size_t last_frames = 0;
	unsigned long bad = 0, limit = 0;
	struct rd r = rd_make(in, n);
	while (rd_left(&r) > 0) {
		uint64_t us = rd_be64(&r);
		uint16_t len = rd_be16(&r);
		const uint8_t *p = rd_bytes(&r, len);
		if (r.bad)
			break;
		size_t got = 0;
		if (conceal && len == 0) {
			got = audio_dec_conceal(dec, last_frames ? last_frames : f.rate / 50, pcm, AUDIO_OUT_MAX);
		} else {
			enum status st = audio_dec_decode(dec, p, len, pcm, AUDIO_OUT_MAX, &got);
			bad += st == ST_MALFORMED;
			limit += st == ST_LIMIT;
			if (got)
				last_frames = got / f.channels;
		}
		if (out) {
			uint8_t b[2 * AUDIO_OUT_MAX];
			for (size_t i = 0; i < got; i++) {
				b[2 * i] = (uint8_t)pcm[i];
				b[2 * i + 1] = (uint8_t)((uint16_t)pcm[i] >> 8);
			}
			fwrite(b, 2, got, out);
		} else {
			int64_t ts = (int64_t)us * 1000;
			if (!lt_init) {
				level_track_init(&lt, ts, 100000000);
				lt_init = true;
			}
			struct level_bin *bin = level_track_at(&lt, ts);
			level_bin_add(bin, pcm, got);
			bin->packets++;
		}
	}
	if (levels && lt_init) {
		printf("width_ms %lld\n", (long long)(lt.width / 1000000));
		for (uint32_t i = 0; i < lt.n; i++) {
			const struct level_bin *b = &lt.bins[i];
			printf("bin %u %.2f %u %u %u %u %d\n", i, level_bin_dbov(b), b->samples, b->packets,
			       b->clipped, b->peak, level_bin_silent(b));
		}
	}
	fprintf(stderr, "malformed %lu limit %lu\n", bad, limit);
	if (out)
		fclose(out);
	free(in);
	audio_dec_free(dec);
	return 0;
}
