/* SPDX-License-Identifier: MIT */
/* TCP reassembly (RFC 9293 sequence space) for message protocols on TCP: per
 * direction, in-order bytes are handed to a framer; retransmitted segments are
 * dropped, out-of-order ones held (bounded), and a gap that never fills is
 * skipped. SIP over WebSocket (RFC 7118) is unframed here too. */
#ifndef DEADAIR_DECODE_TCP_H
#define DEADAIR_DECODE_TCP_H

#include <stddef.h>
#include <stdint.h>

#include "core/htab.h"
#include "core/rd.h"
#include "decode/decode.h"

struct tcp_dir;

struct tcp_table {
	struct htab index;                   /* directions by 4-tuple */
	unsigned count;
	size_t bytes;
	struct tcp_dir *lru_head, *lru_tail; /* least recently used first */
	struct tcp_dir *holes_head, *holes_tail; /* directions waiting for a hole to fill, oldest first */
};

struct decoder;
struct pctx;

bool tcp_table_init(struct tcp_table *t);
void tcp_table_clear(struct tcp_table *t);
void tcp_table_free(struct tcp_table *t);
enum frame_result tcp_decode(struct decoder *d, struct pctx *pc, struct rd r);
/* Gives up the holes that have waited longer than limits.tcp_gap_wait_ns at
 * capture time now, handing on what was held behind them. */
void tcp_tick(struct decoder *d, int64_t now);
/* Gives up every hole (end of the input). */
void tcp_flush(struct decoder *d);

#endif
