/* SPDX-License-Identifier: MIT */
/* The calls stage's table: calls in progress by Call-ID, each with a deadline
 * (linger after its end, or idle) in a heap, so that letting capture time pass
 * costs what is due, not what is open; the TCP connections their SIP uses and
 * the gaps the capture has in them; finalising (the consumer gets the call,
 * then it is freed) and the end of the input. SIP itself is in dialog.c, the
 * media in media.c. */
#include "calls/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const calls_non_call_methods[8] = { "REGISTER", "OPTIONS", "SUBSCRIBE", "NOTIFY",
						"MESSAGE", "PUBLISH", "REFER/INFO", "other" };

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
	case BIND_TURN: return "turn-relay";
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
		.decode_audio = true,
		.linger_ns = 10LL * 1000000000LL,
		.idle_ns = 3600LL * 1000000000LL,
		.quiet_ns = CALLS_QUIET_NS,
		.stream_idle_ns = 60LL * 1000000000LL,
		.min_unsignalled_packets = 10,
		.max_calls = 100000,
		.max_streams = 200000,
		.max_unproven_streams = 50000,
		.duplicate_ns = TX_DUPLICATE_NS,
		.raw_msg_max = CALL_RAW_MSG_MAX,
		.raw_call_max = CALL_RAW_CALL_MAX,
		.raw_total_max = CALL_RAW_TOTAL_MAX,
	};
	return c;
}

void copy_sv(char *dst, size_t cap, struct sv s)
{
	size_t n = s.n < cap - 1 ? s.n : cap - 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		dst[i] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
	}
	dst[n] = '\0';
}

bool cstr_eq_sv(const char *c, struct sv s)
{
	size_t n = strlen(c);
	return n == s.n && (n == 0 || memcmp(c, s.p, n) == 0);
}

/* Makes room for one more element in a call's array (doubling from first, up to max). */
bool grow_array(void **arr, uint32_t *cap, uint32_t n, uint32_t max, size_t elem, uint32_t first)
{
	if (n < *cap)
		return true;
	if (n >= max)
		return false;
	uint32_t ncap = *cap ? *cap * 2 : first;
	if (ncap > max)
		ncap = max;
	void *p = realloc(*arr, (size_t)ncap * elem);
	if (!p)
		return false;
	*arr = p;
	*cap = ncap;
	return true;
}

static void calls_destroy(struct calls *t)
{
	calls_worker_free(t->cfg.worker); /* its jobs done before the streams go */
	t->cfg.worker = NULL;
	htab_free(&t->by_id);
	for (int k = 0; k < 3; k++)
		htab_free(&t->legs[k]);
	htab_free(&t->conns);
	timers_free(&t->call_timers);
	media_free(t);
	free(t);
}

struct calls *calls_new(const struct calls_config *cfg, const struct calls_sink *sink)
{
	struct calls *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->cfg = *cfg;
	t->cfg.worker = NULL;
	t->sink = *sink;
	if (!htab_init(&t->by_id, 64, 0) || !htab_init(&t->legs[0], 64, 0) || !htab_init(&t->legs[1], 64, 0) ||
	    !htab_init(&t->legs[2], 64, 0) || !htab_init(&t->conns, 16, 0) || !media_init(t)) {
		calls_destroy(t);
		return NULL;
	}
	if (cfg->audio_thread && !cfg->audio_out)
		t->cfg.worker = calls_worker_new(&t->cfg); /* NULL: in line */
	return t;
}

size_t calls_each(struct calls *t, size_t max, void (*fn)(void *ctx, struct call *c), void *ctx)
{
	size_t n = 0;
	for (struct call *c = t->active; c && n < max; c = c->next, n++)
		fn(ctx, c);
	return n;
}

unsigned calls_in_progress(const struct calls *t)
{
	return t->n_active;
}

void calls_set_origin(struct calls *t, int64_t origin_ns)
{
	t->cfg.origin_ns = origin_ns;
}

const struct calls_stats *calls_get_stats(const struct calls *t)
{
	return &t->st;
}

const struct calls_config *calls_get_config(const struct calls *t)
{
	return &t->cfg;
}

/* ---- TCP connections carrying SIP, and their gaps ---- */

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

void conn_use(struct calls *t, struct call *c, const struct dgram *d)
{
	if (d->transport != TP_TCP)
		return;
	struct call_ext *cx = cext(c);
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
	if (!cx->conns && !(cx->conns = calloc(CALL_MAX_CONNS, sizeof(*cx->conns))))
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
static void conn_release_call(struct calls *t, struct call *c)
{
	struct call_ext *cx = cext(c);
	bool over = c->state == CALL_ENDED || c->state == CALL_FAILED || c->state == CALL_CANCELLED;
	for (unsigned i = 0; i < cx->n_conns; i++) {
		struct conn *x = cx->conns[i].conn;
		conn_check(c, &cx->conns[i], over);
		if (--x->refs == 0) {
			htab_del(&t->conns, &x->node);
			free(x);
		}
	}
	cx->n_conns = 0;
	free(cx->conns);
	cx->conns = NULL;
}

/* ---- calls ---- */

static uint64_t call_id_hash(const struct calls *t, struct sv call_id)
{
	return htab_hash(&t->by_id, call_id.p, call_id.n);
}

struct call *call_find(struct calls *t, struct sv call_id)
{
	uint64_t h = call_id_hash(t, call_id);
	for (struct hnode *n = htab_bucket(&t->by_id, h); n; n = n->next) {
		struct call *c = &HTAB_ENTRY(n, struct call_ext, id_node)->c;
		if (n->hash == h && !c->finished && cstr_eq_sv(c->call_id, call_id))
			return c;
	}
	return NULL;
}

/* Whether the latest description of either party holds the media (sendonly,
 * inactive, port 0, c=0.0.0.0) or answers a hold (recvonly). */
static bool call_held(const struct call *c)
{
	bool seen[2] = { false, false };
	for (uint32_t i = c->n_sdp; i-- > 0;) {
		const struct sdp_rec *r = &c->sdp[i];
		if (r->by > PARTY_B || seen[r->by])
			continue;
		seen[r->by] = true;
		if (sdp_rec_is_hold(r))
			return true;
		for (unsigned k = 0; k < r->n_media; k++)
			if (!strcmp(r->media[k].type, "audio") && r->media[k].dir == SDP_RECVONLY)
				return true;
		if (seen[0] && seen[1])
			break;
	}
	return false;
}

/* Whether media of the call passed here after its latest SDP: a re-INVITE
 * that moved the media to a host this point does not see (a transfer, a
 * re-anchoring) leaves the call with nothing here while it goes on. */
static bool media_since_latest_sdp(const struct call *c)
{
	int64_t latest = c->n_sdp ? c->sdp[c->n_sdp - 1].ts : 0;
	for (const struct stream *s = c->streams; s; s = s->next)
		if (s->last_ts >= latest)
			return true;
	return false;
}

/* When a call not ended is given up (see CALLS_QUIET_NS in calls.h):
 * quiet_ns after its last packet when it is unanswered (the INVITE
 * transaction is long over: Timer B 32 s, a proxy's Timer C over 3 min, a
 * ringing UAS sends 1xx every minute), or answered, not on hold, with its
 * media seen here since its latest SDP (RTP every 20-60 ms, RTCP every ~5 s,
 * ICE consent every ~5 s: minutes of nothing mean the call is over); idle_ns
 * otherwise (a held call may send nothing, media this point does not see
 * says nothing), or its Session-Expires and Timer B's 32 s with nothing at
 * all when that is sooner (RFC 4028: without a refresh by then the session
 * is over). */
static int64_t call_idle_due(const struct calls *t, const struct call *c)
{
	int64_t idle = sat_add(c->last_activity_ts, t->cfg.idle_ns);
	if (c->state == CALL_ANSWERED && c->session_expires) {
		int64_t se = sat_add(c->last_activity_ts, (int64_t)c->session_expires * 1000000000LL + 32000000000LL);
		if (se < idle)
			idle = se;
	}
	if (!t->cfg.quiet_ns || t->cfg.quiet_ns >= t->cfg.idle_ns)
		return idle;
	bool short_bound = c->state == CALL_ANSWERED ? media_since_latest_sdp(c) && !call_held(c)
						      : c->state != CALL_ENDED && c->state != CALL_FAILED &&
								c->state != CALL_CANCELLED;
	int64_t quiet = sat_add(c->last_activity_ts, t->cfg.quiet_ns);
	return short_bound && quiet < idle ? quiet : idle;
}

/* When c is due to be finalised (calls_tick finalises it once the capture time
 * is past this): an ended call after linger_ns of quiet SIP, and of quiet
 * media too, or of 6 x linger_ns whatever the media does; any call not ended
 * when call_idle_due says, and never later than idle_ns without SIP or media. */
static int64_t call_due(const struct calls *t, const struct call *c)
{
	int64_t idle = sat_add(c->last_activity_ts, t->cfg.idle_ns);
	bool over = c->state == CALL_ENDED || c->state == CALL_FAILED || c->state == CALL_CANCELLED;
	if (!over)
		return call_idle_due(t, c);
	int64_t quiet = sat_add(c->last_sip_ts, t->cfg.linger_ns);
	int64_t media = sat_add(c->last_activity_ts, t->cfg.linger_ns);
	int64_t cap = sat_add(c->last_sip_ts, t->cfg.linger_ns * 6);
	int64_t ended = quiet > (media < cap ? media : cap) ? quiet : (media < cap ? media : cap);
	return ended < idle ? ended : idle;
}

void call_touch(struct calls *t, struct call *c)
{
	/* only ever earlier here: calls_tick looks again at a call whose time
	 * has come and puts it back if it has become later */
	timers_lower(&t->call_timers, &cext(c)->timer, call_due(t, c));
}

struct call *call_create(struct calls *t, struct sv call_id, const struct dgram *d)
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
	c->raw_on = t->cfg.keep_raw;
	timer_init(&cx->timer);
	htab_add(&t->by_id, &cx->id_node, call_id_hash(t, call_id));
	c->next = t->active;
	if (t->active)
		cext(t->active)->prev = cx;
	t->active = c;
	t->n_active++;
	if (t->n_active > t->st.peak_calls)
		t->st.peak_calls = t->n_active;
	t->st.calls++;
	call_touch(t, c);
	return c;
}

/* Takes c out of every index of the table: nothing reaches it after. */
static void call_detach(struct calls *t, struct call *c)
{
	struct call_ext *cx = cext(c);
	htab_del(&t->by_id, &cx->id_node);
	legs_remove(t, c);
	ep_remove_call(t, c);
	for (struct stream *s = c->streams; s; s = s->next)
		stream_unlink(t, s);
	t->raw_bytes -= c->raw_cap <= t->raw_bytes ? c->raw_cap : t->raw_bytes;
}

/* Frees a detached call and its streams. */
static void call_release(const struct calls_config *cfg, struct call *c)
{
	for (struct stream *s = c->streams; s;) {
		struct stream *next = s->next;
		stream_drop(cfg, s);
		s = next;
	}
	free(c->msgs);
	free(c->sdp);
	free(c->tx);
	free(c->raw);
	free(c->links);
	free(cext(c)->conns);
	free(cext(c));
}

static void call_free(struct calls *t, struct call *c)
{
	call_detach(t, c);
	audio_settle(t, c->streams);
	call_release(&t->cfg, c);
}

/* On the worker: the consumer reads the call, then it is freed. */
static void call_done_task(void *ctx, void *arg)
{
	struct calls *t = ctx;
	struct call *c = arg;
	t->sink.call_done(t->sink.ctx, c);
	call_release(&t->cfg, c);
}

/* Hands a call to the consumer and frees it. */
/* Whether this capture is on the call's media path, from what it saw of the
 * hosts its SDPs name: RTP of both parties' hosts passed here (a router, an
 * SBC, a PBX between them), or one of them is the capture's own host (its
 * address in four streams of five: tcpdump on a phone or on the PBX that
 * anchors the media). One party's host seen with others, the other's never
 * (a transfer or a forward put the media between two other hosts) does not
 * say the call's media would have passed here. */
static bool media_path_hosts(const struct calls *t, const struct call *c, uint8_t *hosts_seen)
{
	bool own_host = false;
	*hosts_seen = 0;
	for (uint32_t i = 0; i < c->n_sdp; i++) {
		const struct sdp_rec *r = &c->sdp[i];
		for (unsigned m = 0; m < r->n_media; m++) {
			if (!r->media[m].rtp.addr.family || addr_is_unspecified(&r->media[m].rtp.addr))
				continue;
			uint32_t n = host_streams(t, &r->media[m].rtp.addr);
			if (n && r->by <= PARTY_B)
				*hosts_seen |= (uint8_t)(1u << r->by);
			if (n == UINT32_MAX || (t->host_streams >= 2 && (uint64_t)n * 5 >= t->host_streams * 4))
				own_host = true;
		}
	}
	uint8_t both = (1u << PARTY_A) | (1u << PARTY_B);
	return c->streams || own_host || (*hosts_seen & both) == both;
}

static void media_path(const struct calls *t, struct call *c)
{
	uint8_t seen;
	c->media_path_seen = media_path_hosts(t, c, &seen);
	c->media_hosts_seen |= seen;
}

bool calls_on_media_path(const struct calls *t, const struct call *c)
{
	uint8_t seen;
	return media_path_hosts(t, c, &seen);
}

uint32_t calls_media_elsewhere(const struct calls *t, const struct call *c)
{
	(void)t;
	return c->media_elsewhere + ep_elsewhere(c);
}

static void call_finalize(struct calls *t, struct call *c)
{
	struct call_ext *cx = cext(c);
	if (cx->prev)
		cx->prev->c.next = c->next;
	else
		t->active = c->next;
	if (c->next)
		cext(c->next)->prev = cx->prev;
	c->next = NULL;
	cx->prev = NULL;
	t->n_active--;
	timers_remove(&t->call_timers, &cx->timer);
	c->finished = true;
	conn_release_call(t, c);
	media_path(t, c);
	ep_settle_call(t, c);
	c->capture_rtp = t->st.rtp_packets;
	if (t->cfg.worker && t->cfg.report_thread && t->sink.call_done) {
		/* the worker reads it after its audio (jobs run in order) */
		call_detach(t, c);
		if (t->n_handed == CALLS_HANDED_MAX)
			calls_worker_wait(t->cfg.worker, t->handed[t->handed_next]);
		else
			t->n_handed++;
		struct audio_job j = { .kind = AJ_TASK, .fn = call_done_task, .ctx = t, .arg = c };
		t->handed[t->handed_next] = calls_worker_push(t->cfg.worker, &j);
		t->handed_next = (t->handed_next + 1) % CALLS_HANDED_MAX;
		return;
	}
	audio_settle(t, c->streams);
	if (t->sink.call_done)
		t->sink.call_done(t->sink.ctx, c);
	call_free(t, c);
}

static int by_seq_desc(const void *a, const void *b)
{
	const struct call *x = *(struct call *const *)a, *y = *(struct call *const *)b;
	return x->seq_no > y->seq_no ? -1 : x->seq_no < y->seq_no;
}

int64_t calls_tick(struct calls *t, int64_t now)
{
	int64_t since;
	if (__builtin_sub_overflow(now, t->last_tick, &since))
		since = now > t->last_tick ? INT64_MAX : INT64_MIN;
	if (since < 1000000000LL)
		return sat_add(t->last_tick, 1000000000LL);
	t->last_tick = now;
	/* the calls whose time has come, finalised newest first (the order of
	 * the list of calls in progress) */
	struct call **due = NULL;
	size_t n = 0, cap = 0;
	struct timer *x;
	while ((x = timers_top(&t->call_timers)) != NULL && x->due < now) {
		struct call_ext *cx = (struct call_ext *)(void *)((char *)x - offsetof(struct call_ext, timer));
		int64_t when = call_due(t, &cx->c);
		if (when >= now) {
			timers_set(&t->call_timers, x, when);
			continue;
		}
		timers_remove(&t->call_timers, x);
		bool over = cx->c.state == CALL_ENDED || cx->c.state == CALL_FAILED || cx->c.state == CALL_CANCELLED;
		if (!over)
			cx->c.expired_ts = when; /* given up while the input goes on */
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct call **v = realloc(due, ncap * sizeof(*v));
			if (!v) {
				call_finalize(t, &cx->c); /* no memory to sort: at once */
				continue;
			}
			due = v;
			cap = ncap;
		}
		due[n++] = &cx->c;
	}
	if (n > 1)
		qsort(due, n, sizeof(*due), by_seq_desc);
	for (size_t i = 0; i < n; i++)
		call_finalize(t, due[i]);
	free(due);
	streams_tick(t, now);
	return sat_add(now, 1000000000LL);
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
	size_t n = t->n_active;
	struct call **v = n ? malloc(n * sizeof(*v)) : NULL;
	size_t i = 0;
	for (struct call *c = t->active; c && v; c = c->next)
		v[i++] = c;
	if (v) {
		qsort(v, i, sizeof(*v), by_seq);
		for (size_t k = 0; k < i; k++)
			call_finalize(t, v[k]);
		free(v);
	}
	while (t->active) /* no memory for the order: as they come */
		call_finalize(t, t->active);
	size_t m = 0;
	for (struct stream *s = t->unsig; s; s = s->next)
		m++;
	struct stream **sv = m ? malloc(m * sizeof(*sv)) : NULL;
	if (sv) {
		i = 0;
		for (struct stream *s = t->unsig; s; s = s->next)
			sv[i++] = s;
		qsort(sv, m, sizeof(*sv), by_first);
		for (i = 0; i < m; i++)
			unsig_finalize(t, sv[i]);
		free(sv);
	}
	while (t->unsig)
		unsig_finalize(t, t->unsig);
	calls_settle(t);
}

void calls_settle(struct calls *t)
{
	if (t->cfg.worker)
		calls_worker_settle(t->cfg.worker);
}

void calls_free(struct calls *t)
{
	if (!t)
		return;
	calls_finish(t);
	calls_destroy(t);
}
