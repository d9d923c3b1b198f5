/* SPDX-License-Identifier: MIT */
/* libFuzzer target for STUN messages (RFC 5389/8489, classic RFC 3489):
 * stun_parse, stun_looks_like and the name helpers; and TURN ChannelData
 * framing (turn_channel_data), the other half of what a TURN port carries. */
#include <stddef.h>
#include <stdint.h>

#include "proto/stun.h"
#include "proto/turn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t touch_str(const char *s)
{
	uint64_t acc = 0;
	while (*s)
		acc = acc * 31 + (uint8_t)*s++;
	return acc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stun_msg m;
	volatile uint64_t sink = 0;

	enum status st = stun_parse(data, size, &m);
	bool looks = stun_looks_like(data, size);
	if (st == ST_OK && !looks)
		__builtin_trap();
	sink += st + looks + m.type + m.method + m.cls + m.length + m.has_cookie;
	for (unsigned i = 0; i < sizeof(m.txid); i++)
		sink += m.txid[i];
	sink += m.n_attrs + m.has_mapped + m.mapped.family + m.mapped_port;
	for (unsigned i = 0; i < sizeof(m.mapped.b); i++)
		sink += m.mapped.b[i];
	if (m.username.n) {
		const uint8_t *u = (const uint8_t *)m.username.p;
		if (u < data || u + m.username.n > data + size)
			__builtin_trap();
		for (size_t i = 0; i < m.username.n; i++)
			sink += u[i];
	}
	sink += m.priority + m.use_candidate + m.ice_controlling + m.ice_controlled;
	sink += m.has_integrity + m.has_fingerprint + m.error_code;
	if (st == ST_OK && m.error_code && (m.error_code < 300 || m.error_code > 699))
		__builtin_trap();
	if (m.has_mapped) {
		char buf[ADDR_STRLEN];
		sink += touch_str(addr_str(&m.mapped, buf));
	}
	sink += touch_str(stun_method_str(m.method)) + touch_str(stun_class_str(m.cls));
	uint16_t ch = 0;
	const uint8_t *in = NULL;
	size_t in_len = 0;
	if (turn_channel_data(data, size, &ch, &in, &in_len)) {
		if (in != data + 4 || in_len > size - 4 || size - 4 - in_len > 3 || ch < 0x4000 || ch > 0x4fff)
			__builtin_trap();
		for (size_t i = 0; i < in_len; i++)
			sink += in[i];
	}
	(void)sink;
	return 0;
}
