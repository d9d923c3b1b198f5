/* SPDX-License-Identifier: MIT */
/* The media of calls: the endpoints SDP advertises, streams (one per direction
 * and SSRC) bound to a call by the SDP address:port, then by the sender's own
 * advertised port (symmetric RTP), then by latching onto the reverse of a known
 * flow; RTCP by a=rtcp, port+1 or rtcp-mux; streams no signalling explains.
 *
 * A flow stays on probation until it shows STREAM_PROVEN_PACKETS packets in
 * sequence: it costs little (its arrays grow as they fill, stream.c), and
 * when too many are on probation at once (max_unproven_streams) the oldest is
 * dropped for a new one and counted, so a flood of one-packet UDP flows cannot
 * take the memory that real streams need. RTCP, STUN and ICMP errors, which
 * speak of these streams and endpoints: media_control.c. */
#include "calls/internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/stun.h"

#define PAIR_SCAN 256 /* streams of one address pair in one call looked at (stream_attach) */


bool stun_mapped(const struct calls *t, const struct endpoint *e)
{
	for (unsigned i = 0; i < t->n_stun_maps; i++)
		if (endpoint_eq(&t->stun_maps[i], e))
			return true;
	return false;
}

bool media_init(struct calls *t)
{
	t->host_slots = 1024;
	t->hosts = calloc(t->host_slots, sizeof(*t->hosts));
	return t->hosts && htab_init(&t->flows, 64, 0) && htab_init(&t->by_ssrc, 64, 0) &&
	       htab_init(&t->pairs, 64, 0) && htab_init(&t->unsig_eps[0], 64, 0) &&
	       htab_init(&t->unsig_eps[1], 64, 0) && htab_init(&t->ep_groups, 64, 0) &&
	       htab_init(&t->ep_nodes, 64, 0);
}

void media_free(struct calls *t)
{
	htab_free(&t->flows);
	htab_free(&t->by_ssrc);
	htab_free(&t->pairs);
	htab_free(&t->unsig_eps[0]);
	htab_free(&t->unsig_eps[1]);
	htab_free(&t->ep_groups);
	htab_free(&t->ep_nodes);
	timers_free(&t->stream_timers);
	free(t->hosts);
	t->hosts = NULL;
}

/* ---- addresses that RTP was seen to or from (is the capture on a media path?) ---- */

static unsigned host_home(const struct calls *t, const struct addr *a, unsigned slots)
{
	return (unsigned)(htab_hash(&t->flows, a, sizeof(*a)) & (slots - 1));
}

static bool hosts_grow(struct calls *t)
{
	unsigned slots = t->host_slots * 2;
	struct host_slot *h = calloc(slots, sizeof(*h));
	if (!h)
		return false;
	for (unsigned i = 0; i < t->host_slots; i++) {
		if (!t->hosts[i].a.family)
			continue;
		unsigned k = host_home(t, &t->hosts[i].a, slots);
		while (h[k].a.family)
			k = (k + 1) & (slots - 1);
		h[k] = t->hosts[i];
	}
	free(t->hosts);
	t->hosts = h;
	t->host_slots = slots;
	return true;
}

static void host_note(struct calls *t, const struct addr *a)
{
	if (t->n_hosts >= HOST_MAX_SLOTS / 2)
		return;
	if ((t->n_hosts + 1) * 2 > t->host_slots && (t->host_slots >= HOST_MAX_SLOTS || !hosts_grow(t)))
		return;
	unsigned i = host_home(t, a, t->host_slots);
	while (t->hosts[i].a.family) {
		if (addr_eq(&t->hosts[i].a, a)) {
			if (t->hosts[i].streams < UINT32_MAX - 1)
				t->hosts[i].streams++;
			return;
		}
		i = (i + 1) & (t->host_slots - 1);
	}
	t->hosts[i].a = *a;
	t->hosts[i].streams = 1;
	t->n_hosts++;
}

void host_note_stream(struct calls *t, const struct addr *src, const struct addr *dst)
{
	t->host_streams++;
	host_note(t, src);
	if (!addr_eq(src, dst))
		host_note(t, dst);
}

uint32_t host_streams(const struct calls *t, const struct addr *a)
{
	if (t->n_hosts >= HOST_MAX_SLOTS / 2)
		return UINT32_MAX;
	if (!t->host_slots)
		return 0;
	unsigned i = host_home(t, a, t->host_slots);
	while (t->hosts[i].a.family) {
		if (addr_eq(&t->hosts[i].a, a))
			return t->hosts[i].streams;
		i = (i + 1) & (t->host_slots - 1);
	}
	return 0;
}

/* ---- media endpoints advertised in SDP, and learned ---- */

static uint64_t group_hash(const struct calls *t, const struct endpoint *e, uint8_t kind)
{
	struct hkey k = { .n = 0 };
	hkey_add(&k, &e->addr, sizeof(e->addr));
	hkey_add(&k, &e->port, sizeof(e->port));
	hkey_add(&k, &kind, 1);
	return htab_hash(&t->ep_groups, k.buf, k.n);
}

static struct ep_group *group_find(struct calls *t, const struct endpoint *e, uint8_t kind, bool create)
{
	uint64_t h = group_hash(t, e, kind);
	for (struct hnode *n = htab_bucket(&t->ep_groups, h); n; n = n->next) {
		struct ep_group *g = HTAB_ENTRY(n, struct ep_group, node);
		if (n->hash == h && g->kind == kind && endpoint_eq(&g->ep, e))
			return g;
	}
	if (!create)
		return NULL;
	struct ep_group *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->ep = *e;
	g->kind = kind;
	htab_add(&t->ep_groups, &g->node, h);
	return g;
}

static uint64_t node_hash(const struct calls *t, const struct call *c, const struct endpoint *e, uint8_t kind,
			  uint8_t party)
{
	struct hkey k = { .n = 0 };
	hkey_add(&k, &c, sizeof(c));
	hkey_add(&k, &e->addr, sizeof(e->addr));
	hkey_add(&k, &e->port, sizeof(e->port));
	hkey_add(&k, &kind, 1);
	hkey_add(&k, &party, 1);
	return htab_hash(&t->ep_nodes, k.buf, k.n);
}

/* The most recent advertisement of e wins (ports are reused across calls):
 * the newest call's, and of its records the latest. */
struct ep_node *ep_lookup(struct calls *t, const struct endpoint *e, uint8_t kind)
{
	struct ep_group *g = group_find(t, e, kind, false);
	if (!g || !g->head)
		return NULL;
	struct ep_node *best = g->head;
	for (struct ep_node *n = best->gnext; n && n->call == best->call; n = n->gnext)
		if (n->sdp > best->sdp)
			best = n;
	return best;
}

static void ep_add(struct calls *t, struct call *c, const struct endpoint *e, uint8_t party, uint8_t kind,
		   int16_t sdp)
{
	uint64_t h = node_hash(t, c, e, kind, party);
	for (struct hnode *x = htab_bucket(&t->ep_nodes, h); x; x = x->next) {
		struct ep_node *n = HTAB_ENTRY(x, struct ep_node, node);
		if (x->hash == h && n->call == c && n->kind == kind && n->party == party && endpoint_eq(&n->g->ep, e)) {
			n->sdp = sdp;
			return;
		}
	}
	struct ep_group *g = group_find(t, e, kind, true);
	struct ep_node *n = g ? calloc(1, sizeof(*n)) : NULL;
	if (!n) {
		if (g && !g->head) {
			htab_del(&t->ep_groups, &g->node);
			free(g);
		}
		return;
	}
	n->g = g;
	n->call = c;
	n->party = party;
	n->kind = kind;
	n->sdp = sdp;
	n->base = g->streams_to;
	/* the group's list: newest call first, and a call's own newest first */
	struct ep_node **pp = &g->head, *prev = NULL;
	while (*pp && (*pp)->call->seq_no > c->seq_no) {
		prev = *pp;
		pp = &(*pp)->gnext;
	}
	n->gnext = *pp;
	n->gprev = prev;
	if (*pp)
		(*pp)->gprev = n;
	*pp = n;
	htab_add(&t->ep_nodes, &n->node, h);
	struct call_ext *cx = cext(c);
	n->call_next = cx->eps;
	cx->eps = n;
}

/* A stream was bound to `to` by its destination e: every other call that
 * advertised e sees media of its endpoint go elsewhere (counted when the
 * call is settled, ep_settle_call), unless it had ended before the stream
 * began (media_call_over): a later call to the same endpoint (a media port
 * that a server gives every call, as SIPp's does) says nothing of where this
 * call's media went. */
static void ep_note_elsewhere(struct calls *t, const struct endpoint *e, const struct call *to)
{
	struct ep_group *g = group_find(t, e, EP_RTP, false);
	if (!g)
		return;
	g->streams_to++;
	for (struct ep_node *n = g->head; n && n->call == to; n = n->gnext)
		n->own++;
}

void media_call_over(struct calls *t, struct call *c, bool over)
{
	(void)t;
	for (struct ep_node *n = cext(c)->eps; n; n = n->call_next) {
		n->ended = over;
		n->end_streams_to = n->g->streams_to;
		n->end_own = n->own;
	}
}

/* Whether a flow of the call `ended`, which has ended, is another call's now:
 * the call in progress that is the newest to name the flow's destination in
 * its SDP (or, when none names that, its source). Without this, a call that
 * reuses an ended call's media addresses, ports and SSRC (a server that gives
 * every call the same media port, a client that plays the same recorded RTP
 * from its own fixed port: SIPp in load tests) would have its RTP counted in
 * the ended call while that call lingers, and none in its own. Calls in
 * progress keep their flows: two live legs of a B2BUA with direct media name
 * the same endpoints. */
static bool flow_taken(struct calls *t, const struct call *ended, const struct endpoint *src,
		       const struct endpoint *dst)
{
	/* as a new stream is bound (calls_rtp): by its destination first */
	struct ep_node *n = ep_lookup(t, dst, EP_RTP);
	if (!n)
		n = ep_lookup(t, src, EP_RTP);
	return n && n->call != ended && !n->call->over;
}

uint32_t ep_elsewhere(const struct call *c)
{
	uint64_t n_else = 0;
	for (const struct ep_node *n = cext((struct call *)c)->eps; n; n = n->call_next)
		if (n->kind == EP_RTP)
			n_else += n->ended ? n->end_streams_to - n->base - n->end_own
					   : n->g->streams_to - n->base - n->own;
	return n_else > UINT32_MAX ? UINT32_MAX : (uint32_t)n_else;
}

void ep_settle_call(struct calls *t, struct call *c)
{
	(void)t;
	c->media_elsewhere += ep_elsewhere(c);
}

void ep_remove_call(struct calls *t, struct call *c)
{
	struct call_ext *cx = cext(c);
	for (struct ep_node *n = cx->eps; n;) {
		struct ep_node *next = n->call_next;
		struct ep_group *g = n->g;
		htab_del(&t->ep_nodes, &n->node);
		if (n->gprev)
			n->gprev->gnext = n->gnext;
		else
			g->head = n->gnext;
		if (n->gnext)
			n->gnext->gprev = n->gprev;
		if (!g->head) {
			htab_del(&t->ep_groups, &g->node);
			free(g);
		}
		free(n);
		n = next;
	}
	cx->eps = NULL;
}

/* ---- the indexes of streams ---- */

/* The first 8 bytes of an address as a little-endian word: an IPv4 address
 * in its low half, the rest of its 16 bytes left out (they take no part in
 * addr_eq either). */
static uint64_t load_le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	memcpy(&v, p, n);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v) >> (64 - 8 * n);
#endif
	return v;
}

static uint64_t addr_lo(const struct addr *a)
{
	return a->family == 4 ? load_le(a->b, 4) : load_le(a->b, 8);
}

static uint64_t addr_hi(const struct addr *a)
{
	return a->family == 4 ? 0 : load_le(a->b + 8, 8);
}

/* The flow key is (source address and port, destination address and port,
 * SSRC); these take its parts one by one, so that calls_rtp looks a packet
 * up straight from its datagram. */
static inline uint64_t flow_hash_parts(const struct calls *t, const struct addr *sa, uint16_t sp,
				       const struct addr *da, uint16_t dp, uint32_t ssrc)
{
	/* the key packed into words (the hash runs on every RTP packet): two
	 * for IPv4, where an address is 4 of its 16 bytes; six otherwise, with
	 * the families (the lengths differ, so the two forms cannot collide) */
	uint64_t ports = (uint64_t)sp | (uint64_t)dp << 16 | (uint64_t)ssrc << 32;
	if (sa->family == 4 && da->family == 4) {
		return htab_hash2(&t->flows, addr_lo(sa) | addr_lo(da) << 32, ports);
	}
	uint64_t w[6] = { ports, (uint64_t)sa->family | (uint64_t)da->family << 8,
			  addr_lo(sa), addr_hi(sa), addr_lo(da), addr_hi(da) };
	return htab_hash_words(&t->flows, w, 6);
}

static uint64_t flow_hash(const struct calls *t, const struct endpoint *src, const struct endpoint *dst,
			  uint32_t ssrc)
{
	return flow_hash_parts(t, &src->addr, src->port, &dst->addr, dst->port, ssrc);
}

/* endpoint_eq, inlined for the lookup of every RTP packet */
static inline bool flow_ep_eq(const struct endpoint *a, const struct addr *addr, uint16_t port)
{
	if (a->port != port || a->addr.family != addr->family)
		return false;
	if (addr->family == 4)
		return memcmp(a->addr.b, addr->b, 4) == 0;
	return memcmp(a->addr.b, addr->b, 16) == 0;
}

static inline struct stream_ext *flow_find_parts(struct calls *t, const struct addr *sa, uint16_t sp,
						 const struct addr *da, uint16_t dp, uint32_t ssrc)
{
	uint64_t h = flow_hash_parts(t, sa, sp, da, dp, ssrc);
	for (struct hnode *n = htab_bucket(&t->flows, h); n; n = n->next) {
		struct stream_ext *x = HTAB_ENTRY(n, struct stream_ext, flow_node);
		if (n->hash == h && x->s.ssrc == ssrc && flow_ep_eq(&x->s.src, sa, sp) && flow_ep_eq(&x->s.dst, da, dp))
			return x;
	}
	return NULL;
}

struct stream_ext *flow_find(struct calls *t, const struct endpoint *src, const struct endpoint *dst,
				    uint32_t ssrc)
{
	return flow_find_parts(t, &src->addr, src->port, &dst->addr, dst->port, ssrc);
}

static uint64_t ssrc_hash(const struct calls *t, const struct call *c, uint32_t ssrc)
{
	struct hkey k = { .n = 0 };
	hkey_add(&k, &c, sizeof(c));
	hkey_add(&k, &ssrc, sizeof(ssrc));
	return htab_hash(&t->by_ssrc, k.buf, k.n);
}

static void ssrc_add(struct calls *t, struct stream_ext *x)
{
	htab_add(&t->by_ssrc, &x->ssrc_node, ssrc_hash(t, x->s.call, x->s.ssrc));
}

/* The stream of c (NULL: the unsignalled ones) with this SSRC, the one bound
 * (or seen) last when there are several. */
struct stream *ssrc_find(struct calls *t, const struct call *c, uint32_t ssrc)
{
	uint64_t h = ssrc_hash(t, c, ssrc);
	for (struct hnode *n = htab_bucket(&t->by_ssrc, h); n; n = n->next) {
		struct stream_ext *x = HTAB_ENTRY(n, struct stream_ext, ssrc_node);
		if (n->hash == h && x->s.call == c && x->s.ssrc == ssrc)
			return &x->s;
	}
	return NULL;
}

static uint64_t pair_hash(const struct calls *t, const struct call *c, const struct addr *src,
			  const struct addr *dst)
{
	struct hkey k = { .n = 0 };
	hkey_add(&k, &c, sizeof(c));
	hkey_add(&k, src, sizeof(*src));
	hkey_add(&k, dst, sizeof(*dst));
	return htab_hash(&t->pairs, k.buf, k.n);
}

static uint64_t unsig_ep_hash(const struct calls *t, uint8_t role, const struct endpoint *e)
{
	struct hkey k = { .n = 0 };
	hkey_add(&k, &e->addr, sizeof(e->addr));
	hkey_add(&k, &e->port, sizeof(e->port));
	return htab_hash(&t->unsig_eps[role], k.buf, k.n);
}

/* ---- streams in and out of their lists ---- */

static void probation_unlink(struct calls *t, struct stream_ext *x)
{
	if (!x->on_probation)
		return;
	if (x->uprev)
		x->uprev->unext = x->unext;
	else
		t->probation_oldest = x->unext;
	if (x->unext)
		x->unext->uprev = x->uprev;
	else
		t->probation_newest = x->uprev;
	x->uprev = x->unext = NULL;
	x->on_probation = false;
	t->n_probation--;
}

static void unsig_link(struct calls *t, struct stream_ext *x)
{
	x->prev = NULL;
	x->s.next = t->unsig;
	if (t->unsig)
		sext(t->unsig)->prev = x;
	t->unsig = &x->s;
	htab_add(&t->unsig_eps[0], &x->usrc_node, unsig_ep_hash(t, 0, &x->s.src));
	htab_add(&t->unsig_eps[1], &x->udst_node, unsig_ep_hash(t, 1, &x->s.dst));
	ssrc_add(t, x);
}

static void unsig_unlink(struct calls *t, struct stream_ext *x)
{
	if (x->prev)
		x->prev->s.next = x->s.next;
	else
		t->unsig = x->s.next;
	if (x->s.next)
		sext(x->s.next)->prev = x->prev;
	x->s.next = NULL;
	x->prev = NULL;
	htab_del(&t->unsig_eps[0], &x->usrc_node);
	htab_del(&t->unsig_eps[1], &x->udst_node);
	htab_del(&t->by_ssrc, &x->ssrc_node);
	timers_remove(&t->stream_timers, &x->idle);
}

void stream_unlink(struct calls *t, struct stream *s)
{
	struct stream_ext *x = sext(s);
	htab_del(&t->flows, &x->flow_node);
	htab_del(&t->by_ssrc, &x->ssrc_node);
	htab_del(&t->pairs, &x->pair_node);
	htab_del(&t->unsig_eps[0], &x->usrc_node);
	htab_del(&t->unsig_eps[1], &x->udst_node);
	timers_remove(&t->stream_timers, &x->idle);
	probation_unlink(t, x);
	t->n_streams--;
}

void stream_drop(const struct calls_config *cfg, struct stream *s)
{
	stream_audio_free(s, cfg);
	stream_release(s);
	free(sext(s));
}

void stream_free(struct calls *t, struct stream *s)
{
	stream_unlink(t, s);
	audio_settle_one(t, s);
	stream_drop(&t->cfg, s);
}

/* Drops the oldest flow on probation, wherever it is, to make room. */
static void probation_evict(struct calls *t)
{
	struct stream_ext *x = t->probation_oldest;
	struct call *c = x->s.call;
	if (c) {
		if (x->prev)
			x->prev->s.next = x->s.next;
		else
			c->streams = x->s.next;
		if (x->s.next)
			sext(x->s.next)->prev = x->prev;
		c->n_streams--;
	} else {
		unsig_unlink(t, x);
	}
	t->st.limit_probation++;
	t->st.stray_rtp += x->s.packets;
	stream_free(t, &x->s);
}

/* Which m= line of the call's SDP the stream belongs to: the receiver's line
 * whose port it is sent to, else the sender's line whose port it is sent from
 * (symmetric RTP); the lines of an offer and its answer correspond by position
 * (RFC 3264 section 6). -1 when no port tells (a relay, ICE, a NAT). */
static int stream_mline(const struct call *c, const struct stream *s)
{
	uint8_t receiver = other_party(s->dir);
	for (int pass = 0; pass < 2; pass++) {
		uint8_t by = pass == 0 ? receiver : s->dir;
		uint16_t port = pass == 0 ? s->dst.port : s->src.port;
		if (by == PARTY_NONE || !port)
			continue;
		for (uint32_t i = c->n_sdp; i-- > 0;) {
			const struct sdp_rec *r = &c->sdp[i];
			if (r->by != by)
				continue;
			for (unsigned m = 0; m < r->n_media && m < 128; m++)
				if (r->media[m].rtp.port == port)
					return (int)m;
		}
	}
	return -1;
}

static uint8_t media_kind(const char *type)
{
	if (!strcasecmp(type, "audio"))
		return MEDIA_AUDIO;
	if (!strcasecmp(type, "video"))
		return MEDIA_VIDEO;
	return MEDIA_OTHER;
}

/* Clock rates of dynamic payload types, and which one is telephone-event, from
 * the receiver's SDP (RFC 3264: RTP sent to a party uses the payload types that
 * party's description lists), from the stream's own m= line when known: PT 96
 * can be opus on the audio line and VP8 on the video line of one description.
 * Static types keep RFC 3551's rates. */
static void stream_codec_from_sdp_rec(struct stream *s, const struct sdp_rec *r)
{
	for (unsigned m = 0; m < r->n_media; m++) {
		if (s->mline >= 0 && m != (unsigned)s->mline)
			continue;
		if (s->mline >= 0 && !s->media)
			s->media = media_kind(r->media[m].type);
		for (unsigned k = 0; k < r->media[m].n_codecs; k++) {
			const struct codec_rec *cr = &r->media[m].codecs[k];
			bool event = strncasecmp(cr->name, "telephone-event", 15) == 0;
			if (event && s->event_pt < 0)
				s->event_pt = cr->pt;
			if (cr->pt >= 96 && !stream_pt_clock(s, cr->pt))
				stream_set_pt_clock(s, cr->pt, event ? 0 : cr->clock);
		}
	}
}

static void stream_codec_from_sdp(struct call *c, struct stream *s)
{
	uint8_t receiver = other_party(s->dir);
	s->mline = (int8_t)stream_mline(c, s);
	for (uint32_t i = 0; i < c->n_sdp; i++)
		if (receiver == PARTY_NONE || c->sdp[i].by == receiver)
			stream_codec_from_sdp_rec(s, &c->sdp[i]);
	/* a line of this kind in no description of the receiver: the sender's says */
	for (uint32_t i = 0; i < c->n_sdp && s->mline >= 0 && !s->media; i++)
		if ((unsigned)s->mline < c->sdp[i].n_media)
			s->media = media_kind(c->sdp[i].media[s->mline].type);
}

static void stream_attach(struct calls *t, struct call *c, struct stream *s, uint8_t dir, uint8_t how)
{
	struct stream_ext *x = sext(s);
	/* two opposite flows cannot both come from the same party: when SDP points
	 * both ways (e.g. a media relay advertising its own ports to both sides),
	 * the weaker binding yields (to the newest such flow, as the call lists them) */
	if (dir != PARTY_NONE && !addr_eq(&s->src.addr, &s->dst.addr)) {
		uint64_t h = pair_hash(t, c, &s->dst.addr, &s->src.addr);
		unsigned seen = 0;
		for (struct hnode *n = htab_bucket(&t->pairs, h); n && seen < PAIR_SCAN; n = n->next) {
			struct stream *o = &HTAB_ENTRY(n, struct stream_ext, pair_node)->s;
			if (n->hash != h || o->call != c || !addr_eq(&o->src.addr, &s->dst.addr) ||
			    !addr_eq(&o->dst.addr, &s->src.addr))
				continue;
			seen++;
			if (o->dir != dir)
				continue;
			if (how == BIND_SDP_DST && o->bound_by != BIND_SDP_DST)
				o->dir = other_party(dir);
			else
				dir = other_party(dir);
			break;
		}
	}
	s->call = c;
	s->dir = dir;
	s->bound_by = how;
	x->prev = NULL;
	s->next = c->streams;
	if (c->streams)
		sext(c->streams)->prev = x;
	c->streams = s;
	c->n_streams++;
	htab_add(&t->pairs, &x->pair_node, pair_hash(t, c, &s->src.addr, &s->dst.addr));
	ssrc_add(t, x);
	stream_codec_from_sdp(c, s);
	if (dir != PARTY_NONE)
		ep_add(t, c, &s->src, dir, EP_LEARNED, -1);
}

static int by_seq_desc(const void *a, const void *b)
{
	const struct stream_ext *x = *(struct stream_ext *const *)a, *y = *(struct stream_ext *const *)b;
	return x->seq > y->seq ? -1 : x->seq < y->seq;
}

/* The unsignalled streams from or to endpoint e (role 0: source, 1: destination). */
static void unsig_at(struct calls *t, uint8_t role, const struct endpoint *e, struct stream_ext ***v, size_t *n,
		     size_t *cap)
{
	uint64_t h = unsig_ep_hash(t, role, e);
	for (struct hnode *x = htab_bucket(&t->unsig_eps[role], h); x; x = x->next) {
		if (x->hash != h)
			continue;
		struct stream_ext *sx = role ? HTAB_ENTRY(x, struct stream_ext, udst_node)
					     : HTAB_ENTRY(x, struct stream_ext, usrc_node);
		if (!endpoint_eq(role ? &sx->s.dst : &sx->s.src, e))
			continue;
		if (*n == *cap) {
			size_t ncap = *cap ? *cap * 2 : 16;
			struct stream_ext **nv = realloc(*v, ncap * sizeof(*nv));
			if (!nv)
				return;
			*v = nv;
			*cap = ncap;
		}
		(*v)[(*n)++] = sx;
	}
}

void bind_media(struct calls *t, struct call *c, int16_t idx)
{
	const struct sdp_rec *r = &c->sdp[idx];
	for (unsigned i = 0; i < r->n_media; i++) {
		const struct sdp_media_rec *m = &r->media[i];
		if (!m->rtp.port || !m->rtp.addr.family || addr_is_unspecified(&m->rtp.addr))
			continue;
		ep_add(t, c, &m->rtp, r->by, EP_RTP, idx);
		struct endpoint rtcp = { m->rtp.addr, m->rtcp_mux ? m->rtp.port : m->rtcp_port };
		ep_add(t, c, &rtcp, r->by, EP_RTCP, idx);
		if (m->ice_default == ICE_DEFAULT_RELAY) {
			struct endpoint relay = { m->rtp.addr, 0 };
			ep_add(t, c, &relay, r->by, EP_RELAY, idx);
		}
	}
	for (struct stream *s = c->streams; s; s = s->next)
		if (s->dir != PARTY_NONE && s->dir != r->by)
			stream_codec_from_sdp_rec(s, r);
	/* unsignalled streams to or from an endpoint this record advertises
	 * (no other can have become this call's), newest first */
	struct stream_ext **v = NULL;
	size_t n = 0, cap = 0;
	for (unsigned i = 0; i < r->n_media; i++) {
		const struct sdp_media_rec *m = &r->media[i];
		if (!m->rtp.port || !m->rtp.addr.family || addr_is_unspecified(&m->rtp.addr))
			continue;
		unsig_at(t, 1, &m->rtp, &v, &n, &cap);
		unsig_at(t, 0, &m->rtp, &v, &n, &cap);
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), by_seq_desc);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && v[i] == v[i - 1])
			continue;
		struct stream *s = &v[i]->s;
		struct ep_node *e = ep_lookup(t, &s->dst, EP_RTP);
		uint8_t dir = PARTY_NONE, how = BIND_NONE;
		if (e && e->call == c) {
			dir = other_party(e->party);
			how = BIND_SDP_DST;
		} else if ((e = ep_lookup(t, &s->src, EP_RTP)) != NULL && e->call == c) {
			dir = e->party;
			how = BIND_SDP_SRC;
		}
		if (how == BIND_NONE)
			continue;
		unsig_unlink(t, v[i]);
		stream_attach(t, c, s, dir, how);
		t->st.rtp_in_calls += s->packets; /* its packets before the SDP are the call's too */
	}
	free(v);
}

static struct stream *stream_new(struct calls *t, const struct dgram *d, const struct rtp_hdr *h)
{
	if (t->n_streams >= t->cfg.max_streams) {
		t->st.limit_streams++;
		return NULL;
	}
	if (t->n_probation >= t->cfg.max_unproven_streams) {
		if (!t->probation_oldest)
			return NULL;
		probation_evict(t);
	}
	/* aligned as its cache lines are laid out (model.h) */
	size_t size = (sizeof(struct stream_ext) + _Alignof(struct stream_ext) - 1) & ~(_Alignof(struct stream_ext) - 1);
	struct stream_ext *x = aligned_alloc(_Alignof(struct stream_ext), size);
	if (!x)
		return NULL;
	memset(x, 0, sizeof(*x));
	struct stream *s = &x->s;
	s->src.addr = d->src;
	s->src.port = d->sport;
	s->dst.addr = d->dst;
	s->dst.port = d->dport;
	s->dir = PARTY_NONE;
	stream_init(s, d, h, &t->cfg);
	x->seq = ++t->stream_seq;
	timer_init(&x->idle);
	htab_add(&t->flows, &x->flow_node, flow_hash(t, &s->src, &s->dst, s->ssrc));
	x->on_probation = true;
	x->uprev = t->probation_newest;
	if (t->probation_newest)
		t->probation_newest->unext = x;
	else
		t->probation_oldest = x;
	t->probation_newest = x;
	t->n_probation++;
	t->n_streams++;
	if (t->n_streams > t->st.peak_streams)
		t->st.peak_streams = t->n_streams;
	return s;
}

/* The party whose relayed address (c= on its TURN candidate) is on the host
 * of the TURN server at e. */
static struct ep_node *turn_relay(struct calls *t, const struct endpoint *e)
{
	struct endpoint host = { e->addr, 0 };
	return ep_lookup(t, &host, EP_RELAY);
}

void calls_rtp(struct calls *t, const struct dgram *d, const struct rtp_hdr *h)
{
	t->st.rtp_packets++;
	struct stream_ext *x = flow_find_parts(t, &d->src, d->sport, &d->dst, d->dport, h->ssrc);
	struct stream *s = x ? &x->s : NULL;
	if (s && s->call && s->call->over) {
		struct endpoint src = { d->src, d->sport }, dst = { d->dst, d->dport };
		if (flow_taken(t, s->call, &src, &dst)) {
			/* out of the index of flows: the ended call keeps the stream
			 * as it was, this packet begins one of the new call's */
			htab_del(&t->flows, &x->flow_node);
			x = NULL;
			s = NULL;
		}
	}
	if (!s) {
		struct endpoint src = { d->src, d->sport }, dst = { d->dst, d->dport };
		s = stream_new(t, d, h);
		if (!s)
			return;
		x = sext(s);
		host_note_stream(t, &d->src, &d->dst);
		struct ep_node *n;
		if ((n = ep_lookup(t, &dst, EP_RTP)) != NULL) {
			stream_attach(t, n->call, s, other_party(n->party), BIND_SDP_DST);
			ep_note_elsewhere(t, &dst, n->call);
		} else if ((n = ep_lookup(t, &src, EP_RTP)) != NULL) {
			stream_attach(t, n->call, s, n->party, BIND_SDP_SRC);
		} else if ((d->encap & ENC_TURN) && (n = turn_relay(t, &dst)) != NULL) {
			/* in a TURN channel to the server of a relayed address a party
			 * advertised: that party sends it */
			stream_attach(t, n->call, s, n->party, BIND_TURN);
		} else if ((d->encap & ENC_TURN) && (n = turn_relay(t, &src)) != NULL) {
			stream_attach(t, n->call, s, other_party(n->party), BIND_TURN);
		} else if ((n = ep_lookup(t, &dst, EP_LEARNED)) != NULL) {
			/* sent to where a bound stream comes from: the far end latched */
			stream_attach(t, n->call, s, other_party(n->party), BIND_LATCH);
		} else if ((n = ep_lookup(t, &src, EP_LEARNED)) != NULL) {
			stream_attach(t, n->call, s, n->party, BIND_LATCH);
		} else {
			unsig_link(t, x);
		}
	}
	if (s->call)
		__builtin_prefetch(s->call, 1); /* its line with the start and last activity (model.h), read below */
	stream_update(s, d, h, &t->cfg);
	if (x->on_probation && stream_is_proven(s))
		probation_unlink(t, x);
	if (s->call) {
		t->st.rtp_in_calls++;
		if (d->ts_ns > s->call->last_activity_ts)
			s->call->last_activity_ts = d->ts_ns;
	} else {
		/* idle after stream_idle_ns without a packet (only ever earlier here) */
		timers_lower(&t->stream_timers, &x->idle, sat_add(s->last_ts, t->cfg.stream_idle_ns));
	}
}

void unsig_finalize(struct calls *t, struct stream *s)
{
	unsig_unlink(t, sext(s));
	audio_settle_one(t, s);
	if (s->packets >= t->cfg.min_unsignalled_packets) {
		t->st.streams_unsignalled++;
		if (t->sink.stream_done)
			t->sink.stream_done(t->sink.ctx, s);
	} else {
		t->st.stray_rtp += s->packets;
	}
	stream_free(t, s);
}

void streams_tick(struct calls *t, int64_t now)
{
	/* the unsignalled streams idle long enough, finalised newest first (the
	 * order of their list) */
	struct stream_ext **due = NULL;
	size_t n = 0, cap = 0;
	struct timer *tm;
	while ((tm = timers_top(&t->stream_timers)) != NULL && tm->due < now) {
		struct stream_ext *x = (struct stream_ext *)(void *)((char *)tm - offsetof(struct stream_ext, idle));
		int64_t when = sat_add(x->s.last_ts, t->cfg.stream_idle_ns);
		if (when >= now) {
			timers_set(&t->stream_timers, tm, when);
			continue;
		}
		timers_remove(&t->stream_timers, tm);
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct stream_ext **v = realloc(due, ncap * sizeof(*v));
			if (!v) {
				unsig_finalize(t, &x->s);
				continue;
			}
			due = v;
			cap = ncap;
		}
		due[n++] = x;
	}
	if (n > 1)
		qsort(due, n, sizeof(*due), by_seq_desc);
	for (size_t i = 0; i < n; i++)
		unsig_finalize(t, &due[i]->s);
	free(due);
}
