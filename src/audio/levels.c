/* SPDX-License-Identifier: MIT */
/* Level bins: energy, digital silence, clipping and comfort noise per time bin,
 * bounded at LEVEL_MAX_BINS by doubling the bin width (see levels.h). */
#include "audio/levels.h"

#include <math.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#ifdef __x86_64__
#include <immintrin.h>
#endif

void level_track_init(struct level_track *t, int64_t origin, int64_t width)
{
	t->origin = origin;
	t->width = width > 0 ? width : 100000000;
	t->n = 0;
	t->hot = 0;
	t->hot_lo = t->hot_hi = 0;
	t->ready = 0;
}

/* Sets up the bins before `upto` not set up yet: empty. */
static void track_ready(struct level_track *t, uint32_t upto)
{
	for (uint32_t i = t->ready; i < upto; i++) {
		memset(&t->bins[i], 0, sizeof(t->bins[i]));
		t->bins[i].cn_level = 0xff;
	}
	if (upto > t->ready)
		t->ready = upto;
}

static uint32_t sat_add32(uint32_t a, uint32_t b)
{
	return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

static uint16_t sat_add16(uint16_t a, uint16_t b)
{
	return (uint32_t)a + b > 0xffff ? 0xffff : (uint16_t)(a + b);
}

void level_bin_merge(struct level_bin *a, const struct level_bin *b)
{
	a->energy = a->energy > UINT64_MAX - b->energy ? UINT64_MAX : a->energy + b->energy;
	a->samples = sat_add32(a->samples, b->samples);
	a->clipped = sat_add16(a->clipped, b->clipped);
	a->concealed = sat_add16(a->concealed, b->concealed);
	if (b->peak > a->peak)
		a->peak = b->peak;
	a->packets = sat_add16(a->packets, b->packets);
	a->repeats = sat_add16(a->repeats, b->repeats);
	a->cn_packets = sat_add16(a->cn_packets, b->cn_packets);
	if (b->cn_level < a->cn_level)
		a->cn_level = b->cn_level;
	if (!a->frame)
		a->frame = b->frame;
	a->flags |= b->flags;
}

struct level_bin *level_track_seek(struct level_track *t, int64_t ts)
{
	if (ts < t->origin)
		ts = t->origin;
	int64_t idx = (ts - t->origin) / t->width;
	if (idx >= LEVEL_MAX_BINS)
		track_ready(t, LEVEL_MAX_BINS); /* the merge reads them all */
	while (idx >= LEVEL_MAX_BINS) {
		for (uint32_t i = 0; i < LEVEL_MAX_BINS / 2; i++) {
			struct level_bin m = t->bins[2 * i];
			level_bin_merge(&m, &t->bins[2 * i + 1]);
			t->bins[i] = m;
		}
		for (uint32_t i = LEVEL_MAX_BINS / 2; i < LEVEL_MAX_BINS; i++) {
			memset(&t->bins[i], 0, sizeof(t->bins[i]));
			t->bins[i].cn_level = 0xff;
		}
		t->width *= 2;
		t->n = (t->n + 1) / 2;
		idx = (ts - t->origin) / t->width;
	}
	if ((uint32_t)idx + 1 > t->ready)
		track_ready(t, (uint32_t)idx + 1);
	if ((uint32_t)idx + 1 > t->n)
		t->n = (uint32_t)idx + 1;
	t->hot = (uint32_t)idx;
	t->hot_lo = t->origin + idx * t->width;
	if (__builtin_add_overflow(t->hot_lo, t->width, &t->hot_hi))
		t->hot_hi = t->hot_lo; /* nothing cached */
	return &t->bins[idx];
}

/* It runs on every sample of every stream: one loop without branches over
 * 32-bit magnitudes (a square is at most 2^30), which the compiler turns into
 * vector instructions (CMakeLists.txt asks GCC for its full cost model here). */
void level_bin_add(struct level_bin *b, const int16_t *x, size_t n)
{
	uint64_t e = 0;
	uint32_t clipped = 0, peak = b->peak;
	for (size_t i = 0; i < n; i++) {
		int32_t v = x[i];
		uint32_t m = (uint32_t)(v < 0 ? -v : v);
		e += m * m;
		clipped += m >= LEVEL_CLIP_SAMPLE;
		peak = m > peak ? m : peak;
	}
	level_bin_add_sums(b, e, n, clipped, peak);
}

void level_bin_add_cn(struct level_bin *b, uint8_t neg_dbov)
{
	b->cn_packets = sat_add16(b->cn_packets, 1);
	if (neg_dbov < b->cn_level)
		b->cn_level = neg_dbov;
}

double level_dbov(uint64_t energy, uint64_t samples)
{
	if (samples == 0 || energy == 0)
		return LEVEL_FLOOR_DBOV;
	double ms = (double)energy / (double)samples;
	double db = 10.0 * log10(ms / (32768.0 * 32768.0));
	return db < LEVEL_FLOOR_DBOV ? LEVEL_FLOOR_DBOV : db;
}

double level_bin_dbov(const struct level_bin *b)
{
	return level_dbov(b->energy, b->samples);
}

bool level_bin_silent(const struct level_bin *b)
{
	return b->samples > 0 && b->peak <= LEVEL_QUIET_SAMPLE;
}

bool level_bin_has_audio(const struct level_bin *b)
{
	return b->samples > 0 || b->cn_packets > 0;
}

#define PERIODIC_MAX 2048 /* samples of a frame looked at for a tone */

/* The sums a[i] a[i + lag + k] over i < m - lag - k, for k 0..3 (lag + 3 < m),
 * each added in the order of i, one sum a lane, so that each is the same
 * double as the plain loop's: the products of the first m - lag - 3 terms,
 * two lags to a vector of SSE2 (x86-64's baseline), then each sum's last terms. */
static void xy4(const double *a, size_t m, size_t lag, double xy[4])
{
	size_t common = m - lag - 3, i = 0;
#ifdef __SSE2__
	__m128d s01 = _mm_setzero_pd(), s23 = _mm_setzero_pd();
	for (; i < common; i++) {
		__m128d x = _mm_set1_pd(a[i]);
		s01 = _mm_add_pd(s01, _mm_mul_pd(x, _mm_loadu_pd(a + i + lag)));
		s23 = _mm_add_pd(s23, _mm_mul_pd(x, _mm_loadu_pd(a + i + lag + 2)));
	}
	_mm_storeu_pd(xy, s01);
	_mm_storeu_pd(xy + 2, s23);
#else
	double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	for (; i < common; i++) {
		s0 += a[i] * a[i + lag];
		s1 += a[i] * a[i + lag + 1];
		s2 += a[i] * a[i + lag + 2];
		s3 += a[i] * a[i + lag + 3];
	}
	xy[0] = s0;
	xy[1] = s1;
	xy[2] = s2;
	xy[3] = s3;
#endif
	for (size_t k = 0; k < 3; k++)
		for (size_t j = common; j + lag + k < m; j++)
			xy[k] += a[j] * a[j + lag + k];
}

#ifdef __x86_64__
/* xy4 for k 0..7 (lag + 7 < m), four lags to a vector of AVX (no FMA: each
 * product rounded, then each sum, as in the plain loop). */
__attribute__((target("avx"))) static void xy8_avx(const double *a, size_t m, size_t lag, double xy[8])
{
	size_t common = m - lag - 7;
	__m256d s0 = _mm256_setzero_pd(), s4 = _mm256_setzero_pd();
	for (size_t i = 0; i < common; i++) {
		__m256d x = _mm256_broadcast_sd(a + i);
		s0 = _mm256_add_pd(s0, _mm256_mul_pd(x, _mm256_loadu_pd(a + i + lag)));
		s4 = _mm256_add_pd(s4, _mm256_mul_pd(x, _mm256_loadu_pd(a + i + lag + 4)));
	}
	_mm256_storeu_pd(xy, s0);
	_mm256_storeu_pd(xy + 4, s4);
	for (size_t k = 0; k < 7; k++)
		for (size_t j = common; j + lag + k < m; j++)
			xy[k] += a[j] * a[j + lag + k];
}
#endif

bool level_frame_periodic_avx_ok(void)
{
#ifdef __x86_64__
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx");
#else
	return false;
#endif
}

bool level_frame_periodic(const int16_t *x, size_t n, size_t stride)
{
	return level_frame_periodic_with(x, n, stride, level_frame_periodic_avx_ok());
}

bool level_frame_periodic_with(const int16_t *x, size_t n, size_t stride, bool avx)
{
	if (stride == 0)
		return false;
	size_t m = n / stride;
	if (m < 32)
		return false;
	if (m > PERIODIC_MAX)
		m = PERIODIC_MAX; /* 42 ms at 48 kHz: a tone shows in less */
	/* around the frame's mean: a constant (DC) frame is no tone, it is flat */
	double mean = 0;
	for (size_t i = 0; i < m; i++)
		mean += x[i * stride];
	mean /= (double)m;
	/* the centred samples, and the running sums of their squares, so that
	 * each lag costs one product per sample, not three */
	double a[PERIODIC_MAX], sq[PERIODIC_MAX + 1];
	sq[0] = 0;
	for (size_t i = 0; i < m; i++) {
		a[i] = x[i * stride] - mean;
		sq[i + 1] = sq[i] + a[i] * a[i];
	}
	/* lags from 2 samples (half the sampling rate) to half the frame, four
	 * or eight at a time (xy4, xy8_avx), each looked at in turn */
#ifdef __x86_64__
	size_t group = avx ? 8 : 4;
#else
	size_t group = 4;
	(void)avx;
#endif
	for (size_t lag = 2; lag <= m / 2; lag += group) {
		double xy[8];
#ifdef __x86_64__
		if (avx)
			xy8_avx(a, m, lag, xy);
		else
#endif
			xy4(a, m, lag, xy);
		for (size_t k = 0; k < group && lag + k <= m / 2; k++) {
			size_t l = lag + k;
			double xx = sq[m - l], yy = sq[m] - sq[l];
			if (xx > 1e-6 * (double)m && yy > 1e-6 * (double)m && xy[k] / sqrt(xx * yy) >= 0.98)
				return true;
		}
	}
	return false;
}
