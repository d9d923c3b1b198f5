/* SPDX-License-Identifier: MIT */
/* RIFF WAVE writer and reader for 16-bit PCM, and the stereo mix (wav.h).
 * Written here: the format is a 44-byte header; no Debian library writes it
 * more simply than these few lines, and reading back only our own files needs
 * no general parser. */
#include "audio/wav.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/rd.h"

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

static void header(uint8_t h[44], uint32_t rate, uint16_t channels, uint32_t data_bytes)
{
	memcpy(h, "RIFF", 4);
	put_le32(h + 4, 36 + data_bytes);
	memcpy(h + 8, "WAVEfmt ", 8);
	put_le32(h + 16, 16);
	put_le16(h + 20, 1); /* PCM */
	put_le16(h + 22, channels);
	put_le32(h + 24, rate);
	put_le32(h + 28, rate * channels * 2u);
	put_le16(h + 32, (uint16_t)(channels * 2u));
	put_le16(h + 34, 16);
	memcpy(h + 36, "data", 4);
	put_le32(h + 40, data_bytes);
}

bool wav_open(struct wav_writer *w, const char *path, uint32_t rate, uint16_t channels)
{
	memset(w, 0, sizeof(*w));
	if (rate == 0 || channels == 0 || channels > 8) {
		errno = EINVAL;
		return false;
	}
	w->rate = rate;
	w->channels = channels;
	w->f = fopen(path, "wb");
	if (!w->f)
		return false;
	uint8_t h[44];
	header(h, rate, channels, 0);
	if (fwrite(h, 1, sizeof(h), w->f) != sizeof(h))
		w->failed = true;
	return true;
}

static uint64_t room(const struct wav_writer *w)
{
	uint64_t max = WAV_MAX_DATA / (2u * w->channels);
	return w->frames >= max ? 0 : max - w->frames;
}

void wav_write(struct wav_writer *w, const int16_t *x, size_t frames)
{
	uint8_t buf[4096];
	size_t per = sizeof(buf) / (2u * w->channels);
	if (!w->f)
		return;
	if (frames > room(w)) {
		w->dropped += frames - room(w);
		frames = (size_t)room(w);
	}
	while (frames > 0) {
		size_t k = frames < per ? frames : per;
		size_t ns = k * w->channels;
		for (size_t i = 0; i < ns; i++)
			put_le16(buf + 2 * i, (uint16_t)x[i]);
		if (fwrite(buf, 2, ns, w->f) != ns)
			w->failed = true;
		w->frames += k;
		x += ns;
		frames -= k;
	}
}

void wav_silence(struct wav_writer *w, uint64_t frames)
{
	static const int16_t zero[1024];
	size_t per = 1024 / w->channels;
	if (!w->f)
		return;
	if (frames > room(w)) {
		w->dropped += frames - room(w);
		frames = room(w);
	}
	while (frames > 0) {
		size_t k = frames < per ? (size_t)frames : per;
		wav_write(w, zero, k);
		frames -= k;
	}
}

void wav_write_at(struct wav_writer *w, uint64_t pos, const int16_t *x, size_t frames)
{
	if (pos > w->frames) {
		wav_silence(w, pos - w->frames);
	} else if (pos < w->frames) {
		uint64_t overlap = w->frames - pos;
		if (overlap >= frames) {
			w->dropped += frames;
			return;
		}
		w->dropped += overlap;
		x += overlap * w->channels;
		frames -= (size_t)overlap;
	}
	wav_write(w, x, frames);
}

bool wav_close(struct wav_writer *w)
{
	if (!w->f)
		return false;
	uint8_t h[44];
	header(h, w->rate, w->channels, (uint32_t)(w->frames * 2u * w->channels));
	if (fseek(w->f, 0, SEEK_SET) != 0 || fwrite(h, 1, sizeof(h), w->f) != sizeof(h))
		w->failed = true;
	if (fclose(w->f) != 0)
		w->failed = true;
	w->f = NULL;
	return !w->failed;
}

bool wav_read_open(struct wav_reader *r, const char *path)
{
	memset(r, 0, sizeof(*r));
	r->f = fopen(path, "rb");
	if (!r->f)
		return false;
	uint8_t h[44];
	if (fread(h, 1, sizeof(h), r->f) != sizeof(h))
		goto fail;
	struct rd c = rd_make(h, sizeof(h));
	const uint8_t *riff = rd_bytes(&c, 4);
	rd_le32(&c);
	const uint8_t *wave = rd_bytes(&c, 8);
	uint32_t fmt_len = rd_le32(&c);
	uint16_t format = rd_le16(&c);
	r->channels = rd_le16(&c);
	r->rate = rd_le32(&c);
	rd_skip(&c, 6);
	uint16_t bits = rd_le16(&c);
	const uint8_t *data = rd_bytes(&c, 4);
	uint32_t data_len = rd_le32(&c);
	if (c.bad || memcmp(riff, "RIFF", 4) != 0 || memcmp(wave, "WAVEfmt ", 8) != 0 || fmt_len != 16 ||
	    format != 1 || bits != 16 || r->channels == 0 || r->channels > 8 || r->rate == 0 ||
	    memcmp(data, "data", 4) != 0)
		goto fail;
	r->frames = data_len / (2u * r->channels);
	return true;
fail:
	fclose(r->f);
	r->f = NULL;
	return false;
}

size_t wav_read(struct wav_reader *r, int16_t *x, size_t frames)
{
	uint8_t buf[4096];
	size_t per = sizeof(buf) / (2u * r->channels);
	size_t done = 0;
	if (!r->f)
		return 0;
	if (frames > r->frames - r->pos)
		frames = (size_t)(r->frames - r->pos);
	while (done < frames) {
		size_t k = frames - done < per ? frames - done : per;
		size_t ns = k * r->channels;
		size_t got = fread(buf, 2, ns, r->f);
		struct rd c = rd_make(buf, got * 2);
		for (size_t i = 0; i < got; i++)
			x[done * r->channels + i] = (int16_t)rd_le16(&c);
		done += got / r->channels;
		if (got < ns)
			break;
	}
	r->pos += done;
	return done;
}

void wav_read_close(struct wav_reader *r)
{
	if (r->f)
		fclose(r->f);
	r->f = NULL;
}

/* One mono input resampled to the mix rate by linear interpolation. */
struct mix_src {
	struct wav_reader rd;
	double step;          /* input frames per output frame */
	double t;             /* position of the next output frame, in input frames */
	int16_t buf[2048];
	size_t n;             /* frames in buf */
	uint64_t buf_start;   /* input frame index of buf[0] */
	bool done;
};

/* Input sample i (0 past the end), refilling the block as the position moves on. */
static int sample_at(struct mix_src *s, uint64_t i)
{
	while (!s->done && i >= s->buf_start + s->n) {
		/* keep the last frame for interpolation across blocks */
		int16_t last = s->n ? s->buf[s->n - 1] : 0;
		uint64_t last_idx = s->buf_start + s->n - 1;
		bool keep = s->n > 0;
		size_t off = keep ? 1 : 0;
		if (keep)
			s->buf[0] = last;
		size_t got = wav_read(&s->rd, s->buf + off, sizeof(s->buf) / sizeof(s->buf[0]) - off);
		s->buf_start = keep ? last_idx : 0;
		s->n = got + off;
		if (got == 0)
			s->done = true;
	}
	if (i < s->buf_start || i >= s->buf_start + s->n)
		return 0;
	return s->buf[i - s->buf_start];
}

static int next_sample(struct mix_src *s)
{
	uint64_t i = (uint64_t)s->t;
	double frac = s->t - (double)i;
	int a = sample_at(s, i);
	int b = frac > 0 ? sample_at(s, i + 1) : a;
	s->t += s->step;
	return (int)((double)a + ((double)b - a) * frac);
}

static int16_t clamp16(long v)
{
	return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
}

bool wav_mix_stereo(const char *out, uint32_t rate, const char *const *left, size_t n_left,
		    const char *const *right, size_t n_right)
{
	size_t n = n_left + n_right;
	bool ok = false;
	struct mix_src *src = calloc(n ? n : 1, sizeof(*src));
	struct wav_writer w;
	uint64_t total = 0;
	size_t opened = 0;
	if (!src)
		return false;
	for (; opened < n; opened++) {
		const char *path = opened < n_left ? left[opened] : right[opened - n_left];
		struct mix_src *s = &src[opened];
		if (!wav_read_open(&s->rd, path))
			goto done;
		if (s->rd.channels != 1) {
			opened++;
			goto done;
		}
		s->step = (double)s->rd.rate / rate;
		uint64_t len = (uint64_t)((double)s->rd.frames / s->step);
		if (len > total)
			total = len;
	}
	if (!wav_open(&w, out, rate, 2))
		goto done;
	int16_t block[2 * 1024];
	for (uint64_t pos = 0; pos < total;) {
		size_t k = total - pos < 1024 ? (size_t)(total - pos) : 1024;
		for (size_t j = 0; j < k; j++) {
			long l = 0, r = 0;
			for (size_t i = 0; i < n; i++) {
				if (i < n_left)
					l += next_sample(&src[i]);
				else
					r += next_sample(&src[i]);
			}
			block[2 * j] = clamp16(l);
			block[2 * j + 1] = clamp16(r);
		}
		wav_write(&w, block, k);
		pos += k;
	}
	ok = wav_close(&w);
done:
	for (size_t i = 0; i < opened; i++)
		wav_read_close(&src[i].rd);
	free(src);
	return ok;
}
