/* SPDX-License-Identifier: MIT */
/* libFuzzer target: --anonymize's rewriting of frames (anonymize.c) over a
 * sequence of frames sharing one set of pseudonyms; each rewritten frame must
 * fit the room it was given and be rewritten again without trouble.
 * Input (as fuzz_decode's): byte 0 picks the link type; then frames as
 * [len_hi len_lo][bytes]. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "pipeline/anonymize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int dlts[] = { 1, 113, 276, 0, 108, 12, 228, 229 };
	static uint8_t out[ANON_MAX_FRAME], again[ANON_MAX_FRAME];
	if (size < 1)
		return 0;
	int lt = dlts[data[0] % (sizeof(dlts) / sizeof(dlts[0]))];
	struct anon *a = anon_new();
	if (!a)
		return 0;
	size_t at = 1;
	while (at + 2 <= size) {
		size_t n = (size_t)((data[at] << 8) | data[at + 1]);
		at += 2;
		if (n > size - at)
			n = size - at;
		/* a copy of its own, so that a read past the frame is caught */
		uint8_t *f = malloc(n ? n : 1);
		if (!f)
			break;
		for (size_t i = 0; i < n; i++)
			f[i] = data[at + i];
		anon_note_text(a, f, n);
		const char *why = NULL;
		size_t k = anon_frame(a, lt, f, n, out, sizeof(out), &why);
		if (k > sizeof(out) || (!k && !why))
			__builtin_trap();
		if (k)
			(void)anon_frame(a, lt, out, k, again, sizeof(again), &why);
		free(f);
		at += n;
	}
	anon_free(a);
	return 0;
}
