/* SPDX-License-Identifier: MIT */
/* SCTP (RFC 9260): the common header, then chunks; DATA chunks carry user
 * messages, whole (B and E flags both set) or in fragments with consecutive
 * TSNs, which are put back together in a small bounded table. */
#include <stdlib.h>
#include <string.h>

#include "decode/internal.h"

struct sctp_partial {
	bool used;
	struct addr src, dst;
	uint16_t sport, dport, stream;
	uint32_t next_tsn;
	int64_t last_ts;
	uint8_t *buf;
	size_t len;
};

struct sctp_table {
	struct sctp_partial slot[SCTP_PARTIALS];
};

#define SCTP_MAX_MESSAGE (256u * 1024u)

struct sctp_table *sctp_table_new(void)
{
	return calloc(1, sizeof(struct sctp_table));
}

static void partial_drop(struct sctp_partial *s)
{
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

void sctp_table_free(struct sctp_table *t)
{
	if (!t)
		return;
	for (unsigned i = 0; i < SCTP_PARTIALS; i++)
		partial_drop(&t->slot[i]);
	free(t);
}

size_t sctp_table_bytes(const struct sctp_table *t)
{
	size_t n = 0;
	for (unsigned i = 0; t && i < SCTP_PARTIALS; i++)
		n += t->slot[i].len;
	return n;
}

static struct sctp_partial *find(struct sctp_table *t, const struct dgram *dg, uint16_t stream)
{
	for (unsigned i = 0; i < SCTP_PARTIALS; i++) {
		struct sctp_partial *s = &t->slot[i];
		if (s->used && s->stream == stream && s->sport == dg->sport &&
		    s->dport == dg->dport && addr_eq(&s->src, &dg->src) && addr_eq(&s->dst, &dg->dst))
			return s;
	}
	return NULL;
}

/* Handles one fragment; returns true when a whole message was delivered. */
static bool fragment(struct decoder *d, struct pctx *pc, uint8_t flags, uint32_t tsn,
		     uint16_t stream, const uint8_t *p, size_t n)
{
	struct sctp_table *t = d->sctp;
	if (!t)
		return false;
	struct sctp_partial *s = find(t, &pc->dg, stream);
	if (flags & 0x02) { /* B: first piece */
		if (!s) {
			for (unsigned i = 0; i < SCTP_PARTIALS && !s; i++)
				if (!t->slot[i].used)
					s = &t->slot[i];
			if (!s) { /* evict the stalest */
				s = &t->slot[0];
				for (unsigned i = 1; i < SCTP_PARTIALS; i++)
					if (t->slot[i].last_ts < s->last_ts)
						s = &t->slot[i];
			}
		}
		partial_drop(s);
		s->used = true;
		s->src = pc->dg.src;
		s->dst = pc->dg.dst;
		s->sport = pc->dg.sport;
		s->dport = pc->dg.dport;
		s->stream = stream;
	} else if (!s || s->next_tsn != tsn) {
		if (s)
			partial_drop(s); /* a piece is missing */
		return false;
	}
	if (s->len + n > SCTP_MAX_MESSAGE) {
		partial_drop(s);
		return false;
	}
	uint8_t *nb = realloc(s->buf, s->len + n + 1);
	if (!nb) {
		partial_drop(s);
		return false;
	}
	s->buf = nb;
	if (n)
		memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->next_tsn = tsn + 1;
	s->last_ts = pc->f->ts_ns;
	if (!(flags & 0x01))
		return false;
	decode_deliver(d, pc, s->buf, s->len);
	partial_drop(s);
	return true;
}

enum frame_result sctp_decode(struct decoder *d, struct pctx *pc, struct rd r)
{
	uint16_t sport = rd_be16(&r);
	uint16_t dport = rd_be16(&r);
	if (!rd_skip(&r, 8))
		return decode_short(pc);
	pc->dg.sport = sport;
	pc->dg.dport = dport;
	pc->dg.transport = TP_SCTP;
	enum frame_result res = FR_OTHER_IP;
	for (int i = 0; i < 64 && rd_left(&r) >= 4; i++) {
		uint8_t type = rd_u8(&r);
		uint8_t flags = rd_u8(&r);
		uint16_t clen = rd_be16(&r);
		if (clen < 4)
			return FR_MALFORMED;
		struct rd c = rd_sub(&r, clen - 4u);
		if (c.bad)
			return decode_short(pc);
		/* padding to 4 bytes; may be absent after the last chunk */
		size_t pad = (4 - clen % 4) % 4;
		rd_skip(&r, pad < rd_left(&r) ? pad : rd_left(&r));
		if (type != 0)
			continue;
		d->st.sctp_chunks++;
		uint32_t tsn = rd_be32(&c);
		uint16_t stream = rd_be16(&c);
		if (!rd_skip(&c, 6)) /* stream seq, PPID */
			return decode_short(pc);
		if ((flags & 0x03) == 0x03) {
			decode_deliver(d, pc, c.p, rd_left(&c));
			res = FR_DELIVERED;
		} else if (fragment(d, pc, flags, tsn, stream, c.p, rd_left(&c))) {
			res = FR_DELIVERED;
		} else if (res != FR_DELIVERED) {
			res = FR_HELD;
		}
	}
	return res;
}
