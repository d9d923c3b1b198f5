/* SPDX-License-Identifier: MIT */
/* G.711's levels from the bytes (g711_sums.h). Written here because no
 * library computes them: a G.711 decoder (sox, ffmpeg, spandsp) gives samples,
 * and summing those costs a decode pass more than this per-byte arithmetic.
 * Both laws give a sample's magnitude from its 7-bit code c (sign dropped) as
 * a mantissa shifted by an exponent:
 *   mu-law (c = ~byte & 0x7f): ((8 m + 132) << e) - 132 = 4 ((2 m + 33) 2^e - 33)
 *   A-law (c = (byte ^ 0x55) & 0x7f): 8 (2 m + 1) for e = 0, else 8 (2 m + 33) 2^(e-1)
 * with m = c & 15 and e = c >> 4, so that both are (((2 m + bias[e]) mul[e]) - sub)
 * << shift: the vector paths look up bias and mul by e with pshufb, multiply
 * into 16-bit lanes with pmaddubsw and sum the squares of the values before the shift (at most
 * 8031^2, below 2^26) with pmaddwd into 32-bit lanes, widened to 64 bits every
 * 16 steps before they could overflow; the bytes that do not fill a vector
 * are the payload's last 16, those counted already masked out (fewer than 16
 * bytes in all go to the table path). The codes order the magnitudes, so the
 * clipped samples are those whose code reaches the first clipped code, and the
 * peak is the magnitude of the largest code. */
#include "audio/g711_sums.h"

#include <pthread.h>

#include "audio/levels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define G711_X86 1
#endif

/* The scalar path's table holds each byte's square with its clip count above
 * this bit; it sums blocks of bytes whose squares (below 2^30 each) stay
 * below 2^48 and whose clip count stays below 2^16. */
#define CLIP_SHIFT 48
#define SCALAR_BLOCK 32768

struct law {
	uint64_t sq[256];  /* by byte: its square | clipped << CLIP_SHIFT */
	uint16_t mag[128]; /* by code */
	uint8_t bias[16];  /* by exponent (8..15 unused) */
	uint8_t mul[16];
	uint16_t sub;
	uint8_t shift;
	uint8_t key;       /* code = (byte ^ key) & 0x7f */
	uint8_t clip_code; /* the least clipped code (128: none) */
};

/* The vector paths' constants, for a vector of 32 bytes (of 16: the first
 * half). With y = byte ^ key and d = y + y (bytes, wrapping): d = 2 c, the
 * sign bit gone, so that d orders the magnitudes as c does;
 * 2 m + bias[e] = d + (bias[e] - 32 e) modulo 256; e = (y >> 4) & 7. */
struct vconst {
	uint8_t key[32], biasd[32], mul[32], low3[32], clipd[32], even[32];
	uint16_t sub[16];
};

static struct law laws[2];
static struct vconst vconsts[2];
static pthread_once_t once = PTHREAD_ONCE_INIT;
static enum g711_path best_path = G711_PATH_SCALAR;
typedef void sums_fn(const struct law *L, const struct vconst *k, const uint8_t *b, size_t n,
		     struct g711_sums *out);
static sums_fn *best_fn;

static uint32_t law_mag(const struct law *L, unsigned c)
{
	unsigned e = c >> 4 & 7, m = c & 15;
	return ((2 * m + L->bias[e]) * L->mul[e] - L->sub) << L->shift;
}

static void law_make(struct law *L, enum g711_law which)
{
	for (unsigned e = 0; e < 8; e++) {
		if (which == G711_ULAW) {
			L->bias[e] = 33;
			L->mul[e] = (uint8_t)(1u << e);
		} else {
			L->bias[e] = e ? 33 : 1;
			L->mul[e] = (uint8_t)(e ? 1u << (e - 1) : 1u);
		}
	}
	L->sub = which == G711_ULAW ? 33 : 0;
	L->shift = which == G711_ULAW ? 2 : 3;
	L->key = which == G711_ULAW ? 0x7f : 0x55;
	L->clip_code = 128;
	for (unsigned c = 128; c-- > 0;) {
		L->mag[c] = (uint16_t)law_mag(L, c);
		if (L->mag[c] >= LEVEL_CLIP_SAMPLE)
			L->clip_code = (uint8_t)c;
	}
	for (unsigned b = 0; b < 256; b++) {
		uint64_t m = L->mag[(b ^ L->key) & 0x7f];
		L->sq[b] = m * m | (uint64_t)(m >= LEVEL_CLIP_SAMPLE) << CLIP_SHIFT;
	}
}

/* The scalar path's figures of a run of bytes, before the magnitude of the top code. */
struct part {
	uint64_t sq;   /* the squares */
	uint64_t clipped;
	unsigned top;  /* largest code */
};

static void part_scalar(const struct law *L, const uint8_t *b, size_t n, struct part *pt)
{
	const uint64_t *sq = L->sq;
	uint8_t key = L->key, top = (uint8_t)pt->top;
	while (n > 0) {
		size_t k = n < SCALAR_BLOCK ? n : SCALAR_BLOCK;
		uint64_t acc = 0, acc2 = 0;
		size_t i = 0;
		for (; i + 4 <= k; i += 4) {
			acc += sq[b[i]] + sq[b[i + 1]];
			acc2 += sq[b[i + 2]] + sq[b[i + 3]];
		}
		for (; i < k; i++)
			acc += sq[b[i]];
		acc += acc2;
		/* a byte-wise maximum the compiler vectorises */
		for (i = 0; i < k; i++) {
			uint8_t c = (uint8_t)((b[i] ^ key) & 0x7f);
			top = c > top ? c : top;
		}
		pt->sq += acc & ((1ULL << CLIP_SHIFT) - 1);
		pt->clipped += acc >> CLIP_SHIFT;
		b += k;
		n -= k;
	}
	pt->top = top;
}

#ifdef G711_X86
static void vconst_make(struct vconst *k, const struct law *L)
{
	for (unsigned i = 0; i < 32; i++) {
		k->key[i] = L->key;
		k->biasd[i] = (uint8_t)(L->bias[i & 7] - 32 * (i & 7));
		k->mul[i] = L->mul[i & 7];
		k->low3[i] = 7;
		/* d at or above it: clipped (the least clipped code is 127 in
		 * both laws; 255 would count none of the even d) */
		k->clipd[i] = (uint8_t)(L->clip_code < 128 ? 2 * L->clip_code : 255);
		k->even[i] = i & 1 ? 0 : 0xff;
	}
	for (unsigned i = 0; i < 16; i++)
		k->sub[i] = L->sub;
}

/* One step of 16 bytes: the top d and the squares before the shift (four
 * per 32-bit lane). The clipped samples are counted apart, only when the top
 * code is clipped (clipped128), as healthy audio never is. The products
 * v * mul come from pmaddubsw of mul (unsigned, at most 128) with v (at most
 * 63) masked to its even or its odd bytes. */
__attribute__((target("ssse3"), always_inline)) static inline void
step128(const struct vconst *k, const uint8_t *b, __m128i *top, __m128i *e32, __m128i live)
{
	const __m128i key = _mm_loadu_si128((const __m128i *)k->key);
	const __m128i even = _mm_loadu_si128((const __m128i *)k->even);
	__m128i y = _mm_xor_si128(_mm_loadu_si128((const __m128i *)b), key);
	__m128i d = _mm_and_si128(_mm_add_epi8(y, y), live);
	*top = _mm_max_epu8(*top, d);
	__m128i ex = _mm_and_si128(_mm_srli_epi16(y, 4), _mm_loadu_si128((const __m128i *)k->low3));
	__m128i v = _mm_add_epi8(_mm_add_epi8(y, y), _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)k->biasd), ex));
	__m128i p = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)k->mul), ex);
	__m128i sub = _mm_loadu_si128((const __m128i *)k->sub);
	/* the squares of the lanes not live made 0: the word masks of the even
	 * bytes (sign-extended from the low byte) and of the odd ones */
	__m128i qe = _mm_and_si128(_mm_sub_epi16(_mm_maddubs_epi16(p, _mm_and_si128(v, even)), sub),
				   _mm_srai_epi16(_mm_slli_epi16(live, 8), 8));
	__m128i qo = _mm_and_si128(_mm_sub_epi16(_mm_maddubs_epi16(p, _mm_andnot_si128(even, v)), sub),
				   _mm_srai_epi16(live, 8));
	*e32 = _mm_add_epi32(*e32, _mm_add_epi32(_mm_madd_epi16(qe, qe), _mm_madd_epi16(qo, qo)));
}

/* The bytes of the last 16 of a payload of n (at least 16) not yet done
 * (done <= n, n - done < 16), as a mask of 0xff: the last n - done. */
static const uint8_t live_bytes[32] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

__attribute__((target("ssse3"), always_inline)) static inline __m128i live_last(size_t n, size_t done)
{
	return _mm_loadu_si128((const __m128i *)(live_bytes + (n - done)));
}

/* Folds a block's 32-bit sums into 64 bits. */
__attribute__((target("ssse3"), always_inline)) static inline void fold128(__m128i e32, __m128i *e64)
{
	const __m128i zero = _mm_setzero_si128();
	*e64 = _mm_add_epi64(*e64, _mm_add_epi64(_mm_unpacklo_epi32(e32, zero), _mm_unpackhi_epi32(e32, zero)));
}

/* The clipped samples of n bytes (at least 16): d at or above clipd. */
__attribute__((target("ssse3"), always_inline)) static inline uint64_t clipped128(const struct vconst *k,
										  const uint8_t *b, size_t n)
{
	const __m128i key = _mm_loadu_si128((const __m128i *)k->key);
	const __m128i clipd = _mm_loadu_si128((const __m128i *)k->clipd);
	const __m128i zero = _mm_setzero_si128(), one = _mm_set1_epi8(1);
	__m128i c64 = zero, live = _mm_set1_epi8(-1);
	size_t i = 0;
	for (;;) {
		__m128i y = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(b + i)), key);
		__m128i d = _mm_add_epi8(y, y);
		__m128i hit = _mm_and_si128(_mm_and_si128(_mm_cmpeq_epi8(_mm_max_epu8(d, clipd), d), one), live);
		c64 = _mm_add_epi64(c64, _mm_sad_epu8(hit, zero));
		i += 16;
		if (i >= n)
			break;
		if (n - i < 16) {
			/* the last 16 bytes, those done already not live */
			live = live_last(n, i);
			i = n - 16;
		}
	}
	c64 = _mm_add_epi64(c64, _mm_unpackhi_epi64(c64, c64));
	return (uint64_t)_mm_cvtsi128_si64(c64);
}

/* The figures of the vector sums of the n bytes at b. */
__attribute__((target("ssse3"), always_inline)) static inline void
finish128(const struct law *L, const struct vconst *k, const uint8_t *b, size_t n, __m128i top, __m128i e64,
	  struct g711_sums *out)
{
	e64 = _mm_add_epi64(e64, _mm_unpackhi_epi64(e64, e64));
	top = _mm_max_epu8(top, _mm_srli_si128(top, 8));
	top = _mm_max_epu8(top, _mm_srli_si128(top, 4));
	top = _mm_max_epu8(top, _mm_srli_si128(top, 2));
	top = _mm_max_epu8(top, _mm_srli_si128(top, 1));
	unsigned code = ((unsigned)_mm_cvtsi128_si32(top) & 0xff) >> 1;
	uint64_t clipped = code >= L->clip_code ? clipped128(k, b, n) : 0;
	out->energy = (uint64_t)_mm_cvtsi128_si64(e64) << (2 * L->shift);
	out->clipped = clipped > UINT32_MAX ? UINT32_MAX : (uint32_t)clipped;
	out->peak = L->mag[code];
}

/* 16 steps of four squares below 2^26 per 32-bit lane stay below 2^32. */
#define FOLD_STEPS 16

__attribute__((target("ssse3"))) static void sums_ssse3(const struct law *L, const struct vconst *k,
							const uint8_t *b, size_t n, struct g711_sums *out)
{
	const __m128i zero = _mm_setzero_si128(), all = _mm_set1_epi8(-1);
	__m128i top = zero, e64 = zero;
	size_t i = 0;
	while (n - i >= 16) {
		size_t end = (n - i) / 16 > FOLD_STEPS ? i + 16 * FOLD_STEPS : n - 15;
		__m128i e32 = zero;
		for (; i < end; i += 16)
			step128(k, b + i, &top, &e32, all);
		fold128(e32, &e64);
	}
	if (i < n) {
		/* the last 16 bytes, those done already not live */
		__m128i e32 = zero;
		step128(k, b + n - 16, &top, &e32, live_last(n, i));
		fold128(e32, &e64);
	}
	finish128(L, k, b, n, top, e64, out);
}

__attribute__((target("avx2"))) static void sums_avx2(const struct law *L, const struct vconst *k,
						      const uint8_t *b, size_t n, struct g711_sums *out)
{
	const __m256i zero = _mm256_setzero_si256();
	const __m256i key = _mm256_loadu_si256((const __m256i *)k->key);
	const __m256i even = _mm256_loadu_si256((const __m256i *)k->even);
	const __m256i low3 = _mm256_loadu_si256((const __m256i *)k->low3);
	const __m256i biasd = _mm256_loadu_si256((const __m256i *)k->biasd);
	const __m256i mul = _mm256_loadu_si256((const __m256i *)k->mul);
	const __m256i sub = _mm256_loadu_si256((const __m256i *)k->sub);
	__m256i top = zero, e64 = zero;
	size_t i = 0;
	while (n - i >= 32) {
		size_t end = (n - i) / 32 > FOLD_STEPS ? i + 32 * FOLD_STEPS : n - 31;
		__m256i e32 = zero;
		for (; i < end; i += 32) {
			/* step128's arithmetic on 32 bytes */
			__m256i y = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(b + i)), key);
			__m256i d = _mm256_add_epi8(y, y);
			top = _mm256_max_epu8(top, d);
			__m256i ex = _mm256_and_si256(_mm256_srli_epi16(y, 4), low3);
			__m256i v = _mm256_add_epi8(d, _mm256_shuffle_epi8(biasd, ex));
			__m256i p = _mm256_shuffle_epi8(mul, ex);
			__m256i qe = _mm256_sub_epi16(_mm256_maddubs_epi16(p, _mm256_and_si256(v, even)), sub);
			__m256i qo = _mm256_sub_epi16(_mm256_maddubs_epi16(p, _mm256_andnot_si256(even, v)), sub);
			e32 = _mm256_add_epi32(e32,
					       _mm256_add_epi32(_mm256_madd_epi16(qe, qe), _mm256_madd_epi16(qo, qo)));
		}
		e64 = _mm256_add_epi64(e64, _mm256_add_epi64(_mm256_unpacklo_epi32(e32, zero),
							     _mm256_unpackhi_epi32(e32, zero)));
	}
	__m128i e2 = _mm_add_epi64(_mm256_castsi256_si128(e64), _mm256_extracti128_si256(e64, 1));
	__m128i t = _mm_max_epu8(_mm256_castsi256_si128(top), _mm256_extracti128_si256(top, 1));
	if (i < n) {
		/* a step of 16 bytes, then the last 16, those done already not live */
		__m128i e32 = _mm_setzero_si128(), all = _mm_set1_epi8(-1);
		if (n - i >= 16) {
			step128(k, b + i, &t, &e32, all);
			i += 16;
		}
		if (i < n)
			step128(k, b + n - 16, &t, &e32, live_last(n, i));
		fold128(e32, &e2);
	}
	finish128(L, k, b, n, t, e2, out);
}
#endif

static void sums_scalar(const struct law *L, const struct vconst *k, const uint8_t *b, size_t n,
			struct g711_sums *out)
{
	(void)k;
	struct part pt = { 0, 0, 0 };
	part_scalar(L, b, n, &pt);
	out->energy = pt.sq;
	out->clipped = pt.clipped > UINT32_MAX ? UINT32_MAX : (uint32_t)pt.clipped;
	out->peak = L->mag[pt.top];
}

static sums_fn *path_fn(enum g711_path p)
{
#ifdef G711_X86
	if (p == G711_PATH_AVX2)
		return sums_avx2;
	if (p == G711_PATH_SSSE3)
		return sums_ssse3;
#else
	(void)p;
#endif
	return sums_scalar;
}

static void pick(void)
{
	law_make(&laws[G711_ULAW], G711_ULAW);
	law_make(&laws[G711_ALAW], G711_ALAW);
#ifdef G711_X86
	vconst_make(&vconsts[G711_ULAW], &laws[G711_ULAW]);
	vconst_make(&vconsts[G711_ALAW], &laws[G711_ALAW]);
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2"))
		best_path = G711_PATH_AVX2;
	else if (__builtin_cpu_supports("ssse3"))
		best_path = G711_PATH_SSSE3;
#endif
	best_fn = path_fn(best_path);
}

bool g711_sums_init(void)
{
	return pthread_once(&once, pick) == 0;
}

bool g711_path_available(enum g711_path p)
{
	if (!g711_sums_init())
		return false;
	switch (p) {
	case G711_PATH_SCALAR:
		return true;
#ifdef G711_X86
	case G711_PATH_SSSE3:
		return __builtin_cpu_supports("ssse3");
	case G711_PATH_AVX2:
		return __builtin_cpu_supports("avx2");
#endif
	default:
		return false;
	}
}

const char *g711_path_name(enum g711_path p)
{
	switch (p) {
	case G711_PATH_SCALAR:
		return "scalar";
	case G711_PATH_SSSE3:
		return "ssse3";
	case G711_PATH_AVX2:
		return "avx2";
	default:
		return "?";
	}
}

/* The figures by fn, or by the scalar path for fewer than 16 bytes (a
 * vector path's last step is the payload's last 16 bytes). */
static void sums_by(sums_fn *fn, enum g711_law law, const uint8_t *b, size_t n, struct g711_sums *out)
{
	if (n == 0) {
		out->energy = 0;
		out->clipped = 0;
		out->peak = 0;
		return;
	}
	(n < 16 ? sums_scalar : fn)(&laws[law == G711_ALAW], &vconsts[law == G711_ALAW], b, n, out);
}

void g711_sums_with(enum g711_path p, enum g711_law law, const uint8_t *b, size_t n, struct g711_sums *out)
{
	sums_by(path_fn(p), law, b, n, out);
}

void g711_sums(enum g711_law law, const uint8_t *b, size_t n, struct g711_sums *out)
{
	sums_by(best_fn, law, b, n, out);
}
