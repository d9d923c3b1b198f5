/* SPDX-License-Identifier: MIT */
/* WAV files of decoded audio (audio_files.h). File names come from the
 * capture point, the Call-ID (only letters, digits, '.', '-' and '_' kept, so
 * nothing from the wire can name another directory), the direction and the
 * SSRC: DIR/p1-CALLID-caller-0x1234ABCD.wav, DIR/p1-CALLID-mix.wav. For the
 * report's players (--embed-audio) without DIR, the same files go to a private
 * directory made with mkdtemp(3), each stream cut where its mix would pass the
 * report's budget, and are removed as their call ends. */
#include "pipeline/audio_files.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	bool temp;                /* in the private directory: removed when the stream ends */
	bool over;                /* cut: its own mix would pass the report's budget */
	bool shared;              /* cut: the files held at once would pass what is left of it */
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

/* The directory files go to: DIR, else the private one of the report. */
static const char *base_dir(const struct audio_files *af)
{
	return af->dir ? af->dir : af->emb && af->emb->tmpdir[0] ? af->emb->tmpdir : NULL;
}

static void call_stem(const struct audio_files *af, const struct call *c, char *buf, size_t cap)
{
	char id[64];
	if (c) {
		slug(c->call_id, id, sizeof(id));
		snprintf(buf, cap, "p%u-%s", (unsigned)af->point + 1u, id);
	} else {
		snprintf(buf, cap, "p%u-unsignalled", (unsigned)af->point + 1u);
	}
}

static void call_prefix(const struct audio_files *af, const struct call *c, char *buf, size_t cap)
{
	char stem[96];
	call_stem(af, c, stem, sizeof(stem));
	snprintf(buf, cap, "%s/%s", base_dir(af), stem);
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
		/* unsignalled streams go to DIR only: the report embeds calls' audio */
		if (!af->dir && (!s->call || !base_dir(af)))
			return;
		sf = calloc(1, sizeof(*sf));
		if (!sf)
			return;
		s->audio->out = sf;
		sf->temp = !af->dir;
		sf->dir = s->dir;
		if (sf->temp) {
			/* calls in progress at once may share a Call-ID's stem and an SSRC */
			snprintf(sf->path, sizeof(sf->path), "%s/s%" PRIu64 ".wav", base_dir(af), ++af->emb->seq);
		} else {
			char prefix[PATH_MAX - 64];
			call_prefix(af, s->call, prefix, sizeof(prefix));
			snprintf(sf->path, sizeof(sf->path), "%s-%s-0x%08" PRIX32 ".wav", prefix, party_word(s->dir),
				 s->ssrc);
		}
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
	/* only for the report, the files stop growing: past a quarter of the
	 * budget in frames (half of it in bytes) the stereo mix could not fit;
	 * and the files of all streams in progress together stay within what is
	 * left of it, so that the disk used is bounded by the budget, not by the
	 * calls in progress */
	if (sf->temp) {
		if (sf->over || sf->shared)
			return;
		uint64_t m = rate == sf->w.rate ? frames : (uint64_t)frames * sf->w.rate / rate;
		uint64_t grow = at + m > sf->w.frames ? (at + m - sf->w.frames) * 2 : 0;
		if (at + m > af->emb->max / 4) {
			sf->over = true;
			return;
		}
		if (af->emb->held + grow > af->emb->left) {
			sf->shared = true;
			return;
		}
	}
	uint64_t before = sf->w.frames;
	if (rate == sf->w.rate) {
		wav_write_at(&sf->w, at, x, frames);
	} else {
		int16_t buf[4 * AUDIO_OUT_MAX];
		size_t m = resample(x, frames, rate, sf->w.rate, buf, sizeof(buf) / sizeof(buf[0]));
		wav_write_at(&sf->w, at, buf, m);
	}
	if (sf->temp)
		af->emb->held += (sf->w.frames - before) * 2;
	(void)origin_ns;
}

static void close_file(struct audio_files *af, struct stream_file *sf)
{
	if (!sf->open || sf->closed)
		return;
	sf->closed = true;
	if (wav_close(&sf->w)) {
		if (!sf->temp)
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
	if (!sf)
		return;
	close_file(af, sf);
	if (sf->temp && sf->open) {
		unlink(sf->path);
		uint64_t bytes = sf->w.frames * 2;
		af->emb->held = af->emb->held > bytes ? af->emb->held - bytes : 0;
	}
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

bool audio_files_embed_init(struct audio_files *af, struct audio_embed *emb, uint64_t max)
{
	memset(emb, 0, sizeof(*emb));
	emb->max = emb->left = max;
	af->emb = emb;
	if (af->dir)
		return true;
	const char *t = getenv("TMPDIR");
	if (!t || !*t || strlen(t) > sizeof(emb->tmpdir) - 32)
		t = "/tmp";
	snprintf(emb->tmpdir, sizeof(emb->tmpdir), "%s/deadair-audio-XXXXXX", t);
	if (!mkdtemp(emb->tmpdir)) {
		if (af->err)
			fprintf(af->err, "deadair: no temporary directory for the report's audio: %s\n", strerror(errno));
		emb->tmpdir[0] = '\0';
		return false;
	}
	return true;
}

void audio_files_embed_end(struct audio_embed *emb)
{
	if (emb && emb->tmpdir[0])
		rmdir(emb->tmpdir);
}

const struct audio_out *audio_files_out(struct audio_files *af)
{
	return base_dir(af) ? &af->out : NULL;
}

void audio_files_call_done(struct audio_files *af, struct call *c)
{
	struct audio_call_files *cf = &af->cur;
	memset(cf, 0, sizeof(*cf));
	if (!base_dir(af))
		return;
	cf->call = c;
	uint64_t frames[32];
	uint32_t rates[32];
	for (struct stream *s = c->streams; s; s = s->next) {
		struct stream_file *sf = s->audio ? s->audio->out : NULL;
		if (!sf || !sf->open)
			continue;
		uint32_t r = sf->w.rate;
		uint64_t n = sf->w.frames;
		close_file(af, sf);
		if (sf->over)
			cf->over = true;
		if (sf->shared)
			cf->shared = true;
		size_t k = cf->nl + cf->nr;
		if (s->dir == PARTY_A && cf->nl < 16)
			cf->left[cf->nl++] = sf->path;
		else if (s->dir == PARTY_B && cf->nr < 16)
			cf->right[cf->nr++] = sf->path;
		else
			continue;
		frames[k] = n;
		rates[k] = r;
		if (r > cf->rate)
			cf->rate = r;
	}
	/* the mix's length, as wav_mix_stereo makes it */
	for (size_t k = 0; k < cf->nl + cf->nr; k++) {
		uint64_t len = (uint64_t)((double)frames[k] / ((double)rates[k] / cf->rate));
		if (len > cf->frames)
			cf->frames = len;
	}
	if (!af->mix || !af->dir || cf->nl + cf->nr == 0)
		return;
	char prefix[PATH_MAX - 64];
	call_prefix(af, c, prefix, sizeof(prefix));
	snprintf(cf->mix, sizeof(cf->mix), "%s-mix.wav", prefix);
	if (wav_mix_stereo(cf->mix, cf->rate, cf->left, cf->nl, cf->right, cf->nr)) {
		af->mixed++;
	} else {
		af->failed++;
		if (af->err)
			fprintf(af->err, "deadair: could not write the mix %s\n", cf->mix);
		cf->mix[0] = '\0';
	}
}

void audio_files_player(struct audio_files *af, const struct call *c, struct html_player *p)
{
	memset(p, 0, sizeof(*p));
	struct audio_embed *emb = af->emb;
	if (!emb)
		return;
	struct audio_call_files *cf = &af->cur;
	p->max = emb->max;
	p->left = emb->left;
	call_stem(af, c, p->name, sizeof(p->name));
	if (!base_dir(af)) {
		p->state = PLAYER_FAILED;
		return;
	}
	if (cf->call != c || cf->nl + cf->nr == 0) {
		/* a call without RTP (a pasted trace) needs no word about audio */
		p->state = c->streams ? PLAYER_NO_AUDIO : PLAYER_OFF;
		return;
	}
	p->seconds = (double)cf->frames / cf->rate;
	p->bytes = 44 + cf->frames * 4;
	if (cf->over || cf->shared || p->bytes > emb->left) {
		p->shared = cf->shared && !cf->over;
		if (cf->over && p->bytes <= emb->max)
			p->bytes = emb->max + 1; /* cut short: at least past the budget */
		p->state = PLAYER_TOO_LARGE;
		emb->too_large++;
		return;
	}
	if (cf->mix[0]) {
		p->path = cf->mix;
	} else {
		snprintf(cf->tmp_mix, sizeof(cf->tmp_mix), "%s/mix.wav", base_dir(af));
		if (!wav_mix_stereo(cf->tmp_mix, cf->rate, cf->left, cf->nl, cf->right, cf->nr)) {
			unlink(cf->tmp_mix);
			cf->tmp_mix[0] = '\0';
			p->state = PLAYER_FAILED;
			return;
		}
		p->path = cf->tmp_mix;
	}
	struct stat st;
	if (stat(p->path, &st) != 0 || (uint64_t)st.st_size != p->bytes) {
		p->state = PLAYER_FAILED;
		return;
	}
	p->state = PLAYER_EMBED;
	emb->left -= p->bytes;
	emb->embedded++;
}

void audio_files_player_done(struct audio_files *af, struct html_player *p)
{
	if (af->cur.tmp_mix[0]) {
		unlink(af->cur.tmp_mix);
		af->cur.tmp_mix[0] = '\0';
	}
	p->path = NULL;
}
