/* SPDX-License-Identifier: MIT */
/* The levels of G.711 payloads from their bytes (ITU-T G.711): the exact sum
 * of the squares of the decoded samples, the count of clipped ones and the
 * largest magnitude, by a portable path and, on x86-64, vector paths picked
 * once by what the processor supports. Every path gives the same figures. */
#ifndef DEADAIR_AUDIO_G711_SUMS_H
#define DEADAIR_AUDIO_G711_SUMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum g711_law { G711_ULAW, G711_ALAW };

enum g711_path {
	G711_PATH_SCALAR, /* a table of 256 squares; every machine */
	G711_PATH_SSSE3,  /* x86: 16 bytes a step */
	G711_PATH_AVX2,   /* x86: 32 bytes a step */
	G711_PATHS
};

struct g711_sums {
	uint64_t energy;  /* sum of the squared samples */
	uint32_t clipped; /* samples of magnitude at least LEVEL_CLIP_SAMPLE */
	uint32_t peak;    /* largest magnitude, 0 for no sample */
};

/* Makes the tables and picks the fastest path; idempotent and thread-safe.
 * False only if pthread_once fails. Every other function needs it done. */
bool g711_sums_init(void);
/* Whether this build and this processor can run path p. */
bool g711_path_available(enum g711_path p);
const char *g711_path_name(enum g711_path p);
/* The figures of the n bytes at b, by the path picked (g711_sums_init) or by
 * path p (which must be available; for tests and fuzzing). */
void g711_sums(enum g711_law law, const uint8_t *b, size_t n, struct g711_sums *out);
void g711_sums_with(enum g711_path p, enum g711_law law, const uint8_t *b, size_t n, struct g711_sums *out);

#endif
