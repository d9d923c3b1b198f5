/* SPDX-License-Identifier: MIT */
/* G.711 mu-law and A-law (ITU-T G.711; RFC 3551 4.5.14): one byte per sample
 * at 8000 Hz. Written here rather than taken from a library because the
 * expansion is the standard's own few lines of arithmetic (the classic Sun
 * g711.c formulas that sox and ffmpeg use too, giving the same 16-bit values),
 * and a library call per byte would cost more than the computation. */
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

static enum status g711_init(struct audio_dec *d)
{
	d->state = NULL; /* stateless */
	return ST_OK;
}

static enum status decode_with(int16_t (*fn)(uint8_t), const uint8_t *p, size_t n,
			       int16_t *out, size_t cap, size_t *n_out)
{
	struct rd r = rd_make(p, n);
	size_t k = 0;
	while (rd_left(&r) > 0 && k < cap)
		out[k++] = fn(rd_u8(&r));
	*n_out = k;
	return rd_left(&r) > 0 ? ST_LIMIT : ST_OK;
}

static enum status ulaw_decode(struct audio_dec *d, const uint8_t *p, size_t n,
			       int16_t *out, size_t cap, size_t *n_out)
{
	return decode_with(ulaw_to_linear, p, n, out, cap, n_out);
}

static enum status alaw_decode(struct audio_dec *d, const uint8_t *p, size_t n,
			       int16_t *out, size_t cap, size_t *n_out)
{
	return decode_with(alaw_to_linear, p, n, out, cap, n_out);
}

static size_t g711_frames(const struct audio_format *f, const uint8_t *p, size_t n)
{
	return n;
}

const struct audio_ops audio_g711u_ops = {
	.codec = AUDIO_PCMU, .init = g711_init, .decode = ulaw_decode, .frames = g711_frames,
};

const struct audio_ops audio_g711a_ops = {
	.codec = AUDIO_PCMA, .init = g711_init, .decode = alaw_decode, .frames = g711_frames,
};
