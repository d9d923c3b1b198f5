/* SPDX-License-Identifier: MIT */
/* Calls from SIP (RFC 3261 dialogs and transactions, RFC 3264 offer/answer,
 * RFC 3262 PRACK, RFC 3311 UPDATE, RFC 4028 session timers), and the legs of a
 * B2BUA linked into one call. */
#include "calls/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/sdp.h"

static uint64_t fnv(const void *p, size_t n, uint64_t h)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ULL;
	}
	return h;
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
			/* the IP identification tells one packet seen twice (same ID) from a
			 * quick re-send (a new ID); without it (IPv6, ID 0 as Linux sends
			 * with DF on unconnected sockets, a trace) the time apart does */
			int64_t since;
			bool near = !__builtin_sub_overflow(d->ts_ns, x->last_ts[k], &since);
			bool ids = d->ip_id && x->last_ip_id[k];
			bool dup = ids ? d->ip_id == x->last_ip_id[k] && near && since < 2000000000LL
				       : near && since < duplicate_ns;
			x->last_ts[k] = d->ts_ns;
			x->last_ip_id[k] = d->ip_id;
			if (dup)
				return TX_DUPLICATE;
			x->count++;
			return TX_RETRANS;
		}
		if (x->n_hops < TX_HOPS) {
			x->hop[x->n_hops] = hop;
			x->last_ts[x->n_hops] = d->ts_ns;
			x->last_ip_id[x->n_hops] = d->ip_id;
			x->n_hops++;
		}
		return TX_OTHER_HOP;
	}
	if (grow_array((void **)&c->tx, &c->tx_cap, c->n_tx, CALL_MAX_TX, sizeof(*c->tx), 2)) {
		struct tx_rec *x = &c->tx[c->n_tx++];
		memset(x, 0, sizeof(*x));
		x->key = h;
		x->count = 1;
		x->n_hops = 1;
		x->hop[0] = hop;
		x->last_ts[0] = d->ts_ns;
		x->last_ip_id[0] = d->ip_id;
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

/* Adds the SDP carried by m to the call's offer/answer history. */
/* Keeps the first SDP body of the call that did not parse as a whole. */
static void note_bad_sdp(struct call *c, const struct dgram *d, const struct sip_msg *m, uint8_t from,
			 const struct sdp *sdp, bool whole)
{
	if (c->n_bad_sdp++)
		return;
	struct bad_sdp_rec *b = &c->bad_sdp;
	memset(b, 0, sizeof(*b));
	b->frame = d->frame;
	b->ts = d->ts_ns;
	b->point = d->point;
	b->by = from;
	b->whole = whole;
	b->line_no = sdp->first_bad_no > UINT16_MAX ? UINT16_MAX : (uint16_t)sdp->first_bad_no;
	b->cseq = m->cseq;
	copy_sv(b->line, sizeof(b->line), sdp->first_bad);
	if (m->is_request)
		copy_sv(b->context, sizeof(b->context), m->method);
	else
		snprintf(b->context, sizeof(b->context), "%u %.*s", m->status,
			 (int)(m->cseq_method.n < 12 ? m->cseq_method.n : 12), m->cseq_method.p);
}

static bool addr_private_like(const struct addr *a)
{
	return a->family && (addr_is_private(a) || addr_is_cgnat(a));
}

static bool addr_public(const struct addr *a)
{
	return a->family && !addr_private_like(a) && !addr_is_unspecified(a) && !addr_is_loopback(a) &&
	       !addr_is_linklocal(a);
}

/* Which candidate the c=/m= address of a media line is (RFC 8839 5.1). */
static uint8_t ice_default(const struct sdp_media *sm, struct sdp_rec *r)
{
	if (!sm->n_cand_total)
		return ICE_NONE;
	if (!sm->conn.addr.family || addr_is_unspecified(&sm->conn.addr) || sm->port == 0 || sm->port == 9)
		return ICE_DEFAULT_UNKNOWN; /* trickle ICE: no candidate yet (RFC 8840) */
	for (unsigned i = 0; i < sm->n_cand; i++) {
		const struct sdp_candidate *k = &sm->cand[i];
		if (k->component != 1 || k->port != sm->port || !addr_eq(&k->addr, &sm->conn.addr))
			continue;
		if (sv_eq(k->type, SV_LIT("host")))
			return ICE_DEFAULT_HOST;
		if (sv_eq(k->type, SV_LIT("relay")))
			return ICE_DEFAULT_RELAY;
		return ICE_DEFAULT_SRFLX;
	}
	(void)r;
	return sm->n_cand < sm->n_cand_total ? ICE_DEFAULT_UNKNOWN : ICE_DEFAULT_NONE_MATCH;
}

/* What in one SDP an endpoint does not write itself (its own address the same in
 * all its lines), and what says it learned its public address (STUN). */
static void sdp_marks(const struct calls *t, struct sdp_rec *r, const struct sdp *sdp, const struct sip_msg *m,
		      const struct dgram *d)
{
	if (d->transport == TP_UDP && (m->errors & (SIP_E_BODY_SHORT | SIP_E_BODY_EXTRA)))
		r->marks |= SDP_MARK_LENGTH;
	/* a public session c= over an active m= line whose own c= is private: a
	 * rewrite caught the session line and not the media line. (The reverse,
	 * a private session c= and a public media c=, is what a STUN client such
	 * as baresip writes: its own address at session level, the learned one
	 * where the media goes.) */
	if (sdp->conn.present && addr_public(&sdp->conn.addr))
		for (unsigned i = 0; i < sdp->n_media; i++) {
			const struct sdp_media *sm = &sdp->media[i];
			if (sm->port && sm->conn_media_level && addr_private_like(&sm->conn.addr)) {
				r->marks |= SDP_MARK_C_MIXED;
				r->mark_addr = sm->conn.addr;
			}
		}
	for (unsigned i = 0; i < sdp->n_media; i++) {
		const struct sdp_media *sm = &sdp->media[i];
		const struct addr *c = &sm->conn.addr;
		const struct addr *rc = &sm->rtcp_conn.addr;
		if (sm->port && sm->rtcp_conn.present &&
		    ((addr_private_like(rc) && addr_public(c)) || (addr_public(rc) && addr_private_like(c)))) {
			r->marks |= SDP_MARK_RTCP_MIXED;
			if (!(r->marks & SDP_MARK_C_MIXED))
				r->mark_addr = addr_private_like(c) ? *c : sm->rtcp_conn.addr;
		}
		struct endpoint ep = { *c, sm->port };
		if (sm->port && addr_public(c) && stun_mapped(t, &ep))
			r->marks |= SDP_MARK_STUN_MAPPED;
		for (unsigned k = 0; k < sm->n_cand; k++)
			if (!sv_eq(sm->cand[k].type, SV_LIT("host")))
				r->marks |= SDP_MARK_SRFLX;
		if (i < r->n_media && r->media[i].ice_default == ICE_DEFAULT_NONE_MATCH && addr_public(c))
			r->marks |= SDP_MARK_ICE_MISMATCH;
	}
}

static int16_t record_sdp(struct calls *t, struct call *c, const struct dgram *d,
			  const struct sip_msg *m, uint8_t from, struct sv body)
{
	struct sdp sdp;
	enum status st = sdp_parse(body.p, body.n, &sdp);
	if (sdp.first_bad.n)
		note_bad_sdp(c, d, m, from, &sdp, st != ST_OK && sdp.n_bad_lines == 0);
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
	if (!grow_array((void **)&c->sdp, &c->sdp_cap, c->n_sdp, CALL_MAX_SDP, sizeof(*c->sdp), 1))
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
		mr->ice_default = ice_default(sm, r);
		mr->srtp = audio_media_encrypted(sm->proto.p, sm->proto.n, sm->n_crypto > 0);
		record_codecs(mr, sm);
	}
	sdp_marks(t, r, &sdp, m, d);
	bind_media(t, c, idx);
	return idx;
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

/* ---- B2BUA legs ----
 * A B2BUA's second leg: an INVITE sent from the address that received another
 * call's INVITE shortly before. Taken as the same call when the called or the
 * calling user is the same (within 10 s), or, with no user in common, when it
 * follows within 2 s while the first leg is still unanswered and no other call
 * fits.
 *
 * The calls that may be a first leg are indexed (one table each) by the address
 * that received their INVITE: with their called user (LEG_TO), their calling
 * user (LEG_FROM), and alone (LEG_ADDR). Each key's entries are met newest first,
 * as the list of calls in progress has them. A call leaves the index when it
 * can take no more links; LEG_ADDR entries also once answered. Walks stop at
 * the first entry too old, and after LEGS_SCAN entries of their key. */
enum { LEG_TO, LEG_FROM, LEG_ADDR };
#define LEGS_SCAN 256
#define LEG_USER_NS (10LL * 1000000000LL)
#define LEG_TIME_NS (2LL * 1000000000LL)

static uint64_t leg_hash(const struct calls *t, int kind, const struct addr *a, struct sv user)
{
	struct hkey k = { .n = 0 };
	hkey_add(&k, a, sizeof(*a));
	hkey_add(&k, user.p, user.n);
	return htab_hash(&t->legs[kind], k.buf, k.n);
}

static struct sv leg_user(const struct call *c, int kind)
{
	return uri_user(sv_from_cstr(kind == LEG_TO ? c->b_uri : c->a_uri));
}

void legs_add(struct calls *t, struct call *c)
{
	/* a call between two ports of one address can never be another's first leg */
	if (c->n_links >= CALL_MAX_LINKS || addr_eq(&c->a_sig.addr, &c->b_sig.addr))
		return;
	struct call_ext *cx = cext(c);
	for (int k = LEG_TO; k <= LEG_ADDR; k++) {
		struct sv user = k == LEG_ADDR ? SV_NULL : leg_user(c, k);
		if (k != LEG_ADDR && !user.n)
			continue;
		htab_add(&t->legs[k], &cx->leg_nodes[k], leg_hash(t, k, &c->b_sig.addr, user));
	}
}

void legs_remove(struct calls *t, struct call *c)
{
	struct call_ext *cx = cext(c);
	for (int k = LEG_TO; k <= LEG_ADDR; k++)
		htab_del(&t->legs[k], &cx->leg_nodes[k]);
}

/* The newest call of key (kind, address a, user) started at most window
 * before c (by_time: also unanswered; counts up to 2 of them in *n). */
static struct call *leg_walk(struct calls *t, const struct call *c, int kind, struct sv user, int64_t window,
			     unsigned *n)
{
	const struct addr *a = &c->a_sig.addr;
	uint64_t h = leg_hash(t, kind, a, user);
	struct call *found = NULL;
	unsigned seen = 0;
	for (struct hnode *x = htab_bucket(&t->legs[kind], h), *next; x && seen < LEGS_SCAN; x = next) {
		next = x->next;
		if (x->hash != h)
			continue;
		/* every node of table kind is leg_nodes[kind] of its call */
		struct call_ext *ox = (struct call_ext *)(void *)((char *)(x - kind) - offsetof(struct call_ext, leg_nodes));
		struct call *o = &ox->c;
		if (!addr_eq(&o->b_sig.addr, a) || (kind != LEG_ADDR && !sv_eq(leg_user(o, kind), user)))
			continue; /* another key in the same bucket */
		seen++;
		if (o == c || o->n_links >= CALL_MAX_LINKS)
			continue;
		int64_t dt;
		if (__builtin_sub_overflow(c->start_ts, o->start_ts, &dt) || dt < 0)
			continue;
		if (dt > window)
			break; /* the rest of this key is older still */
		if (kind != LEG_ADDR)
			return o;
		if (o->answer_ts) {
			htab_del(&t->legs[kind], x); /* answered: never a first leg by timing again */
			continue;
		}
		if (o->state >= CALL_ANSWERED)
			continue;
		found = o;
		if (++*n >= 2)
			break;
	}
	return found;
}

static void add_link(struct call *c, const char *other)
{
	if (!c->links && !(c->links = calloc(CALL_MAX_LINKS, sizeof(*c->links))))
		return;
	snprintf(c->links[c->n_links++], sizeof(c->links[0]), "%s", other);
}

void legs_link(struct calls *t, struct call *c, const struct sip_msg *m)
{
	struct sv to_user = uri_user(m->to_uri), from_user = uri_user(m->from_uri);
	struct call *by_to = to_user.n ? leg_walk(t, c, LEG_TO, to_user, LEG_USER_NS, NULL) : NULL;
	struct call *by_from = from_user.n ? leg_walk(t, c, LEG_FROM, from_user, LEG_USER_NS, NULL) : NULL;
	struct call *o = by_to;
	if (!o || (by_from && by_from->seq_no > o->seq_no))
		o = by_from;
	if (!o) {
		unsigned n_time = 0;
		struct call *by_time = leg_walk(t, c, LEG_ADDR, SV_NULL, LEG_TIME_NS, &n_time);
		o = n_time == 1 ? by_time : NULL;
	}
	if (!o || c->n_links >= CALL_MAX_LINKS)
		return;
	add_link(o, c->call_id);
	add_link(c, o->call_id);
	if (o->n_links >= CALL_MAX_LINKS)
		legs_remove(t, o);
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
		legs_link(t, c, m);
		legs_add(t, c);
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
	/* a second User-Agent in one party's requests: something else speaks for it
	 * (an SBC's own ACK to a 407, a B2BUA), and writes its addresses */
	if (from <= PARTY_B && m->is_request && m->user_agent.n && !seen) {
		char ua[sizeof(c->a_ua)];
		copy_sv(ua, sizeof(ua), m->user_agent);
		const char *known = from == PARTY_A ? c->a_ua : c->b_ua;
		if (known[0] && strcmp(known, ua) != 0)
			c->ua_varies[from] = true;
	}
	if (from <= PARTY_B && !seen && !c->stun_sig[from]) {
		struct endpoint src = { d->src, d->sport };
		c->stun_sig[from] = stun_mapped(t, &src);
	}

	int16_t sdp_idx = -1;
	if (!seen && m->body.n) {
		struct sv body = sdp_find_in_body(m->content_type, m->body);
		if (body.n)
			sdp_idx = record_sdp(t, c, d, m, from, body);
	}
	bool was_over = c->over;
	update_state(c, d, m, from, retrans, seen);
	c->over = c->state == CALL_ENDED || c->state == CALL_FAILED || c->state == CALL_CANCELLED;
	if (c->over != was_over)
		media_call_over(t, c, c->over);
	call_touch(t, c);

	if (grow_array((void **)&c->msgs, &c->msgs_cap, c->n_msgs, CALL_MAX_MESSAGES, sizeof(*c->msgs), 2)) {
		struct msg_rec *r = &c->msgs[c->n_msgs++];
		memset(r, 0, sizeof(*r));
		r->frame = d->frame;
		r->ts = d->ts_ns;
		r->point = d->point;
		r->iface = d->iface;
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
		r->ip_id = d->ip_id;
		r->ttl = d->ttl;
		if (c->raw_on)
			call_keep_raw(t, c, r, d->data, m->len < d->len ? m->len : d->len);
	}
}

