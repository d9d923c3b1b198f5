/* SPDX-License-Identifier: MIT */
/* G.729 and G.729A (RFC 3551 4.5.6) through bcg729: 10-byte frames of 80
 * samples at 8000 Hz, and a trailing 2-byte Annex B SID frame (comfort noise
 * in band). A lost frame is concealed by bcg729's frame erasure. */
#include <string.h>

#include <bcg729/decoder.h>

#include "audio/codec_internal.h"
#include "core/rd.h"

#define G729_FRAME 10
#define G729_SID 2
#define G729_SAMPLES 80

static enum status g729_init(struct audio_dec *d)
{
	d->state = initBcg729DecoderChannel();
	return d->state ? ST_OK : ST_NOMEM;
}

static void g729_fini(struct audio_dec *d)
{
	closeBcg729DecoderChannel(d->state);
}

static enum status g729_decode_payload(struct audio_dec *d, const uint8_t *p, size_t n,
				       int16_t *out, size_t cap, size_t *n_out)
{
	struct rd r = rd_make(p, n);
	size_t k = 0;
	enum status st = ST_OK;
	while (rd_left(&r) >= G729_FRAME || rd_left(&r) == G729_SID) {
		if (cap - k < G729_SAMPLES) {
			st = ST_LIMIT;
			break;
		}
		/* the library reads a whole frame: hand it a copy of exactly that */
		uint8_t frame[G729_FRAME] = { 0 };
		bool sid = rd_left(&r) == G729_SID;
		size_t len = sid ? G729_SID : G729_FRAME;
		memcpy(frame, rd_bytes(&r, len), len);
		bcg729Decoder(d->state, frame, (uint8_t)len, 0, sid, 0, out + k);
		k += G729_SAMPLES;
	}
	if (st == ST_OK && rd_left(&r) > 0)
		st = ST_MALFORMED;
	*n_out = k;
	return st;
}

static size_t g729_conceal(struct audio_dec *d, size_t frames, int16_t *out, size_t cap)
{
	size_t k = 0;
	uint8_t none[G729_FRAME] = { 0 };
	while (frames >= G729_SAMPLES && cap - k >= G729_SAMPLES) {
		bcg729Decoder(d->state, none, 0, 1, 0, 0, out + k);
		k += G729_SAMPLES;
		frames -= G729_SAMPLES;
	}
	return k + audio_silence(&d->fmt, frames, out + k, cap - k);
}

static size_t g729_frames(const struct audio_format *f, const uint8_t *p, size_t n)
{
	return (n / G729_FRAME + (n % G729_FRAME == G729_SID)) * G729_SAMPLES;
}

const struct audio_ops audio_g729_ops = {
	.codec = AUDIO_G729, .init = g729_init, .fini = g729_fini,
	.decode = g729_decode_payload, .conceal = g729_conceal, .frames = g729_frames,
};
