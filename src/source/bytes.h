/* SPDX-License-Identifier: MIT */
/* The bytes of a capture as one forward-only window: a file read in large
 * blocks, bytes in memory handed out where they lie, or either of them
 * decompressed on the way (gzip, zstd, lz4: decompress.h). Readers of the
 * formats ask for the next n bytes and get a pointer to them, valid until the
 * next request. */
#ifndef DEADAIR_SOURCE_BYTES_H
#define DEADAIR_SOURCE_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct decomp_ops;

/* Why the bytes ended. */
enum bytes_end {
	BYTES_MORE,      /* not at the end yet */
	BYTES_EOF,       /* the end of the input (a compressed stream: after its end marker) */
	BYTES_CUT,       /* a compressed stream ended without its end marker */
	BYTES_CORRUPT,   /* a compressed stream could not be decompressed */
	BYTES_LIMIT,     /* more decompressed bytes than the limit allows */
	BYTES_IO,        /* a read error */
};

struct bytes {
	/* the window: buf[pos..len) is read but not consumed; buf[0] is at
	 * stream offset off (offsets count decompressed bytes) */
	const uint8_t *buf;
	size_t pos, len;
	uint64_t off;
	enum bytes_end end;     /* set once nothing more can come */
	char err[160];          /* BYTES_CORRUPT / BYTES_IO: what happened */

	/* where the bytes come from */
	int fd;                 /* -1: memory */
	const uint8_t *mem;
	size_t mem_len, mem_pos;
	uint8_t *own;           /* our buffer (file input or decompressed output) */
	size_t cap;
	uint8_t *raw;           /* compressed bytes read from a file, before decompression */
	size_t raw_pos, raw_len, raw_cap;
	bool raw_eof;

	const struct decomp_ops *dz;
	void *dzst;
	bool dz_frame_done;     /* the input so far ends on a frame or member boundary */

	uint64_t in_done;       /* input bytes consumed (the file's or memory's, compressed or not) */
	uint64_t in_total;      /* the input's size, 0 when unknown (a pipe) */
	uint64_t out_done;      /* decompressed bytes produced */
	uint64_t max_out;       /* limit on out_done when decompressing; 0: none */
};

/* Opens path for reading (a regular file, a FIFO, a device); false with a
 * message in err when it cannot. */
bool bytes_open_file(struct bytes *b, const char *path, char *err, size_t errlen);
/* Bytes in memory (valid until bytes_close); nothing is copied. */
void bytes_open_mem(struct bytes *b, const uint8_t *data, size_t len);
/* Peeks at the first bytes of the input without consuming them (for format
 * detection): up to n bytes at *out, returns how many. */
size_t bytes_peek_start(struct bytes *b, size_t n, const uint8_t **out);
/* Decompresses everything from here on with dz (limit: max_out bytes out, 0
 * for none); false when the decompressor cannot start. */
bool bytes_decompress(struct bytes *b, const struct decomp_ops *dz, uint64_t max_out);

/* Makes n bytes available at the cursor: returns a pointer to them, or NULL
 * when the input ends before (then *have, if not NULL, says how many there
 * are, and b->end why). Does not consume. n is at most BYTES_MAX_NEED. */
#define BYTES_MAX_NEED ((size_t)64 << 20)
const uint8_t *bytes_need_slow(struct bytes *b, size_t n, size_t *have);
static inline const uint8_t *bytes_need(struct bytes *b, size_t n, size_t *have)
{
	if (b->len - b->pos >= n)
		return b->buf + b->pos;
	return bytes_need_slow(b, n, have);
}
/* Consumes n bytes, which may lie beyond what bytes_need made available (they
 * are then read and dropped); false when the input ends first. */
bool bytes_skip(struct bytes *b, uint64_t n);
/* Stream offset of the cursor. */
static inline uint64_t bytes_offset(const struct bytes *b)
{
	return b->off + b->pos;
}

void bytes_close(struct bytes *b);

#endif
