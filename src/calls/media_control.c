/* SPDX-License-Identifier: MIT */
/* What travels beside the media and speaks of it: RTCP reports (loss, jitter
 * and round trip as the far end saw them, sender reports), STUN (bindings,
 * consent, the mapped addresses of phones behind NATs), ICMP errors for RTP
 * and SIP (a door closed on the way). Streams and endpoints are media.c's. */
#include "calls/internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/stun.h"

#define ICMP_SCAN 1024 /* calls in progress an ICMP error without a Call-ID is matched against */

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
	if (c && n->party <= PARTY_B) {
		/* the sender: the other party of an endpoint the packet goes to, the party
		 * itself of one it comes from */
		bool to = endpoint_eq(&n->g->ep, &dst);
		uint8_t sender = to ? other_party(n->party) : n->party;
		if (sender <= PARTY_B) {
			c->rtcp_by[sender]++;
			c->rtcp_last_by[sender] = d->ts_ns;
		}
	}
	struct rtcp_iter it;
	rtcp_iter_init(&it, d->data, d->len);
	bool more = true;
	for (int guard = 0; more && guard < 32; guard++) {
		struct rtcp_pkt p;
		if (rtcp_next(&it, &p, &more) != ST_OK)
			break;
		if (p.pt == RTCP_SR || p.pt == RTCP_RR) {
			struct stream *own = ssrc_find(t, c, p.ssrc);
			if (own) {
				own->rtcp_sent++;
				own->rtcp_last_sent_ts = d->ts_ns;
				if (p.pt == RTCP_SR) {
					if (own->last_sr_ts > own->last_ts && own->last_ts &&
					    (int32_t)(p.pkt_count - own->last_sr_pkts) > 0)
						own->sr_sent_unseen_ts = d->ts_ns;
					own->last_sr_ntp = (uint32_t)(p.ntp >> 16);
					own->last_sr_ts = d->ts_ns;
					own->last_sr_pkts = p.pkt_count;
				}
			}
		}
		for (unsigned i = 0; i < p.n_blocks && i < 31; i++) {
			const struct rtcp_report_block *b = &p.blocks[i];
			struct stream *s = ssrc_find(t, c, b->ssrc);
			if (!s)
				continue;
			struct rtcp_view *v = &s->rtcp;
			if (!v->reports)
				v->first_ts = d->ts_ns;
			/* the extended highest sequence number the receiver got: unchanged
			 * from one report to the next while packets kept passing here means
			 * none of them arrived there */
			if (v->reports && b->ext_high_seq == v->last_ext_seq) {
				if (!v->seq_frozen_since) {
					v->seq_frozen_since = v->last_ts;
					v->seq_frozen_frame = v->last_frame;
					v->frozen_reports = 1;
				}
				v->frozen_reports++;
			} else {
				v->seq_frozen_since = 0;
				v->frozen_reports = 0;
			}
			v->last_ext_seq = b->ext_high_seq;
			v->last_ts = d->ts_ns;
			if (b->fraction_lost == 255) {
				if (!v->full_loss_reports++) {
					v->first_full_loss_ts = d->ts_ns;
					v->first_full_loss_frame = d->frame;
				}
			}
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
			struct stream *s = ssrc_find(t, c, p.voip.ssrc);
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
	/* a Binding success response tells its receiver its public address:port
	 * (RFC 8489 section 14.2): an endpoint that writes it into SIP and SDP
	 * learned it, no middlebox rewrote it */
	struct stun_msg sm;
	if (stun_parse(d->data, d->len, &sm) == ST_OK && sm.method == 0x001 && sm.cls == STUN_SUCCESS &&
	    sm.has_mapped && sm.mapped.family) {
		struct endpoint e = { sm.mapped, sm.mapped_port };
		if (!stun_mapped(t, &e)) {
			t->stun_maps[t->stun_next] = e;
			t->stun_next = (t->stun_next + 1) % STUN_MAPS;
			if (t->n_stun_maps < STUN_MAPS)
				t->n_stun_maps++;
		}
	}
	/* the sender: the other party of the one receiving at dst, or the party
	 * sending from its own advertised port */
	struct ep_node *n = ep_lookup(t, &dst, EP_RTP);
	bool from_owner = false;
	if (!n) {
		n = ep_lookup(t, &src, EP_RTP);
		from_owner = n != NULL;
	}
	if (!n)
		n = ep_lookup(t, &dst, EP_LEARNED);
	if (!n)
		return;
	if (d->ts_ns > n->call->last_activity_ts)
		n->call->last_activity_ts = d->ts_ns;
	if (n->party <= PARTY_B) {
		uint8_t by = from_owner ? n->party : (uint8_t)(1 - n->party);
		if (d->ts_ns > n->call->stun_last_by[by])
			n->call->stun_last_by[by] = d->ts_ns;
	}
}

/* The call an ICMP error's quoted SIP packet belongs to: by its Call-ID when
 * the router quoted that much, else by the signalling addresses. */
static struct call *icmp_sip_call(struct calls *t, const struct icmp_error *e, uint8_t *refused,
				  char *method, size_t cap, uint32_t *cseq)
{
	struct sip_msg m;
	struct call *c = NULL;
	method[0] = '\0';
	*cseq = 0;
	if (e->q_payload_len && sip_parse((const char *)e->q_payload, e->q_payload_len, SIP_DGRAM, &m) > 0) {
		if (m.is_request)
			copy_sv(method, cap, m.method);
		else
			snprintf(method, cap, "%u", m.status);
		*cseq = m.cseq;
		if (m.call_id.n)
			c = call_find(t, m.call_id);
	}
	struct endpoint qs = { e->q_src, e->q_sport }, qd = { e->q_dst, e->q_dport };
	/* the newest calls first, and not all of them: an ICMP error this
	 * unspecific is about a call that is still sending */
	unsigned looked = 0;
	for (struct call *o = t->active; !c && o && looked < ICMP_SCAN; o = o->next, looked++)
		if ((endpoint_eq(&o->a_sig, &qs) && endpoint_eq(&o->b_sig, &qd)) ||
		    (endpoint_eq(&o->b_sig, &qs) && endpoint_eq(&o->a_sig, &qd)))
			c = o;
	if (!c)
		return NULL;
	*refused = addr_eq(&qs.addr, &c->a_sig.addr) && qs.port == c->a_sig.port ? PARTY_A : PARTY_B;
	return c;
}

void calls_icmp(struct calls *t, const struct dgram *d, const struct icmp_error *e)
{
	t->st.icmp_errors++;
	if (e->q_proto != 17 || !e->q_src.family)
		return;
	struct endpoint qs = { e->q_src, e->q_sport }, qd = { e->q_dst, e->q_dport };
	struct call *c = NULL;
	uint8_t about = ICMP_ABOUT_RTP, refused = PARTY_NONE;
	char method[16] = "";
	uint32_t cseq = 0;
	/* the stream by its SSRC, when the router quoted the RTP header */
	struct stream_ext *x = NULL;
	const uint8_t *q = e->q_payload;
	if (e->q_payload_len >= 12 && (q[0] >> 6) == 2)
		x = flow_find(t, &qs, &qd, (uint32_t)q[8] << 24 | (uint32_t)q[9] << 16 | (uint32_t)q[10] << 8 | q[11]);
	struct ep_node *n;
	if (x && x->s.call) {
		c = x->s.call;
		refused = x->s.dir;
	} else if ((n = ep_lookup(t, &qd, EP_RTP)) != NULL) {
		c = n->call;
		refused = other_party(n->party);
	} else if ((n = ep_lookup(t, &qd, EP_RTCP)) != NULL) {
		c = n->call;
		refused = other_party(n->party);
		about = ICMP_ABOUT_RTCP;
	} else if ((n = ep_lookup(t, &qd, EP_LEARNED)) != NULL) {
		c = n->call;
		refused = other_party(n->party);
	} else {
		c = icmp_sip_call(t, e, &refused, method, sizeof(method), &cseq);
		about = ICMP_ABOUT_SIP;
	}
	if (!c)
		return;
	t->st.icmp_in_calls++;
	if (d->ts_ns > c->last_activity_ts)
		c->last_activity_ts = d->ts_ns;
	struct endpoint from = { d->src, d->sport };
	struct icmp_rec *r = NULL;
	for (unsigned i = 0; i < c->n_icmp && !r; i++) {
		struct icmp_rec *o = &c->icmp[i];
		if (o->about == about && o->kind == e->kind && o->refused == refused && endpoint_eq(&o->q_dst, &qd) &&
		    (about != ICMP_ABOUT_SIP || (o->cseq == cseq && !strcmp(o->method, method))))
			r = o;
	}
	if (!r) {
		if (c->n_icmp >= CALL_MAX_ICMP) {
			c->icmp_dropped++;
			return;
		}
		r = &c->icmp[c->n_icmp++];
		memset(r, 0, sizeof(*r));
		r->about = about;
		r->kind = e->kind;
		r->refused = refused;
		r->point = d->point;
		r->from = from;
		r->q_dst = qd;
		r->first_frame = d->frame;
		r->first_iface = d->iface;
		r->first_ts = d->ts_ns;
		snprintf(r->method, sizeof(r->method), "%s", method);
		r->cseq = cseq;
	} else if (r->count < 3 && d->ts_ns - r->last_ts > 5000000000LL) {
		/* a refusal or two long before (a receiver that opened its port a
		 * moment late): this is a new episode, the record keeps that one */
		r->count = 0;
		r->from = from;
		r->first_frame = d->frame;
		r->first_iface = d->iface;
		r->first_ts = d->ts_ns;
	}
	r->count++;
	r->last_frame = d->frame;
	r->last_iface = d->iface;
	r->last_ts = d->ts_ns;
}
