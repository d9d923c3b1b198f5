/* SPDX-License-Identifier: MIT */
/* Calls from SIP (RFC 3261 dialogs and transactions, RFC 3264 offer/answer,
 * RFC 3262 PRACK, RFC 3311 UPDATE, RFC 4028 session timers) and the media bound
 * to them: RTP by the SDP address:port, then by the sender's own advertised
 * port (symmetric RTP), then by latching onto the reverse of a known flow;
 * RTCP by a=rtcp, port+1 or rtcp-mux. */
#include "calls/calls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/htab.h"
#include "proto/sdp.h"

#define CALL_BUCKETS 4096
#define FLOW_BUCKETS 16384
#define EP_BUCKETS 8192
#define HOST_SLOTS 32768 /* addresses seen in RTP; when full, every address counts as seen */

const char *const calls_non_call_methods[8] = { "REGISTER", "OPTIONS", "SUBSCRIBE", "NOTIFY",
						"MESSAGE", "PUBLISH", "REFER/INFO", "other" };

/* SDP-advertised RTP and RTCP endpoints, and the learned source endpoints of
 * streams already bound (the public side of a NAT that a far end latches onto). */
enum ep_kind { EP_RTP, EP_RTCP, EP_LEARNED };

/* A media endpoint of a call (index entry; owns nothing). */
struct ep_node {
	struct ep_node *next;      /* hash chain */
	struct ep_node *call_next; /* the call's own list */
	struct endpoint ep;
	struct call *call;
	uint8_t party;             /* who advertised it (receives there), or sends from it */
	uint8_t kind;              /* enum ep_kind */
	int16_t sdp;               /* which SDP record */
};

/* A TCP connection that carries SIP of calls in progress (index entry), by
 * its two endpoints in a fixed order, and the gaps the capture has in it. */
struct conn {
	struct hnode node;
	struct endpoint lo, hi;
	unsigned refs;             /* calls linked to it */
	uint64_t gaps;
	int64_t last_gap_before;   /* time of the last data before the latest gap */
	uint64_t last_gap_frame;   /* the first data after it */
	int64_t last_gap_ts;
	uint64_t last_gap_bytes;
};

#define CALL_MAX_CONNS 8

/* A call's use of a connection: since when, and the gaps already noted. */
struct call_conn {
	struct conn *conn;
	uint64_t gaps_seen;
	int64_t joined_ts;
};

struct call_ext {
	struct call c;
	struct ep_node *eps;
	unsigned n_conns;
	struct call_conn conns[CALL_MAX_CONNS];
};

struct calls {
	struct calls_config cfg;
	struct calls_sink sink;
	struct calls_stats st;
	struct call *buckets[CALL_BUCKETS];
	struct call *active;       /* calls in progress, newest first */
	unsigned n_active;
	struct stream *flows[FLOW_BUCKETS]; /* all streams, by 4-tuple (chained via next_flow) */
	struct ep_node *eps[EP_BUCKETS];
	struct stream *unsig;      /* unsignalled streams in progress */
	unsigned n_streams;
	uint64_t seq_no;
	int64_t last_tick;
	struct addr hosts[HOST_SLOTS]; /* open addressing; family 0 = empty */
	unsigned n_hosts;
	struct htab conns;         /* struct conn by endpoints */
};

/* Streams are kept in two lists: the owner's (call or unsignalled) through
 * s->next, and the flow hash through this side table keyed by address. */
struct stream_ext {
	struct stream s;
	struct stream_ext *flow_next;
};

const char *call_state_str(enum call_state s)
{
	switch (s) {
	case CALL_CALLING: return "calling";
	case CALL_PROCEEDING: return "proceeding";
	case CALL_RINGING: return "ringing";
	case CALL_ANSWERED: return "answered";
	case CALL_ENDED: return "ended";
	case CALL_FAILED: return "failed";
	case CALL_CANCELLED: return "cancelled";
	}
	return "?";
}

const char *party_str(uint8_t p)
{
	return p == PARTY_A ? "caller" : p == PARTY_B ? "callee" : "unknown";
}

const char *stream_binding_str(uint8_t b)
{
	switch (b) {
	case BIND_SDP_DST: return "sdp";
	case BIND_SDP_SRC: return "sdp-source";
	case BIND_LATCH: return "latching";
	default: return "none";
	}
}

void endpoint_str(const struct endpoint *e, char *buf, size_t cap)
{
	char a[ADDR_STRLEN];
	addr_str(&e->addr, a);
	snprintf(buf, cap, e->addr.family == 6 ? "[%s]:%u" : "%s:%u", a, e->port);
}

bool endpoint_eq(const struct endpoint *a, const struct endpoint *b)
{
	return a->port == b->port && addr_eq(&a->addr, &b->addr);
}

struct calls_config calls_config_default(void)
{
	struct calls_config c = {
		.gap_ns = 500000000LL,
		.bin_ns = 100000000LL,
		.linger_ns = 10LL * 1000000000LL,
		.idle_ns = 3600LL * 1000000000LL,
		.stream_idle_ns = 60LL * 1000000000LL,
		.min_unsignalled_packets = 10,
		.max_calls = 100000,
		.max_streams = 200000,
		.duplicate_ns = TX_DUPLICATE_NS,
	};
	return c;
}

static uint64_t fnv(const void *p, size_t n, uint64_t h)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static uint64_t ep_hash(const struct endpoint *e)
{
	uint64_t h = addr_hash(&e->addr, 14695981039346656037ULL);
	return fnv(&e->port, sizeof(e->port), h);
}

static unsigned flow_bucket(const struct endpoint *src, const struct endpoint *dst)
{
	uint64_t h = ep_hash(src) * 31 + ep_hash(dst);
	return (unsigned)(h % FLOW_BUCKETS);
}

static void copy_sv(char *dst, size_t cap, struct sv s)
{
	size_t n = s.n < cap - 1 ? s.n : cap - 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		dst[i] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
	}
	dst[n] = '\0';
}

static bool cstr_eq_sv(const char *c, struct sv s)
{
	size_t n = strlen(c);
	return n == s.n && (n == 0 || memcmp(c, s.p, n) == 0);
}

struct calls *calls_new(const struct calls_config *cfg, const struct calls_sink *sink)
{
	struct calls *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->cfg = *cfg;
	t->sink = *sink;
	if (!htab_init(&t->conns, 16, 0)) {
		free(t);
		return NULL;
	}
	return t;
}

void calls_set_origin(struct calls *t, int64_t origin_ns)
{
	t->cfg.origin_ns = origin_ns;
}

const struct calls_stats *calls_get_stats(const struct calls *t)
{
	return &t->st;
}

/* ---- addresses that RTP was seen to or from (is the capture on a media path?) ---- */

static void host_add(struct calls *t, const struct addr *a)
{
	if (t->n_hosts >= HOST_SLOTS / 2)
		return;
	unsigned i = (unsigned)(addr_hash(a, 14695981039346656037ULL) % HOST_SLOTS);
	while (t->hosts[i].family) {
		if (addr_eq(&t->hosts[i], a))
			return;
		i = (i + 1) % HOST_SLOTS;
	}
	t->hosts[i] = *a;
	t->n_hosts++;
}

static bool host_seen(const struct calls *t, const struct addr *a)
{
	if (t->n_hosts >= HOST_SLOTS / 2)
		return true;
	unsigned i = (unsigned)(addr_hash(a, 14695981039346656037ULL) % HOST_SLOTS);
	while (t->hosts[i].family) {
		if (addr_eq(&t->hosts[i], a))
			return true;
		i = (i + 1) % HOST_SLOTS;
	}
	return false;
}

/* ---- streams ---- */

static struct stream_ext *flow_find(struct calls *t, const struct endpoint *src,
				    const struct endpoint *dst, bool any_ssrc, uint32_t ssrc)
{
	unsigned b = flow_bucket(src, dst);
	for (struct stream_ext *x = (struct stream_ext *)t->flows[b]; x; x = x->flow_next)
		if ((any_ssrc || x->s.ssrc == ssrc) && endpoint_eq(&x->s.src, src) &&
		    endpoint_eq(&x->s.dst, dst))
			return x;
	return NULL;
}

static void flow_unlink(struct calls *t, struct stream_ext *x)
{
	unsigned b = flow_bucket(&x->s.src, &x->s.dst);
	for (struct stream_ext **pp = (struct stream_ext **)&t->flows[b]; *pp; pp = &(*pp)->flow_next) {
		if (*pp == x) {
			*pp = x->flow_next;
			return;
		}
	}
}

static void stream_free(struct calls *t, struct stream *s)
{
	flow_unlink(t, (struct stream_ext *)s);
	t->n_streams--;
	free(s);
}

/* ---- media endpoints advertised in SDP ---- */

static struct ep_node *ep_lookup(struct calls *t, const struct endpoint *e, uint8_t kind)
{
	struct ep_node *best = NULL;
	unsigned b = (unsigned)(ep_hash(e) % EP_BUCKETS);
	for (struct ep_node *n = t->eps[b]; n; n = n->next) {
		if (n->kind != kind || !endpoint_eq(&n->ep, e))
			continue;
		/* the most recent advertisement wins (ports are reused across calls) */
		if (!best || n->call->seq_no > best->call->seq_no ||
		    (n->call == best->call && n->sdp > best->sdp))
			best = n;
	}
	return best;
}

/* Tells the other calls that advertised endpoint e that its media went to `to`. */
static void ep_note_elsewhere(struct calls *t, const struct endpoint *e, const struct call *to)
{
	unsigned b = (unsigned)(ep_hash(e) % EP_BUCKETS);
	for (struct ep_node *n = t->eps[b]; n; n = n->next)
		if (n->kind == EP_RTP && n->call != to && endpoint_eq(&n->ep, e))
			n->call->media_elsewhere++;
}

static void ep_add(struct calls *t, struct call *c, const struct endpoint *e, uint8_t party,
		   uint8_t kind, int16_t sdp)
{
	unsigned b = (unsigned)(ep_hash(e) % EP_BUCKETS);
	for (struct ep_node *n = t->eps[b]; n; n = n->next) {
		if (n->call == c && n->kind == kind && n->party == party && endpoint_eq(&n->ep, e)) {
			n->sdp = sdp;
			return;
		}
	}
	struct ep_node *n = calloc(1, sizeof(*n));
	if (!n)
		return;
	n->ep = *e;
	n->call = c;
	n->party = party;
	n->kind = kind;
	n->sdp = sdp;
	n->next = t->eps[b];
	t->eps[b] = n;
	struct call_ext *cx = (struct call_ext *)c;
	n->call_next = cx->eps;
	cx->eps = n;
}

static void ep_remove_call(struct calls *t, struct call *c)
{
	struct call_ext *cx = (struct call_ext *)c;
	for (struct ep_node *n = cx->eps; n;) {
		struct ep_node *next = n->call_next;
		unsigned b = (unsigned)(ep_hash(&n->ep) % EP_BUCKETS);
		for (struct ep_node **pp = &t->eps[b]; *pp; pp = &(*pp)->next) {
			if (*pp == n) {
				*pp = n->next;
				break;
			}
		}
		free(n);
		n = next;
	}
	cx->eps = NULL;
}

/* ---- TCP connections carrying SIP, and their gaps ---- */

/* The connection between (a, b) in either direction: its endpoints ordered. */
static void conn_key(const struct dgram *d, struct endpoint *lo, struct endpoint *hi)
{
	struct endpoint s = { d->src, d->sport }, r = { d->dst, d->dport };
	int cmp = memcmp(&s.addr, &r.addr, sizeof(s.addr));
	bool swap = cmp > 0 || (cmp == 0 && s.port > r.port);
	*lo = swap ? r : s;
	*hi = swap ? s : r;
}

static uint64_t conn_hash(const struct calls *t, const struct endpoint *lo, const struct endpoint *hi)
{
	struct hkey k = { .n = 0 };
	hkey_add(&k, &lo->addr, sizeof(lo->addr));
	hkey_add(&k, &lo->port, sizeof(lo->port));
	hkey_add(&k, &hi->addr, sizeof(hi->addr));
	hkey_add(&k, &hi->port, sizeof(hi->port));
	return htab_hash(&t->conns, k.buf, k.n);
}

static struct conn *conn_find(struct calls *t, const struct dgram *d, bool create)
{
	struct endpoint lo, hi;
	conn_key(d, &lo, &hi);
	uint64_t h = conn_hash(t, &lo, &hi);
	for (struct hnode *n = htab_bucket(&t->conns, h); n; n = n->next) {
		struct conn *x = HTAB_ENTRY(n, struct conn, node);
		if (n->hash == h && endpoint_eq(&x->lo, &lo) && endpoint_eq(&x->hi, &hi))
			return x;
	}
	if (!create)
		return NULL;
	struct conn *x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	x->lo = lo;
	x->hi = hi;
	htab_add(&t->conns, &x->node, h);
	return x;
}

void calls_transport_gap(struct calls *t, const struct decode_gap *g)
{
	struct conn *x = conn_find(t, g->flow, false);
	if (!x)
		return; /* no call in progress uses it */
	x->gaps++;
	x->last_gap_before = g->ts_before;
	x->last_gap_frame = g->flow->frame;
	x->last_gap_ts = g->flow->ts_ns;
	x->last_gap_bytes = g->bytes;
}

static void note_gap(struct call *c, uint64_t frame, int64_t ts, uint64_t bytes)
{
	if (!c->sig_gaps++) {
		c->sig_gap_frame = frame;
		c->sig_gap_ts = ts;
		c->sig_gap_bytes = bytes;
	}
}

/* Whether gaps of the connection since the call last looked are the call's:
 * they began after the call started using it, and, for a call that is over,
 * before its last message (a gap after a finished call hides nothing of it). */
static void conn_check(struct call *c, struct call_conn *cc, bool over)
{
	struct conn *x = cc->conn;
	if (x->gaps != cc->gaps_seen && x->last_gap_before >= cc->joined_ts &&
	    (!over || x->last_gap_before <= c->last_sip_ts))
		note_gap(c, x->last_gap_frame, x->last_gap_ts, x->last_gap_bytes);
	cc->gaps_seen = x->gaps;
}

/* A SIP message of call c over a connection: link them (first use), note its gaps. */
static void conn_use(struct calls *t, struct call *c, const struct dgram *d)
{
	if (d->transport != TP_TCP)
		return;
	struct call_ext *cx = (struct call_ext *)c;
	if (d->after_gap && c->msgs_total == 0 && c->mid_call_start) {
		/* its first message is inside a dialog, right after bytes the capture lost */
		note_gap(c, d->frame, d->ts_ns, 0);
		c->sig_gap_at_start = true;
	}
	struct endpoint lo, hi;
	conn_key(d, &lo, &hi);
	for (unsigned i = 0; i < cx->n_conns; i++) {
		struct conn *x = cx->conns[i].conn;
		if (endpoint_eq(&x->lo, &lo) && endpoint_eq(&x->hi, &hi)) {
			conn_check(c, &cx->conns[i], false);
			return;
		}
	}
	if (cx->n_conns >= CALL_MAX_CONNS)
		return;
	struct conn *x = conn_find(t, d, true);
	if (!x)
		return;
	x->refs++;
	struct call_conn *cc = &cx->conns[cx->n_conns++];
	cc->conn = x;
	cc->gaps_seen = x->gaps;
	cc->joined_ts = d->ts_ns;
}

/* The call is finalised: last look at its connections, then let go of them. */
static void conn_release_call(struct calls *t, struct call *c, bool look)
{
	struct call_ext *cx = (struct call_ext *)c;
	bool over = c->state == CALL_ENDED || c->state == CALL_FAILED || c->state == CALL_CANCELLED;
	for (unsigned i = 0; i < cx->n_conns; i++) {
		struct conn *x = cx->conns[i].conn;
		if (look)
			conn_check(c, &cx->conns[i], over);
		if (--x->refs == 0) {
			htab_del(&t->conns, &x->node);
			free(x);
		}
	}
	cx->n_conns = 0;
}

/* ---- calls ---- */

/* Makes room for one more element in a call's array (doubling, up to max). */
static bool grow_array(void **arr, uint32_t *cap, uint32_t n, uint32_t max, size_t elem)
{
	if (n < *cap)
		return true;
	if (n >= max)
		return false;
	uint32_t ncap = *cap ? *cap * 2 : 8;
	if (ncap > max)
		ncap = max;
	void *p = realloc(*arr, (size_t)ncap * elem);
	if (!p)
		return false;
	*arr = p;
	*cap = ncap;
	return true;
}

static unsigned call_bucket(struct sv call_id)
{
	return (unsigned)(fnv(call_id.p, call_id.n, 14695981039346656037ULL) % CALL_BUCKETS);
}

static struct call *call_find(struct calls *t, struct sv call_id)
{
	for (struct call *c = t->buckets[call_bucket(call_id)]; c; c = c->hnext)
		if (!c->finished && cstr_eq_sv(c->call_id, call_id))
			return c;
	return NULL;
}

static struct call *call_create(struct calls *t, struct sv call_id, const struct dgram *d)
{
	if (t->n_active >= t->cfg.max_calls) {
		t->st.limit_calls++;
		return NULL;
	}
	struct call_ext *cx = calloc(1, sizeof(*cx));
	struct call *c = cx ? &cx->c : NULL;
	if (!c)
		return NULL;
	copy_sv(c->call_id, sizeof(c->call_id), call_id);
	if (call_id.n >= sizeof(c->call_id))
		c->call_id[sizeof(c->call_id) - 1] = '\0';
	c->seq_no = ++t->seq_no;
	c->point = d->point;
	c->start_ts = c->last_sip_ts = c->last_activity_ts = d->ts_ns;
	c->start_frame = d->frame;
	c->ended_by = PARTY_NONE;
	unsigned b = call_bucket(call_id);
	c->hnext = t->buckets[b];
	t->buckets[b] = c;
	c->next = t->active;
	t->active = c;
	t->n_active++;
	if (t->n_active > t->st.peak_calls)
		t->st.peak_calls = t->n_active;
	t->st.calls++;
	return c;
}

static void call_free(struct calls *t, struct call *c)
{
	unsigned b = call_bucket(sv_from_cstr(c->call_id));
	for (struct call **pp = &t->buckets[b]; *pp; pp = &(*pp)->hnext) {
		if (*pp == c) {
			*pp = c->hnext;
			break;
		}
	}
	ep_remove_call(t, c);
	conn_release_call(t, c, false);
	for (struct stream *s = c->streams; s;) {
		struct stream *next = s->next;
		stream_free(t, s);
		s = next;
	}
	free(c->msgs);
	free(c->sdp);
	free((struct call_ext *)c);
}

/* Hands a call to the consumer and frees it. */
static void call_finalize(struct calls *t, struct call *c)
{
	for (struct call **pp = &t->active; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	t->n_active--;
	c->finished = true;
	conn_release_call(t, c, true);
	for (uint32_t i = 0; i < c->n_sdp && !c->media_path_seen; i++)
		for (unsigned m = 0; m < c->sdp[i].n_media; m++)
			if (c->sdp[i].media[m].rtp.addr.family && host_seen(t, &c->sdp[i].media[m].rtp.addr))
				c->media_path_seen = true;
	if (t->sink.call_done)
		t->sink.call_done(t->sink.ctx, c);
	call_free(t, c);
}

static uint8_t non_call_index(struct sv method)
{
	for (uint8_t i = 0; i < 6; i++)
		if (sv_eq(method, sv_from_cstr(calls_non_call_methods[i])))
			return i;
	if (sv_eq(method, SV_LIT("REFER")) || sv_eq(method, SV_LIT("INFO")))
		return 6;
	return 7;
}

static bool is_dialog_method(struct sv m)
{
	return sv_eq(m, SV_LIT("INVITE")) || sv_eq(m, SV_LIT("ACK")) || sv_eq(m, SV_LIT("BYE")) ||
	       sv_eq(m, SV_LIT("CANCEL")) || sv_eq(m, SV_LIT("UPDATE")) || sv_eq(m, SV_LIT("PRACK"));
}

/* Which party sent m: requests carry the sender's tag in From; responses come
 * from the party named in To. Falls back to addresses. */
static uint8_t sender_of(const struct call *c, const struct dgram *d, const struct sip_msg *m)
{
	if (m->from_tag.n && c->a_tag[0]) {
		bool from_is_a = cstr_eq_sv(c->a_tag, m->from_tag);
		if (m->is_request)
			return from_is_a ? PARTY_A : PARTY_B;
		return from_is_a ? PARTY_B : PARTY_A;
	}
	struct endpoint src = { d->src, d->sport };
	if (endpoint_eq(&src, &c->a_sig))
		return PARTY_A;
	if (endpoint_eq(&src, &c->b_sig))
		return PARTY_B;
	return addr_eq(&d->src, &c->a_sig.addr) ? PARTY_A : PARTY_B;
}

enum tx_kind { TX_NEW, TX_RETRANS, TX_OTHER_HOP, TX_DUPLICATE };

/* Whether m was seen before in this call: a retransmission (the same hop,
 * later), the same message on another hop, or the same packet twice. */
static enum tx_kind tx_seen(struct call *c, const struct dgram *d, const struct sip_msg *m, uint8_t from,
			    int64_t duplicate_ns)
{
	uint64_t h = 14695981039346656037ULL;
	h = fnv(m->via_branch.p, m->via_branch.n, h);
	h = fnv(&m->cseq, sizeof(m->cseq), h);
	h = fnv(m->cseq_method.p, m->cseq_method.n, h);
	h = fnv(&m->status, sizeof(m->status), h);
	h = fnv(&m->is_request, sizeof(m->is_request), h);
	if (!m->is_request)
		h = fnv(m->to_tag.p, m->to_tag.n, h);
	if (m->is_request && sv_eq(m->method, SV_LIT("ACK")))
		h = fnv("ACK", 3, h);
	h = fnv(&from, 1, h);
	uint64_t hop = 14695981039346656037ULL;
	hop = fnv(&d->src, sizeof(d->src), hop);
	hop = fnv(&d->dst, sizeof(d->dst), hop);
	hop = fnv(&d->sport, sizeof(d->sport), hop);
	hop = fnv(&d->dport, sizeof(d->dport), hop);
	for (uint32_t i = 0; i < c->n_tx; i++) {
		struct tx_rec *x = &c->tx[i];
		if (x->key != h)
			continue;
		for (uint8_t k = 0; k < x->n_hops; k++) {
			if (x->hop[k] != hop)
				continue;
			bool dup = d->ts_ns - x->last_ts[k] < duplicate_ns;
			x->last_ts[k] = d->ts_ns;
			if (dup)
				return TX_DUPLICATE;
			x->count++;
			return TX_RETRANS;
		}
		if (x->n_hops < TX_HOPS) {
			x->hop[x->n_hops] = hop;
			x->last_ts[x->n_hops] = d->ts_ns;
			x->n_hops++;
		}
		return TX_OTHER_HOP;
	}
	if (c->n_tx < CALL_MAX_TX) {
		struct tx_rec *x = &c->tx[c->n_tx++];
		memset(x, 0, sizeof(*x));
		x->key = h;
		x->count = 1;
		x->n_hops = 1;
		x->hop[0] = hop;
		x->last_ts[0] = d->ts_ns;
	}
	return TX_NEW;
}

static void note_tag(struct call *c, struct sv tag)
{
	if (!tag.n)
		return;
	for (unsigned i = 0; i < 4 && i < c->early_tags; i++)
		if (cstr_eq_sv(c->to_tags[i], tag))
			return;
	if (c->early_tags < 4)
		copy_sv(c->to_tags[c->early_tags], sizeof(c->to_tags[0]), tag);
	c->early_tags++;
}

static void record_codecs(struct sdp_media_rec *r, const struct sdp_media *m)
{
	r->n_codecs = 0;
	for (unsigned i = 0; i < m->n_fmt && r->n_codecs < SDP_REC_CODECS; i++) {
		struct sdp_rtpmap map;
		struct codec_rec *cr = &r->codecs[r->n_codecs];
		cr->pt = m->fmt[i];
		if (sdp_media_rtpmap(m, m->fmt[i], &map)) {
			copy_sv(cr->name, sizeof(cr->name), map.encoding);
			cr->clock = map.clock;
			cr->channels = map.channels ? map.channels : 1;
		} else {
			snprintf(cr->name, sizeof(cr->name), "PT%u", m->fmt[i]);
			cr->clock = 0;
			cr->channels = 1;
		}
		r->n_codecs++;
	}
}

static void bind_media(struct calls *t, struct call *c, int16_t idx);

/* Adds the SDP carried by m to the call's offer/answer history. */
/* The address in "host[:port]" or "[v6]:port"; family 0 when it is a name. */
static void hostport_addr(struct sv hp, struct addr *out)
{
	memset(out, 0, sizeof(*out));
	hp = sv_trim(hp);
	struct sv host;
	if (hp.n && hp.p[0] == '[') {
		struct sv rest = sv_sub(hp, 1, hp.n);
		host = sv_cut(&rest, ']');
	} else {
		host = sv_cut(&hp, ':');
	}
	if (host.n && !addr_parse(host, out))
		memset(out, 0, sizeof(*out));
}

/* The host address of a SIP URI (sip:user@host:port;params). */
static void uri_host_addr(struct sv uri, struct addr *out)
{
	memset(out, 0, sizeof(*out));
	size_t colon = sv_find_char(uri, ':');
	if (colon >= uri.n)
		return;
	struct sv rest = sv_sub(uri, colon + 1, uri.n);
	struct sv hp = sv_cut(&rest, ';');
	size_t at = sv_find_char(hp, '@');
	if (at < hp.n)
		hp = sv_sub(hp, at + 1, hp.n);
	hp = sv_sub(hp, 0, sv_find_char(hp, '>'));
	hp = sv_sub(hp, 0, sv_find_char(hp, '?'));
	hostport_addr(hp, out);
}

static int16_t record_sdp(struct calls *t, struct call *c, const struct dgram *d,
			  const struct sip_msg *m, uint8_t from, struct sv body)
{
	struct sdp sdp;
	enum status st = sdp_parse(body.p, body.n, &sdp);
	/* one bad line still leaves the rest of the description usable */
	if (st != ST_OK && !(st == ST_MALFORMED && sdp.n_bad_lines > 0))
		return -1;
	/* the same description again (o= version unchanged, RFC 3264 section 8),
	 * e.g. the copy a proxy forwards, seen on the next hop: not a new offer */
	bool answers_pending = c->offer_pending && c->offer_by != from;
	for (int i = (int)c->n_sdp - 1; i >= 0 && !answers_pending; i--) {
		const struct sdp_rec *prev = &c->sdp[i];
		if (prev->by != from)
			continue;
		if (sdp.o_sess_version.n && cstr_eq_sv(prev->o_version, sdp.o_sess_version) &&
		    cstr_eq_sv(prev->o_addr_text, sdp.origin.text))
			return (int16_t)i;
		break;
	}
	if (!grow_array((void **)&c->sdp, &c->sdp_cap, c->n_sdp, CALL_MAX_SDP, sizeof(*c->sdp)))
		return -1;
	int16_t idx = (int16_t)c->n_sdp;
	struct sdp_rec *r = &c->sdp[c->n_sdp++];
	memset(r, 0, sizeof(*r));
	r->frame = d->frame;
	r->ts = d->ts_ns;
	r->by = from;
	r->cseq = m->cseq;
	r->n_via = m->n_via > 255 ? 255 : (uint8_t)m->n_via;
	r->src.addr = d->src;
	r->src.port = d->sport;
	if (m->is_request)
		copy_sv(r->context, sizeof(r->context), m->method);
	else
		snprintf(r->context, sizeof(r->context), "%u %.*s", m->status,
			 (int)(m->cseq_method.n < 12 ? m->cseq_method.n : 12), m->cseq_method.p);
	/* offer or answer (RFC 3264): an answer comes from the other side of a
	 * pending offer; a 2xx repeating the answer a 18x gave is that answer again */
	bool is_ack = m->is_request && sv_eq(m->method, SV_LIT("ACK"));
	bool repeat = !m->is_request && c->early_answer && m->cseq == c->answer_cseq &&
		      from == c->answer_by;
	if ((c->offer_pending && c->offer_by != from) || is_ack || repeat) {
		r->kind = SDP_ANSWER;
		c->offer_pending = false;
		c->early_answer = !m->is_request && m->status < 200;
		c->answer_cseq = m->cseq;
		c->answer_by = from;
	} else {
		r->kind = SDP_OFFER;
		c->offer_pending = true;
		c->offer_by = from;
		c->early_answer = false;
	}
	copy_sv(r->o_version, sizeof(r->o_version), sdp.o_sess_version);
	r->o_addr = sdp.origin.addr;
	copy_sv(r->o_addr_text, sizeof(r->o_addr_text), sdp.origin.text);
	for (unsigned i = 0; i < sdp.n_media && r->n_media < SDP_REC_MEDIA; i++) {
		const struct sdp_media *sm = &sdp.media[i];
		struct sdp_media_rec *mr = &r->media[r->n_media++];
		copy_sv(mr->type, sizeof(mr->type), sm->type);
		mr->rtp.addr = sm->conn.addr;
		mr->rtp.port = sm->port;
		copy_sv(mr->addr_text, sizeof(mr->addr_text), sm->conn.text);
		mr->rtcp_mux = sm->rtcp_mux;
		mr->rtcp_port = sm->rtcp_port ? sm->rtcp_port : (uint16_t)(sm->port + 1);
		mr->dir = sm->dir;
		mr->ptime = sm->ptime;
		mr->has_crypto = sm->n_crypto > 0;
		mr->has_ice = sm->n_cand_total > 0 || sm->ice_ufrag;
		record_codecs(mr, sm);
	}
	bind_media(t, c, idx);
	return idx;
}

/* Clock rates of dynamic payload types, and which one is telephone-event, from
 * the receiver's SDP (RFC 3264: RTP sent to a party uses the payload types that
 * party's description lists); static types keep RFC 3551's rates. */
static void stream_codec_from_sdp_rec(struct stream *s, const struct sdp_rec *r)
{
	for (unsigned m = 0; m < r->n_media; m++) {
		for (unsigned k = 0; k < r->media[m].n_codecs; k++) {
			const struct codec_rec *cr = &r->media[m].codecs[k];
			bool event = strncasecmp(cr->name, "telephone-event", 15) == 0;
			if (event && s->event_pt < 0)
				s->event_pt = cr->pt;
			if (cr->pt >= 96 && !s->pt_clock[cr->pt])
				stream_set_pt_clock(s, cr->pt, event ? 0 : cr->clock);
		}
	}
}

static void stream_codec_from_sdp(struct call *c, struct stream *s)
{
	uint8_t receiver = s->dir == PARTY_A ? PARTY_B : s->dir == PARTY_B ? PARTY_A : PARTY_NONE;
	for (uint32_t i = 0; i < c->n_sdp; i++)
		if (receiver == PARTY_NONE || c->sdp[i].by == receiver)
			stream_codec_from_sdp_rec(s, &c->sdp[i]);
}

static uint8_t other_party(uint8_t p)
{
	return p == PARTY_A ? PARTY_B : p == PARTY_B ? PARTY_A : PARTY_NONE;
}

static void stream_attach(struct calls *t, struct call *c, struct stream *s, uint8_t dir,
			  uint8_t how)
{
	/* two opposite flows cannot both come from the same party: when SDP points
	 * both ways (e.g. a media relay advertising its own ports to both sides),
	 * the weaker binding yields */
	for (struct stream *o = c->streams; o && dir != PARTY_NONE; o = o->next) {
		if (o->dir != dir || !addr_eq(&o->src.addr, &s->dst.addr) || !addr_eq(&o->dst.addr, &s->src.addr) ||
		    addr_eq(&s->src.addr, &s->dst.addr))
			continue;
		if (how == BIND_SDP_DST && o->bound_by != BIND_SDP_DST)
			o->dir = other_party(dir);
		else
			dir = other_party(dir);
		break;
	}
	s->call = c;
	s->dir = dir;
	s->bound_by = how;
	s->next = c->streams;
	c->streams = s;
	c->n_streams++;
	stream_codec_from_sdp(c, s);
	if (dir != PARTY_NONE)
		ep_add(t, c, &s->src, dir, EP_LEARNED, -1);
}

/* Registers the endpoints of SDP idx and moves unsignalled streams that now
 * match into the call (RTP seen before its SDP). */
static void bind_media(struct calls *t, struct call *c, int16_t idx)
{
	const struct sdp_rec *r = &c->sdp[idx];
	for (unsigned i = 0; i < r->n_media; i++) {
		const struct sdp_media_rec *m = &r->media[i];
		if (!m->rtp.port || !m->rtp.addr.family || addr_is_unspecified(&m->rtp.addr))
			continue;
		ep_add(t, c, &m->rtp, r->by, EP_RTP, idx);
		struct endpoint rtcp = { m->rtp.addr, m->rtcp_mux ? m->rtp.port : m->rtcp_port };
		ep_add(t, c, &rtcp, r->by, EP_RTCP, idx);
	}
	for (struct stream *s = c->streams; s; s = s->next)
		if (s->dir != PARTY_NONE && s->dir != r->by)
			stream_codec_from_sdp_rec(s, r);
	for (struct stream **pp = &t->unsig; *pp;) {
		struct stream *s = *pp;
		struct ep_node *n = ep_lookup(t, &s->dst, EP_RTP);
		uint8_t dir = PARTY_NONE, how = BIND_NONE;
		if (n && n->call == c) {
			dir = other_party(n->party);
			how = BIND_SDP_DST;
		} else if ((n = ep_lookup(t, &s->src, EP_RTP)) != NULL && n->call == c) {
			dir = n->party;
			how = BIND_SDP_SRC;
		}
		if (how == BIND_NONE) {
			pp = &s->next;
			continue;
		}
		*pp = s->next;
		stream_attach(t, c, s, dir, how);
	}
}

/* retrans: a real retransmission; seen: retrans, or a copy of a message
 * already taken into account (another hop, a duplicate packet). */
static void update_state(struct call *c, const struct dgram *d, const struct sip_msg *m,
			 uint8_t from, bool retrans, bool seen)
{
	bool invite_tx = sv_eq(m->cseq_method, SV_LIT("INVITE"));
	if (m->is_request && sv_eq(m->method, SV_LIT("INVITE")) && !m->to_tag.n && !seen &&
	    (c->state == CALL_FAILED || c->state == CALL_CANCELLED) && m->cseq > c->initial_cseq) {
		/* a new attempt in the same call, e.g. with credentials after 401/407
		 * (RFC 3261 section 22.2): the call goes on */
		c->state = CALL_CALLING;
		c->final_status = 0;
		c->end_ts = 0;
		c->end_frame = 0;
		c->ended_by = PARTY_NONE;
		c->bye_reason[0] = '\0';
		c->initial_cseq = m->cseq;
		c->early_tags = 0;
		return;
	}
	if (m->is_request) {
		if (sv_eq(m->method, SV_LIT("BYE")) && !seen && c->ended_by == PARTY_NONE) {
			c->ended_by = from;
			c->end_ts = d->ts_ns;
			c->end_frame = d->frame;
			copy_sv(c->bye_reason, sizeof(c->bye_reason), m->reason);
			if (!m->reason.n) {
				struct sv hc = sip_msg_header(m, SIP_H_X_ASTERISK_HANGUPCAUSE);
				if (hc.n)
					snprintf(c->bye_reason, sizeof(c->bye_reason), "X-Asterisk-HangupCause: %.*s",
						 (int)(hc.n < 120 ? hc.n : 120), hc.p);
			}
			c->state = CALL_ENDED;
		} else if (sv_eq(m->method, SV_LIT("CANCEL")) && c->state < CALL_ANSWERED) {
			c->ended_by = from;
			c->end_ts = d->ts_ns;
			c->end_frame = d->frame;
			copy_sv(c->bye_reason, sizeof(c->bye_reason), m->reason);
		} else if (sv_eq(m->method, SV_LIT("ACK")) && c->answer_ts) {
			c->acked = true;
		}
		if (m->session_expires_s)
			c->session_expires = m->session_expires_s;
		return;
	}
	/* responses */
	if (sv_eq(m->cseq_method, SV_LIT("BYE"))) {
		if (m->status >= 200 && !c->bye_status)
			c->bye_status = m->status;
		return;
	}
	if (!invite_tx)
		return;
	/* responses to the INVITE that created the call come from the callee */
	bool initial = (!c->initial_cseq || m->cseq == c->initial_cseq) && from == PARTY_B;
	if (initial)
		note_tag(c, m->to_tag);
	if (m->status < 200) {
		if (c->state < CALL_PROCEEDING)
			c->state = CALL_PROCEEDING;
		if (m->status >= 180 && c->state < CALL_RINGING)
			c->state = CALL_RINGING;
		return;
	}
	if (m->status < 300) {
		if (seen) {
			if (retrans)
				c->ok_retrans++;
			return;
		}
		if (!c->answer_ts) {
			c->answer_ts = d->ts_ns;
			c->answer_frame = d->frame;
			c->answered_tags = 1;
			copy_sv(c->b_tag, sizeof(c->b_tag), m->to_tag);
			if (c->state < CALL_ANSWERED)
				c->state = CALL_ANSWERED;
		} else if (initial && m->to_tag.n && !cstr_eq_sv(c->b_tag, m->to_tag) &&
			   c->state <= CALL_ANSWERED) {
			c->answered_tags++; /* a second fork answered */
		}
		if (m->session_expires_s)
			c->session_expires = m->session_expires_s;
		if (m->se_refresher.n)
			copy_sv(c->se_refresher, sizeof(c->se_refresher), m->se_refresher);
		if (!c->b_ua[0] && m->server.n)
			copy_sv(c->b_ua, sizeof(c->b_ua), m->server);
		if (!c->b_ua[0] && m->user_agent.n)
			copy_sv(c->b_ua, sizeof(c->b_ua), m->user_agent);
		return;
	}
	/* final failure of the initial INVITE (a failed re-INVITE leaves the call up) */
	if (c->state < CALL_ANSWERED && !seen) {
		c->final_status = m->status;
		c->state = (m->status == 487) ? CALL_CANCELLED : CALL_FAILED;
		c->end_ts = d->ts_ns;
		c->end_frame = d->frame;
	}
}

/* The user part of a SIP URI ("sip:bob@host" -> "bob"), or empty. */
static struct sv uri_user(struct sv uri)
{
	size_t at = sv_find_char(uri, '@');
	if (at == uri.n)
		return SV_NULL;
	struct sv user = sv_sub(uri, 0, at);
	size_t colon = sv_find_char(user, ':');
	return colon < user.n ? sv_sub(user, colon + 1, user.n) : user;
}

/* A B2BUA's second leg: an INVITE sent from the address that received another
 * call's INVITE shortly before. Taken as the same call when the called or the
 * calling user is the same (within 10 s), or, with no user in common, when it
 * follows within 2 s while the first leg is still unanswered and no other call
 * fits. */
static void link_legs(struct calls *t, struct call *c, const struct sip_msg *m)
{
	struct sv to_user = uri_user(m->to_uri), from_user = uri_user(m->from_uri);
	struct call *by_user = NULL, *by_time = NULL;
	unsigned n_time = 0;
	for (struct call *o = t->active; o; o = o->next) {
		if (o == c || o->n_links >= CALL_MAX_LINKS || !addr_eq(&o->b_sig.addr, &c->a_sig.addr) ||
		    addr_eq(&o->a_sig.addr, &c->a_sig.addr))
			continue;
		int64_t dt = c->start_ts - o->start_ts;
		if (dt < 0 || dt > 10LL * 1000000000LL)
			continue;
		struct sv ou = uri_user(sv_from_cstr(o->b_uri)), of = uri_user(sv_from_cstr(o->a_uri));
		if ((to_user.n && sv_eq(ou, to_user)) || (from_user.n && sv_eq(of, from_user))) {
			if (!by_user)
				by_user = o;
		} else if (dt <= 2LL * 1000000000LL && !o->answer_ts && o->state < CALL_ANSWERED) {
			by_time = o;
			n_time++;
		}
	}
	struct call *o = by_user ? by_user : n_time == 1 ? by_time : NULL;
	if (!o || c->n_links >= CALL_MAX_LINKS)
		return;
	snprintf(o->links[o->n_links++], sizeof(o->links[0]), "%s", c->call_id);
	snprintf(c->links[c->n_links++], sizeof(c->links[0]), "%s", o->call_id);
}

void calls_sip(struct calls *t, const struct dgram *d, const struct sip_msg *m)
{
	t->st.sip_messages++;
	if (!m->call_id.n)
		return;
	struct call *c = call_find(t, m->call_id);
	struct sv method = m->is_request ? m->method : m->cseq_method;
	if (!c) {
		if (!is_dialog_method(method)) {
			if (m->is_request) {
				t->st.non_call_requests++;
				t->st.non_call_by_method[non_call_index(method)]++;
			} else {
				t->st.non_call_responses++;
			}
			return;
		}
		if (sv_eq(method, SV_LIT("ACK")) && m->is_request && !m->to_tag.n)
			return;
		c = call_create(t, m->call_id, d);
		if (!c)
			return;
		c->is_invite_dialog = true;
		/* A is whoever sent the INVITE; with no INVITE seen, the sender of a request
		 * or the receiver of a response */
		bool a_sends = m->is_request;
		c->a_sig.addr = a_sends ? d->src : d->dst;
		c->a_sig.port = a_sends ? d->sport : d->dport;
		c->b_sig.addr = a_sends ? d->dst : d->src;
		c->b_sig.port = a_sends ? d->dport : d->sport;
		copy_sv(c->a_tag, sizeof(c->a_tag), m->from_tag);
		copy_sv(c->a_uri, sizeof(c->a_uri), m->from_uri);
		if (sv_eq(m->cseq_method, SV_LIT("INVITE")))
			c->initial_cseq = m->cseq;
		copy_sv(c->b_uri, sizeof(c->b_uri), m->to_uri);
		if (!(m->is_request && sv_eq(m->method, SV_LIT("INVITE")) && !m->to_tag.n)) {
			c->mid_call_start = true;
			if (!m->is_request)
				copy_sv(c->a_tag, sizeof(c->a_tag), m->from_tag);
			if (m->is_request && !sv_eq(m->method, SV_LIT("INVITE")))
				c->state = CALL_ANSWERED;
		}
		if (m->user_agent.n)
			copy_sv(c->a_ua, sizeof(c->a_ua), m->user_agent);
		link_legs(t, c, m);
	}
	conn_use(t, c, d);
	uint8_t from = sender_of(c, d, m);
	enum tx_kind kind = tx_seen(c, d, m, from, t->cfg.duplicate_ns);
	bool retrans = kind == TX_RETRANS;
	bool seen = kind != TX_NEW; /* nothing new for the call's state */
	if (from == PARTY_A && m->is_request && !seen && !c->a_hosts_seen && sv_eq(m->method, SV_LIT("INVITE"))) {
		c->a_hosts_seen = true;
		hostport_addr(m->via_sent_by, &c->a_via_host);
		uri_host_addr(m->contact_uri, &c->a_contact_host);
	}
	if (retrans)
		c->retrans++;
	else if (kind == TX_OTHER_HOP)
		c->hop_copies++;
	else if (kind == TX_DUPLICATE)
		c->duplicates++;
	c->msgs_total++;
	c->last_sip_ts = d->ts_ns;
	if (d->ts_ns > c->last_activity_ts)
		c->last_activity_ts = d->ts_ns;
	if (from == PARTY_A && !c->a_ua[0] && m->user_agent.n)
		copy_sv(c->a_ua, sizeof(c->a_ua), m->user_agent);
	if (from == PARTY_B && !c->b_ua[0] && (m->user_agent.n || m->server.n))
		copy_sv(c->b_ua, sizeof(c->b_ua), m->user_agent.n ? m->user_agent : m->server);

	int16_t sdp_idx = -1;
	if (!seen && m->body.n) {
		struct sv body = sdp_find_in_body(m->content_type, m->body);
		if (body.n)
			sdp_idx = record_sdp(t, c, d, m, from, body);
	}
	update_state(c, d, m, from, retrans, seen);

	if (grow_array((void **)&c->msgs, &c->msgs_cap, c->n_msgs, CALL_MAX_MESSAGES, sizeof(*c->msgs))) {
		struct msg_rec *r = &c->msgs[c->n_msgs++];
		memset(r, 0, sizeof(*r));
		r->frame = d->frame;
		r->ts = d->ts_ns;
		r->point = d->point;
		r->from = from;
		r->transport = d->transport;
		r->request = m->is_request;
		r->retrans = retrans;
		r->copy = kind == TX_OTHER_HOP ? COPY_OTHER_HOP : kind == TX_DUPLICATE ? COPY_DUPLICATE : COPY_NONE;
		r->src.addr = d->src;
		r->src.port = d->sport;
		r->dst.addr = d->dst;
		r->dst.port = d->dport;
		r->status = m->status;
		r->cseq = m->cseq;
		r->n_via = m->n_via > 255 ? 255 : (uint8_t)m->n_via;
		copy_sv(r->via_sent_by, sizeof(r->via_sent_by), m->via_sent_by);
		copy_sv(r->contact, sizeof(r->contact), m->contact_uri);
		copy_sv(r->method, sizeof(r->method), method);
		copy_sv(r->reason_phrase, sizeof(r->reason_phrase), m->reason_phrase);
		r->sdp = sdp_idx;
	}
}

static struct stream *stream_new(struct calls *t, const struct dgram *d, const struct rtp_hdr *h)
{
	if (t->n_streams >= t->cfg.max_streams) {
		t->st.limit_streams++;
		return NULL;
	}
	struct stream_ext *x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	struct stream *s = &x->s;
	s->src.addr = d->src;
	s->src.port = d->sport;
	s->dst.addr = d->dst;
	s->dst.port = d->dport;
	s->dir = PARTY_NONE;
	stream_init(s, d, h, &t->cfg);
	unsigned b = flow_bucket(&s->src, &s->dst);
	x->flow_next = (struct stream_ext *)t->flows[b];
	t->flows[b] = &x->s;
	t->n_streams++;
	if (t->n_streams > t->st.peak_streams)
		t->st.peak_streams = t->n_streams;
	return s;
}

void calls_rtp(struct calls *t, const struct dgram *d, const struct rtp_hdr *h)
{
	t->st.rtp_packets++;
	struct endpoint src = { d->src, d->sport }, dst = { d->dst, d->dport };
	struct stream_ext *x = flow_find(t, &src, &dst, false, h->ssrc);
	struct stream *s = x ? &x->s : NULL;
	if (!s) {
		s = stream_new(t, d, h);
		if (!s)
			return;
		host_add(t, &d->src);
		host_add(t, &d->dst);
		struct ep_node *n;
		if ((n = ep_lookup(t, &dst, EP_RTP)) != NULL) {
			stream_attach(t, n->call, s, other_party(n->party), BIND_SDP_DST);
			ep_note_elsewhere(t, &dst, n->call);
		} else if ((n = ep_lookup(t, &src, EP_RTP)) != NULL) {
			stream_attach(t, n->call, s, n->party, BIND_SDP_SRC);
		} else if ((n = ep_lookup(t, &dst, EP_LEARNED)) != NULL) {
			/* sent to where a bound stream comes from: the far end latched */
			stream_attach(t, n->call, s, other_party(n->party), BIND_LATCH);
		} else if ((n = ep_lookup(t, &src, EP_LEARNED)) != NULL) {
			stream_attach(t, n->call, s, n->party, BIND_LATCH);
		} else {
			s->next = t->unsig;
			t->unsig = s;
		}
	}
	stream_update(s, d, h, &t->cfg);
	if (s->call) {
		t->st.rtp_in_calls++;
		if (d->ts_ns > s->call->last_activity_ts)
			s->call->last_activity_ts = d->ts_ns;
	}
}

static struct stream *stream_by_ssrc(struct call *c, uint32_t ssrc)
{
	for (struct stream *s = c ? c->streams : NULL; s; s = s->next)
		if (s->ssrc == ssrc)
			return s;
	return NULL;
}

static struct stream *unsig_by_ssrc(struct calls *t, uint32_t ssrc)
{
	for (struct stream *s = t->unsig; s; s = s->next)
		if (s->ssrc == ssrc)
			return s;
	return NULL;
}

/* Round trip seen from the capture point (RFC 3550 section 6.4.1 done at a tap,
 * as rtpengine does): the report block's LSR names an SR that passed here at
 * some time; the receiver held it DLSR; the rest is the path beyond the tap
 * and back. Needs no synchronised clocks. */
static double rtt_ms(const struct stream *s, int64_t arrival_ns, uint32_t lsr, uint32_t dlsr)
{
	if (!lsr || !s->last_sr_ts || lsr != s->last_sr_ntp)
		return -1;
	double rtt = (double)(arrival_ns - s->last_sr_ts) / 1e6 - (double)dlsr * 1000.0 / 65536.0;
	return rtt >= 0 ? rtt : -1;
}

void calls_rtcp(struct calls *t, const struct dgram *d)
{
	t->st.rtcp_packets++;
	struct endpoint src = { d->src, d->sport }, dst = { d->dst, d->dport };
	struct ep_node *n = ep_lookup(t, &dst, EP_RTCP);
	if (!n)
		n = ep_lookup(t, &src, EP_RTCP);
	if (!n)
		n = ep_lookup(t, &dst, EP_RTP); /* rtcp-mux without the attribute */
	if (!n)
		n = ep_lookup(t, &dst, EP_LEARNED);
	struct call *c = n ? n->call : NULL;
	if (c && d->ts_ns > c->last_activity_ts)
		c->last_activity_ts = d->ts_ns;
	struct rtcp_iter it;
	rtcp_iter_init(&it, d->data, d->len);
	bool more = true;
	for (int guard = 0; more && guard < 32; guard++) {
		struct rtcp_pkt p;
		if (rtcp_next(&it, &p, &more) != ST_OK)
			break;
		if (p.pt == RTCP_SR || p.pt == RTCP_RR) {
			struct stream *own = c ? stream_by_ssrc(c, p.ssrc) : unsig_by_ssrc(t, p.ssrc);
			if (own) {
				own->rtcp_sent++;
				if (p.pt == RTCP_SR) {
					own->last_sr_ntp = (uint32_t)(p.ntp >> 16);
					own->last_sr_ts = d->ts_ns;
				}
			}
		}
		for (unsigned i = 0; i < p.n_blocks && i < 31; i++) {
			const struct rtcp_report_block *b = &p.blocks[i];
			struct stream *s = c ? stream_by_ssrc(c, b->ssrc) : unsig_by_ssrc(t, b->ssrc);
			if (!s)
				continue;
			struct rtcp_view *v = &s->rtcp;
			v->reports++;
			v->last_fraction_lost = b->fraction_lost;
			if (b->fraction_lost > v->max_fraction_lost)
				v->max_fraction_lost = b->fraction_lost;
			v->last_cum_lost = b->cum_lost;
			v->last_jitter = b->jitter;
			if (b->jitter > v->max_jitter)
				v->max_jitter = b->jitter;
			double r = rtt_ms(s, d->ts_ns, b->lsr, b->dlsr);
			v->last_rtt_ms = r;
			if (r > v->max_rtt_ms)
				v->max_rtt_ms = r;
			v->last_frame = d->frame;
		}
		if (p.pt == RTCP_XR && p.has_voip) {
			struct stream *s = c ? stream_by_ssrc(c, p.voip.ssrc) : unsig_by_ssrc(t, p.voip.ssrc);
			if (s) {
				s->rtcp.has_xr_voip = true;
				s->rtcp.xr_mos_lq = p.voip.mos_lq;
				s->rtcp.xr_r_factor = p.voip.r_factor;
			}
		}
	}
}

void calls_stun(struct calls *t, const struct dgram *d)
{
	t->st.stun_packets++;
	struct endpoint src = { d->src, d->sport }, dst = { d->dst, d->dport };
	struct ep_node *n = ep_lookup(t, &dst, EP_RTP);
	if (!n)
		n = ep_lookup(t, &src, EP_RTP);
	if (!n)
		n = ep_lookup(t, &dst, EP_LEARNED);
	if (n && d->ts_ns > n->call->last_activity_ts)
		n->call->last_activity_ts = d->ts_ns;
}

static void unsig_finalize(struct calls *t, struct stream *s)
{
	if (s->packets >= t->cfg.min_unsignalled_packets) {
		t->st.streams_unsignalled++;
		if (t->sink.stream_done)
			t->sink.stream_done(t->sink.ctx, s);
	} else {
		t->st.stray_rtp += s->packets;
	}
	stream_free(t, s);
}

void calls_tick(struct calls *t, int64_t now)
{
	if (now - t->last_tick < 1000000000LL)
		return;
	t->last_tick = now;
	for (struct call *c = t->active; c;) {
		struct call *next = c->next;
		bool over = c->state == CALL_ENDED || c->state == CALL_FAILED || c->state == CALL_CANCELLED;
		int64_t quiet_since = c->last_sip_ts;
		if (over && now - quiet_since > t->cfg.linger_ns &&
		    (now - c->last_activity_ts > t->cfg.linger_ns ||
		     now - quiet_since > 6 * t->cfg.linger_ns))
			call_finalize(t, c);
		else if (now - c->last_activity_ts > t->cfg.idle_ns)
			call_finalize(t, c);
		c = next;
	}
	for (struct stream **pp = &t->unsig; *pp;) {
		struct stream *s = *pp;
		if (now - s->last_ts > t->cfg.stream_idle_ns) {
			*pp = s->next;
			unsig_finalize(t, s);
		} else {
			pp = &s->next;
		}
	}
}

static int by_seq(const void *a, const void *b)
{
	const struct call *x = *(struct call *const *)a, *y = *(struct call *const *)b;
	return x->seq_no < y->seq_no ? -1 : x->seq_no > y->seq_no;
}

static int by_first(const void *a, const void *b)
{
	const struct stream *x = *(struct stream *const *)a, *y = *(struct stream *const *)b;
	if (x->first_frame != y->first_frame)
		return x->first_frame < y->first_frame ? -1 : 1;
	return x->ssrc < y->ssrc ? -1 : x->ssrc > y->ssrc;
}

void calls_finish(struct calls *t)
{
	/* what is still open, in the order it began */
	size_t n = 0;
	for (struct call *c = t->active; c; c = c->next)
		n++;
	struct call **v = n ? malloc(n * sizeof(*v)) : NULL;
	size_t i = 0;
	for (struct call *c = t->active; c && v; c = c->next)
		v[i++] = c;
	if (v) {
		qsort(v, n, sizeof(*v), by_seq);
		for (i = 0; i < n; i++)
			call_finalize(t, v[i]);
		free(v);
	}
	size_t m = 0;
	for (struct stream *s = t->unsig; s; s = s->next)
		m++;
	struct stream **sv = m ? malloc(m * sizeof(*sv)) : NULL;
	i = 0;
	for (struct stream *s = t->unsig; s && sv; s = s->next)
		sv[i++] = s;
	t->unsig = NULL;
	if (sv) {
		qsort(sv, m, sizeof(*sv), by_first);
		for (i = 0; i < m; i++)
			unsig_finalize(t, sv[i]);
		free(sv);
	}
}

void calls_free(struct calls *t)
{
	if (!t)
		return;
	calls_finish(t);
	htab_free(&t->conns);
	free(t);
}
