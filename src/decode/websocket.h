/* SPDX-License-Identifier: MIT */
/* WebSocket frame headers (RFC 6455 section 5.2). Pure: tells where a frame's
 * payload is; the caller unmasks. */
#ifndef DEADAIR_DECODE_WEBSOCKET_H
#define DEADAIR_DECODE_WEBSOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

struct ws_frame {
	bool fin;
	uint8_t opcode;     /* 0 continuation, 1 text, 2 binary, 8 close, 9 ping, 10 pong */
	bool masked;
	uint8_t mask[4];
	size_t header_len;
	uint64_t payload_len;
};

/* ST_OK when the whole header is in p[0..n); ST_TRUNCATED when more bytes are
 * needed; ST_MALFORMED for reserved opcodes or a 64-bit length with the top bit set. */
enum status ws_frame_parse(const uint8_t *p, size_t n, struct ws_frame *f);
/* XORs len bytes from src into dst with the mask, starting at mask offset off. */
void ws_unmask(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t mask[4], size_t off);

#endif
