/* SPDX-License-Identifier: MIT */
/* Derived call facts shared by the rules. */
#include "analyze/facts.h"

#include <stdlib.h>
#include <string.h>

#include "calls/calls.h"


uint8_t facts_other(uint8_t p)
{
	return p == PARTY_A ? PARTY_B : p == PARTY_B ? PARTY_A : PARTY_NONE;
}

const char *who(uint8_t p)
{
	return party_str(p);
}

const struct sdp_rec *facts_sdp_by(const struct call *c, uint8_t p, int64_t t)
{
	const struct sdp_rec *best = NULL;
	for (uint32_t i = 0; i < c->n_sdp; i++)
		if (c->sdp[i].by == p && c->sdp[i].ts <= t)
			best = &c->sdp[i];
	return best;
}

static const struct sdp_media_rec *audio_of(const struct sdp_rec *r)
{
	for (unsigned i = 0; r && i < r->n_media; i++)
		if (!strcmp(r->media[i].type, "audio"))
			return &r->media[i];
	return NULL;
}

const struct sdp_media_rec *facts_audio_at(const struct call *c, uint8_t p, int64_t t)
{
	return audio_of(facts_sdp_by(c, p, t));
}

/* Whether `sender` may send audio to `receiver` by their latest SDP at t. */
bool facts_sdp_allows(const struct call *c, uint8_t sender, int64_t t)
{
	const struct sdp_media_rec *s = audio_of(facts_sdp_by(c, sender, t));
	const struct sdp_media_rec *r = audio_of(facts_sdp_by(c, facts_other(sender), t));
	if (!s || !r)
		return s || r ? true : false;
	bool s_sends = s->dir == SDP_DIR_UNSET || s->dir == SDP_SENDRECV || s->dir == SDP_SENDONLY;
	bool r_recv = r->dir == SDP_DIR_UNSET || r->dir == SDP_SENDRECV || r->dir == SDP_RECVONLY;
	bool r_addr = r->rtp.port != 0 && !(r->rtp.addr.family && addr_is_unspecified(&r->rtp.addr));
	return s_sends && r_recv && r_addr && s->rtp.port != 0;
}

static void holds(const struct call *c, struct call_facts *f)
{
	struct hold_period *open = NULL;
	for (uint32_t i = 0; i < c->n_sdp; i++) {
		const struct sdp_rec *r = &c->sdp[i];
		if (r->kind != SDP_OFFER)
			continue;
		const struct sdp_media_rec *m = audio_of(r);
		bool hold = sdp_rec_is_hold(r);
		if (hold && !open && f->n_holds < FACTS_MAX_HOLDS) {
			open = &f->holds[f->n_holds++];
			memset(open, 0, sizeof(*open));
			open->by = r->by;
			open->start = r->ts;
			open->frame_start = r->frame;
			const char *how = "sendonly";
			if (m && m->rtp.port == 0)
				how = "port 0";
			else if (m && m->rtp.addr.family && addr_is_unspecified(&m->rtp.addr))
				how = "c=0.0.0.0";
			else if (m && m->dir == SDP_INACTIVE)
				how = "inactive";
			snprintf(open->how, sizeof(open->how), "%s", how);
		} else if (!hold && open) {
			open->end = r->ts;
			open->frame_end = r->frame;
			open = NULL;
		}
	}
}

const struct hold_period *facts_hold_at(const struct call_facts *f, int64_t t)
{
	for (unsigned i = 0; i < f->n_holds; i++) {
		const struct hold_period *h = &f->holds[i];
		if (t >= h->start && (h->end == 0 || t <= h->end))
			return h;
	}
	return NULL;
}

static int64_t bin_start(const struct stream *s, uint32_t i)
{
	return s->bin_origin + (int64_t)i * s->bin_ns;
}

uint32_t facts_stream_packets_between(const struct stream *s, int64_t t0, int64_t t1)
{
	uint32_t n = 0, lo = 0, hi = s->n_bins;
	if (s->bin_ns > 0) {
		/* only the bins that can overlap [t0, t1): bin i spans
		 * [origin + i * width, origin + (i + 1) * width) */
		if (t0 > s->bin_origin) {
			uint64_t q = ((uint64_t)t0 - (uint64_t)s->bin_origin) / (uint64_t)s->bin_ns;
			lo = q < hi ? (uint32_t)q : hi;
		}
		if (t1 <= s->bin_origin) {
			hi = 0;
		} else {
			uint64_t e = (uint64_t)t1 - (uint64_t)s->bin_origin;
			uint64_t q = e / (uint64_t)s->bin_ns + (e % (uint64_t)s->bin_ns != 0);
			if (q < hi)
				hi = (uint32_t)q;
		}
	}
	for (uint32_t i = lo; i < hi; i++) {
		int64_t b = bin_start(s, i);
		if (b + s->bin_ns > t0 && b < t1)
			n += s->bins[i];
	}
	return n;
}

uint32_t facts_packets_between(const struct call *c, uint8_t p, int64_t t0, int64_t t1)
{
	uint32_t n = 0;
	for (const struct stream *s = c->streams; s; s = s->next)
		if (s->dir == p && facts_reaches_other(c, s))
			n += facts_stream_packets_between(s, t0, t1);
	return n;
}

int64_t facts_longest_silence(const struct call *c, uint8_t p, int64_t t0, int64_t t1, int64_t *at)
{
	/* walk in 100 ms steps (or the coarsest bin width in use) */
	int64_t step = 100000000LL;
	for (const struct stream *s = c->streams; s; s = s->next)
		if (s->dir == p && s->bin_ns > step)
			step = s->bin_ns;
	int64_t best = 0, run_start = t0;
	bool in_run = false;
	if (at)
		*at = t0;
	for (int64_t t = t0; t < t1; t += step) {
		bool any = facts_packets_between(c, p, t, t + step) > 0;
		if (!any && !in_run) {
			in_run = true;
			run_start = t;
		}
		if ((any || t + step >= t1) && in_run) {
			int64_t end = any ? t : t1;
			if (end - run_start > best) {
				best = end - run_start;
				if (at)
					*at = run_start;
			}
			in_run = false;
		}
	}
	return best;
}

static bool public_addr(const struct addr *a)
{
	return a->family && !addr_is_private(a) && !addr_is_cgnat(a) && !addr_is_linklocal(a) &&
	       !addr_is_loopback(a) && !addr_is_unspecified(a);
}

/* RTP to a private address of a receiver that this capture sees only on
 * public addresses (its SIP and its own RTP come from them): it cannot arrive
 * (PRIVATE_IP_IN_SDP), even when that address is the one its SDP named. */
static bool to_unreachable_private(const struct call *c, const struct stream *s, uint8_t rx)
{
	if (!s->dst.addr.family || public_addr(&s->dst.addr) || addr_is_loopback(&s->dst.addr))
		return false;
	const struct endpoint *sig = rx == PARTY_A ? &c->a_sig : &c->b_sig;
	bool seen_public = public_addr(&sig->addr);
	for (const struct stream *o = c->streams; o; o = o->next) {
		if (o->dir != rx)
			continue;
		if (addr_eq(&o->src.addr, &s->dst.addr))
			return false; /* the receiver uses that address here: this point is on its side */
		seen_public = seen_public || public_addr(&o->src.addr);
	}
	return seen_public && !addr_eq(&sig->addr, &s->dst.addr);
}

/* Whether in and out are two legs of one relay seen at this point
 * (rtpengine, an SBC anchoring the media: both keep the SSRC): in goes to the
 * relay's host, out leaves it with the same party's SSRC towards another host. */
static bool relay_legs(const struct stream *in, const struct stream *out)
{
	return in != out && in->dir == out->dir && in->ssrc == out->ssrc && addr_eq(&out->src.addr, &in->dst.addr) &&
	       !addr_eq(&out->dst.addr, &in->src.addr) && !addr_eq(&out->dst.addr, &in->dst.addr);
}

const struct stream *facts_relay_out(const struct call *c, const struct stream *in)
{
	for (const struct stream *o = c->streams; o; o = o->next)
		if (relay_legs(in, o))
			return o;
	return NULL;
}

const struct stream *facts_relay_in(const struct call *c, const struct stream *out)
{
	for (const struct stream *u = c->streams; u; u = u->next)
		if (relay_legs(u, out))
			return u;
	return NULL;
}

/* When the relay seen here stopped sending on what it still received, per
 * direction: the latest stop of an outbound leg whose inbound leg went on
 * two seconds more; 0 if none did. */
static int64_t relay_stop(const struct call *c, uint8_t p)
{
	int64_t stop = 0;
	for (const struct stream *u = c->streams; u; u = u->next) {
		if (u->dir != p || u->packets < 50)
			continue;
		for (const struct stream *o = c->streams; o; o = o->next)
			if (relay_legs(u, o) && u->last_ts >= o->last_ts + 2000000000LL && o->last_ts > stop)
				stop = o->last_ts;
	}
	return stop;
}

/* Both directions cut at the relay at once (within a second) while both
 * still came in: the relay ended the media, no party did. */
static bool relay_cut(const struct call *c)
{
	int64_t a = relay_stop(c, PARTY_A), b = relay_stop(c, PARTY_B);
	return a && b && llabs(a - b) <= 1000000000LL;
}

/* Whether stream s goes to the other party: to an address:port the receiver's
 * SDP advertised, to where the receiver's own RTP comes from (symmetric RTP,
 * latching), or to the receiver's signalling address. RTP from a party's
 * advertised port to a third host (a NAT mapping that now belongs to another
 * device), or to a private address of a receiver seen only on public ones,
 * does not reach the other party and does not count as its media; nor
 * does the leg into a relay seen here, whose leg out says what went on. */
bool facts_reaches_other(const struct call *c, const struct stream *s)
{
	if (facts_relay_out(c, s))
		return false;
	uint8_t rx = facts_other(s->dir);
	if (rx == PARTY_NONE)
		return true;
	if (to_unreachable_private(c, s, rx))
		return false;
	const struct endpoint *sig = rx == PARTY_A ? &c->a_sig : &c->b_sig;
	if (!sig->addr.family || addr_eq(&s->dst.addr, &sig->addr))
		return true;
	bool known = false;
	for (uint32_t i = 0; i < c->n_sdp; i++) {
		const struct sdp_rec *r = &c->sdp[i];
		if (r->by != rx)
			continue;
		for (unsigned k = 0; k < r->n_media; k++) {
			known = true;
			if (endpoint_eq(&r->media[k].rtp, &s->dst))
				return true;
		}
	}
	for (const struct stream *o = c->streams; o; o = o->next) {
		if (o->dir != rx)
			continue;
		known = true;
		if (endpoint_eq(&o->src, &s->dst))
			return true;
	}
	return !known;
}

void facts_derive(const struct call *c, struct call_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->answered = c->answer_ts != 0;
	f->end = c->last_sip_ts;
	for (uint8_t p = PARTY_A; p <= PARTY_B; p++) {
		struct dir_facts *d = &f->dir[p];
		for (const struct stream *s = c->streams; s; s = s->next) {
			if (s->dir != p)
				continue;
			if (facts_relay_out(c, s))
				continue; /* its packets' fate is the relay's downstream leg */
			if (!facts_reaches_other(c, s)) {
				d->misdirected++;
				if (!d->misdirected_stream)
					d->misdirected_stream = s;
				continue;
			}
			d->n_streams++;
			d->packets += s->packets;
			if (!d->main || s->packets > d->main->packets)
				d->main = s;
			if (!d->first_stream || s->first_ts < d->first_stream->first_ts)
				d->first_stream = s;
			if (!d->last_stream || s->last_ts > d->last_stream->last_ts)
				d->last_stream = s;
			if (s->last_ts > f->end)
				f->end = s->last_ts;
		}
		if (d->first_stream) {
			d->first_ts = d->first_stream->first_ts;
			d->first_frame = d->first_stream->first_frame;
			d->last_ts = d->last_stream->last_ts;
			d->last_frame = d->last_stream->last_frame;
			d->last_point = d->last_stream->point;
		}
	}
	f->has_bye = c->state == CALL_ENDED && c->end_ts;
	int64_t bye_at[2] = { 0, 0 };
	for (uint32_t k = 0; k < c->n_msgs; k++) {
		const struct msg_rec *m = &c->msgs[k];
		if (m->request && m->from <= PARTY_B && !strcmp(m->method, "BYE") && !bye_at[m->from])
			bye_at[m->from] = m->ts;
	}
	f->bye_both_ways = bye_at[PARTY_A] && bye_at[PARTY_B] && llabs(bye_at[PARTY_A] - bye_at[PARTY_B]) <= 2000000000LL;
	if (!f->bye_both_ways)
		f->bye_both_ways = relay_cut(c);
	f->bye_ts = c->end_ts;
	f->bye_frame = c->end_frame;
	f->bye_by = c->ended_by;
	f->talk_start = c->answer_ts;
	f->talk_end = f->has_bye ? c->end_ts : f->end;
	for (uint8_t p = PARTY_A; p <= PARTY_B; p++) {
		f->dir[p].intended = f->answered ? facts_sdp_allows(c, p, c->answer_ts + 1000000) : true;
		f->dir[p].intended_end = facts_sdp_allows(c, p, f->talk_end);
		if (f->answered)
			f->dir[p].packets_in_talk = facts_packets_between(c, p, f->talk_start, f->talk_end + 1);
	}
	holds(c, f);
	for (uint32_t i = 0; i < c->n_msgs; i++) {
		const struct msg_rec *m = &c->msgs[i];
		if (f->has_bye && m->ts >= c->end_ts) {
			if (m->retrans && m->request && !strcmp(m->method, "BYE"))
				f->bye_retrans++;
			continue;
		}
		if (m->retrans)
			f->retrans_before_bye++;
	}
}
