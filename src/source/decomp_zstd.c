/* SPDX-License-Identifier: MIT */
/* Zstandard (RFC 8878) through libzstd's streaming decoder, as Wireshark reads
 * .pcap.zst; concatenated and skippable frames included. */
#include <zstd.h>

#include "source/decompress.h"

static bool zs_detect(const uint8_t *p, size_t n)
{
	return n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd;
}

static void *zs_start(void)
{
	return ZSTD_createDCtx();
}

static long zs_run(void *st, const uint8_t *in, size_t *in_len, uint8_t *out, size_t out_cap, bool *frame_done,
		   const char **err)
{
	ZSTD_inBuffer ib = { in, *in_len, 0 };
	ZSTD_outBuffer ob = { out, out_cap, 0 };
	while (ob.pos < ob.size) {
		size_t in0 = ib.pos, out0 = ob.pos;
		if (*frame_done && ib.pos == ib.size)
			break;
		size_t r = ZSTD_decompressStream(st, &ob, &ib);
		if (ZSTD_isError(r)) {
			*err = ZSTD_getErrorName(r);
			ib.pos = in0;
			ob.pos = out0; /* what the failing call wrote is not trusted */
			break;
		}
		if (r == 0)
			*frame_done = true;
		else if (ib.pos != in0 || ob.pos != out0)
			*frame_done = false;
		if (ib.pos == in0 && ob.pos == out0)
			break;
	}
	*in_len = ib.pos;
	return (long)ob.pos;
}

static void zs_stop(void *st)
{
	ZSTD_freeDCtx(st);
}

const struct decomp_ops decomp_zstd = { "zstd", zs_detect, zs_start, zs_run, zs_stop };
