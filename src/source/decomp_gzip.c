/* SPDX-License-Identifier: MIT */
/* gzip (RFC 1952) through zlib: concatenated members (gzip -c a b > c) are one
 * stream; bytes after the last member that do not start another are ignored,
 * as gzip -d does. A stream whose last member lacks its trailer is cut short. */
#include <limits.h>
#include <stdlib.h>
#include <zlib.h>

#include "source/decompress.h"

static bool gz_detect(const uint8_t *p, size_t n)
{
	return n >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

static void *gz_start(void)
{
	z_stream *z = calloc(1, sizeof(*z));
	if (!z)
		return NULL;
	if (inflateInit2(z, 15 + 16) != Z_OK) {
		free(z);
		return NULL;
	}
	return z;
}

static long gz_run(void *st, const uint8_t *in, size_t *in_len, uint8_t *out, size_t out_cap, bool *frame_done,
		   const char **err)
{
	z_stream *z = st;
	size_t in_n = *in_len > UINT_MAX ? UINT_MAX : *in_len;
	size_t out_n = out_cap > UINT_MAX ? UINT_MAX : out_cap;
	z->next_in = (Bytef *)(uintptr_t)in;
	z->avail_in = (uInt)in_n;
	z->next_out = out;
	z->avail_out = (uInt)out_n;
	while (z->avail_out > 0) {
		if (*frame_done) {
			/* between members: another one, or the end */
			if (z->avail_in == 0)
				break;
			if (z->next_in[0] != 0x1f) {
				z->next_in += z->avail_in; /* trailing bytes: ignored */
				z->avail_in = 0;
				break;
			}
			if (inflateReset(z) != Z_OK) {
				*err = "cannot restart";
				return -1;
			}
			*frame_done = false;
		}
		int r = inflate(z, Z_NO_FLUSH);
		if (r == Z_STREAM_END) {
			*frame_done = true;
			continue;
		}
		if (r == Z_BUF_ERROR)
			break; /* needs more input */
		if (r != Z_OK) {
			/* what inflate wrote before it found the damage is kept */
			*err = z->msg ? z->msg : "bad data";
			break;
		}
		if (z->avail_in == 0)
			break;
	}
	*in_len = in_n - z->avail_in;
	return (long)(out_n - z->avail_out);
}

static void gz_stop(void *st)
{
	inflateEnd(st);
	free(st);
}

const struct decomp_ops decomp_gzip = { "gzip", gz_detect, gz_start, gz_run, gz_stop };
