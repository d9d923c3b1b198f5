/* SPDX-License-Identifier: MIT */
/* What every codec file gives the decoder registry (codec.c): one table of
 * operations per codec, private to src/audio. */
#ifndef DEADAIR_AUDIO_CODEC_INTERNAL_H
#define DEADAIR_AUDIO_CODEC_INTERNAL_H

#include "audio/audio.h"
#include "audio/levels.h"

struct audio_dec {
	const struct audio_ops *ops;
	struct audio_format fmt;
	void *state;          /* the library's decoder state */
};

struct audio_ops {
	enum audio_codec codec;
	/* sets d->state; ST_OK or ST_NOMEM */
	enum status (*init)(struct audio_dec *d);
	void (*fini)(struct audio_dec *d);
	enum status (*decode)(struct audio_dec *d, const uint8_t *p, size_t n,
			      int16_t *out, size_t cap, size_t *n_out);
	/* the levels of the samples decode would give, added to the bin without
	 * decoding (NULL: decode first) */
	enum status (*levels)(struct audio_dec *d, const uint8_t *p, size_t n, size_t cap,
			      struct level_bin *bin, size_t *n_out);
	/* NULL: lost audio is silence */
	size_t (*conceal)(struct audio_dec *d, size_t frames, int16_t *out, size_t cap);
	/* sample frames a payload holds, without decoding (NULL: unknown) */
	size_t (*frames)(const struct audio_format *f, const uint8_t *p, size_t n);
};

extern const struct audio_ops audio_g711u_ops, audio_g711a_ops, audio_g722_ops, audio_opus_ops,
	audio_g729_ops, audio_gsm_ops, audio_l16_ops;

/* Writes frames of silence (all channels), at most cap samples; returns the count. */
size_t audio_silence(const struct audio_format *f, size_t frames, int16_t *out, size_t cap);

#endif
