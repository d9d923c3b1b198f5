/* SPDX-License-Identifier: MIT */
/* libFuzzer target for ICMP/ICMPv6 error messages and the packet they quote
 * (icmp_error_parse): the first input byte picks the family. */
#include <stddef.h>
#include <stdint.h>

#include "proto/icmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct icmp_error e;
	volatile uint64_t sink = 0;
	enum status st = icmp_error_parse(data + 1, size - 1, data[0] & 1, &e);
	sink += st + e.kind + e.type + e.code + e.q_proto + e.q_sport + e.q_dport + e.q_ip_id;
	if (st == ST_OK) {
		/* the quoted payload lies inside the input */
		if (e.q_payload_len && (e.q_payload < data + 1 || e.q_payload + e.q_payload_len > data + size))
			__builtin_trap();
		for (size_t i = 0; i < e.q_payload_len; i++)
			sink += e.q_payload[i];
	}
	sink += icmp_kind_str(e.kind)[0];
	(void)sink;
	return 0;
}
