/* SPDX-License-Identifier: MIT */
/* A forward-only window over a capture's bytes: files are read with read(2) in
 * blocks of 256 KiB (the kernel is told the reading is sequential), memory is
 * used where it lies, and compressed input goes through a decompressor into
 * the same window. Frames handed to decode point into the window. Files are
 * not mapped: a file truncated while mapped kills the reader with SIGBUS, and
 * mapping saved only about a tenth of the reading time (133 against 150 ms of
 * CPU for the 520 MiB benchmark capture). Measured again with the whole file
 * mapped (MADV_SEQUENTIAL, 4 MiB faulted in ahead by MADV_POPULATE_READ, the
 * pages a chunk behind the cursor given back by MADV_DONTNEED so that the
 * resident memory does not follow the file): 86 against 103 ms of system
 * time, 1845 against 1849 ms of CPU in all (medians of 10, ranges 1.66-1.97 s
 * either way) on the same capture: no gain to be seen, and surviving SIGBUS
 * would take a process-wide signal handler and a global list of mappings
 * (frames are read by later stages and by the calls stage's second thread, so
 * no sigsetjmp around the reading could catch it). */
#include "source/bytes.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source/decompress.h"

#define BYTES_BLOCK ((size_t)256 << 10)

bool bytes_open_file(struct bytes *b, const char *path, char *err, size_t errlen)
{
	memset(b, 0, sizeof(*b));
	b->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (b->fd < 0) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return false;
	}
	struct stat st;
	if (fstat(b->fd, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "is a directory");
			close(b->fd);
			b->fd = -1;
			return false;
		}
		if (S_ISREG(st.st_mode)) {
			b->in_total = (uint64_t)st.st_size;
#ifdef POSIX_FADV_SEQUENTIAL
			(void)posix_fadvise(b->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
		}
	}
	return true;
}

void bytes_open_mem(struct bytes *b, const uint8_t *data, size_t len)
{
	memset(b, 0, sizeof(*b));
	b->fd = -1;
	b->mem = data;
	b->mem_len = len;
	b->buf = data;
	b->len = len;
	b->in_total = len;
}

/* read(2) that retries on EINTR; -1 on error (err filled). */
static ssize_t read_some(struct bytes *b, uint8_t *to, size_t n)
{
	for (;;) {
		ssize_t r = read(b->fd, to, n);
		if (r >= 0)
			return r;
		if (errno == EINTR)
			continue;
		snprintf(b->err, sizeof(b->err), "read error: %s", strerror(errno));
		return -1;
	}
}

/* Compressed input: makes some available at raw[raw_pos..raw_len) unless at its end. */
static bool raw_more(struct bytes *b)
{
	if (b->raw_pos < b->raw_len)
		return true;
	if (b->raw_eof)
		return false;
	if (b->fd < 0) {
		b->raw_eof = true;
		return false;
	}
	if (!b->raw) {
		b->raw = malloc(BYTES_BLOCK);
		if (!b->raw) {
			snprintf(b->err, sizeof(b->err), "out of memory");
			b->raw_eof = true;
			return false;
		}
		b->raw_cap = BYTES_BLOCK;
	}
	ssize_t r = read_some(b, b->raw, b->raw_cap);
	if (r <= 0) {
		b->raw_eof = true;
		if (r < 0)
			b->end = BYTES_IO;
		return false;
	}
	b->raw_pos = 0;
	b->raw_len = (size_t)r;
	return true;
}

/* Appends what the input gives next to own[len..cap); sets end when nothing more comes. */
static void fill_some(struct bytes *b)
{
	if (!b->dz) {
		ssize_t r = read_some(b, b->own + b->len, b->cap - b->len);
		if (r < 0) {
			b->end = BYTES_IO;
		} else if (r == 0) {
			b->end = BYTES_EOF;
		} else {
			b->len += (size_t)r;
			b->in_done += (uint64_t)r;
		}
		return;
	}
	bool have_in = raw_more(b);
	if (b->end != BYTES_MORE)
		return;
	const uint8_t *in = b->fd < 0 ? b->mem + b->mem_pos : b->raw + b->raw_pos;
	size_t in_len = b->fd < 0 ? b->mem_len - b->mem_pos : b->raw_len - b->raw_pos;
	if (!have_in && b->fd >= 0)
		in_len = 0;
	size_t used = in_len;
	bool done = b->dz_frame_done;
	const char *why = NULL;
	long made = b->dz->run(b->dzst, in, &used, b->own + b->len, b->cap - b->len, &done, &why);
	if (made < 0) {
		snprintf(b->err, sizeof(b->err), "%s stream damaged: %s", b->dz->name, why ? why : "bad data");
		b->end = BYTES_CORRUPT;
		return;
	}
	if (b->fd < 0)
		b->mem_pos += used;
	else
		b->raw_pos += used;
	b->in_done += used;
	b->dz_frame_done = done;
	b->len += (size_t)made;
	b->out_done += (uint64_t)made;
	if (why) {
		/* damage after the bytes just made: they are read first */
		snprintf(b->err, sizeof(b->err), "%s stream damaged: %s", b->dz->name, why);
		b->end = BYTES_CORRUPT;
	}
	if (b->max_out && b->out_done > b->max_out) {
		size_t over = (size_t)(b->out_done - b->max_out);
		b->len -= over < (size_t)made ? over : (size_t)made;
		b->out_done = b->max_out;
		b->end = BYTES_LIMIT;
		return;
	}
	if (made == 0 && used == 0) {
		bool more_in = b->fd < 0 ? b->mem_pos < b->mem_len : raw_more(b);
		if (b->end != BYTES_MORE)
			return;
		if (!more_in)
			b->end = b->dz_frame_done ? BYTES_EOF : BYTES_CUT;
		else if (b->fd < 0 || b->raw_pos < b->raw_len) {
			/* input left, room for output, and no progress */
			snprintf(b->err, sizeof(b->err), "%s stream damaged: no progress", b->dz->name);
			b->end = BYTES_CORRUPT;
		}
	}
}

static bool grow(struct bytes *b, size_t n)
{
	if (b->cap >= n)
		return true;
	size_t cap = b->cap ? b->cap : BYTES_BLOCK;
	while (cap < n)
		cap *= 2;
	uint8_t *p = realloc(b->own, cap);
	if (!p) {
		snprintf(b->err, sizeof(b->err), "out of memory");
		return false;
	}
	b->own = p;
	b->cap = cap;
	b->buf = p;
	return true;
}

const uint8_t *bytes_need_slow(struct bytes *b, size_t n, size_t *have)
{
	if (b->len - b->pos >= n)
		return b->buf + b->pos;
	if (b->fd < 0 && !b->dz) {
		if (b->end == BYTES_MORE)
			b->end = BYTES_EOF;
		if (have)
			*have = b->len - b->pos;
		return NULL;
	}
	if (n > BYTES_MAX_NEED || !grow(b, n)) {
		if (have)
			*have = b->len - b->pos;
		return NULL;
	}
	if (b->pos) {
		memmove(b->own, b->own + b->pos, b->len - b->pos);
		b->off += b->pos;
		b->len -= b->pos;
		b->pos = 0;
	}
	while (b->len < n && b->end == BYTES_MORE)
		fill_some(b);
	if (b->len >= n)
		return b->buf;
	if (have)
		*have = b->len;
	return NULL;
}

bool bytes_skip(struct bytes *b, uint64_t n)
{
	while (n > 0) {
		size_t left = b->len - b->pos;
		if (left == 0) {
			if (b->fd < 0 && !b->dz) {
				if (b->end == BYTES_MORE)
					b->end = BYTES_EOF;
				return false;
			}
			b->off += b->len;
			b->len = b->pos = 0;
			if (b->end != BYTES_MORE || (!b->own && !grow(b, BYTES_BLOCK)))
				return false;
			fill_some(b);
			continue;
		}
		size_t take = n < left ? (size_t)n : left;
		b->pos += take;
		n -= take;
	}
	return true;
}

size_t bytes_peek_start(struct bytes *b, size_t n, const uint8_t **out)
{
	size_t have = 0;
	const uint8_t *p = bytes_need(b, n, &have);
	*out = b->buf + b->pos;
	if (p)
		return n;
	if (b->end == BYTES_EOF)
		b->end = BYTES_MORE; /* only peeked: a decompressor may still start */
	return have;
}

bool bytes_decompress(struct bytes *b, const struct decomp_ops *dz, uint64_t max_out)
{
	void *st = dz->start();
	if (!st)
		return false;
	if (b->fd >= 0) {
		/* what was read so far is compressed input */
		b->raw = b->own;
		b->raw_cap = b->cap;
		b->raw_pos = b->pos;
		b->raw_len = b->len;
		b->raw_eof = b->end == BYTES_EOF;
		b->own = NULL;
		b->cap = 0;
	} else {
		b->mem_pos = b->pos;
	}
	b->buf = NULL;
	b->pos = b->len = 0;
	b->off = 0;
	b->end = BYTES_MORE;
	b->dz = dz;
	b->dzst = st;
	b->max_out = max_out;
	b->in_done = b->fd >= 0 ? b->raw_pos : b->mem_pos;
	if (!grow(b, BYTES_BLOCK))
		return false;
	return true;
}

void bytes_close(struct bytes *b)
{
	if (b->dz && b->dzst)
		b->dz->stop(b->dzst);
	b->dzst = NULL;
	free(b->own);
	free(b->raw);
	b->own = b->raw = NULL;
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	b->buf = NULL;
	b->pos = b->len = 0;
}
