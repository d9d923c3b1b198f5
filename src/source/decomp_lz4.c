/* SPDX-License-Identifier: MIT */
/* LZ4 frame format (as the lz4 tool writes it, and Wireshark reads .pcap.lz4)
 * through liblz4's frame decoder; concatenated frames included. */
#include <lz4frame.h>

#include "source/decompress.h"

static bool l4_detect(const uint8_t *p, size_t n)
{
	return n >= 4 && p[0] == 0x04 && p[1] == 0x22 && p[2] == 0x4d && p[3] == 0x18;
}

static void *l4_start(void)
{
	LZ4F_dctx *d = NULL;
	if (LZ4F_isError(LZ4F_createDecompressionContext(&d, LZ4F_VERSION)))
		return NULL;
	return d;
}

static long l4_run(void *st, const uint8_t *in, size_t *in_len, uint8_t *out, size_t out_cap, bool *frame_done,
		   const char **err)
{
	size_t ip = 0, op = 0, n = *in_len;
	while (op < out_cap) {
		if (*frame_done && ip == n)
			break;
		size_t dst = out_cap - op, src = n - ip;
		size_t r = LZ4F_decompress(st, out + op, &dst, in + ip, &src, NULL);
		if (LZ4F_isError(r)) {
			*err = LZ4F_getErrorName(r);
			break; /* what the earlier calls wrote is kept */
		}
		ip += src;
		op += dst;
		if (r == 0)
			*frame_done = true;
		else if (src || dst)
			*frame_done = false;
		if (!src && !dst)
			break;
	}
	*in_len = ip;
	return (long)op;
}

static void l4_stop(void *st)
{
	LZ4F_freeDecompressionContext(st);
}

const struct decomp_ops decomp_lz4 = { "lz4", l4_detect, l4_start, l4_run, l4_stop };
