/* SPDX-License-Identifier: MIT */
/* ONE_WAY_AUDIO: the media account (account.c) says one direction's audio did
 * not reach the other party, from the answer or from some moment on, while the
 * other direction's did. The symptom, with its direction and time, comes first;
 * the cause the account found is attached (PRIVATE_IP_IN_SDP, NAT_PINHOLE_EXPIRY,
 * a far end that says it received nothing), not put in its place. */
#include "analyze/rule_util.h"

static void cite_hold(const struct call *c, const struct call_facts *f, const struct acct_dir *d, struct finding *fd)
{
	if (d->hold < 0)
		return;
	const struct hold_period *h = &f->holds[d->hold];
	finding_explain(fd, "The call was on hold (%s, by the %s) from %+.3f s to %+.3f s; audio was due again from the "
			"unhold, so the loss counts from there, not from the hold.", h->how, who(h->by), rel_s(c, h->start),
			rel_s(c, h->end));
	finding_evidence(fd, h->frame_start, h->start, c->point, "hold (%s)", h->how);
	finding_evidence(fd, h->frame_end, h->end, c->point, "unhold");
}

static void cite_far_end(const struct rule_ctx *x, const struct acct_dir *d, uint8_t p, struct finding *fd)
{
	const struct call *c = x->c;
	uint8_t q = facts_other(p);
	if (d->icmp >= 0) {
		const struct icmp_rec *ic = &c->icmp[d->icmp];
		char from[ADDR_STRLEN];
		addr_str(&ic->from.addr, from);
		finding_explain(fd, "%u ICMP %s error%s from %s answered the %s's RTP from %+.3f s (%s %llu): the door on "
				"the way to the %s is closed%s.", ic->count, icmp_kind_str(ic->kind), ic->count == 1 ? "" : "s",
				from, who(p), rel_s(c, ic->first_ts), unit(x), (unsigned long long)ic->first_frame, who(q),
				ic->kind == ICMP_PORT_UNREACHABLE ? " (a NAT without a mapping for that port answers so)" : "");
		finding_evidence(fd, ic->first_frame, ic->first_ts, ic->point, "ICMP %s answering RTP %s",
				 icmp_kind_str(ic->kind), dir_text(p));
	}
	const struct stream *s = x->f->dir[p].main;
	switch (d->said_by) {
	case CAUSE_FAR_END_TIMEOUT:
		finding_explain(fd, "The %s's BYE says the media timed out (\"%s\") although the %s's RTP passed this "
				"capture point until %+.3f s.", who(q), c->bye_reason, who(p), rel_s(c, x->f->dir[p].last_ts));
		finding_evidence(fd, d->said_frame, d->said_ts, d->said_point, "BYE from the %s: %.60s", who(q),
				 c->bye_reason);
		break;
	case CAUSE_RTCP_FROZEN:
		if (s)
			finding_explain(fd, "The %s's RTCP receiver reports about SSRC 0x%08X kept the same highest sequence "
					"number (%u) from %+.3f s on (%u reports), while %u more packets of it passed here: "
					"none of them arrived.", who(q), s->ssrc, s->rtcp.last_ext_seq,
					rel_s(c, s->rtcp.seq_frozen_since), s->rtcp.frozen_reports,
					facts_stream_packets_between(s, s->rtcp.seq_frozen_since, s->rtcp.last_ts));
		finding_evidence(fd, d->said_frame, d->said_ts, d->said_point, "RTCP from the %s: sequence frozen", who(q));
		break;
	case CAUSE_RTCP_STOPPED:
		if (s)
			finding_explain(fd, "The %s's RTCP went on after %+.3f s without a report block about SSRC 0x%08X "
					"(RFC 3550 reports only sources heard since the last report), while the %s's RTP "
					"kept passing here.", who(q), rel_s(c, s->rtcp.last_ts), s->ssrc, who(p));
		finding_evidence(fd, d->said_frame, d->said_ts, d->said_point, "last RTCP report about it from the %s",
				 who(q));
		break;
	case CAUSE_RTCP_FULL_LOSS:
		finding_explain(fd, "The %s's RTCP receiver reports say fraction lost 255/256 from %+.3f s: (almost) "
				"nothing of the %s's RTP arrived.", who(q), rel_s(c, d->said_ts), who(p));
		finding_evidence(fd, d->said_frame, d->said_ts, d->said_point, "RTCP from the %s: fraction lost 255",
				 who(q));
		break;
	default:
		break;
	}
}

static void eval(const struct rule_ctx *x, struct findings *out)
{
	const struct call *c = x->c;
	const struct call_facts *f = x->f;
	const struct media_account *a = &f->acct;
	if (!a->valid || x->a->cfg.signalling_only || c->media_elsewhere)
		return;
	for (uint8_t p = PARTY_A; p <= PARTY_B; p++) {
		const struct acct_dir *d = &a->dir[p];
		uint8_t q = facts_other(p);
		if (!d->lost || d->cause == CAUSE_BOTH_STOPPED)
			continue; /* RTP_TIMEOUT says it */
		if (a->dir[q].lost && d->from_start && a->dir[q].from_start)
			continue; /* no audio either way: NO_RTP */
		struct finding *fd = finding_add(out, "ONE_WAY_AUDIO", SEV_CRITICAL, p, d->lost_from);
		if (!fd)
			return;
		fd->lost_dirs = (uint8_t)(1u << p);
		const struct dir_facts *s = &f->dir[p], *t = &f->dir[q];
		char how[320];
		acct_describe(c, f, p, how, sizeof(how));
		if (d->from_start)
			finding_title(fd, "One-way audio: the %s hears nothing from the answer on (%s)", who(q),
				      d->state == ACCT_MISDIRECTED ? "its RTP goes where it cannot arrive" : "no RTP from the other side");
		else if (d->state == ACCT_LOST_BEYOND)
			finding_title(fd, "One-way audio from %s%+.1f s: RTP %s passes here but does not reach the %s",
				      d->from_exact ? "" : "at the latest ", rel_s(c, d->lost_from), dir_text(p), who(q));
		else
			finding_title(fd, "One-way audio from %+.1f s: the %s hears nothing from the %s", rel_s(c, d->lost_from),
				      who(q), who(p));
		finding_explain(fd, "Audio %s.", how);
		finding_explain(fd, "Over the %.1f s of the answered call %u RTP packets of the %s reached the %s, and %u of the "
				"%s reached the %s.", secs(f->talk_start, f->talk_end), s->packets_in_talk, who(p), who(q),
				t->packets_in_talk, who(q), who(p));
		cite_hold(c, f, d, fd);
		switch (d->cause) {
		case CAUSE_PRIVATE_ADDR:
			finding_explain(fd, "Cause: the %s's SDP names a private address the %s cannot reach across the public "
					"path (PRIVATE_IP_IN_SDP).", who(q), who(p));
			break;
		case CAUSE_STALE_MAPPING:
		case CAUSE_NAT_EXPIRED:
			finding_explain(fd, "Cause: the NAT in front of the %s forgot the media mapping during %.0f s of "
					"silence (NAT_PINHOLE_EXPIRY).", who(q), d->silence_s);
			break;
		case CAUSE_THIRD_HOST:
			finding_explain(fd, "Another host now owns the address:port the %s sends to, as when a NAT gave an "
					"expired mapping to another device.", who(p));
			break;
		default:
			break;
		}
		cite_far_end(x, d, p, fd);
		if (d->state == ACCT_MISDIRECTED && d->to.addr.family) {
			char to[64];
			ep_text(&d->to, to, sizeof(to));
			finding_evidence(fd, d->lost_frame, d->lost_from, d->lost_point, "RTP %s sent to %s", dir_text(p), to);
		} else if (d->from_start) {
			const struct sdp_rec *sr = facts_sdp_by(c, q, f->talk_start + 1);
			if (sr)
				finding_evidence(fd, sr->frame, sr->ts, c->point, "SDP of the %s (%s): where it said it receives",
						 who(q), sr->context);
			finding_evidence(fd, c->answer_frame, c->answer_ts, c->point, "call answered");
		} else if (s->packets) {
			finding_evidence(fd, s->last_frame, s->last_ts, s->last_point, "last RTP %s seen here", dir_text(p));
		}
		if (t->packets)
			finding_evidence(fd, t->last_frame, t->last_ts, t->last_point, "RTP %s flowing until here", dir_text(q));
		/* a re-INVITE near a stop is the likely trigger; the dialog's own first
		 * INVITE (its CSeq, or anything before the answer) is not one */
		uint32_t first_cseq = 0;
		bool have_first = false;
		for (uint32_t i = 0; i < c->n_msgs && !have_first; i++)
			if (c->msgs[i].request && !strcmp(c->msgs[i].method, "INVITE")) {
				first_cseq = c->msgs[i].cseq;
				have_first = true;
			}
		for (uint32_t i = 0; i < c->n_msgs && !d->from_start && d->hold < 0; i++) {
			const struct msg_rec *m = &c->msgs[i];
			if (!msg_is_first(m) || !m->request || m->ts < d->lost_from - 3000000000LL ||
			    m->ts > d->lost_from + 3000000000LL)
				continue;
			if (!strcmp(m->method, "INVITE") &&
			    ((have_first && m->cseq == first_cseq) || !c->answer_ts || m->ts <= c->answer_ts))
				continue;
			if (!strcmp(m->method, "INVITE") || !strcmp(m->method, "UPDATE")) {
				const char *what = !strcmp(m->method, "INVITE") ? "re-INVITE" : "UPDATE";
				finding_explain(fd, "It coincides with a %s from the %s at %+.3f s (%s %llu).", what,
						who(m->from), rel_s(c, m->ts), unit(x), (unsigned long long)m->frame);
				finding_evidence(fd, m->frame, m->ts, m->point, "%s from the %s", what, who(m->from));
				break;
			}
		}
		if (d->state == ACCT_LOST_BEYOND || d->said_by)
			finding_recommend(fd, "The loss is beyond this capture point, between it and the %s: capture there "
					  "(or at each hop on the way: NAT, firewall, SBC) to see where the %s's RTP stops.",
					  who(q), who(p));
		else if (d->cause == CAUSE_PRIVATE_ADDR)
			finding_recommend(fd, "See PRIVATE_IP_IN_SDP for the fix; with it the %s's RTP goes where the %s "
					  "can receive it.", who(p), who(q));
		else if (d->cause == CAUSE_STALE_MAPPING || d->cause == CAUSE_NAT_EXPIRED)
			finding_recommend(fd, "See NAT_PINHOLE_EXPIRY for the fix (keep-alives during hold, a longer UDP "
					  "timeout, re-latching).");
		else
			finding_recommend(fd, "Find where the %s's RTP is lost: compare captures on both sides of NATs and "
					  "firewalls; an RTP destination that is a private address, a firewall or NAT "
					  "dropping it, or a media port that is blocked.", who(p));
	}
}

const struct rule rule_one_way_audio = { "ONE_WAY_AUDIO", "RTP flows in one direction only", SEV_CRITICAL, eval };
