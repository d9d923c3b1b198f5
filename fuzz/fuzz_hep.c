/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the HEPv3 chunk parser, the HEPv1/v2 header parser, the
 * RTCP reports sent as JSON (HEP payload type 5; the input whole, and a HEPv3
 * packet's payload) and the WebSocket frame header parser. */
#include <stddef.h>
#include <stdint.h>

#include "decode/hep.h"
#include "decode/websocket.h"
#include "proto/rtcp.h"

static volatile size_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A rebuilt report fits its room and is RTCP as the calls stage reads it. */
static void rtcp_json(const uint8_t *p, size_t n)
{
	uint8_t out[8 + 20 + 31 * 24];
	long got = hep_rtcp_from_json(p, n, out, sizeof(out));
	if (got > (long)sizeof(out) || (got >= 0 && !rtcp_compound_valid(out, (size_t)got)))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hep_info h;
	rtcp_json(data, size);
	if (hep3_parse(data, size, &h) == ST_OK) {
		if (h.total_len > size)
			__builtin_trap();
		for (size_t i = 0; i < h.payload_len; i++)
			sink += h.payload[i];
		if (h.proto_type == 5)
			rtcp_json(h.payload, h.payload_len);
	}
	if (hep2_parse(data, size, &h) == ST_OK) {
		if (h.payload < data || h.payload + h.payload_len != data + size || h.ts_usec >= 1000000)
			__builtin_trap();
		sink += h.payload_len + h.capture_id;
	}
	struct ws_frame f;
	if (ws_frame_parse(data, size, &f) == ST_OK && f.header_len > size)
		__builtin_trap();
	return 0;
}
