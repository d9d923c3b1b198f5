/* SPDX-License-Identifier: MIT */
/* WAV files of decoded audio (audio_files.h). File names come from the
 * capture point, the Call-ID (only letters, digits, '.', '-' and '_' kept, so
 * nothing from the wire can name another directory), the direction and the
 * SSRC: DIR/p1-CALLID-caller-0x1234ABCD.wav, DIR/p1-CALLID-mix.wav. */
#include "pipeline/audio_files.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "audio/wav.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/* The longest stretch of silence written for a gap in a stream's audio. */
#define MAX_GAP_S 600

struct stream_file {
	struct wav_writer w;
	uint64_t skipped;         /* frames of gaps longer than MAX_GAP_S left out */
	bool open, closed;
	uint8_t dir;
	char path[PATH_MAX];
};

static void slug(const char *in, char *out, size_t cap)
{
	size_t k = 0;
	for (; *in && k + 1 < cap && k < 48; in++) {
		char ch = *in;
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
			  ch == '-' || ch == '_' || (ch == '.' && k > 0);
		out[k++] = ok ? ch : '_';
	}
	if (k == 0 && cap > 1)
		out[k++] = '_';
	out[k] = '\0';
}

static const char *party_word(uint8_t p)
{
	return p == PARTY_A ? "caller" : p == PARTY_B ? "callee" : "unknown";
}

static void call_prefix(const struct audio_files *af, const struct stream *s, char *buf, size_t cap)
{
	char id[64];
	if (s->call) {
		slug(s->call->call_id, id, sizeof(id));
		snprintf(buf, cap, "%s/p%u-%s", af->dir, (unsigned)af->point + 1u, id);
	} else {
		snprintf(buf, cap, "%s/p%u-unsignalled", af->dir, (unsigned)af->point + 1u);
	}
}

/* Linear resampling of one block to the file's rate (a codec change mid-stream). */
static size_t resample(const int16_t *x, size_t n, uint32_t from, uint32_t to, int16_t *out, size_t cap)
{
	size_t m = (size_t)((uint64_t)n * to / from);
	if (m > cap)
		m = cap;
	for (size_t i = 0; i < m; i++) {
		size_t j = (size_t)((uint64_t)i * from / to);
		out[i] = x[j < n ? j : n - 1];
	}
	return m;
}

static void on_pcm(void *ctx, struct stream *s, int64_t origin_ns, uint64_t pos, uint32_t rate, const int16_t *x,
		   size_t frames)
{
	struct audio_files *af = ctx;
	struct stream_file *sf = s->audio->out;
	if (!sf) {
		sf = calloc(1, sizeof(*sf));
		if (!sf)
			return;
		s->audio->out = sf;
		char prefix[PATH_MAX - 64];
		call_prefix(af, s, prefix, sizeof(prefix));
		sf->dir = s->dir;
		snprintf(sf->path, sizeof(sf->path), "%s-%s-0x%08" PRIX32 ".wav", prefix, party_word(s->dir), s->ssrc);
		if (!wav_open(&sf->w, sf->path, rate, 1)) {
			af->failed++;
			if (af->err)
				fprintf(af->err, "deadair: cannot write %s: %s\n", sf->path, strerror(errno));
			sf->closed = true;
			return;
		}
		sf->open = true;
	}
	if (!sf->open || sf->closed)
		return;
	/* a capture whose clock jumps (files merged from different days) would fill
	 * the disk with silence: a gap is written as at most MAX_GAP_S of it */
	uint64_t at = rate == sf->w.rate ? pos : pos * sf->w.rate / rate;
	at = at > sf->skipped ? at - sf->skipped : 0;
	uint64_t max_gap = (uint64_t)MAX_GAP_S * sf->w.rate;
	if (at > sf->w.frames + max_gap) {
		sf->skipped += at - sf->w.frames - max_gap;
		at = sf->w.frames + max_gap;
	}
	if (rate == sf->w.rate) {
		wav_write_at(&sf->w, at, x, frames);
		return;
	}
	int16_t buf[4 * AUDIO_OUT_MAX];
	size_t m = resample(x, frames, rate, sf->w.rate, buf, sizeof(buf) / sizeof(buf[0]));
	wav_write_at(&sf->w, at, buf, m);
	(void)origin_ns;
}

static void close_file(struct audio_files *af, struct stream_file *sf)
{
	if (!sf->open || sf->closed)
		return;
	sf->closed = true;
	if (wav_close(&sf->w)) {
		af->written++;
	} else {
		af->failed++;
		if (af->err)
			fprintf(af->err, "deadair: could not finish %s\n", sf->path);
	}
}

static void on_close(void *ctx, struct stream *s)
{
	struct audio_files *af = ctx;
	struct stream_file *sf = s->audio->out;
	close_file(af, sf);
	free(sf);
	s->audio->out = NULL;
}

void audio_files_init(struct audio_files *af, const char *dir, bool mix, FILE *err)
{
	memset(af, 0, sizeof(*af));
	af->dir = dir;
	af->mix = mix;
	af->err = err;
	af->out.ctx = af;
	af->out.pcm = on_pcm;
	af->out.close = on_close;
}

const struct audio_out *audio_files_out(struct audio_files *af)
{
	return af->dir ? &af->out : NULL;
}

void audio_files_call_done(struct audio_files *af, struct call *c)
{
	if (!af->dir)
		return;
	const char *left[16], *right[16];
	size_t nl = 0, nr = 0;
	uint32_t rate = 0;
	for (struct stream *s = c->streams; s; s = s->next) {
		struct stream_file *sf = s->audio ? s->audio->out : NULL;
		if (!sf || !sf->open)
			continue;
		uint32_t r = sf->w.rate;
		close_file(af, sf);
		if (s->dir == PARTY_A && nl < 16)
			left[nl++] = sf->path;
		else if (s->dir == PARTY_B && nr < 16)
			right[nr++] = sf->path;
		else
			continue;
		if (r > rate)
			rate = r;
	}
	if (!af->mix || nl + nr == 0)
		return;
	char prefix[PATH_MAX - 64], path[PATH_MAX];
	call_prefix(af, c->streams, prefix, sizeof(prefix));
	snprintf(path, sizeof(path), "%s-mix.wav", prefix);
	if (wav_mix_stereo(path, rate, left, nl, right, nr)) {
		af->mixed++;
	} else {
		af->failed++;
		if (af->err)
			fprintf(af->err, "deadair: could not write the mix %s\n", path);
	}
}
