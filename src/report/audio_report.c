/* SPDX-License-Identifier: MIT */
/* The audio of a stream in JSON and text (audio_report.h). The levels are
 * compact: one whole dBov number per bin (null where no audio was decoded) and
 * one character per bin for what it held (docs/json-schema.md). */
#include "report/audio_report.h"

#include <math.h>
#include <string.h>

#include "analyze/audio_account.h"

static double rel(int64_t t, int64_t origin)
{
	return (double)(t - origin) / 1e9;
}

void report_stream_audio_json(struct jw *w, const struct stream *s, int64_t origin)
{
	const struct stream_audio *a = s->audio;
	if (!a) {
		jw_null(w, "audio");
		return;
	}
	jw_obj(w, "audio");
	if (a->codec[0])
		jw_str(w, "codec", a->codec);
	else
		jw_null(w, "codec");
	jw_uint(w, "decoded_packets", a->decoded);
	jw_uint(w, "comfort_noise_packets", a->cn);
	jw_uint(w, "undecoded_packets", a->undecoded);
	if (a->undecoded)
		jw_str(w, "undecoded_codec", a->undecoded_codec);
	jw_uint(w, "encrypted_packets", a->encrypted);
	jw_uint(w, "concealed_packets", a->concealed);
	jw_uint(w, "malformed_payloads", a->malformed);
	if (a->samples)
		jw_num(w, "level_dbov", stream_audio_dbov(a), 1);
	else
		jw_null(w, "level_dbov");
	jw_uint(w, "clipped_samples", a->clipped);
	jw_num(w, "bin_s", (double)a->lv.width / 1e9, 3);
	jw_num(w, "t_origin", rel(a->lv.origin, origin), 6);
	char kinds[LEVEL_MAX_BINS + 1];
	for (uint32_t i = 0; i < a->lv.n; i++)
		kinds[i] = audio_bin_kind(&a->lv.bins[i]);
	kinds[a->lv.n] = '\0';
	jw_str(w, "bins", kinds);
	int16_t lev[LEVEL_MAX_BINS];
	for (uint32_t i = 0; i < a->lv.n; i++) {
		const struct level_bin *b = &a->lv.bins[i];
		lev[i] = b->samples ? (int16_t)lrint(level_bin_dbov(b)) : INT16_MIN;
	}
	jw_int_list(w, "levels_dbov", lev, a->lv.n, INT16_MIN);
	jw_obj_end(w);
}

void report_stream_audio_text(FILE *f, const struct stream *s)
{
	const struct stream_audio *a = s->audio;
	if (!a || (!a->decoded && !a->cn && !a->undecoded && !a->encrypted))
		return;
	double w = (double)a->lv.width / 1e9, k[128] = { 0 };
	for (uint32_t i = 0; i < a->lv.n; i++)
		k[(unsigned char)audio_bin_kind(&a->lv.bins[i])] += w;
	fputs("      audio:", f);
	if (a->decoded)
		fprintf(f, " %s, %.1f dBov", a->codec, stream_audio_dbov(a));
	if (k[AB_AUDIO] > 0)
		fprintf(f, ", %.1f s of audio", k[AB_AUDIO]);
	if (k[AB_SILENT] > 0)
		fprintf(f, ", %.1f s digital silence", k[AB_SILENT]);
	if (k[AB_CONSTANT] > 0)
		fprintf(f, ", %.1f s repeated payload", k[AB_CONSTANT]);
	if (k[AB_NONE] > 0)
		fprintf(f, ", %.1f s without packets", k[AB_NONE]);
	if (k[AB_CN] > 0 || a->cn)
		fprintf(f, ", %.1f s comfort noise (%u packets)", k[AB_CN], a->cn);
	if (a->clipped)
		fprintf(f, ", %llu samples clipped", (unsigned long long)a->clipped);
	if (a->concealed)
		fprintf(f, ", %u lost packets concealed", a->concealed);
	if (a->undecoded)
		fprintf(f, "%s %u packets of %s not decoded", a->decoded ? ";" : "", a->undecoded,
			a->undecoded_codec);
	if (a->encrypted)
		fprintf(f, "%s %u packets encrypted (SRTP): audio not judged", a->decoded || a->undecoded ? ";" : "",
			a->encrypted);
	fputc('\n', f);
}
