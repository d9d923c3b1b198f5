/* SPDX-License-Identifier: MIT */
/* The decoder registry: codec by SDP rtpmap (encoding name, clock rate,
 * channels) or by the static payload types of RFC 3551 table 4, the SRTP
 * check (RFC 3711, RFC 4568, RFC 5764 profiles), the RFC 3389 level byte, and
 * the one decoder interface that dispatches to each codec's file. */
#include <stdlib.h>
#include <string.h>

#include "audio/codec_internal.h"
#include "core/rd.h"
#include "core/sv.h"

static const struct audio_ops *ops_for(enum audio_codec c)
{
	switch (c) {
	case AUDIO_PCMU: return &audio_g711u_ops;
	case AUDIO_PCMA: return &audio_g711a_ops;
	case AUDIO_G722: return &audio_g722_ops;
	case AUDIO_OPUS: return &audio_opus_ops;
	case AUDIO_G729: return &audio_g729_ops;
	case AUDIO_GSM: return &audio_gsm_ops;
	case AUDIO_L16: return &audio_l16_ops;
	default: return NULL;
	}
}

bool audio_codec_decodable(enum audio_codec c)
{
	return ops_for(c) != NULL;
}

const char *audio_codec_str(enum audio_codec c)
{
	switch (c) {
	case AUDIO_PCMU: return "PCMU";
	case AUDIO_PCMA: return "PCMA";
	case AUDIO_G722: return "G722";
	case AUDIO_OPUS: return "opus";
	case AUDIO_G729: return "G729";
	case AUDIO_GSM: return "GSM";
	case AUDIO_L16: return "L16";
	case AUDIO_CN: return "CN";
	case AUDIO_EVENT: return "telephone-event";
	default: return "unknown";
	}
}

/* Output rate and channels of a decodable codec; zero for the others. */
static void set_output(struct audio_format *f, uint8_t rtp_channels)
{
	f->rate = 0;
	f->channels = 0;
	switch (f->codec) {
	case AUDIO_PCMU: case AUDIO_PCMA: case AUDIO_G729: case AUDIO_GSM:
		f->rate = 8000;
		f->channels = 1;
		break;
	case AUDIO_G722:
		f->rate = 16000;
		f->channels = 1;
		break;
	case AUDIO_OPUS:
		f->rate = 48000;
		f->channels = 1;
		break;
	case AUDIO_L16:
		if (f->clock >= 1000 && f->clock <= 192000 && rtp_channels >= 1 && rtp_channels <= 2) {
			f->rate = f->clock;
			f->channels = rtp_channels;
		} else {
			f->codec = AUDIO_UNKNOWN; /* a rate or layout we will not guess at */
		}
		break;
	default:
		break;
	}
}

void audio_format_rtpmap(const char *name, size_t name_len, uint32_t clock, uint8_t channels,
			 struct audio_format *out)
{
	struct sv n = sv_make(name, name_len);

	memset(out, 0, sizeof(*out));
	sv_to_buf(n, out->name, sizeof(out->name));
	out->clock = clock;
	if (channels == 0)
		channels = 1;
	if (sv_ieq_cstr(n, "PCMU") && clock == 8000 && channels == 1)
		out->codec = AUDIO_PCMU;
	else if (sv_ieq_cstr(n, "PCMA") && clock == 8000 && channels == 1)
		out->codec = AUDIO_PCMA;
	else if (sv_ieq_cstr(n, "G722") && clock == 8000 && channels == 1)
		out->codec = AUDIO_G722;
	else if (sv_ieq_cstr(n, "opus") && clock == 48000)
		out->codec = AUDIO_OPUS; /* RFC 7587: always opus/48000/2 */
	else if ((sv_ieq_cstr(n, "G729") || sv_ieq_cstr(n, "G729a") || sv_ieq_cstr(n, "G729b") ||
		  sv_ieq_cstr(n, "G729ab")) && clock == 8000 && channels == 1)
		out->codec = AUDIO_G729;
	else if (sv_ieq_cstr(n, "GSM") && clock == 8000 && channels == 1)
		out->codec = AUDIO_GSM;
	else if (sv_ieq_cstr(n, "L16"))
		out->codec = AUDIO_L16;
	else if (sv_ieq_cstr(n, "CN"))
		out->codec = AUDIO_CN;
	else if (sv_ieq_cstr(n, "telephone-event"))
		out->codec = AUDIO_EVENT;
	else
		out->codec = AUDIO_UNKNOWN;
	set_output(out, channels);
}

bool audio_format_static(uint8_t pt, struct audio_format *out)
{
	/* RFC 3551 table 4, audio entries */
	static const struct { uint8_t pt; const char *name; uint32_t clock; uint8_t ch; } tab[] = {
		{ 0, "PCMU", 8000, 1 }, { 3, "GSM", 8000, 1 }, { 4, "G723", 8000, 1 },
		{ 5, "DVI4", 8000, 1 }, { 6, "DVI4", 16000, 1 }, { 7, "LPC", 8000, 1 },
		{ 8, "PCMA", 8000, 1 }, { 9, "G722", 8000, 1 }, { 10, "L16", 44100, 2 },
		{ 11, "L16", 44100, 1 }, { 12, "QCELP", 8000, 1 }, { 13, "CN", 8000, 1 },
		{ 14, "MPA", 90000, 1 }, { 15, "G728", 8000, 1 }, { 16, "DVI4", 11025, 1 },
		{ 17, "DVI4", 22050, 1 }, { 18, "G729", 8000, 1 },
		{ 19, "CN", 8000, 1 }, /* reserved by RFC 3551; old comfort noise in practice */
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		if (tab[i].pt == pt) {
			audio_format_rtpmap(tab[i].name, strlen(tab[i].name), tab[i].clock, tab[i].ch, out);
			return true;
		}
	}
	memset(out, 0, sizeof(*out));
	return false;
}

bool audio_media_encrypted(const char *proto, size_t proto_len, bool has_crypto)
{
	struct sv p = sv_make(proto, proto_len);
	if (has_crypto)
		return true;
	/* RTP/SAVP, RTP/SAVPF, UDP/TLS/RTP/SAVP(F), TCP/TLS/RTP/SAVPF */
	return sv_find(p, SV_LIT("SAVP"), true) < p.n;
}

bool audio_cn_level(const uint8_t *p, size_t n, uint8_t *neg_dbov)
{
	struct rd r = rd_make(p, n);
	uint8_t v = rd_u8(&r);
	if (r.bad || v > 127)
		return false;
	*neg_dbov = v;
	return true;
}

size_t audio_silence(const struct audio_format *f, size_t frames, int16_t *out, size_t cap)
{
	size_t ch = f->channels ? f->channels : 1;
	size_t n = frames > cap / ch ? cap / ch * ch : frames * ch;
	memset(out, 0, n * sizeof(*out));
	return n;
}

enum status audio_dec_new(const struct audio_format *f, struct audio_dec **out)
{
	*out = NULL;
	const struct audio_ops *ops = ops_for(f->codec);
	if (!ops || f->rate == 0 || f->channels == 0)
		return ST_UNSUPPORTED;
	struct audio_dec *d = calloc(1, sizeof(*d));
	if (!d)
		return ST_NOMEM;
	d->ops = ops;
	d->fmt = *f;
	enum status st = ops->init(d);
	if (st != ST_OK) {
		free(d);
		return st;
	}
	*out = d;
	return ST_OK;
}

void audio_dec_free(struct audio_dec *d)
{
	if (!d)
		return;
	if (d->ops->fini)
		d->ops->fini(d);
	free(d);
}

const struct audio_format *audio_dec_format(const struct audio_dec *d)
{
	return &d->fmt;
}

enum status audio_dec_decode(struct audio_dec *d, const uint8_t *p, size_t n,
			     int16_t *out, size_t cap, size_t *n_out)
{
	*n_out = 0;
	if (n == 0)
		return ST_OK;
	if (!p)
		return ST_MALFORMED;
	return d->ops->decode(d, p, n, out, cap, n_out);
}

size_t audio_dec_conceal(struct audio_dec *d, size_t frames, int16_t *out, size_t cap)
{
	if (d->ops->conceal)
		return d->ops->conceal(d, frames, out, cap);
	return audio_silence(&d->fmt, frames, out, cap);
}

bool audio_dec_has_levels(const struct audio_dec *d)
{
	return d->ops->levels != NULL;
}

enum status audio_dec_levels(struct audio_dec *d, const uint8_t *p, size_t n, size_t cap,
			     struct level_bin *bin, size_t *n_out)
{
	*n_out = 0;
	if (n == 0)
		return ST_OK;
	if (!p)
		return ST_MALFORMED;
	return d->ops->levels(d, p, n, cap, bin, n_out);
}

bool audio_dec_has_plc(const struct audio_dec *d)
{
	return d->ops->conceal != NULL;
}

size_t audio_payload_frames(const struct audio_format *f, const uint8_t *p, size_t n)
{
	const struct audio_ops *ops = ops_for(f->codec);
	if (!ops || !ops->frames || f->channels == 0)
		return 0;
	return ops->frames(f, p, n);
}
