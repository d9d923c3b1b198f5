/* SPDX-License-Identifier: MIT */
/* What the calls stage's files share (calls.c: the table of calls, their
 * timers and connections; dialog.c: SIP; media.c: endpoints and streams;
 * timers.c: the deadline heap). Not for other stages.
 *
 * Every lookup a packet needs is an index (core/htab.h) or a heap, so the work
 * per packet does not grow with the calls or streams in progress; where an
 * index can hold many entries of one key, walks stop after a bounded number of
 * them (LEGS_SCAN, PAIR_SCAN). */
#ifndef DEADAIR_CALLS_INTERNAL_H
#define DEADAIR_CALLS_INTERNAL_H

#include <limits.h>

#include "calls/worker.h"
#include "calls/calls.h"
#include "core/htab.h"

/* ---- deadlines (timers.c): a binary min-heap of embedded timers ---- */

#define TIMER_NONE UINT_MAX

struct timer {
	int64_t due;             /* the item is due once the capture time is past this */
	unsigned pos;            /* index in the heap, TIMER_NONE when not in it */
};

struct timers {
	struct timer **v;
	unsigned n, cap;
};

void timer_init(struct timer *x);
/* Puts x in the heap with this due time, or moves it there. */
void timers_set(struct timers *h, struct timer *x, int64_t due);
/* Moves x earlier only (it is due at most then); puts it in if it is not. */
void timers_lower(struct timers *h, struct timer *x, int64_t due);
void timers_remove(struct timers *h, struct timer *x);
static inline struct timer *timers_top(const struct timers *h)
{
	return h->n ? h->v[0] : NULL;
}
void timers_free(struct timers *h);

/* a + b without overflowing (capture times come from strangers) */
static inline int64_t sat_add(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}

/* ---- media endpoints (media.c) ---- */

/* SDP-advertised RTP and RTCP endpoints, the learned source endpoints of
 * streams already bound (the public side of a NAT that a far end latches onto),
 * and the TURN servers whose relayed address an ICE party advertised (port 0:
 * the client reaches its server on another port than the relayed one). */
enum ep_kind { EP_RTP, EP_RTCP, EP_LEARNED, EP_RELAY };

/* All advertisements of one endpoint for one kind, the newest call first. */
struct ep_group {
	struct hnode node;         /* in calls.ep_groups by (endpoint, kind) */
	struct endpoint ep;
	uint8_t kind;
	struct ep_node *head;
	uint64_t streams_to;       /* streams bound by their destination here (EP_RTP) */
};

/* One call's advertisement of an endpoint (owns nothing but itself). */
struct ep_node {
	struct hnode node;         /* in calls.ep_nodes by (call, endpoint, kind, party) */
	struct ep_group *g;
	struct ep_node *gprev, *gnext;
	struct ep_node *call_next; /* the call's own list */
	struct call *call;
	uint8_t party;             /* who advertised it (receives there), or sends from it */
	uint8_t kind;
	int16_t sdp;               /* which SDP record */
	uint64_t base;             /* g->streams_to when it was added */
	uint64_t own;              /* of those since, the ones bound to its own call */
	bool ended;                /* its call has ended: the two counts as they were then */
	uint64_t end_streams_to, end_own;
};

/* ---- calls ---- */

struct conn;

/* A call's use of a TCP connection: since when, and the gaps already noted. */
struct call_conn {
	struct conn *conn;
	uint64_t gaps_seen;
	int64_t joined_ts;
};

#define CALL_MAX_CONNS 8

struct call_ext {
	struct call c;             /* c.next: the list of calls in progress, newest first */
	struct call_ext *prev;
	struct hnode id_node;      /* in calls.by_id */
	struct hnode leg_nodes[3]; /* in calls.legs[] (dialog.c) */
	struct timer timer;        /* when it is to be finalised (calls_tick) */
	struct ep_node *eps;
	unsigned n_conns;
	struct call_conn *conns;   /* up to CALL_MAX_CONNS */
};

static inline struct call_ext *cext(struct call *c)
{
	return (struct call_ext *)(void *)c;
}

/* ---- streams ---- */

/* The flow node comes first: a packet's lookup reads its hash and then the
 * key at the head of s (src, dst, SSRC), on the same cache line or the next,
 * and stream_update goes on with the fields that follow (model.h). */
struct stream_ext {
	struct hnode flow_node;    /* in calls.flows by (src, dst, SSRC) */
	bool on_probation;
	struct stream s;           /* s.next: the owner's list (a call's, or the unsignalled) */
	struct stream_ext *prev;
	uint64_t seq;              /* order of creation */
	struct hnode ssrc_node;    /* in calls.by_ssrc by (call or none, SSRC) */
	struct hnode pair_node;    /* in a call: calls.pairs by (call, source, destination address) */
	struct hnode usrc_node;    /* unsignalled: calls.unsig_eps[0] by source endpoint */
	struct hnode udst_node;    /* unsignalled: calls.unsig_eps[1] by destination endpoint */
	struct timer idle;         /* unsignalled: when it has been idle long enough */
	struct stream_ext *uprev, *unext; /* on probation (not proven yet), oldest first */
};

static inline struct stream_ext *sext(struct stream *s)
{
	return (struct stream_ext *)(void *)((char *)s - offsetof(struct stream_ext, s));
}

#define STUN_MAPS 256 /* public address:ports that STUN Binding responses gave, newest kept */
struct host_slot {
	struct addr a;
	uint32_t streams;
};

#define HOST_MAX_SLOTS 32768 /* addresses seen in RTP; past half of it, every address counts as seen */

#define CALLS_HANDED_MAX 64

struct calls {
	struct calls_config cfg;
	struct calls_sink sink;
	struct calls_stats st;
	struct htab by_id;         /* calls in progress by Call-ID */
	struct call *active;       /* calls in progress, newest first */
	unsigned n_active;
	struct timers call_timers;
	struct htab legs[3];       /* calls that may be a B2BUA's first leg (dialog.c) */
	struct htab conns;         /* TCP connections carrying SIP of calls in progress */
	struct htab flows;         /* all streams by (src, dst, SSRC) */
	struct htab by_ssrc;       /* all streams by (call, SSRC) */
	struct htab pairs;         /* streams in calls by (call, src addr, dst addr) */
	struct htab unsig_eps[2];  /* unsignalled streams by source [0] and destination [1] endpoint */
	struct htab ep_groups;
	struct htab ep_nodes;
	struct stream *unsig;      /* unsignalled streams in progress, newest first */
	struct timers stream_timers; /* unsignalled streams by when they go idle */
	struct stream_ext *probation_oldest, *probation_newest;
	unsigned n_streams;
	unsigned n_probation;
	uint64_t seq_no;
	uint64_t stream_seq;
	int64_t last_tick;
	bool ticked;
	struct host_slot *hosts;   /* open addressing; family 0 = empty */
	unsigned host_slots, n_hosts;
	uint64_t host_streams;     /* streams counted in hosts (each for its two hosts) */
	uint64_t raw_bytes;        /* allocated for the messages' bytes of calls in progress (raw.c) */
	struct endpoint stun_maps[STUN_MAPS]; /* a ring: XOR-MAPPED-ADDRESS of Binding responses */
	unsigned n_stun_maps, stun_next;
	uint64_t handed[CALLS_HANDED_MAX]; /* a ring: the worker's jobs of the calls handed to it
				    * last, so that at most this many wait there (memory) */
	unsigned n_handed, handed_next;
};

/* raw.c: keeps the bytes of message r (len on the wire) in c->raw, within
 * the configured caps. */
void call_keep_raw(struct calls *t, struct call *c, struct msg_rec *r, const uint8_t *p, size_t len);

/* calls.c */
/* Recomputes when c is due to be finalised; an earlier time moves its timer. */
void call_touch(struct calls *t, struct call *c);
/* The call table's helpers used by dialog.c. */
struct call *call_find(struct calls *t, struct sv call_id);
struct call *call_create(struct calls *t, struct sv call_id, const struct dgram *d);
void conn_use(struct calls *t, struct call *c, const struct dgram *d);
void copy_sv(char *dst, size_t cap, struct sv s);
bool cstr_eq_sv(const char *c, struct sv s);
bool grow_array(void **arr, uint32_t *cap, uint32_t n, uint32_t max, size_t elem, uint32_t first);

/* dialog.c */
/* Links c to an earlier leg of the same B2BUA call, if one fits. */
void legs_link(struct calls *t, struct call *c, const struct sip_msg *m);
void legs_add(struct calls *t, struct call *c);
void legs_remove(struct calls *t, struct call *c);

/* media.c */
bool media_init(struct calls *t);
void media_free(struct calls *t);
/* Counts a new stream for its source and destination hosts. */
void host_note_stream(struct calls *t, const struct addr *src, const struct addr *dst);
/* The streams seen to or from a, UINT32_MAX when the table is full (every
 * address counts as seen). */
uint32_t host_streams(const struct calls *t, const struct addr *a);
/* Registers the endpoints of SDP record idx of c and binds the unsignalled
 * streams that now match (RTP seen before its SDP). */
void bind_media(struct calls *t, struct call *c, int16_t idx);
/* Lets go of a finalised call's endpoints; first adds to media_elsewhere what
 * its advertisements saw go to other calls. */
void ep_settle_call(struct calls *t, struct call *c);
/* c has just ended (BYE, a final failure; over), or begun again (a new
 * INVITE after a failure, an authentication challenge): what its advertised
 * endpoints saw go elsewhere is counted up to now, or again as it comes
 * (media.c). */
void media_call_over(struct calls *t, struct call *c, bool over);
/* Streams bound to other calls at c's advertised RTP endpoints so far. */
uint32_t ep_elsewhere(const struct call *c);
void ep_remove_call(struct calls *t, struct call *c);
void stream_free(struct calls *t, struct stream *s);
/* stream_free in two: out of every index of the table (the reader's part),
 * then its memory (the thread's, for a call handed to it). */
void stream_unlink(struct calls *t, struct stream *s);
void stream_drop(const struct calls_config *cfg, struct stream *s);
/* Whether a STUN Binding response of the capture gave e as someone's public address. */
bool stun_mapped(const struct calls *t, const struct endpoint *e);
void unsig_finalize(struct calls *t, struct stream *s);
/* Waits for the calls worker to be done with stream s (its figures and audio
 * are read or freed next), or with every stream of a list. */
static inline void audio_settle_one(struct calls *t, const struct stream *s)
{
	if (t->cfg.worker && s->af.job)
		calls_worker_wait(t->cfg.worker, s->af.job);
}

static inline void audio_settle(struct calls *t, const struct stream *list)
{
	uint64_t last = 0;
	for (const struct stream *s = list; s; s = s->next)
		if (s->af.job > last)
			last = s->af.job;
	if (t->cfg.worker && last)
		calls_worker_wait(t->cfg.worker, last);
}

/* The other party of a call (PARTY_NONE stays none). */
static inline uint8_t other_party(uint8_t p)
{
	return p == PARTY_A ? PARTY_B : p == PARTY_B ? PARTY_A : PARTY_NONE;
}

/* The indexes media.c keeps, for media_control.c: the endpoint advertised (or
 * learned) as e of this kind, the stream of one flow and SSRC, and c's stream
 * with this SSRC (NULL c: the unsignalled ones). */
struct ep_node *ep_lookup(struct calls *t, const struct endpoint *e, uint8_t kind);
struct stream_ext *flow_find(struct calls *t, const struct endpoint *src, const struct endpoint *dst,
			     uint32_t ssrc);
struct stream *ssrc_find(struct calls *t, const struct call *c, uint32_t ssrc);
/* Finalises the unsignalled streams idle at capture time now. */
void streams_tick(struct calls *t, int64_t now);

#endif
