/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the whole decode stage (link layers, IP, fragments,
 * tunnels, UDP, TCP and WebSocket reassembly with its gaps given up, SCTP,
 * HEP) over a sequence of frames, with every delivered payload classified and
 * SIP-parsed.
 * Input: byte 0 picks the link type; then frames as [len_hi len_lo][bytes]. */
#include <pcap/dlt.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"
#include "proto/classify.h"
#include "proto/sip.h"

static volatile size_t sink;

static void on_dgram(void *ctx, const struct dgram *d)
{
	(void)ctx;
	for (size_t i = 0; i < d->len; i++)
		sink += d->data[i];
	enum payload_kind k = classify_payload(d->data, d->len, d->sport, d->dport);
	if (k == PK_SIP) {
		struct sip_msg m;
		sink += (size_t)sip_parse((const char *)d->data, d->len, SIP_DGRAM, &m);
	}
}

static void on_gap(void *ctx, const struct decode_gap *g)
{
	(void)ctx;
	sink += g->bytes + g->flow->frame + (size_t)g->frame_before;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int dlts[] = { DLT_EN10MB, DLT_LINUX_SLL, 276, DLT_NULL, DLT_LOOP, DLT_RAW, 228, 229 };
	if (size < 1)
		return 0;
	struct decode_config cfg = { .limits = limits_default(), .probe = sip_probe,
				     .framer = sip_frame, .sink = on_dgram, .gap = on_gap };
	cfg.limits.tcp_buffer = 64 * 1024;
	cfg.limits.tcp_pending = 8;
	cfg.limits.tcp_gap_wait_ns = 100000000; /* 5 frames */
	cfg.limits.frag_entries = 16;
	struct decoder *d = decoder_new(&cfg);
	if (!d)
		return 0;
	int dlt = dlts[data[0] % (sizeof(dlts) / sizeof(dlts[0]))];
	size_t off = 1;
	uint64_t num = 0;
	while (off + 2 <= size) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];
		off += 2;
		if (len > size - off)
			len = size - off;
		num++;
		struct frame f = { .num = num, .ts_ns = (int64_t)num * 20000000, .linktype = dlt,
				   .caplen = (uint32_t)len, .len = (uint32_t)len + (num % 7 == 0),
				   .data = data + off };
		decoder_tick(d, f.ts_ns);
		decoder_frame(d, &f);
		off += len;
	}
	sink += decoder_held_bytes(d);
	decoder_flush(d);
	decoder_free(d);
	return 0;
}
