/* SPDX-License-Identifier: MIT */
/* G.722 (ITU-T G.722, 64 kbit/s; RFC 3551 4.5.2) through spandsp's decoder:
 * each byte gives two samples at 16 kHz; the RTP clock runs at 8000 Hz. The
 * decoder keeps its ADPCM state between packets. Lost packets are silence
 * (spandsp has no G.722 concealment). */
#include <spandsp.h>

#include "audio/codec_internal.h"
#include "core/rd.h"

static enum status g722_init(struct audio_dec *d)
{
	d->state = g722_decode_init(NULL, 64000, 0);
	return d->state ? ST_OK : ST_NOMEM;
}

static void g722_fini(struct audio_dec *d)
{
	g722_decode_free(d->state);
}

static enum status g722_decode_payload(struct audio_dec *d, const uint8_t *p, size_t n,
				       int16_t *out, size_t cap, size_t *n_out)
{
	struct rd r = rd_make(p, n);
	size_t k = 0;
	/* at most 256 bytes per library call: 512 samples */
	while (rd_left(&r) > 0 && cap - k >= 2) {
		size_t chunk = rd_left(&r);
		if (chunk > 256)
			chunk = 256;
		if (chunk > (cap - k) / 2)
			chunk = (cap - k) / 2;
		const uint8_t *b = rd_bytes(&r, chunk);
		int got = g722_decode(d->state, out + k, b, (int)chunk);
		if (got < 0 || (size_t)got > 2 * chunk)
			break;
		k += (size_t)got;
	}
	*n_out = k;
	return rd_left(&r) > 0 ? ST_LIMIT : ST_OK;
}

static size_t g722_frames(const struct audio_format *f, const uint8_t *p, size_t n)
{
	return 2 * n;
}

const struct audio_ops audio_g722_ops = {
	.codec = AUDIO_G722, .init = g722_init, .fini = g722_fini,
	.decode = g722_decode_payload, .frames = g722_frames,
};
