/* SPDX-License-Identifier: MIT */
/* The timeline's audio band (html_audio.h): per column the kind that filled
 * most of it; speech drawn as a bar whose height follows its level (-70 to
 * 0 dBov), dead air in red, a repeated payload in orange, comfort noise in
 * grey. Nothing here comes from the wire but numbers. */
#include "report/html_audio.h"

#include <stdlib.h>
#include <string.h>

#include "analyze/audio_account.h"

bool html_audio_any(const struct call *c)
{
	for (const struct stream *s = c->streams; s; s = s->next)
		if (s->audio && (s->audio->decoded || s->audio->cn))
			return true;
	return false;
}

struct col {
	double k[5];          /* seconds of audio, silent, constant, cn, none */
	uint64_t energy, samples;
};

static int kind_index(char k)
{
	switch (k) {
	case AB_AUDIO: return 0;
	case AB_SILENT: return 1;
	case AB_CONSTANT: return 2;
	case AB_CN: return 3;
	default: return 4;
	}
}

void html_audio_band(FILE *f, const struct call *c, uint8_t dir, int64_t t0, int64_t colw, unsigned ncols,
		     double x0, double px, unsigned y)
{
	struct col *cols = calloc(ncols ? ncols : 1, sizeof(*cols));
	if (!cols)
		return;
	for (const struct stream *s = c->streams; s; s = s->next) {
		const struct stream_audio *a = s->audio;
		if (s->dir != dir || !a)
			continue;
		for (uint32_t i = 0; i < a->lv.n; i++) {
			const struct level_bin *b = &a->lv.bins[i];
			int64_t mid = a->lv.origin + (int64_t)i * a->lv.width + a->lv.width / 2;
			if (mid < t0)
				continue;
			int64_t k = (mid - t0) / colw;
			if (k < 0 || (uint64_t)k >= ncols)
				continue;
			int ki = kind_index(audio_bin_kind(b));
			cols[k].k[ki] += (double)a->lv.width / 1e9;
			if (ki == 0) {
				cols[k].energy += b->energy;
				cols[k].samples += b->samples;
			}
		}
	}
	static const char *const cls[4] = { "lvl", "deadair", "stuck", "cn" };
	for (int kind = 0; kind < 4; kind++) {
		fprintf(f, "<path class=\"audio %s\" d=\"", cls[kind]);
		for (unsigned i = 0; i < ncols; i++) {
			int best = 4;
			for (int k = 0; k < 4; k++)
				if (cols[i].k[k] > 0 && (best == 4 || cols[i].k[k] > cols[i].k[best]))
					best = k;
			if (best != kind)
				continue;
			double h = HTML_AUDIO_H;
			if (kind == 0) {
				double db = level_dbov(cols[i].energy, cols[i].samples);
				h = (db + 70.0) / 70.0 * HTML_AUDIO_H;
				if (h < 2)
					h = 2;
				if (h > HTML_AUDIO_H)
					h = HTML_AUDIO_H;
			}
			double w = px > 1.2 ? px - 0.2 : px;
			fprintf(f, "M%.1f %.1fh%.2fv%.1fh%.2fz", x0 + i * px, y + HTML_AUDIO_H - h, w, h, -w);
		}
		fputs("\"/>", f);
	}
	fputc('\n', f);
	free(cols);
}
