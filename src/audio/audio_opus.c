/* SPDX-License-Identifier: MIT */
/* Opus (RFC 6716, RTP payload RFC 7587) through libopus: one packet per RTP
 * payload, decoded to mono at 48 kHz (the RTP clock is always 48000; a stereo
 * stream is mixed down by the decoder). A lost packet is concealed by the
 * library's packet loss concealment. */
#include <stdlib.h>

#include <opus.h>

#include "audio/codec_internal.h"

#define OPUS_MAX_FRAME 5760   /* 120 ms at 48 kHz, the longest packet */
#define OPUS_PLC_CHUNK 960    /* conceal 20 ms at a time */

struct opus_state {
	OpusDecoder *dec;
	int16_t buf[OPUS_MAX_FRAME];
};

static enum status opus_init(struct audio_dec *d)
{
	struct opus_state *s = calloc(1, sizeof(*s));
	if (!s)
		return ST_NOMEM;
	int err = 0;
	s->dec = opus_decoder_create(48000, 1, &err);
	if (!s->dec || err != OPUS_OK) {
		free(s);
		return ST_NOMEM;
	}
	d->state = s;
	return ST_OK;
}

static void opus_fini(struct audio_dec *d)
{
	struct opus_state *s = d->state;
	opus_decoder_destroy(s->dec);
	free(s);
}

static size_t copy_out(const int16_t *src, size_t n, int16_t *out, size_t cap)
{
	size_t k = n < cap ? n : cap;
	for (size_t i = 0; i < k; i++)
		out[i] = src[i];
	return k;
}

static enum status opus_decode_payload(struct audio_dec *d, const uint8_t *p, size_t n,
				       int16_t *out, size_t cap, size_t *n_out)
{
	struct opus_state *s = d->state;
	*n_out = 0;
	if (n > 0x7fffffff)
		return ST_MALFORMED;
	/* the library parses the packet's TOC and frame lengths against len itself */
	int got = opus_decode(s->dec, p, (opus_int32)n, s->buf, OPUS_MAX_FRAME, 0);
	if (got < 0)
		return ST_MALFORMED;
	*n_out = copy_out(s->buf, (size_t)got, out, cap);
	return *n_out < (size_t)got ? ST_LIMIT : ST_OK;
}

static size_t opus_conceal(struct audio_dec *d, size_t frames, int16_t *out, size_t cap)
{
	struct opus_state *s = d->state;
	size_t k = 0;
	while (frames >= 120 && k < cap) {
		size_t want = frames < OPUS_PLC_CHUNK ? frames / 120 * 120 : OPUS_PLC_CHUNK;
		int got = opus_decode(s->dec, NULL, 0, s->buf, (int)want, 0);
		if (got <= 0)
			break;
		k += copy_out(s->buf, (size_t)got, out + k, cap - k);
		frames -= (size_t)got < frames ? (size_t)got : frames;
	}
	return k + audio_silence(&d->fmt, frames, out + k, cap - k);
}

static size_t opus_frames(const struct audio_format *f, const uint8_t *p, size_t n)
{
	if (n == 0 || n > 0x7fffffff)
		return 0;
	int got = opus_packet_get_nb_samples(p, (opus_int32)n, 48000);
	return got > 0 ? (size_t)got : 0;
}

const struct audio_ops audio_opus_ops = {
	.codec = AUDIO_OPUS, .init = opus_init, .fini = opus_fini,
	.decode = opus_decode_payload, .conceal = opus_conceal, .frames = opus_frames,
};
