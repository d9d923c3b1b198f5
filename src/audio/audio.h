/* SPDX-License-Identifier: MIT */
/* Audio inside RTP: which codec a payload type names (SDP rtpmap, or the
 * static payload types of RFC 3551 table 4), and decoders, one object per
 * stream, that turn one RTP payload at a time into 16-bit PCM at the codec's
 * output rate, conceal lost packets where the codec library can, and say
 * plainly what cannot be decoded (other codecs by name; SRTP). */
#ifndef DEADAIR_AUDIO_AUDIO_H
#define DEADAIR_AUDIO_AUDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

enum audio_codec {
	AUDIO_UNKNOWN = 0, /* not decoded here: counted with its name */
	AUDIO_PCMU,        /* G.711 mu-law (RFC 3551 4.5.14) */
	AUDIO_PCMA,        /* G.711 A-law */
	AUDIO_G722,        /* G.722 64 kbit/s, 16 kHz audio on an 8000 Hz RTP clock (RFC 3551 4.5.2) */
	AUDIO_OPUS,        /* RFC 7587, decoded at 48 kHz, mono */
	AUDIO_G729,        /* G.729/G.729A with Annex B SID frames (RFC 3551 4.5.6) */
	AUDIO_GSM,         /* GSM 06.10 full rate, 33-byte frames (RFC 3551 4.5.8) */
	AUDIO_L16,         /* linear 16-bit big-endian, any rate and channels (RFC 3551 4.5.11) */
	AUDIO_CN,          /* RFC 3389 comfort noise: not audio, its level byte is kept */
	AUDIO_EVENT,       /* RFC 4733 telephone-event: not audio */
	AUDIO_N
};

/* What a payload type carries, and what its decoder gives. */
struct audio_format {
	enum audio_codec codec;
	uint32_t clock;    /* RTP clock rate, Hz */
	uint32_t rate;     /* decoded sample rate, Hz (0 when not decoded) */
	uint8_t channels;  /* decoded channels, interleaved (0 when not decoded) */
	char name[20];     /* encoding name as the SDP or RFC 3551 writes it */
};

/* The most samples (all channels) one payload decodes to: 120 ms of opus at
 * 48 kHz, or 8192 samples of G.711/L16; a payload that holds more is decoded
 * up to this and reported as ST_LIMIT. */
#define AUDIO_OUT_MAX 8192

/* Fills *out from an rtpmap's encoding name (any case), clock rate and
 * channel count; an encoding not decoded here is AUDIO_UNKNOWN with its name. */
void audio_format_rtpmap(const char *name, size_t name_len, uint32_t clock, uint8_t channels,
			 struct audio_format *out);
/* The static payload types of RFC 3551 table 4 that name audio (0 PCMU, 3 GSM,
 * 8 PCMA, 9 G722, 10/11 L16, 13 CN, 18 G729, and the others by name); false
 * for a dynamic or unassigned payload type. */
bool audio_format_static(uint8_t pt, struct audio_format *out);
/* True for codecs with a decoder (not CN, events or unknown). */
bool audio_codec_decodable(enum audio_codec c);
const char *audio_codec_str(enum audio_codec c);
/* True when an m= line's media cannot be decoded because it is encrypted:
 * an SAVP/SAVPF profile (RFC 3711, RFC 5124; DTLS-SRTP's UDP/TLS/RTP/SAVPF)
 * or an a=crypto attribute (RFC 4568). */
bool audio_media_encrypted(const char *proto, size_t proto_len, bool has_crypto);

/* RFC 3389 section 3.1: the noise level of a comfort noise payload in -dBov
 * (0..127); false when the payload is empty or the byte is above 127. */
bool audio_cn_level(const uint8_t *p, size_t n, uint8_t *neg_dbov);

struct audio_dec;

/* A decoder for one stream: ST_OK, ST_UNSUPPORTED for a codec with no decoder,
 * ST_NOMEM. The codec library's state lives in the object. */
enum status audio_dec_new(const struct audio_format *f, struct audio_dec **out);
void audio_dec_free(struct audio_dec *d);
const struct audio_format *audio_dec_format(const struct audio_dec *d);

/* Decodes one RTP payload of n bytes into out (room for cap samples, frames
 * of the format's channels interleaved); *n_out receives the samples written,
 * never more than cap. ST_OK; ST_MALFORMED when the bytes are not a whole
 * number of the codec's frames or a frame does not decode (what decoded is
 * written); ST_LIMIT when out was too small (the rest is dropped). */
enum status audio_dec_decode(struct audio_dec *d, const uint8_t *p, size_t n,
			     int16_t *out, size_t cap, size_t *n_out);
/* Stands in for `frames` lost sample frames (at the output rate): the codec's
 * own concealment where the library has it (opus PLC, G.729 frame erasure),
 * else silence. Writes at most cap samples; returns how many. */
size_t audio_dec_conceal(struct audio_dec *d, size_t frames, int16_t *out, size_t cap);
/* True when the codec conceals with its library's concealment. */
/* Whether audio_dec_levels works for this decoder (G.711: the levels come
 * from the bytes by table, an order of magnitude cheaper than decoding). */
bool audio_dec_has_levels(const struct audio_dec *d);
/* Adds to bin (struct level_bin, audio/levels.h) what level_bin_add of the
 * samples audio_dec_decode(d, p, n, out, cap) gives would add; *n_out and the
 * status as that call's. Only when audio_dec_has_levels. */
struct level_bin;
enum status audio_dec_levels(struct audio_dec *d, const uint8_t *p, size_t n, size_t cap,
			     struct level_bin *bin, size_t *n_out);
bool audio_dec_has_plc(const struct audio_dec *d);

/* Sample frames one payload of n bytes holds, at the output rate, without
 * decoding it (0 when unknown, as for opus without parsing its TOC). */
size_t audio_payload_frames(const struct audio_format *f, const uint8_t *p, size_t n);

#endif
