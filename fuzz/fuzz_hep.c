/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the HEPv3 chunk parser, the HEPv1/v2 header parser and the
 * WebSocket frame header parser. */
#include <stddef.h>
#include <stdint.h>

#include "decode/hep.h"
#include "decode/websocket.h"

static volatile size_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hep_info h;
	if (hep3_parse(data, size, &h) == ST_OK) {
		if (h.total_len > size)
			__builtin_trap();
		for (size_t i = 0; i < h.payload_len; i++)
			sink += h.payload[i];
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
