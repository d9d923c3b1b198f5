/* SPDX-License-Identifier: MIT */
/* TCP reassembly (RFC 9293 sequence space) for message protocols on TCP: per
 * direction, in-order bytes are handed to a framer; retransmitted segments are
 * dropped, out-of-order ones held (bounded), and a gap that never fills is
 * skipped. SIP over WebSocket (RFC 7118) is unframed here too. */
#ifndef DEADAIR_DECODE_TCP_H
#define DEADAIR_DECODE_TCP_H

#include <stddef.h>
#include <stdint.h>

#include "core/rd.h"
#include "decode/decode.h"

struct tcp_dir;

struct tcp_table {
	struct tcp_dir **buckets;
	unsigned n_buckets;
	unsigned count;
	size_t bytes;
	struct tcp_dir *lru_head, *lru_tail; /* least recently used first */
};

struct decoder;
struct pctx;

bool tcp_table_init(struct tcp_table *t, unsigned n_buckets);
void tcp_table_clear(struct tcp_table *t);
void tcp_table_free(struct tcp_table *t);
enum frame_result tcp_decode(struct decoder *d, struct pctx *pc, struct rd r);

#endif
