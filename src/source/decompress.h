/* SPDX-License-Identifier: MIT */
/* Compressed captures, one file per format (decomp_gzip.c with zlib,
 * decomp_zstd.c with libzstd, decomp_lz4.c with liblz4's frame format), behind
 * one small interface that bytes.c drives; each is recognised by its magic
 * bytes, never by the file's name. */
#ifndef DEADAIR_SOURCE_DECOMPRESS_H
#define DEADAIR_SOURCE_DECOMPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct decomp_ops {
	const char *name;  /* "gzip", "zstd", "lz4": appended to the format ("pcapng+zstd") */
	/* true when the input starts with this format's magic */
	bool (*detect)(const uint8_t *p, size_t n);
	void *(*start)(void);
	/* Decompresses from in[0..*in_len) into out[0..out_cap): *in_len becomes the
	 * input consumed, the return value the bytes written. On damaged data
	 * *err says why, and the bytes written before the damage are still
	 * returned (they are read; the damage is reported after them); -1 only
	 * when not even that can be told. *frame_done tells whether the input consumed so
	 * far ends exactly after a complete frame (or gzip member); when more input
	 * follows a complete frame, it starts the next one. */
	long (*run)(void *st, const uint8_t *in, size_t *in_len, uint8_t *out, size_t out_cap, bool *frame_done,
		    const char **err);
	void (*stop)(void *st);
};

extern const struct decomp_ops decomp_gzip;
extern const struct decomp_ops decomp_zstd;
extern const struct decomp_ops decomp_lz4;

/* The decompressor whose magic starts p[0..n), or NULL. */
const struct decomp_ops *decomp_detect(const uint8_t *p, size_t n);

#endif
