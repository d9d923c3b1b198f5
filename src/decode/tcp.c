/* SPDX-License-Identifier: MIT */
/* TCP reassembly for framed message protocols (SIP over TCP, RFC 3261 section
 * 18.3; SIP over WebSocket, RFC 7118). Only directions whose bytes look like the
 * protocol are tracked; everything is bounded by struct limits.
 *
 * A hole in a direction (a segment the capture does not hold) is waited for a
 * while in capture time (limits.tcp_gap_wait_ns: a retransmission fills it),
 * then given up: counted, reported to the decoder's gap sink, and the segments
 * held behind it are handed on one by one with their own frame and time, the
 * framer resynchronising at the next message start. */
#include <stdlib.h>
#include <string.h>

#include "core/sv.h"
#include "decode/internal.h"
#include "decode/websocket.h"

enum tcp_mode { TM_STREAM, TM_WS_HTTP, TM_WS, TM_DEAD };

struct seg {
	struct seg *next;
	uint32_t seq;
	size_t len;
	uint64_t frame;
	int64_t ts;
	uint8_t ttl;
	uint8_t data[];
};

struct tcp_dir {
	struct hnode node;                /* in the table's index by 4-tuple */
	struct tcp_dir *lprev, *lnext;    /* least recently used first */
	struct tcp_dir *gprev, *gnext;    /* directions with a hole, oldest hole first */
	bool in_holes;
	struct addr src, dst;
	uint16_t sport, dport;
	uint16_t point;
	uint16_t encap;                   /* of its segments, for what is handed on after a gap */
	uint32_t next_seq;
	uint8_t mode;
	bool after_gap;                   /* the next message handed on is the first after a gap */
	uint8_t *buf;
	size_t len, cap;
	size_t need;                      /* the framer cannot cut before len reaches this */
	uint8_t *ws;
	size_t ws_len, ws_cap;
	struct seg *pending;              /* sorted by seq */
	unsigned n_pending;
	size_t pending_bytes;
	int64_t hole_since;               /* when the first segment behind the hole arrived */
	int64_t last_ts;
	uint64_t data_frame;              /* the last in-order data: where a gap begins */
	int64_t data_ts;
};

bool tcp_table_init(struct tcp_table *t)
{
	memset(t, 0, sizeof(*t));
	return htab_init(&t->index, 64, 0);
}

static uint64_t dir_hash(const struct tcp_table *t, const struct addr *s, const struct addr *d, uint16_t sp,
			 uint16_t dp)
{
	struct hkey k = { .n = 0 };
	hkey_add(&k, s, sizeof(*s));
	hkey_add(&k, d, sizeof(*d));
	hkey_add(&k, &sp, sizeof(sp));
	hkey_add(&k, &dp, sizeof(dp));
	return htab_hash(&t->index, k.buf, k.n);
}

static struct tcp_dir *dir_find(struct tcp_table *t, const struct dgram *dg)
{
	uint64_t h = dir_hash(t, &dg->src, &dg->dst, dg->sport, dg->dport);
	for (struct hnode *n = htab_bucket(&t->index, h); n; n = n->next) {
		struct tcp_dir *x = HTAB_ENTRY(n, struct tcp_dir, node);
		if (n->hash == h && x->sport == dg->sport && x->dport == dg->dport && addr_eq(&x->src, &dg->src) &&
		    addr_eq(&x->dst, &dg->dst))
			return x;
	}
	return NULL;
}

static void lru_unlink(struct tcp_table *t, struct tcp_dir *x)
{
	if (x->lprev)
		x->lprev->lnext = x->lnext;
	else
		t->lru_head = x->lnext;
	if (x->lnext)
		x->lnext->lprev = x->lprev;
	else
		t->lru_tail = x->lprev;
	x->lprev = x->lnext = NULL;
}

static void lru_append(struct tcp_table *t, struct tcp_dir *x)
{
	x->lprev = t->lru_tail;
	x->lnext = NULL;
	if (t->lru_tail)
		t->lru_tail->lnext = x;
	else
		t->lru_head = x;
	t->lru_tail = x;
}

static void holes_unlink(struct tcp_table *t, struct tcp_dir *x)
{
	if (!x->in_holes)
		return;
	if (x->gprev)
		x->gprev->gnext = x->gnext;
	else
		t->holes_head = x->gnext;
	if (x->gnext)
		x->gnext->gprev = x->gprev;
	else
		t->holes_tail = x->gprev;
	x->gprev = x->gnext = NULL;
	x->in_holes = false;
}

/* Records that x has a hole since ts (the arrival of the first segment behind it). */
static void holes_append(struct tcp_table *t, struct tcp_dir *x, int64_t ts)
{
	holes_unlink(t, x);
	x->hole_since = ts;
	x->gprev = t->holes_tail;
	x->gnext = NULL;
	if (t->holes_tail)
		t->holes_tail->gnext = x;
	else
		t->holes_head = x;
	t->holes_tail = x;
	x->in_holes = true;
}

static void pending_free(struct tcp_table *t, struct tcp_dir *x)
{
	while (x->pending) {
		struct seg *s = x->pending;
		x->pending = s->next;
		t->bytes -= s->len;
		free(s);
	}
	x->n_pending = 0;
	x->pending_bytes = 0;
	holes_unlink(t, x);
}

static void dir_free(struct tcp_table *t, struct tcp_dir *x)
{
	htab_del(&t->index, &x->node);
	lru_unlink(t, x);
	pending_free(t, x);
	t->bytes -= x->cap + x->ws_cap;
	free(x->buf);
	free(x->ws);
	free(x);
	t->count--;
}

void tcp_table_clear(struct tcp_table *t)
{
	while (t->lru_head)
		dir_free(t, t->lru_head);
}

void tcp_table_free(struct tcp_table *t)
{
	if (!t->index.b)
		return;
	tcp_table_clear(t);
	htab_free(&t->index);
}

/* Grows *buf to hold need bytes, within max. */
static bool grow(struct tcp_table *t, uint8_t **buf, size_t *cap, size_t need, size_t max)
{
	if (need <= *cap)
		return true;
	if (need > max)
		return false;
	size_t ncap = *cap ? *cap : 4096;
	while (ncap < need)
		ncap *= 2;
	if (ncap > max)
		ncap = max;
	uint8_t *nb = realloc(*buf, ncap);
	if (!nb)
		return false;
	t->bytes += ncap - *cap;
	*buf = nb;
	*cap = ncap;
	return true;
}

static bool is_ws_upgrade(const uint8_t *p, size_t n)
{
	struct sv s = sv_make((const char *)p, n < 4096 ? n : 4096);
	if (sv_starts(s, "GET "))
		return sv_find(s, SV_LIT("websocket"), true) < s.n;
	return sv_starts(s, "HTTP/1.1 101");
}

static void deliver(struct decoder *d, struct pctx *pc, struct tcp_dir *x, const uint8_t *p, size_t n,
		    uint16_t enc_bits)
{
	uint16_t enc = pc->dg.encap;
	pc->dg.encap |= enc_bits;
	pc->dg.after_gap = x->after_gap;
	x->after_gap = false;
	decode_deliver(d, pc, p, n);
	pc->dg.encap = enc;
	pc->dg.after_gap = false;
}

/* Cuts whatever complete messages the in-order buffer holds; what is left of
 * an incomplete one moves to the front once, at the end. */
static void process(struct decoder *d, struct pctx *pc, struct tcp_dir *x)
{
	struct tcp_table *t = &d->tcp;
	const struct limits *lim = &d->cfg.limits;
	size_t off = 0;
	for (int guard = 0; guard < 100000 && off < x->len; guard++) {
		const uint8_t *p = x->buf + off;
		size_t left = x->len - off;
		if (x->mode == TM_STREAM) {
			if (x->len < x->need)
				break;
			size_t n = 0;
			enum frame_cut c = d->cfg.framer(p, left, &n);
			if (c == FRAME_NEED_MORE) {
				x->need = n > left ? off + n : 0;
				break;
			}
			x->need = 0;
			if (n == 0 || n > left) { /* a framer that makes no progress */
				off = x->len;
				break;
			}
			if (c == FRAME_MESSAGE) {
				d->st.tcp_messages++;
				deliver(d, pc, x, p, n, ENC_TCP);
			} else if (c == FRAME_TOO_LARGE) {
				d->st.tcp_too_large++;
			} else {
				bool crlf = true;
				for (size_t i = 0; i < n && crlf; i++)
					crlf = p[i] == '\r' || p[i] == '\n';
				if (crlf)
					d->st.tcp_keepalives++;
			}
			off += n;
		} else if (x->mode == TM_WS_HTTP) {
			struct sv s = sv_make((const char *)p, left);
			size_t i = sv_find(s, SV_LIT("\r\n\r\n"), false);
			if (i == s.n) {
				if (left > 65536)
					x->mode = TM_DEAD;
				break;
			}
			off += i + 4;
			x->mode = TM_WS;
		} else if (x->mode == TM_WS) {
			struct ws_frame f;
			enum status st = ws_frame_parse(p, left, &f);
			if (st == ST_TRUNCATED)
				break;
			if (st != ST_OK || f.payload_len > lim->tcp_buffer) {
				x->mode = TM_DEAD;
				off = x->len;
				d->st.tcp_gaps++;
				break;
			}
			size_t total = f.header_len + (size_t)f.payload_len;
			if (total > left)
				break;
			if (f.opcode <= 2) {
				size_t n = (size_t)f.payload_len;
				if (!grow(t, &x->ws, &x->ws_cap, x->ws_len + n, lim->tcp_buffer)) {
					d->st.tcp_limit++;
					x->ws_len = 0;
				} else if (n) {
					const uint8_t zero[4] = { 0, 0, 0, 0 };
					ws_unmask(x->ws + x->ws_len, p + f.header_len, n, f.masked ? f.mask : zero, 0);
					x->ws_len += n;
				}
				if (f.fin && x->ws_len) {
					d->st.ws_messages++;
					deliver(d, pc, x, x->ws, x->ws_len, ENC_TCP | ENC_WEBSOCKET);
					x->ws_len = 0;
				}
			}
			off += total;
		} else {
			off = x->len;
			break;
		}
	}
	if (off >= x->len) {
		x->len = 0;
	} else if (off) {
		memmove(x->buf, x->buf + off, x->len - off);
		x->len -= off;
	}
	if (x->need >= off)
		x->need -= off;
	else
		x->need = 0;
}

static void append(struct decoder *d, struct tcp_dir *x, const uint8_t *p, size_t n, uint64_t frame, int64_t ts)
{
	size_t max = d->cfg.limits.tcp_buffer;
	x->data_frame = frame;
	x->data_ts = ts;
	x->next_seq += (uint32_t)n;
	if (x->len + n > max) {
		d->st.tcp_limit++;
		x->len = 0; /* the message in progress is lost; the framer resyncs */
		x->need = 0;
		if (n > max)
			return;
	}
	if (!grow(&d->tcp, &x->buf, &x->cap, x->len + n, max)) {
		d->st.tcp_limit++;
		x->len = 0;
		x->need = 0;
		return;
	}
	memcpy(x->buf + x->len, p, n);
	x->len += n;
}

/* Takes the first held segment off the list. */
static struct seg *pending_pop(struct decoder *d, struct tcp_dir *x)
{
	struct seg *s = x->pending;
	x->pending = s->next;
	x->n_pending--;
	x->pending_bytes -= s->len;
	d->tcp.bytes -= s->len;
	if (!x->pending)
		holes_unlink(&d->tcp, x);
	return s;
}

/* Moves pending segments that now continue the stream into the buffer (the
 * hole before them was filled by the segment of this frame). */
static void drain(struct decoder *d, struct pctx *pc, struct tcp_dir *x)
{
	while (x->pending) {
		int32_t diff = (int32_t)(x->pending->seq - x->next_seq);
		if (diff > 0)
			return;
		struct seg *s = pending_pop(d, x);
		size_t skip = (size_t)(-(int64_t)diff);
		if (skip < s->len)
			append(d, x, s->data + skip, s->len - skip, pc->dg.frame, pc->dg.ts_ns);
		free(s);
	}
}

/* The frame context of a held segment, for handing on what it completes. */
static void seg_ctx(struct pctx *out, const struct tcp_dir *x, const struct seg *s)
{
	memset(out, 0, sizeof(*out));
	out->dg.frame = s->frame;
	out->dg.ts_ns = s->ts;
	out->dg.point = x->point;
	out->dg.src = x->src;
	out->dg.dst = x->dst;
	out->dg.sport = x->sport;
	out->dg.dport = x->dport;
	out->dg.transport = TP_TCP;
	out->dg.ttl = s->ttl;
	out->dg.encap = x->encap;
}

/* The hole before the first held segment is not going to be filled: count it,
 * tell the gap sink, drop the message it cut, and go on with the held segments,
 * each handed on with its own frame and time (cur: the frame being decoded, if
 * any, which keeps its own context). Stops at the next hole, if any. */
static void give_up_hole(struct decoder *d, struct tcp_dir *x, struct pctx *cur)
{
	if (!x->pending)
		return;
	struct seg *first = x->pending;
	d->st.tcp_gaps++;
	if (d->cfg.gap) {
		struct pctx g;
		seg_ctx(&g, x, first);
		struct decode_gap info = {
			.flow = &g.dg,
			.frame_before = x->data_frame,
			.ts_before = x->data_ts,
			.bytes = (uint32_t)(first->seq - x->next_seq),
		};
		d->cfg.gap(d->cfg.sink_ctx, &info);
	}
	x->len = 0;
	x->need = 0;
	x->ws_len = 0;
	x->next_seq = first->seq;
	x->after_gap = true;
	while (x->pending && (int32_t)(x->pending->seq - x->next_seq) <= 0) {
		struct seg *s = pending_pop(d, x);
		size_t skip = (size_t)(x->next_seq - s->seq);
		if (skip < s->len) {
			append(d, x, s->data + skip, s->len - skip, s->frame, s->ts);
			struct pctx own;
			struct pctx *pc = cur;
			if (!cur || cur->dg.frame != s->frame) {
				seg_ctx(&own, x, s);
				pc = &own;
			}
			process(d, pc, x);
		}
		free(s);
	}
	if (x->pending)
		holes_append(&d->tcp, x, x->pending->ts);
}

static void hold(struct decoder *d, struct pctx *pc, struct tcp_dir *x, uint32_t seq, const uint8_t *p, size_t n)
{
	struct seg **pp = &x->pending;
	while (*pp && (int32_t)((*pp)->seq - seq) < 0)
		pp = &(*pp)->next;
	if (*pp && (*pp)->seq == seq && (*pp)->len >= n) {
		d->st.tcp_retrans++;
		return;
	}
	struct seg *s = malloc(sizeof(*s) + n);
	if (!s) {
		d->st.tcp_limit++;
		return;
	}
	s->seq = seq;
	s->len = n;
	s->frame = pc->dg.frame;
	s->ts = pc->dg.ts_ns;
	s->ttl = pc->dg.ttl;
	memcpy(s->data, p, n);
	s->next = *pp;
	*pp = s;
	if (!x->in_holes)
		holes_append(&d->tcp, x, s->ts);
	x->n_pending++;
	x->pending_bytes += n;
	d->tcp.bytes += n;
	/* too much held: the missing bytes are not coming */
	while (x->pending && (x->n_pending > d->cfg.limits.tcp_pending ||
			      x->pending_bytes > d->cfg.limits.tcp_buffer))
		give_up_hole(d, x, pc);
}

void tcp_tick(struct decoder *d, int64_t now)
{
	struct tcp_table *t = &d->tcp;
	for (int guard = 0; guard < 1000000 && t->holes_head; guard++) {
		struct tcp_dir *x = t->holes_head;
		if (!waited_longer(now, x->hole_since, d->cfg.limits.tcp_gap_wait_ns))
			break;
		give_up_hole(d, x, NULL); /* each time at least one held segment goes */
	}
}

void tcp_flush(struct decoder *d)
{
	struct tcp_table *t = &d->tcp;
	for (int guard = 0; guard < 1000000 && t->holes_head; guard++) {
		give_up_hole(d, t->holes_head, NULL);
	}
}

enum frame_result tcp_decode(struct decoder *d, struct pctx *pc, struct rd r)
{
	struct tcp_table *t = &d->tcp;
	uint16_t sport = rd_be16(&r);
	uint16_t dport = rd_be16(&r);
	uint32_t seq = rd_be32(&r);
	rd_skip(&r, 4); /* ack */
	uint8_t off = rd_u8(&r);
	uint8_t flags = rd_u8(&r);
	rd_skip(&r, 6);
	if (r.bad)
		return decode_short(pc);
	size_t hlen = (size_t)(off >> 4) * 4;
	if (hlen < 20)
		return FR_MALFORMED;
	if (!rd_skip(&r, hlen - 20))
		return decode_short(pc);
	d->st.tcp_segments++;
	pc->dg.sport = sport;
	pc->dg.dport = dport;
	pc->dg.transport = TP_TCP;
	const uint8_t *p = r.p;
	size_t n = rd_left(&r);
	bool fin = flags & 0x01, rst = flags & 0x04, syn = flags & 0x02;
	if (syn) {
		seq++;
	}

	int64_t now = pc->f->ts_ns;
	while (t->lru_head && waited_longer(now, t->lru_head->last_ts, d->cfg.limits.tcp_idle_ns)) {
		struct tcp_dir *old = t->lru_head;
		while (old->pending)
			give_up_hole(d, old, NULL);
		dir_free(t, old);
	}

	struct tcp_dir *x = dir_find(t, &pc->dg);
	if (!x) {
		if (n == 0)
			return FR_TCP_OTHER;
		uint8_t mode;
		if (is_ws_upgrade(p, n))
			mode = TM_WS_HTTP;
		else if (d->cfg.probe && d->cfg.framer && d->cfg.probe(p, n))
			mode = TM_STREAM;
		else
			return FR_TCP_OTHER;
		if (t->count >= d->cfg.limits.tcp_flows) {
			d->st.tcp_limit++;
			return FR_TCP_OTHER;
		}
		x = calloc(1, sizeof(*x));
		if (!x) {
			d->st.tcp_limit++;
			return FR_TCP_OTHER;
		}
		x->src = pc->dg.src;
		x->dst = pc->dg.dst;
		x->sport = sport;
		x->dport = dport;
		x->mode = mode;
		x->next_seq = seq;
		x->point = pc->dg.point;
		x->encap = pc->dg.encap;
		htab_add(&t->index, &x->node, dir_hash(t, &x->src, &x->dst, sport, dport));
		t->count++;
		lru_append(t, x);
	}
	x->last_ts = now;
	lru_unlink(t, x);
	lru_append(t, x);
	/* a hole waited for long enough (when nobody ticks the decoder) */
	while (x->pending && waited_longer(now, x->hole_since, d->cfg.limits.tcp_gap_wait_ns))
		give_up_hole(d, x, pc);

	enum frame_result res = FR_TCP_OTHER;
	unsigned before = pc->delivered;
	if (n > 0 && x->mode != TM_DEAD) {
		int32_t diff = (int32_t)(seq - x->next_seq);
		if (diff < 0) {
			size_t behind = (size_t)(-(int64_t)diff);
			if (behind >= n) {
				d->st.tcp_retrans++;
				res = FR_TCP_DUP;
				n = 0;
			} else {
				p += behind;
				n -= behind;
				seq = x->next_seq;
				diff = 0;
			}
		}
		if (n > 0 && diff > 0) {
			hold(d, pc, x, seq, p, n);
			res = FR_HELD;
		} else if (n > 0) {
			append(d, x, p, n, pc->dg.frame, pc->dg.ts_ns);
			drain(d, pc, x);
			res = FR_HELD;
			process(d, pc, x);
		}
	}
	if (fin || rst) {
		/* the direction ends: what is held behind a hole will not be completed */
		while (x->pending)
			give_up_hole(d, x, pc);
		dir_free(t, x);
	}
	if (pc->delivered > before)
		res = FR_DELIVERED;
	return res;
}
