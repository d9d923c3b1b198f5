/* SPDX-License-Identifier: MIT */
/* WebSocket frame header parsing and unmasking (RFC 6455 section 5). */
#include "decode/websocket.h"

#include "core/rd.h"

enum status ws_frame_parse(const uint8_t *p, size_t n, struct ws_frame *f)
{
	struct rd r = rd_make(p, n);
	uint8_t b0 = rd_u8(&r);
	uint8_t b1 = rd_u8(&r);
	if (r.bad)
		return ST_TRUNCATED;
	f->fin = b0 & 0x80;
	f->opcode = b0 & 0x0f;
	f->masked = b1 & 0x80;
	if ((f->opcode >= 3 && f->opcode <= 7) || f->opcode > 10)
		return ST_MALFORMED;
	uint64_t len = b1 & 0x7f;
	if (len == 126)
		len = rd_be16(&r);
	else if (len == 127)
		len = rd_be64(&r);
	if (r.bad)
		return ST_TRUNCATED;
	if (len >> 63)
		return ST_MALFORMED;
	if (f->masked) {
		const uint8_t *m = rd_bytes(&r, 4);
		if (!m)
			return ST_TRUNCATED;
		for (int i = 0; i < 4; i++)
			f->mask[i] = m[i];
	}
	f->payload_len = len;
	f->header_len = (size_t)(r.p - p);
	return ST_OK;
}

void ws_unmask(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t mask[4], size_t off)
{
	for (size_t i = 0; i < len; i++)
		dst[i] = src[i] ^ mask[(off + i) & 3];
}
