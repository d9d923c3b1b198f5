/* SPDX-License-Identifier: MIT */
/* Unit tests for src/audio/g711_sums.c: every path this processor can run
 * gives the scalar path's figures, bit for bit, and the scalar path gives
 * those of decoding each byte with the G.711 decoder and summing the samples
 * (level_bin_add), on every byte value, every length 0..400 from every
 * alignment, long random payloads and payloads of clipped codes, both laws. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "audio/audio.h"
#include "audio/g711_sums.h"
#include "audio/levels.h"

#define BIG 70000 /* past the scalar path's block and many folds of the vector ones */

static uint32_t rng = 12345;

static uint8_t rnd8(void)
{
	rng = rng * 1103515245u + 12345u;
	return (uint8_t)(rng >> 16);
}

static struct audio_dec *dec_for(enum g711_law law)
{
	const char *name = law == G711_ULAW ? "PCMU" : "PCMA";
	struct audio_format f;
	struct audio_dec *d = NULL;
	audio_format_rtpmap(name, strlen(name), 8000, 1, &f);
	assert_int_equal(audio_dec_new(&f, &d), ST_OK);
	return d;
}

/* The figures of decoding the bytes and summing the samples. */
static void by_decoding(struct audio_dec *d, const uint8_t *b, size_t n, struct g711_sums *out)
{
	static int16_t pcm[BIG];
	size_t got = 0;
	assert_true(n <= BIG);
	assert_int_equal(audio_dec_decode(d, b, n, pcm, BIG, &got), ST_OK);
	assert_int_equal(got, n);
	uint64_t e = 0;
	uint32_t clipped = 0, peak = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t m = (uint32_t)(pcm[i] < 0 ? -pcm[i] : pcm[i]);
		e += (uint64_t)m * m;
		clipped += m >= LEVEL_CLIP_SAMPLE;
		peak = m > peak ? m : peak;
	}
	out->energy = e;
	out->clipped = clipped;
	out->peak = peak;
}

static unsigned paths_run[G711_PATHS];

/* Every available path equals the scalar one, which equals decoding. */
static void check(struct audio_dec *d, enum g711_law law, const uint8_t *b, size_t n)
{
	struct g711_sums ref, want;
	by_decoding(d, b, n, &want);
	g711_sums_with(G711_PATH_SCALAR, law, b, n, &ref);
	if (ref.energy != want.energy || ref.clipped != want.clipped || ref.peak != want.peak)
		fail_msg("scalar law %d n %zu: %llu/%u/%u, decoding gives %llu/%u/%u", law, n,
			 (unsigned long long)ref.energy, ref.clipped, ref.peak, (unsigned long long)want.energy,
			 want.clipped, want.peak);
	for (unsigned p = 0; p < G711_PATHS; p++) {
		if (!g711_path_available((enum g711_path)p))
			continue;
		struct g711_sums got;
		memset(&got, 0xa5, sizeof(got));
		g711_sums_with((enum g711_path)p, law, b, n, &got);
		if (got.energy != ref.energy || got.clipped != ref.clipped || got.peak != ref.peak)
			fail_msg("%s law %d n %zu: %llu/%u/%u, scalar gives %llu/%u/%u", g711_path_name(p), law, n,
				 (unsigned long long)got.energy, got.clipped, got.peak,
				 (unsigned long long)ref.energy, ref.clipped, ref.peak);
		paths_run[p]++;
	}
	/* the path picked for this processor */
	struct g711_sums best;
	g711_sums(law, b, n, &best);
	assert_true(best.energy == ref.energy && best.clipped == ref.clipped && best.peak == ref.peak);
}

static void test_every_byte(void **state)
{
	(void)state;
	assert_true(g711_sums_init());
	for (unsigned law = 0; law < 2; law++) {
		struct audio_dec *d = dec_for((enum g711_law)law);
		uint8_t b[400];
		for (unsigned v = 0; v < 256; v++) {
			/* alone, and repeated over lengths that are and are not
			 * multiples of the vector widths */
			static const size_t lens[] = { 1, 15, 16, 17, 31, 32, 33, 48, 160, 161, 240, 399 };
			for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
				memset(b, (int)v, lens[k]);
				check(d, (enum g711_law)law, b, lens[k]);
			}
		}
		/* all 256 values in one payload, in order and reversed */
		for (unsigned v = 0; v < 256; v++)
			b[v] = (uint8_t)v;
		check(d, (enum g711_law)law, b, 256);
		for (unsigned v = 0; v < 256; v++)
			b[v] = (uint8_t)(255 - v);
		check(d, (enum g711_law)law, b, 256);
		audio_dec_free(d);
	}
}

static void test_lengths_and_alignments(void **state)
{
	(void)state;
	assert_true(g711_sums_init());
	static uint8_t buf[400 + 32];
	static const uint8_t loud[2] = { 0x00, 0x2a }; /* mu-law, A-law: code 127 */
	for (unsigned law = 0; law < 2; law++) {
		struct audio_dec *d = dec_for((enum g711_law)law);
		for (size_t n = 0; n <= 400; n++) {
			for (size_t off = 0; off < 32; off += 7) {
				for (size_t i = 0; i < n; i++) {
					uint8_t x = rnd8();
					/* often the loudest code or the one
					 * below it (clipped or nearly), either sign */
					buf[off + i] = (n + i) % 3 == 0 ? (uint8_t)(loud[law] | (x & 0x81)) : x;
				}
				check(d, (enum g711_law)law, buf + off, n);
			}
		}
		audio_dec_free(d);
	}
}

static void test_long_and_clipped(void **state)
{
	(void)state;
	assert_true(g711_sums_init());
	static uint8_t buf[BIG];
	/* the loudest code of each law and sign: mu-law 0x00/0x80, A-law 0x2a/0xaa */
	static const uint8_t loud[2][2] = { { 0x00, 0x80 }, { 0x2a, 0xaa } };
	for (unsigned law = 0; law < 2; law++) {
		struct audio_dec *d = dec_for((enum g711_law)law);
		for (size_t i = 0; i < BIG; i++)
			buf[i] = loud[law][i & 1];
		static const size_t lens[] = { 511, 512, 513, 4096, 8192, 65536, 65537, BIG };
		for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++)
			check(d, (enum g711_law)law, buf, lens[k]);
		for (size_t i = 0; i < BIG; i++)
			buf[i] = rnd8();
		for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++)
			check(d, (enum g711_law)law, buf + (k & 3), lens[k] - (k & 3));
		audio_dec_free(d);
	}
	struct g711_sums s;
	g711_sums_with(G711_PATH_SCALAR, G711_ULAW, buf, 0, &s);
	assert_true(s.energy == 0 && s.clipped == 0 && s.peak == 0);
	g711_sums_with(G711_PATH_SCALAR, G711_ALAW, buf, 0, &s);
	assert_true(s.energy == 0 && s.clipped == 0 && s.peak == 0);
}

/* Which paths ran: the scalar one always, the others as the processor has them. */
static void test_paths_ran(void **state)
{
	(void)state;
	assert_true(paths_run[G711_PATH_SCALAR] > 0);
	for (unsigned p = 0; p < G711_PATHS; p++) {
		bool avail = g711_path_available((enum g711_path)p);
		printf("g711 path %s: %s, %u comparisons\n", g711_path_name((enum g711_path)p),
		       avail ? "available" : "not available", paths_run[p]);
		assert_true(avail == (paths_run[p] > 0));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_lengths_and_alignments),
		cmocka_unit_test(test_long_and_clipped),
		cmocka_unit_test(test_paths_ran),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
