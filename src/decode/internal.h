/* SPDX-License-Identifier: MIT */
/* What the decode stage's files share: the decoder state and the per-frame
 * context passed down the layers. Not for other stages. */
#ifndef DEADAIR_DECODE_INTERNAL_H
#define DEADAIR_DECODE_INTERNAL_H

#include "core/rd.h"
#include "decode/decode.h"
#include "decode/frag.h"
#include "decode/tcp.h"

#define SCTP_PARTIALS 64
struct sctp_table;
struct sctp_table *sctp_table_new(void);
void sctp_table_free(struct sctp_table *t);
size_t sctp_table_bytes(const struct sctp_table *t);

struct decoder {
	struct decode_config cfg;
	struct sctp_table *sctp;
	struct decode_stats st;
	struct frag_table frags;
	struct tcp_table tcp;
	uint8_t *scratch;      /* HEP decompression */
	size_t scratch_cap;
};

/* Per-frame state handed from layer to layer. decoder_frame sets each field
 * (no memset of the whole): a new field wants its line there. */
struct pctx {
	const struct frame *f;
	struct dgram dg;       /* addresses etc. filled in as layers are peeled */
	unsigned depth;        /* tunnel nesting */
	bool snap_cut;
	enum frame_result result;
	unsigned delivered;
};

/* now - since > wait, without overflowing on time stamps from strangers. */
static inline bool waited_longer(int64_t now, int64_t since, int64_t wait)
{
	int64_t d;
	if (__builtin_sub_overflow(now, since, &d))
		return now > since;
	return d > wait;
}

/* A window that ran out: truncated if the snap length cut the frame, else malformed. */
enum frame_result decode_short(const struct pctx *pc);

/* Hands p[0..n) to the sink as the frame's datagram. Inline: every payload
 * of every frame goes through it. */
static inline void decode_deliver(struct decoder *d, struct pctx *pc, const uint8_t *p, size_t n)
{
	pc->delivered++;
	if (!d->cfg.sink)
		return;
	/* the frame's datagram itself, not a copy: the layers read none of
	 * the fields that this sets */
	pc->dg.data = p;
	pc->dg.len = n;
	d->cfg.sink(d->cfg.sink_ctx, &pc->dg);
}

enum frame_result link_decode(struct decoder *d, struct pctx *pc, struct rd r, int dlt);
enum frame_result eth_decode(struct decoder *d, struct pctx *pc, struct rd r);
/* IP of either version, chosen by the version nibble. */
enum frame_result ip_decode(struct decoder *d, struct pctx *pc, struct rd r);
enum frame_result ip4_decode(struct decoder *d, struct pctx *pc, struct rd r);
enum frame_result ip6_decode(struct decoder *d, struct pctx *pc, struct rd r);
/* The payload of an IP datagram whose protocol is proto. */
enum frame_result l4_decode(struct decoder *d, struct pctx *pc, uint8_t proto, struct rd r);
enum frame_result udp_decode(struct decoder *d, struct pctx *pc, struct rd r);
enum frame_result sctp_decode(struct decoder *d, struct pctx *pc, struct rd r);
enum frame_result gre_decode(struct decoder *d, struct pctx *pc, struct rd r);
enum frame_result hep_decode(struct decoder *d, struct pctx *pc, const uint8_t *p, size_t n);

#endif
