/* SPDX-License-Identifier: MIT */
/* libFuzzer target: deadair watch's HEP receiver without its sockets: a TCP
 * stream cut into HEPv3 frames (watch/hep_stream.c) as reads of any size bring
 * it, each frame (and, as a UDP datagram would be, the whole input) decoded as
 * a collector decodes what it receives (decoder_hep: HEPv3 and HEPv1/v2), and
 * every payload classified and SIP-parsed.
 * Input: byte 0 seeds the sizes of the reads; the rest is the stream. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "decode/hep.h"
#include "proto/classify.h"
#include "proto/sip.h"
#include "watch/hep_stream.h"

static volatile size_t sink;

static void on_dgram(void *ctx, const struct dgram *d)
{
	(void)ctx;
	for (size_t i = 0; i < d->len; i++)
		sink += d->data[i];
	if (classify_payload(d->data, d->len, d->sport, d->dport) == PK_SIP) {
		struct sip_msg m;
		sink += (size_t)sip_parse((const char *)d->data, d->len, SIP_DGRAM, &m);
	}
}

struct ctx {
	struct decoder *dec;
	uint64_t num;
	size_t delivered;
};

static void decode(struct ctx *x, const uint8_t *p, size_t n)
{
	struct frame f = { .num = ++x->num, .ts_ns = (int64_t)x->num * 20000000, .caplen = (uint32_t)n,
			   .len = (uint32_t)n, .data = p };
	sink += (size_t)decoder_hep(x->dec, &f);
	struct hep_info h;
	if (hep_parse(p, n, &h) == ST_OK && h.payload &&
	    (h.payload < p || h.payload + h.payload_len > p + n || h.total_len > n))
		__builtin_trap();
}

static void on_frame(void *ctx, const uint8_t *p, size_t n)
{
	struct ctx *x = ctx;
	/* a frame is a whole HEPv3 packet by its own length field */
	if (n < 6 || memcmp(p, "HEP3", 4) != 0 || (size_t)(p[4] << 8 | p[5]) != n)
		__builtin_trap();
	x->delivered += n;
	decode(x, p, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct decode_config cfg = { .limits = limits_default(), .probe = sip_probe, .framer = sip_frame,
				     .sink = on_dgram };
	struct ctx x = { .dec = decoder_new(&cfg) };
	struct hep_stream *s = malloc(sizeof(*s));
	if (!x.dec || !s) {
		decoder_free(x.dec);
		free(s);
		return 0;
	}
	s->n = 0;
	s->bad = false;
	uint32_t seed = data[0] * 2654435761u + 1;
	const uint8_t *p = data + 1;
	size_t left = size - 1, fed = 0;
	while (left > 0) {
		seed = seed * 1103515245u + 12345u;
		size_t k = 1 + (seed >> 16) % 300;
		if ((seed & 7) == 0)
			k = 65536;
		if (k > left)
			k = left;
		long r = hep_stream_feed(s, p, k, on_frame, &x);
		fed += k;
		if (s->n > HEP_STREAM_CAP || x.delivered + s->n > fed)
			__builtin_trap();
		if (r < 0)
			break;
		p += k;
		left -= k;
	}
	/* the input as one UDP datagram */
	decode(&x, data + 1, size - 1);
	decoder_free(x.dec);
	free(s);
	return 0;
}
