/* SPDX-License-Identifier: MIT */
/* TCP reassembly for framed message protocols (SIP over TCP, RFC 3261 section
 * 18.3; SIP over WebSocket, RFC 7118). Only directions whose bytes look like the
 * protocol are tracked; everything is bounded by struct limits. */
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
	uint8_t data[];
};

struct tcp_dir {
	struct tcp_dir *hnext;
	struct tcp_dir *lprev, *lnext;
	struct addr src, dst;
	uint16_t sport, dport;
	uint32_t next_seq;
	uint8_t mode;
	uint8_t *buf;
	size_t len, cap;
	uint8_t *ws;
	size_t ws_len, ws_cap;
	struct seg *pending; /* sorted by seq */
	unsigned n_pending;
	size_t pending_bytes;
	int64_t last_ts;
};

bool tcp_table_init(struct tcp_table *t, unsigned n_buckets)
{
	memset(t, 0, sizeof(*t));
	t->buckets = calloc(n_buckets, sizeof(*t->buckets));
	if (!t->buckets)
		return false;
	t->n_buckets = n_buckets;
	return true;
}

static unsigned bucket_of(const struct tcp_table *t, const struct addr *s, const struct addr *d,
			  uint16_t sp, uint16_t dp)
{
	uint64_t h = 14695981039346656037ULL;
	h = addr_hash(s, h);
	h = addr_hash(d, h);
	h ^= (uint64_t)sp << 16 | dp;
	h *= 1099511628211ULL;
	return (unsigned)(h % t->n_buckets);
}

static struct tcp_dir *dir_find(struct tcp_table *t, const struct dgram *dg)
{
	unsigned b = bucket_of(t, &dg->src, &dg->dst, dg->sport, dg->dport);
	for (struct tcp_dir *x = t->buckets[b]; x; x = x->hnext)
		if (x->sport == dg->sport && x->dport == dg->dport && addr_eq(&x->src, &dg->src) &&
		    addr_eq(&x->dst, &dg->dst))
			return x;
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
}

static void dir_free(struct tcp_table *t, struct tcp_dir *x)
{
	unsigned b = bucket_of(t, &x->src, &x->dst, x->sport, x->dport);
	for (struct tcp_dir **pp = &t->buckets[b]; *pp; pp = &(*pp)->hnext) {
		if (*pp == x) {
			*pp = x->hnext;
			break;
		}
	}
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
	if (!t->buckets)
		return;
	tcp_table_clear(t);
	free(t->buckets);
	t->buckets = NULL;
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

static void consume(struct tcp_dir *x, size_t n)
{
	if (n >= x->len) {
		x->len = 0;
		return;
	}
	memmove(x->buf, x->buf + n, x->len - n);
	x->len -= n;
}

static bool is_ws_upgrade(const uint8_t *p, size_t n)
{
	struct sv s = sv_make((const char *)p, n < 4096 ? n : 4096);
	if (sv_starts(s, "GET "))
		return sv_find(s, SV_LIT("websocket"), true) < s.n;
	return sv_starts(s, "HTTP/1.1 101");
}

static void deliver_ws(struct decoder *d, struct pctx *pc, struct tcp_dir *x)
{
	uint16_t enc = pc->dg.encap;
	pc->dg.encap |= ENC_TCP | ENC_WEBSOCKET;
	d->st.ws_messages++;
	decode_deliver(d, pc, x->ws, x->ws_len);
	pc->dg.encap = enc;
	x->ws_len = 0;
}

/* Cuts whatever complete messages the in-order buffer holds. */
static void process(struct decoder *d, struct pctx *pc, struct tcp_dir *x)
{
	struct tcp_table *t = &d->tcp;
	const struct limits *lim = &d->cfg.limits;
	for (int guard = 0; guard < 100000 && x->len; guard++) {
		if (x->mode == TM_STREAM) {
			size_t n = 0;
			enum frame_cut c = d->cfg.framer(x->buf, x->len, &n);
			if (c == FRAME_NEED_MORE)
				return;
			if (n == 0 || n > x->len) { /* a framer that makes no progress */
				x->len = 0;
				return;
			}
			if (c == FRAME_MESSAGE) {
				uint16_t enc = pc->dg.encap;
				pc->dg.encap |= ENC_TCP;
				d->st.tcp_messages++;
				decode_deliver(d, pc, x->buf, n);
				pc->dg.encap = enc;
			} else {
				bool crlf = true;
				for (size_t i = 0; i < n && crlf; i++)
					crlf = x->buf[i] == '\r' || x->buf[i] == '\n';
				if (crlf)
					d->st.tcp_keepalives++;
			}
			consume(x, n);
		} else if (x->mode == TM_WS_HTTP) {
			struct sv s = sv_make((const char *)x->buf, x->len);
			size_t i = sv_find(s, SV_LIT("\r\n\r\n"), false);
			if (i == s.n) {
				if (x->len > 65536)
					x->mode = TM_DEAD;
				return;
			}
			consume(x, i + 4);
			x->mode = TM_WS;
		} else if (x->mode == TM_WS) {
			struct ws_frame f;
			enum status st = ws_frame_parse(x->buf, x->len, &f);
			if (st == ST_TRUNCATED)
				return;
			if (st != ST_OK || f.payload_len > lim->tcp_buffer) {
				x->mode = TM_DEAD;
				x->len = 0;
				d->st.tcp_gaps++;
				return;
			}
			size_t total = f.header_len + (size_t)f.payload_len;
			if (total > x->len)
				return;
			if (f.opcode <= 2) {
				size_t n = (size_t)f.payload_len;
				if (!grow(t, &x->ws, &x->ws_cap, x->ws_len + n, lim->tcp_buffer)) {
					d->st.tcp_limit++;
					x->ws_len = 0;
				} else if (n) {
					const uint8_t zero[4] = { 0, 0, 0, 0 };
					ws_unmask(x->ws + x->ws_len, x->buf + f.header_len, n,
						  f.masked ? f.mask : zero, 0);
					x->ws_len += n;
				}
				if (f.fin && x->ws_len)
					deliver_ws(d, pc, x);
			}
			consume(x, total);
		} else {
			x->len = 0;
			return;
		}
	}
}

static void append(struct decoder *d, struct tcp_dir *x, const uint8_t *p, size_t n)
{
	size_t max = d->cfg.limits.tcp_buffer;
	if (x->len + n > max) {
		d->st.tcp_limit++;
		x->len = 0; /* the message in progress is lost; the framer resyncs */
		if (n > max)
			return;
	}
	if (!grow(&d->tcp, &x->buf, &x->cap, x->len + n, max)) {
		d->st.tcp_limit++;
		x->len = 0;
		return;
	}
	memcpy(x->buf + x->len, p, n);
	x->len += n;
	x->next_seq += (uint32_t)n;
}

/* Moves pending segments that now continue the stream into the buffer. */
static void drain(struct decoder *d, struct tcp_dir *x)
{
	while (x->pending) {
		struct seg *s = x->pending;
		int32_t diff = (int32_t)(s->seq - x->next_seq);
		if (diff > 0)
			return;
		x->pending = s->next;
		x->n_pending--;
		x->pending_bytes -= s->len;
		d->tcp.bytes -= s->len;
		size_t skip = (size_t)(-(int64_t)diff);
		if (skip < s->len)
			append(d, x, s->data + skip, s->len - skip);
		free(s);
	}
}

static void hold(struct decoder *d, struct tcp_dir *x, uint32_t seq, const uint8_t *p, size_t n)
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
	memcpy(s->data, p, n);
	s->next = *pp;
	*pp = s;
	x->n_pending++;
	x->pending_bytes += n;
	d->tcp.bytes += n;
	if (x->n_pending > d->cfg.limits.tcp_pending ||
	    x->pending_bytes > d->cfg.limits.tcp_buffer) {
		/* the missing bytes are not coming: skip the gap */
		d->st.tcp_gaps++;
		x->len = 0;
		x->next_seq = x->pending->seq;
		drain(d, x);
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
	while (t->lru_head && now - t->lru_head->last_ts > d->cfg.limits.tcp_idle_ns)
		dir_free(t, t->lru_head);

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
		unsigned b = bucket_of(t, &x->src, &x->dst, sport, dport);
		x->hnext = t->buckets[b];
		t->buckets[b] = x;
		t->count++;
		lru_append(t, x);
	}
	x->last_ts = now;
	lru_unlink(t, x);
	lru_append(t, x);

	enum frame_result res = FR_TCP_OTHER;
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
			hold(d, x, seq, p, n);
			res = FR_HELD;
		} else if (n > 0) {
			append(d, x, p, n);
			drain(d, x);
			res = FR_HELD;
		}
		unsigned before = pc->delivered;
		process(d, pc, x);
		if (pc->delivered > before)
			res = FR_DELIVERED;
	}
	if (fin || rst)
		dir_free(t, x);
	return res;
}
