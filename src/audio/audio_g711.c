/* SPDX-License-Identifier: MIT */
/* G.711 mu-law and A-law (ITU-T G.711; RFC 3551 4.5.14): one byte per sample
 * at 8000 Hz, expanded by a table of 256 values per law. Written here rather
 * than taken from a library because the expansion is the standard's own few
 * lines of arithmetic (the classic Sun g711.c formulas that sox and ffmpeg use
 * too, giving the same 16-bit values), and a library call per byte would cost
 * more than the table look-up. */
#include <pthread.h>
#include <stdlib.h>

#include "audio/codec_internal.h"
#include "audio/g711_sums.h"
#include "audio/levels.h"
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

/* The decoder's state is its law's table of the linear value of each byte
 * (the codec itself keeps no state); the levels from the bytes have their own
 * arithmetic (g711_sums.c). */
struct g711 {
	int16_t lin[256];
	enum g711_law law;
};

/* One table per law, shared by every decoder (read only once made): a
 * table per stream would be a few kilobytes each, and with hundreds of
 * streams decoded in turn none of them would stay in the cache. */
static struct g711 ulaw_table, alaw_table;
static pthread_once_t ulaw_once = PTHREAD_ONCE_INIT, alaw_once = PTHREAD_ONCE_INIT;

static void table_make(struct g711 *t, int16_t (*fn)(uint8_t), enum g711_law law)
{
	t->law = law;
	for (unsigned i = 0; i < 256; i++)
		t->lin[i] = fn((uint8_t)i);
}

static void ulaw_make(void)
{
	table_make(&ulaw_table, ulaw_to_linear, G711_ULAW);
}

static void alaw_make(void)
{
	table_make(&alaw_table, alaw_to_linear, G711_ALAW);
}

static enum status ulaw_init(struct audio_dec *d)
{
	if (pthread_once(&ulaw_once, ulaw_make) != 0 || !g711_sums_init())
		return ST_NOMEM;
	d->state = &ulaw_table;
	return ST_OK;
}

static enum status alaw_init(struct audio_dec *d)
{
	if (pthread_once(&alaw_once, alaw_make) != 0 || !g711_sums_init())
		return ST_NOMEM;
	d->state = &alaw_table;
	return ST_OK;
}

static void g711_fini(struct audio_dec *d)
{
	d->state = NULL; /* the tables are shared */
}

static enum status g711_decode(struct audio_dec *d, const uint8_t *p, size_t n,
			       int16_t *out, size_t cap, size_t *n_out)
{
	const struct g711 *t = d->state;
	struct rd r = rd_make(p, n);
	size_t k = n < cap ? n : cap;
	const uint8_t *b = rd_bytes(&r, k);
	for (size_t i = 0; b && i < k; i++)
		out[i] = t->lin[b[i]];
	*n_out = b ? k : 0;
	return rd_left(&r) > 0 ? ST_LIMIT : ST_OK;
}

/* What decoding and level_bin_add would give, from the bytes (g711_sums.c). */
static enum status g711_levels(struct audio_dec *d, const uint8_t *p, size_t n, size_t cap,
			       struct level_bin *bin, size_t *n_out)
{
	const struct g711 *t = d->state;
	struct rd r = rd_make(p, n);
	size_t k = n < cap ? n : cap;
	const uint8_t *b = rd_bytes(&r, k);
	if (!b) {
		*n_out = 0;
		return ST_OK;
	}
	struct g711_sums s;
	g711_sums(t->law, b, k, &s);
	level_bin_add_sums(bin, s.energy, k, s.clipped, s.peak);
	*n_out = k;
	return rd_left(&r) > 0 ? ST_LIMIT : ST_OK;
}

static size_t g711_frames(const struct audio_format *f, const uint8_t *p, size_t n)
{
	return n;
}

const struct audio_ops audio_g711u_ops = {
	.codec = AUDIO_PCMU, .init = ulaw_init, .fini = g711_fini, .decode = g711_decode, .levels = g711_levels,
	.frames = g711_frames,
};

const struct audio_ops audio_g711a_ops = {
	.codec = AUDIO_PCMA, .init = alaw_init, .fini = g711_fini, .decode = g711_decode, .levels = g711_levels,
	.frames = g711_frames,
};
