/* SPDX-License-Identifier: MIT */
/* --write-pcap: the frames of the calls --call picked, out of the capture
 * into a pcapng file (write_pcap.h says how the passes share the work).
 * Memory: the selection (SIP frame numbers, flows, then the frame numbers
 * chosen) and a fixed ring of recent frames held for reassembly. */
#include "pipeline/write_pcap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "pipeline/anonymize.h"
#include "pipeline/pcapng_writer.h"
#include "proto/classify.h"
#include "proto/icmp.h"
#include "proto/sip.h"
#include "source/bpf.h"
#include "source/capture.h"

#define SEC 1000000000LL
#define MEDIA_MARGIN_NS (2 * SEC)   /* media this close around the call's span is its own */
#define STUN_BEFORE_NS (30 * SEC)   /* STUN from the call's endpoints this long before it */
#define PEND_RING 1024              /* frames held for reassembly, remembered */

/* FLOW_TCP: a TCP connection that carried the calls' SIP: all of it within
 * their span (other calls' messages too, or the connection would have holes),
 * and its first frames (the handshake, a WebSocket upgrade) before. */
enum flow_kind { FLOW_MEDIA, FLOW_SIG, FLOW_TCP };
#define TCP_OPENING 8

/* A flow of the call, either direction, within [t0, t1]. */
struct flow {
	struct addr a, b;
	uint16_t pa, pb;
	uint8_t kind;
	int64_t t0, t1;
	bool used;                   /* FLOW_TCP: frames of it were taken */
	uint8_t n_opening;
	uint64_t opening[TCP_OPENING]; /* FLOW_TCP: the first frames since its last SYN */
};

/* A frame held back by the decoder (an IP fragment, a TCP segment), with
 * the key of what it was part of. */
struct pend {
	uint64_t frame;
	uint64_t key;
	int64_t ts;
};

struct vec64 {
	uint64_t *v;
	size_t n, cap;
};

struct pcap_pick {
	struct vec64 sip;      /* frames of the calls' SIP messages (pass 1) */
	struct vec64 frames;   /* frames to write (pass 2) */
	struct flow *flows;
	size_t n_flows, flows_cap;
	uint64_t calls;
	bool nomem;
	/* pass 2 */
	struct pend ring[PEND_RING];
	unsigned ring_at;
	struct anon *anon;     /* addresses and text of what is taken, to keep pseudonyms apart */
};

static void vec_add(struct pcap_pick *p, struct vec64 *v, uint64_t x)
{
	if (v->n == v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 256;
		uint64_t *nv = realloc(v->v, nc * sizeof(*nv));
		if (!nv) {
			p->nomem = true;
			return;
		}
		v->v = nv;
		v->cap = nc;
	}
	v->v[v->n++] = x;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void vec_sort_unique(struct vec64 *v)
{
	if (v->n < 2)
		return;
	qsort(v->v, v->n, sizeof(*v->v), cmp_u64);
	size_t w = 1;
	for (size_t i = 1; i < v->n; i++)
		if (v->v[i] != v->v[w - 1])
			v->v[w++] = v->v[i];
	v->n = w;
}

static bool vec_has(const struct vec64 *v, uint64_t x)
{
	size_t lo = 0, hi = v->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v->v[mid] == x)
			return true;
		if (v->v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

struct pcap_pick *pcap_pick_new(void)
{
	return calloc(1, sizeof(struct pcap_pick));
}

void pcap_pick_free(struct pcap_pick *p)
{
	if (!p)
		return;
	free(p->sip.v);
	free(p->frames.v);
	free(p->flows);
	anon_free(p->anon);
	free(p);
}

static void add_flow(struct pcap_pick *p, const struct endpoint *a, const struct endpoint *b, uint8_t kind,
		     int64_t t0, int64_t t1)
{
	if (!a->addr.family || !b->addr.family)
		return;
	for (size_t i = 0; i < p->n_flows; i++) {
		struct flow *f = &p->flows[i];
		bool same = (addr_eq(&f->a, &a->addr) && f->pa == a->port && addr_eq(&f->b, &b->addr) && f->pb == b->port) ||
			    (addr_eq(&f->b, &a->addr) && f->pb == a->port && addr_eq(&f->a, &b->addr) && f->pa == b->port);
		if (same && f->kind == kind) {
			if (t0 < f->t0)
				f->t0 = t0;
			if (t1 > f->t1)
				f->t1 = t1;
			return;
		}
	}
	if (p->n_flows == p->flows_cap) {
		size_t nc = p->flows_cap ? p->flows_cap * 2 : 16;
		struct flow *nf = realloc(p->flows, nc * sizeof(*nf));
		if (!nf) {
			p->nomem = true;
			return;
		}
		p->flows = nf;
		p->flows_cap = nc;
	}
	struct flow *f = &p->flows[p->n_flows++];
	f->a = a->addr;
	f->b = b->addr;
	f->pa = a->port;
	f->pb = b->port;
	f->kind = kind;
	f->t0 = t0;
	f->t1 = t1;
	f->used = false;
	f->n_opening = 0;
}

void pcap_pick_call(struct pcap_pick *p, const struct call *c)
{
	int64_t t0 = c->start_ts, t1 = c->last_activity_ts;
	for (uint32_t i = 0; i < c->n_msgs; i++) {
		const struct msg_rec *m = &c->msgs[i];
		vec_add(p, &p->sip, m->frame);
		if (m->ts < t0)
			t0 = m->ts;
		if (m->ts > t1)
			t1 = m->ts;
	}
	for (const struct stream *s = c->streams; s; s = s->next) {
		if (s->first_ts < t0)
			t0 = s->first_ts;
		if (s->last_ts > t1)
			t1 = s->last_ts;
	}
	if (c->end_ts > t1)
		t1 = c->end_ts;
	for (uint32_t i = 0; i < c->n_msgs; i++) {
		add_flow(p, &c->msgs[i].src, &c->msgs[i].dst, FLOW_SIG, t0 - MEDIA_MARGIN_NS, t1 + MEDIA_MARGIN_NS);
		if (c->msgs[i].transport == TP_TCP)
			add_flow(p, &c->msgs[i].src, &c->msgs[i].dst, FLOW_TCP, t0 - MEDIA_MARGIN_NS,
				 t1 + MEDIA_MARGIN_NS);
	}
	for (const struct stream *s = c->streams; s; s = s->next) {
		add_flow(p, &s->src, &s->dst, FLOW_MEDIA, t0 - MEDIA_MARGIN_NS, t1 + MEDIA_MARGIN_NS);
		/* RTCP on the next ports (RFC 3550 section 11), unless muxed on these */
		if (s->src.port < 65535 && s->dst.port < 65535) {
			struct endpoint a = s->src, b = s->dst;
			a.port++;
			b.port++;
			add_flow(p, &a, &b, FLOW_MEDIA, t0 - MEDIA_MARGIN_NS, t1 + MEDIA_MARGIN_NS);
		}
	}
	for (unsigned i = 0; i < c->n_icmp && i < CALL_MAX_ICMP; i++) {
		vec_add(p, &p->sip, c->icmp[i].first_frame);
		vec_add(p, &p->sip, c->icmp[i].last_frame);
	}
	p->calls++;
}

static bool ep_in_flow(const struct flow *f, const struct addr *a, uint16_t port)
{
	return (addr_eq(&f->a, a) && f->pa == port) || (addr_eq(&f->b, a) && f->pb == port);
}

/* A flow of kind (any kind when kind < 0) that src -> dst is on at time ts. */
static bool flow_match(const struct pcap_pick *p, int kind, const struct addr *src, uint16_t sp,
		       const struct addr *dst, uint16_t dp, int64_t ts)
{
	for (size_t i = 0; i < p->n_flows; i++) {
		const struct flow *f = &p->flows[i];
		if ((kind >= 0 && f->kind != kind) || ts < f->t0 || ts > f->t1)
			continue;
		if ((addr_eq(&f->a, src) && f->pa == sp && addr_eq(&f->b, dst) && f->pb == dp) ||
		    (addr_eq(&f->b, src) && f->pb == sp && addr_eq(&f->a, dst) && f->pa == dp))
			return true;
	}
	return false;
}

/* STUN from or to one of the calls' endpoints (keepalives, a STUN server
 * telling a phone its public address) around the call. */
static bool stun_match(const struct pcap_pick *p, const struct dgram *d)
{
	for (size_t i = 0; i < p->n_flows; i++) {
		const struct flow *f = &p->flows[i];
		if (d->ts_ns < f->t0 + MEDIA_MARGIN_NS - STUN_BEFORE_NS || d->ts_ns > f->t1)
			continue;
		if (ep_in_flow(f, &d->src, d->sport) || ep_in_flow(f, &d->dst, d->dport))
			return true;
	}
	return false;
}

static uint64_t key_mix(uint64_t h, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* The key of a TCP direction or of an IPv4 datagram in fragments. */
static uint64_t flow_key(bool frag, const uint8_t *src, const uint8_t *dst, size_t alen, uint16_t a, uint16_t b)
{
	uint8_t tag = frag ? 'F' : 'T', x[4] = { (uint8_t)(a >> 8), (uint8_t)a, (uint8_t)(b >> 8), (uint8_t)b };
	uint64_t h = key_mix(0xcbf29ce484222325ULL, &tag, 1);
	h = key_mix(h, src, alen);
	h = key_mix(h, dst, alen);
	h = key_mix(h, x, 4);
	return h | 1;
}

/* The reassembly key of a frame: an IP fragment, a TCP segment with data,
 * SCTP; 0 for anything else. */
static uint64_t frame_key(const struct frame *f)
{
	long off = anon_ip_offset(f->linktype, f->data, f->caplen);
	if (off < 0)
		return 0;
	const uint8_t *ip = f->data + off;
	size_t n = f->caplen - (size_t)off;
	if (n >= 20 && ip[0] >> 4 == 4) {
		size_t ihl = (size_t)(ip[0] & 15) * 4;
		uint16_t fo = (uint16_t)((ip[6] << 8) | ip[7]);
		if ((fo & 0x3FFF) != 0)
			return flow_key(true, ip + 12, ip + 16, 4, (uint16_t)((ip[4] << 8) | ip[5]), 0);
		if (ip[9] == 132 && ihl >= 20 && n >= ihl + 12) /* SCTP: DATA chunks of a message in pieces */
			return flow_key(false, ip + 12, ip + 16, 4, (uint16_t)((ip[ihl] << 8) | ip[ihl + 1]),
					(uint16_t)((ip[ihl + 2] << 8) | ip[ihl + 3]));
		if (ip[9] == 6 && ihl >= 20 && n >= ihl + 20) {
			const uint8_t *t = ip + ihl;
			size_t doff = (size_t)(t[12] >> 4) * 4;
			size_t tot = (size_t)((ip[2] << 8) | ip[3]);
			if (tot <= ihl + doff)
				return 0;
			return flow_key(false, ip + 12, ip + 16, 4, (uint16_t)((t[0] << 8) | t[1]),
					(uint16_t)((t[2] << 8) | t[3]));
		}
	} else if (n >= 40 && ip[0] >> 4 == 6 && ip[6] == 44) {
		/* IPv6 fragments: by their addresses (the decoder does not hand on the identification) */
		return flow_key(true, ip + 8, ip + 24, 16, 0, 0);
	} else if (n >= 40 && ip[0] >> 4 == 6 && ip[6] == 6 && n >= 60) {
		const uint8_t *t = ip + 40;
		size_t doff = (size_t)(t[12] >> 4) * 4;
		size_t pl = (size_t)((ip[4] << 8) | ip[5]);
		if (pl <= doff)
			return 0;
		return flow_key(false, ip + 8, ip + 24, 16, (uint16_t)((t[0] << 8) | t[1]),
				(uint16_t)((t[2] << 8) | t[3]));
	}
	return 0;
}

/* Frame f as a frame of a FLOW_TCP connection: taken within its span,
 * remembered among its opening frames before. True when taken. */
static bool tcp_conn_frame(struct pcap_pick *p, const struct frame *f)
{
	long off = anon_ip_offset(f->linktype, f->data, f->caplen);
	if (off < 0)
		return false;
	const uint8_t *ip = f->data + off;
	size_t n = f->caplen - (size_t)off, ihl;
	struct addr src, dst;
	if (n >= 20 && ip[0] >> 4 == 4 && ip[9] == 6 && (((ip[6] << 8) | ip[7]) & 0x3FFF) == 0) {
		ihl = (size_t)(ip[0] & 15) * 4;
		addr_v4(&src, ip + 12);
		addr_v4(&dst, ip + 16);
	} else if (n >= 40 && ip[0] >> 4 == 6 && ip[6] == 6) {
		ihl = 40;
		addr_v6(&src, ip + 8);
		addr_v6(&dst, ip + 24);
	} else {
		return false;
	}
	if (ihl < 20 || n < ihl + 14)
		return false;
	const uint8_t *t = ip + ihl;
	uint16_t sp = (uint16_t)((t[0] << 8) | t[1]), dp = (uint16_t)((t[2] << 8) | t[3]);
	bool syn = (t[13] & 0x12) == 0x02, taken = false;
	for (size_t i = 0; i < p->n_flows; i++) {
		struct flow *fl = &p->flows[i];
		if (fl->kind != FLOW_TCP)
			continue;
		if (!((addr_eq(&fl->a, &src) && fl->pa == sp && addr_eq(&fl->b, &dst) && fl->pb == dp) ||
		      (addr_eq(&fl->b, &src) && fl->pb == sp && addr_eq(&fl->a, &dst) && fl->pa == dp)))
			continue;
		if (f->ts_ns >= fl->t0 && f->ts_ns <= fl->t1) {
			fl->used = true;
			taken = true;
		} else if (f->ts_ns < fl->t0) {
			if (syn)
				fl->n_opening = 0;
			if (fl->n_opening < TCP_OPENING)
				fl->opening[fl->n_opening++] = f->num;
		}
	}
	return taken;
}

static uint64_t dgram_key(const struct dgram *d)
{
	size_t alen = d->src.family == 4 ? 4 : 16;
	if ((d->encap & ENC_TCP) || d->transport == TP_SCTP)
		return flow_key(false, d->src.b, d->dst.b, alen, d->sport, d->dport);
	if ((d->encap & ENC_IPFRAG) && d->src.family == 4)
		return flow_key(true, d->src.b, d->dst.b, 4, d->ip_id, 0);
	if (d->encap & ENC_IPFRAG)
		return flow_key(true, d->src.b, d->dst.b, 16, 0, 0);
	return 0;
}

/* Frames held for the datagram or message d completed: taken when take,
 * forgotten either way. */
static void take_pending(struct pcap_pick *p, const struct dgram *d, bool take)
{
	uint64_t key = dgram_key(d);
	if (!key)
		return;
	for (unsigned i = 0; i < PEND_RING; i++) {
		struct pend *e = &p->ring[i];
		if (e->key != key || d->ts_ns - e->ts > 30 * SEC)
			continue;
		if (take)
			vec_add(p, &p->frames, e->frame);
		e->key = 0;
	}
}

static void note_dgram(struct pcap_pick *p, const struct dgram *d)
{
	if (!p->anon)
		return;
	anon_note_addr(p->anon, &d->src);
	anon_note_addr(p->anon, &d->dst);
	anon_note_text(p->anon, d->data, d->len);
}

static void pass2_sink(void *ctx, const struct dgram *d)
{
	struct pcap_pick *p = ctx;
	bool take = false;
	if (d->transport == TP_ICMP || d->transport == TP_ICMPV6) {
		struct icmp_error e;
		if (icmp_error_parse(d->data, d->len, d->transport == TP_ICMPV6, &e) == ST_OK)
			take = vec_has(&p->sip, d->frame) ||
			       flow_match(p, -1, &e.q_src, e.q_sport, &e.q_dst, e.q_dport, d->ts_ns);
		if (take && p->anon) {
			anon_note_addr(p->anon, &e.q_src);
			anon_note_addr(p->anon, &e.q_dst);
		}
	} else if (vec_has(&p->sip, d->frame)) {
		take = true;
	} else if (d->transport == TP_UDP) {
		take = flow_match(p, FLOW_MEDIA, &d->src, d->sport, &d->dst, d->dport, d->ts_ns) ||
		       (classify_payload(d->data, d->len, d->sport, d->dport) == PK_STUN && stun_match(p, d));
	}
	take_pending(p, d, take);
	if (!take)
		return;
	vec_add(p, &p->frames, d->frame);
	note_dgram(p, d);
}

static void pass2_gap(void *ctx, const struct decode_gap *g)
{
	(void)ctx;
	(void)g;
}

static bool open_input(struct capture *cap, const struct pipeline_input *in, const struct pipeline_opts *o,
		       char *err, size_t errlen)
{
	const char *name = in->name ? in->name : in->path ? in->path : "input";
	struct capture_opts copts = { .reader = (enum capture_reader)o->reader, .max_inflated = o->max_inflated };
	enum status st = in->path ? capture_open(cap, in->path, 0, &copts)
				  : capture_open_mem(cap, name, in->data, in->len, 0, &copts);
	if (st != ST_OK) {
		snprintf(err, errlen, "%s: %s", name, cap->errbuf);
		capture_close(cap);
		return false;
	}
	return true;
}

/* Pass 2: which frames belong to the calls. */
static bool select_frames(struct pcap_pick *p, const struct pipeline_input *in, const struct pipeline_opts *o,
			  char *err, size_t errlen)
{
	struct capture cap;
	if (!open_input(&cap, in, o, err, errlen))
		return false;
	struct frame_filter *filt = NULL;
	if (o->filter) {
		filt = frame_filter_new(o->filter, err, errlen);
		if (!filt) {
			capture_close(&cap);
			return false;
		}
	}
	struct decode_config cfg = {
		.limits = limits_default(),
		.probe = sip_probe,
		.framer = sip_frame,
		.sink = pass2_sink,
		.gap = pass2_gap,
		.sink_ctx = p,
	};
	struct decoder *dec = decoder_new(&cfg);
	if (!dec) {
		frame_filter_free(filt);
		capture_close(&cap);
		snprintf(err, errlen, "out of memory");
		return false;
	}
	vec_sort_unique(&p->sip);
	struct frame f;
	int rc;
	while ((rc = capture_next(&cap, &f)) == 1) {
		if (f.bad)
			continue;
		f.point = 0;
		decoder_tick(dec, f.ts_ns);
		if (filt && !frame_filter_match(filt, &f))
			continue;
		if (tcp_conn_frame(p, &f))
			vec_add(p, &p->frames, f.num);
		uint64_t key = frame_key(&f);
		size_t before = p->frames.n;
		enum frame_result fr = decoder_frame(dec, &f);
		bool taken = false;
		for (size_t i = before; i < p->frames.n; i++)
			if (p->frames.v[i] == f.num)
				taken = true;
		if (key && !taken && fr == FR_HELD) {
			struct pend *e = &p->ring[p->ring_at++ % PEND_RING];
			e->frame = f.num;
			e->key = key;
			e->ts = f.ts_ns;
		}
	}
	decoder_flush(dec);
	decoder_free(dec);
	frame_filter_free(filt);
	for (size_t i = 0; i < p->n_flows; i++)
		for (unsigned k = 0; p->flows[i].used && k < p->flows[i].n_opening; k++)
			vec_add(p, &p->frames, p->flows[i].opening[k]);
	capture_close(&cap);
	vec_sort_unique(&p->frames);
	if (p->nomem) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	return true;
}

/* --anonymize: a datagram the capture holds in IP fragments is written
 * whole, as one packet in the frame of its last fragment (the text inside
 * changes length, so its fragments could not stay as they were). */
struct whole {
	uint64_t frame;        /* the frame that completed it, 0: none */
	uint16_t sport, dport;
	size_t len;
	uint8_t data[65536];
	uint8_t frame_buf[65536 + 256];
};

static void whole_sink(void *ctx, const struct dgram *d)
{
	struct whole *w = ctx;
	if (!(d->encap & ENC_IPFRAG) || d->transport != TP_UDP || d->len > sizeof(w->data))
		return;
	w->frame = d->frame;
	w->sport = d->sport;
	w->dport = d->dport;
	w->len = d->len;
	memcpy(w->data, d->data, d->len);
}

/* Whether frame f is an IP fragment (IPv4 offset or MF, an IPv6 Fragment header first). */
static bool is_fragment(const struct frame *f, long *ip_off)
{
	long off = anon_ip_offset(f->linktype, f->data, f->caplen);
	*ip_off = off;
	if (off < 0 || f->caplen - (size_t)off < 40)
		return false;
	const uint8_t *ip = f->data + off;
	if (ip[0] >> 4 == 4)
		return (((ip[6] << 8) | ip[7]) & 0x3FFF) != 0;
	return ip[0] >> 4 == 6 && ip[6] == 44;
}

/* The frame of the whole datagram: f's link header, its IP header without
 * fragmentation, a UDP header and the datagram; its length, 0 if it cannot be made. */
static size_t whole_frame(struct whole *w, const struct frame *f, long ip_off)
{
	size_t off = (size_t)ip_off;
	const uint8_t *ip = f->data + off;
	bool v6 = ip[0] >> 4 == 6;
	size_t ihl = v6 ? 40 : (size_t)(ip[0] & 15) * 4;
	if (ihl < 20 || off + ihl > f->caplen || off + ihl + 8 + w->len > sizeof(w->frame_buf) ||
	    ihl + 8 + w->len > 65535 + (v6 ? 40u : 0u))
		return 0;
	uint8_t *b = w->frame_buf;
	memcpy(b, f->data, off + ihl);
	uint8_t *nip = b + off;
	size_t udp_len = 8 + w->len;
	if (v6) {
		nip[4] = (uint8_t)(udp_len >> 8);
		nip[5] = (uint8_t)udp_len;
		nip[6] = 17;
	} else {
		nip[2] = (uint8_t)((ihl + udp_len) >> 8);
		nip[3] = (uint8_t)(ihl + udp_len);
		nip[6] &= 0x40; /* DF kept, MF and the offset gone */
		nip[7] = 0;
	}
	uint8_t *u = nip + ihl;
	u[0] = (uint8_t)(w->sport >> 8), u[1] = (uint8_t)w->sport;
	u[2] = (uint8_t)(w->dport >> 8), u[3] = (uint8_t)w->dport;
	u[4] = (uint8_t)(udp_len >> 8), u[5] = (uint8_t)udp_len;
	u[6] = u[7] = 0;
	memcpy(u + 8, w->data, w->len);
	return off + ihl + udp_len;
}

bool pcap_pick_write(struct pcap_pick *p, const struct pipeline_input *in, const struct pipeline_opts *o,
		     const char *path, bool anonymize, struct pcap_pick_result *res, char *err, size_t errlen)
{
	memset(res, 0, sizeof(*res));
	res->calls = p->calls;
	err[0] = '\0';
	if (anonymize && !p->anon) {
		p->anon = anon_new();
		if (!p->anon) {
			snprintf(err, errlen, "out of memory");
			return false;
		}
	}
	if (!select_frames(p, in, o, err, errlen))
		return false;
	struct capture cap;
	if (!open_input(&cap, in, o, err, errlen))
		return false;
	FILE *out = fopen(path, "wb");
	uint32_t *ifmap = calloc(CAPTURE_MAX_IFACES, sizeof(*ifmap));
	uint8_t *buf = anonymize ? malloc(ANON_MAX_FRAME) : NULL;
	if (!out || !ifmap || (anonymize && !buf)) {
		snprintf(err, errlen, "cannot write %s: %s", path, out ? "out of memory" : strerror(errno));
		if (out)
			fclose(out);
		free(ifmap);
		free(buf);
		capture_close(&cap);
		return false;
	}
	struct whole *whole = NULL;
	struct decoder *dec = NULL;
	if (anonymize) {
		whole = calloc(1, sizeof(*whole));
		struct decode_config cfg = {
			.limits = limits_default(), .probe = sip_probe, .framer = sip_frame,
			.sink = whole_sink, .gap = pass2_gap, .sink_ctx = whole,
		};
		dec = whole ? decoder_new(&cfg) : NULL;
		if (!dec) {
			snprintf(err, errlen, "out of memory");
			free(whole);
			fclose(out);
			free(ifmap);
			free(buf);
			capture_close(&cap);
			return false;
		}
	}
	bool ok = pcapng_write_shb(out, "deadair " DEADAIR_VERSION_STRING);
	uint32_t n_if = 0;
	size_t at = 0;
	struct frame f;
	int rc;
	while (ok && at < p->frames.n && (rc = capture_next(&cap, &f)) == 1) {
		while (at < p->frames.n && p->frames.v[at] < f.num)
			at++;
		if (at >= p->frames.n || p->frames.v[at] != f.num || f.bad)
			continue;
		const uint8_t *data = f.data;
		uint32_t caplen = f.caplen, len = f.len;
		if (anonymize) {
			const char *why = NULL;
			const uint8_t *src = f.data;
			size_t src_len = f.caplen;
			long ip_off;
			if (is_fragment(&f, &ip_off)) {
				f.point = 0;
				whole->frame = 0;
				decoder_frame(dec, &f);
				if (whole->frame != f.num)
					continue; /* a piece of what the last fragment will carry whole */
				src_len = whole_frame(whole, &f, ip_off);
				src = whole->frame_buf;
				f.len = f.caplen; /* nothing cut */
			}
			size_t nl = src_len ? anon_frame(p->anon, f.linktype, src, src_len, buf, ANON_MAX_FRAME, &why) : 0;
			if (!nl) {
				if (!res->dropped++)
					snprintf(res->why_dropped, sizeof(res->why_dropped), "frame %llu: %s",
						 (unsigned long long)f.num, why ? why : "cannot be anonymized");
				continue;
			}
			data = buf;
			len = (uint32_t)nl + (f.len > f.caplen ? f.len - f.caplen : 0);
			caplen = (uint32_t)nl;
		}
		if (f.iface >= CAPTURE_MAX_IFACES)
			continue;
		if (!ifmap[f.iface]) {
			const struct capture_iface *ci = f.iface < cap.n_ifaces ? &cap.ifaces[f.iface] : NULL;
			const char *name = ci ? ci->name : NULL;
			char anon_name[16];
			if (anonymize && name) {
				snprintf(anon_name, sizeof(anon_name), "if%u", n_if);
				name = anon_name;
			}
			ok = pcapng_write_idb(out, f.linktype, ci ? ci->snaplen : cap.snaplen, name);
			ifmap[f.iface] = ++n_if;
		}
		ok = ok && pcapng_write_epb(out, ifmap[f.iface] - 1, f.ts_ns, data, caplen, len);
		if (ok)
			res->frames++;
	}
	if (fclose(out) != 0)
		ok = false;
	if (!ok)
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
	free(ifmap);
	free(buf);
	free(whole);
	decoder_free(dec);
	capture_close(&cap);
	return ok;
}
