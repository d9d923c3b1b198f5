/* SPDX-License-Identifier: MIT */
/* L16 (RFC 3551 4.5.11): 16-bit two's complement samples in network byte
 * order, channels interleaved, at the RTP clock rate. Byte-swapping needs no
 * library. */
#include "audio/codec_internal.h"
#include "core/rd.h"

static enum status l16_init(struct audio_dec *d)
{
	d->state = NULL;
	return ST_OK;
}

static enum status l16_decode(struct audio_dec *d, const uint8_t *p, size_t n,
			      int16_t *out, size_t cap, size_t *n_out)
{
	struct rd r = rd_make(p, n);
	size_t ch = d->fmt.channels;
	size_t whole = n / (2 * ch) * ch; /* samples in whole frames */
	size_t k = 0;
	while (k < whole && k < cap / ch * ch)
		out[k++] = (int16_t)rd_be16(&r);
	*n_out = k;
	if (k < whole)
		return ST_LIMIT;
	return whole * 2 == n ? ST_OK : ST_MALFORMED;
}

static size_t l16_frames(const struct audio_format *f, const uint8_t *p, size_t n)
{
	return n / (2u * f->channels);
}

const struct audio_ops audio_l16_ops = {
	.codec = AUDIO_L16, .init = l16_init, .decode = l16_decode, .frames = l16_frames,
};
