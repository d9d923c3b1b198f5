/* SPDX-License-Identifier: MIT */
/* GSM 06.10 full rate (RFC 3551 4.5.8) through libgsm: 33-byte frames of 160
 * samples at 8000 Hz, each starting with the 0xD signature nibble. libgsm has
 * no concealment: lost packets are silence. */
#include <gsm.h>

#include "audio/codec_internal.h"
#include "core/rd.h"

#define GSM_FRAME 33
#define GSM_SAMPLES 160

static enum status gsm_init(struct audio_dec *d)
{
	d->state = gsm_create();
	return d->state ? ST_OK : ST_NOMEM;
}

static void gsm_fini(struct audio_dec *d)
{
	gsm_destroy(d->state);
}

static enum status gsm_decode_payload(struct audio_dec *d, const uint8_t *p, size_t n,
				      int16_t *out, size_t cap, size_t *n_out)
{
	struct rd r = rd_make(p, n);
	size_t k = 0;
	enum status st = ST_OK;
	while (rd_left(&r) >= GSM_FRAME) {
		if (cap - k < GSM_SAMPLES) {
			st = ST_LIMIT;
			break;
		}
		gsm_byte frame[GSM_FRAME];
		const uint8_t *b = rd_bytes(&r, GSM_FRAME);
		for (size_t i = 0; i < GSM_FRAME; i++)
			frame[i] = b[i];
		gsm_signal pcm[GSM_SAMPLES];
		if (gsm_decode(d->state, frame, pcm) != 0) {
			st = ST_MALFORMED; /* not a GSM frame (signature nibble) */
			continue;
		}
		for (size_t i = 0; i < GSM_SAMPLES; i++)
			out[k++] = pcm[i];
	}
	if (st == ST_OK && rd_left(&r) > 0)
		st = ST_MALFORMED;
	*n_out = k;
	return st;
}

static size_t gsm_frames(const struct audio_format *f, const uint8_t *p, size_t n)
{
	return n / GSM_FRAME * GSM_SAMPLES;
}

const struct audio_ops audio_gsm_ops = {
	.codec = AUDIO_GSM, .init = gsm_init, .fini = gsm_fini,
	.decode = gsm_decode_payload, .frames = gsm_frames,
};
