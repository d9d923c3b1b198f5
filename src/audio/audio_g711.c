/* SPDX-License-Identifier: MIT */
/* G.711 mu-law and A-law (ITU-T G.711; RFC 3551 4.5.14): one byte per sample
 * at 8000 Hz, expanded by a table of 256 values per law. Written here rather
 * than taken from a library because the expansion is the standard's own few
 * lines of arithmetic (the classic Sun g711.c formulas that sox and ffmpeg use
 * too, giving the same 16-bit values), and a library call per byte would cost
 * more than the table look-up. */
#include <stdlib.h>

#include "audio/codec_internal.h"
#include "core/rd.h"

/* mu-law byte to linear, scaled to 16 bits (+-32124) */
static int16_t ulaw_to_linear(uint8_t u)
{
	u = (uint8_t)~u;
	int t = ((u & 0x0f) << 3) + 0x84;
	t <<= (u & 0x70) >> 4;
	return (int16_t)((u & 0x80) ? 0x84 - t : t - 0x84);
}

/* A-law byte to linear, scaled to 16 bits (+-32256) */
static int16_t alaw_to_linear(uint8_t a)
{
	a ^= 0x55;
	int t = (a & 0x0f) << 4;
	int seg = (a & 0x70) >> 4;
	if (seg == 0) {
		t += 8;
	} else {
		t += 0x108;
		t <<= seg - 1;
	}
	return (int16_t)((a & 0x80) ? t : -t);
}

/* The decoder's state is its law's table (the codec itself keeps no state). */
static enum status table_init(struct audio_dec *d, int16_t (*fn)(uint8_t))
{
	int16_t *t = malloc(256 * sizeof(*t));
	if (!t)
		return ST_NOMEM;
	for (unsigned i = 0; i < 256; i++)
		t[i] = fn((uint8_t)i);
	d->state = t;
	return ST_OK;
}

static enum status ulaw_init(struct audio_dec *d)
{
	return table_init(d, ulaw_to_linear);
}

static enum status alaw_init(struct audio_dec *d)
{
	return table_init(d, alaw_to_linear);
}

static void g711_fini(struct audio_dec *d)
{
	free(d->state);
}

static enum status g711_decode(struct audio_dec *d, const uint8_t *p, size_t n,
			       int16_t *out, size_t cap, size_t *n_out)
{
	const int16_t *t = d->state;
	struct rd r = rd_make(p, n);
	size_t k = n < cap ? n : cap;
	const uint8_t *b = rd_bytes(&r, k);
	for (size_t i = 0; b && i < k; i++)
		out[i] = t[b[i]];
	*n_out = b ? k : 0;
	return rd_left(&r) > 0 ? ST_LIMIT : ST_OK;
}

static size_t g711_frames(const struct audio_format *f, const uint8_t *p, size_t n)
{
	return n;
}

const struct audio_ops audio_g711u_ops = {
	.codec = AUDIO_PCMU, .init = ulaw_init, .fini = g711_fini, .decode = g711_decode, .frames = g711_frames,
};

const struct audio_ops audio_g711a_ops = {
	.codec = AUDIO_PCMA, .init = alaw_init, .fini = g711_fini, .decode = g711_decode, .frames = g711_frames,
};
