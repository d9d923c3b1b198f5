/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the RTP header parser (RFC 3550) and the RFC 4733
 * telephone-event parser run on whatever payload it finds. */
#include <stddef.h>
#include <stdint.h>

#include "proto/rtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads every byte of a span, so ASan sees a pointer that escapes the input. */
static uint64_t touch(const uint8_t *p, size_t n)
{
	uint64_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc = acc * 31 + p[i];
	return acc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtp_hdr h;
	struct rtp_event e;
	volatile uint64_t sink = 0;

	enum status st = rtp_parse(data, size, &h);
	sink += h.version + h.padding + h.extension + h.marker + h.cc + h.pt;
	sink += h.seq + h.ts + h.ssrc + h.ext_profile + h.ext_words + h.pad_len;
	for (unsigned i = 0; i < 15; i++)
		sink += h.csrc[i];
	sink += rtp_is_rtcp_pt(size > 1 ? data[1] : 0);
	if (st == ST_OK) {
		if (h.cc > 15 || h.version != 2 || h.pt > 127)
			__builtin_trap();
		if (h.payload < data || h.payload + h.payload_len > data + size)
			__builtin_trap();
		sink += touch(h.payload, h.payload_len);
		if (rtp_event_parse(h.payload, h.payload_len, &e) == ST_OK) {
			if (e.volume > 63)
				__builtin_trap();
			sink += (uint64_t)e.event + e.end + e.volume + e.duration;
			sink += (uint64_t)rtp_event_char(e.event);
		}
	}
	/* The event parser on raw input too, whatever rtp_parse said. */
	if (rtp_event_parse(data, size, &e) == ST_OK)
		sink += (uint64_t)rtp_event_char(e.event) + e.end + e.volume + e.duration;
	(void)sink;
	return 0;
}
