/* SPDX-License-Identifier: MIT */
/* The decode stage's entry: one frame in, payloads out to the sink. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "decode/internal.h"

const char *frame_result_str(enum frame_result r)
{
	switch (r) {
	case FR_DELIVERED: return "decoded";
	case FR_HELD: return "held for reassembly";
	case FR_TCP_OTHER: return "other TCP";
	case FR_TCP_DUP: return "TCP retransmission";
	case FR_OTHER_IP: return "other IP protocol";
	case FR_NOT_IP: return "not IP";
	case FR_UNSUPPORTED_LINK: return "unsupported link type";
	case FR_UNSUPPORTED: return "unsupported encapsulation";
	case FR_TRUNCATED: return "truncated";
	case FR_MALFORMED: return "malformed";
	case FR__COUNT: break;
	}
	return "?";
}

struct decoder *decoder_new(const struct decode_config *cfg)
{
	struct decoder *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->cfg = *cfg;
	d->scratch_cap = 256u * 1024u;
	d->scratch = malloc(d->scratch_cap);
	d->sctp = sctp_table_new();
	if (!d->scratch || !d->sctp || !frag_table_init(&d->frags, cfg->limits.frag_entries) ||
	    !tcp_table_init(&d->tcp)) {
		decoder_free(d);
		return NULL;
	}
	return d;
}

void decoder_free(struct decoder *d)
{
	if (!d)
		return;
	frag_table_free(&d->frags);
	tcp_table_free(&d->tcp);
	sctp_table_free(d->sctp);
	free(d->scratch);
	free(d);
}

void decoder_tick(struct decoder *d, int64_t now)
{
	if (d->tcp.holes_head) /* per frame: mostly no TCP held behind a hole */
		tcp_tick(d, now);
}

void decoder_flush(struct decoder *d)
{
	tcp_flush(d);
}

void decoder_reset(struct decoder *d)
{
	frag_table_clear(&d->frags);
	tcp_table_clear(&d->tcp);
	sctp_table_free(d->sctp);
	d->sctp = sctp_table_new();
}

const struct decode_stats *decoder_stats(const struct decoder *d)
{
	return &d->st;
}

size_t decoder_held_bytes(const struct decoder *d)
{
	return d->frags.bytes + d->tcp.bytes + sctp_table_bytes(d->sctp);
}

enum frame_result decode_short(const struct pctx *pc)
{
	return pc->snap_cut ? FR_TRUNCATED : FR_MALFORMED;
}

enum frame_result decoder_frame(struct decoder *d, const struct frame *f)
{
	/* zeroed in parts of at most 64 bytes, which GCC stores inline, where
	 * a memset of the whole becomes a rep stos (this runs per frame) */
	struct pctx pc;
	memset(&pc.dg, 0, offsetof(struct dgram, src));
	memset(&pc.dg.src, 0, offsetof(struct dgram, data) - offsetof(struct dgram, src));
	pc.dg.data = NULL;
	pc.dg.len = 0;
	pc.depth = 0;
	pc.result = FR_DELIVERED;
	pc.delivered = 0;
	pc.f = f;
	pc.snap_cut = f->caplen < f->len;
	pc.dg.frame = f->num;
	pc.dg.ts_ns = f->ts_ns;
	pc.dg.point = f->point;
	pc.dg.iface = f->iface;
	if (pc.snap_cut)
		d->st.snap_cut++;
	enum frame_result r = link_decode(d, &pc, rd_make(f->data, f->caplen), f->linktype);
	if (pc.delivered)
		r = FR_DELIVERED;
	d->st.frames[r]++;
	return r;
}
