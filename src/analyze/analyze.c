/* SPDX-License-Identifier: MIT */
/* Running the rules on a call, and the diagnostic walk: the six questions an
 * expert asks of a failed call, answered from the evidence in order. */
#include "analyze/analyze.h"

#include <stdio.h>
#include <string.h>

#include "analyze/audio_account.h"
#include "calls/calls.h"

const char *const walk_questions[WALK_QUESTIONS] = {
	"Was SIP healthy until the BYE?",
	"Was the BYE preceded by silence, and how long?",
	"Was the loss one-way or both ways?",
	"Did it coincide with hold/unhold?",
	"Were there codec changes?",
	"Where did RTP last arrive (which capture point, when)?",
};

void analyzer_init(struct analyzer *a, const struct analyze_config *cfg)
{
	memset(a, 0, sizeof(*a));
	a->cfg = *cfg;
}

void analyze_call(struct analyzer *a, const struct call *c, struct findings *out, struct walk *w)
{
	struct call_facts f;
	facts_derive(c, &f);
	memset(out, 0, sizeof(*out));
	struct rule_ctx ctx = { c, &f, a };
	for (size_t i = 0; i < n_rules; i++)
		rule_at(i)->eval(&ctx, out);
	findings_sort(out);
	a->calls++;
	bool problem = false;
	for (unsigned i = 0; i < out->n; i++) {
		const struct finding *fd = &out->f[i];
		a->by_sev[fd->sev]++;
		for (size_t r = 0; r < n_rules && r < 32; r++)
			if (!strcmp(rule_at(r)->id, fd->id)) {
				a->by_rule[r]++;
				break;
			}
		if (fd->sev >= SEV_WARNING)
			problem = true;
		if (!a->any || fd->sev > a->worst)
			a->worst = fd->sev;
		a->any = true;
	}
	if (problem)
		a->calls_with_problems++;
	memset(w, 0, sizeof(*w));
	if (problem) {
		walk_build(c, &f, out, w);
		if (a->cfg.signalling_only)
			walk_signalling_only(c, &f, &a->cfg, w);
	}
}

static double rel(const struct call *c, int64_t t);

/* The first change of a party's audio codecs from one SDP to the next. */
static bool sdp_codec_change(const struct call *c, char *buf, size_t cap)
{
	for (uint8_t p = PARTY_A; p <= PARTY_B; p++) {
		const struct sdp_media_rec *prev = NULL;
		const struct sdp_rec *prev_rec = NULL;
		for (uint32_t i = 0; i < c->n_sdp; i++) {
			const struct sdp_rec *r = &c->sdp[i];
			if (r->by != p)
				continue;
			const struct sdp_media_rec *m = NULL;
			for (unsigned k = 0; k < r->n_media; k++)
				if (!strcmp(r->media[k].type, "audio") && r->media[k].rtp.port)
					m = &r->media[k];
			if (!m)
				continue;
			if (prev && prev->n_codecs && m->n_codecs &&
			    (prev->codecs[0].pt != m->codecs[0].pt || prev->n_codecs != m->n_codecs)) {
				snprintf(buf, cap, "the %s's SDP went from %s (%s) to %s (%s) at %+.3f s", party_str(p),
					 prev->codecs[0].name[0] ? prev->codecs[0].name : "?", prev_rec->context,
					 m->codecs[0].name[0] ? m->codecs[0].name : "?", r->context, rel(c, r->ts));
				return true;
			}
			prev = m;
			prev_rec = r;
		}
	}
	return false;
}

void walk_signalling_only(const struct call *c, const struct call_facts *f, const struct analyze_config *cfg,
			  struct walk *w)
{
	const char *u = cfg->lines ? "line" : "frame";
	const char *advice = "capture RTP on the PBX, e.g. tcpdump -i any udp portrange 10000-20000";
	if (f->has_bye) {
		snprintf(w->answer[1], sizeof(w->answer[1]),
			 "Unknown from a SIP trace (no RTP in it): the BYE came from the %s at %+.3f s (%s %llu)%s%s%s; "
			 "to see whether media was silent before it, %s.", party_str(f->bye_by), rel(c, f->bye_ts), u,
			 (unsigned long long)f->bye_frame, c->bye_reason[0] ? ", Reason \"" : "", c->bye_reason,
			 c->bye_reason[0] ? "\"" : "", advice);
	} else {
		snprintf(w->answer[1], sizeof(w->answer[1]), "Unknown: no BYE in the trace, and no RTP in it.");
	}
	w->known[1] = false;
	snprintf(w->answer[2], sizeof(w->answer[2]),
		 "Unknown from a SIP trace: it holds no RTP, so which direction lost audio cannot be seen; %s.", advice);
	w->known[2] = false;
	unsigned offers = 0;
	for (uint32_t i = 0; i < c->n_sdp; i++)
		offers += c->sdp[i].kind == SDP_OFFER;
	char change[200];
	if (sdp_codec_change(c, change, sizeof(change)))
		snprintf(w->answer[4], sizeof(w->answer[4]), "In the SDP: %s (%u offer(s)); in the RTP: unknown (no RTP "
			 "in a trace).", change, offers);
	else
		snprintf(w->answer[4], sizeof(w->answer[4]), "In the SDP: no codec change over %u offer(s); in the RTP: "
			 "unknown (no RTP in a trace).", offers);
	w->known[4] = false;
	snprintf(w->answer[5], sizeof(w->answer[5]), "Unknown: a SIP trace holds no RTP; %s, at each hop you want "
		 "to compare.", advice);
	w->known[5] = false;
	(void)f;
}

static double rel(const struct call *c, int64_t t)
{
	return (double)(t - c->start_ts) / 1e9;
}

void walk_build(const struct call *c, const struct call_facts *f, const struct findings *fs, struct walk *w)
{
	w->present = true;
	/* 1. SIP health until the BYE */
	if (!f->has_bye) {
		snprintf(w->answer[0], sizeof(w->answer[0]), "No BYE was captured (the call %s).",
			 c->state == CALL_ANSWERED ? "was still up at the end" : call_state_str(c->state));
		w->known[0] = c->state != CALL_ANSWERED;
	} else if (f->retrans_before_bye == 0) {
		snprintf(w->answer[0], sizeof(w->answer[0]),
			 "Yes: no SIP retransmissions before the BYE%s.",
			 c->bye_status ? ", and the BYE was answered" : ", but the BYE itself got no answer");
		w->known[0] = true;
	} else {
		snprintf(w->answer[0], sizeof(w->answer[0]),
			 "No: %u SIP retransmissions before the BYE (%u of the 200 OK to the INVITE)%s.",
			 f->retrans_before_bye, c->ok_retrans, c->acked ? "" : ", and no ACK was seen");
		w->known[0] = true;
	}
	/* 2. silence before the BYE */
	if (f->has_bye) {
		char buf[2][160];
		for (uint8_t p = PARTY_A; p <= PARTY_B; p++) {
			const struct dir_facts *d = &f->dir[p];
			if (!d->packets)
				snprintf(buf[p], sizeof(buf[p]), "no RTP %s at all", p == PARTY_A ? "caller -> callee" :
												    "callee -> caller");
			else
				snprintf(buf[p], sizeof(buf[p]), "%s silent for %.1f s (last packet frame %llu)",
					 p == PARTY_A ? "caller -> callee" : "callee -> caller",
					 secs(d->last_ts, f->bye_ts) > 0 ? secs(d->last_ts, f->bye_ts) : 0.0,
					 (unsigned long long)d->last_frame);
		}
		snprintf(w->answer[1], sizeof(w->answer[1]), "BYE from the %s at %+.3f s: %s; %s.", party_str(f->bye_by),
			 rel(c, f->bye_ts), buf[0], buf[1]);
		w->known[1] = true;
	} else {
		snprintf(w->answer[1], sizeof(w->answer[1]), "Unknown: no BYE in the capture.");
	}
	/* 3. one-way or both */
	uint32_t a = f->dir[PARTY_A].packets_in_talk, b = f->dir[PARTY_B].packets_in_talk;
	bool one_way = false;
	for (unsigned i = 0; i < fs->n; i++)
		if (!strcmp(fs->f[i].id, "ONE_WAY_AUDIO") || !strcmp(fs->f[i].id, "NAT_PINHOLE_EXPIRY") ||
		    !strcmp(fs->f[i].id, "RTP_TIMEOUT"))
			one_way = one_way || fs->f[i].direction != PARTY_NONE;
	if (!f->answered)
		snprintf(w->answer[2], sizeof(w->answer[2]), "The call was never answered: no media expected.");
	else if (!a && !b)
		snprintf(w->answer[2], sizeof(w->answer[2]), "Both ways: no RTP in either direction.");
	else
		snprintf(w->answer[2], sizeof(w->answer[2]), "%s: %u packets caller -> callee, %u callee -> caller "
			 "during the talk time.", one_way ? "One-way" : "No one-way loss found", a, b);
	w->known[2] = f->answered;
	char audio[360];
	audio_walk(c, f, audio, sizeof(audio));
	if (audio[0]) {
		size_t used = strlen(w->answer[2]);
		snprintf(w->answer[2] + used, sizeof(w->answer[2]) - used, " Audio: %s.", audio);
	}
	/* 4. hold */
	if (!f->n_holds) {
		snprintf(w->answer[3], sizeof(w->answer[3]), "No: the call was never put on hold.");
	} else {
		const struct hold_period *h = &f->holds[f->n_holds - 1];
		int n = snprintf(w->answer[3], sizeof(w->answer[3]), "%u hold period(s); the last by the %s (%s) at %+.3f s",
				 f->n_holds, party_str(h->by), h->how, rel(c, h->start));
		if (n > 0 && (size_t)n < sizeof(w->answer[3])) {
			if (h->end)
				snprintf(w->answer[3] + n, sizeof(w->answer[3]) - (size_t)n, ", resumed at %+.3f s.",
					 rel(c, h->end));
			else
				snprintf(w->answer[3] + n, sizeof(w->answer[3]) - (size_t)n, ", never resumed.");
		}
	}
	w->known[3] = true;
	/* 5. codec changes */
	unsigned changes = 0;
	for (const struct stream *s = c->streams; s; s = s->next)
		changes += s->n_pt_changes;
	unsigned offers = 0;
	for (uint32_t i = 0; i < c->n_sdp; i++)
		offers += c->sdp[i].kind == SDP_OFFER;
	snprintf(w->answer[4], sizeof(w->answer[4]), "%u payload-type change(s) in the RTP, %u SDP offer(s)%s.", changes,
		 offers, changes && !offers ? "" : "");
	w->known[4] = true;
	/* 6. where RTP last arrived */
	char buf[2][180];
	for (uint8_t p = PARTY_A; p <= PARTY_B; p++) {
		const struct dir_facts *d = &f->dir[p];
		char ep[64] = "";
		if (d->last_stream)
			endpoint_str(&d->last_stream->dst, ep, sizeof(ep));
		if (d->packets)
			snprintf(buf[p], sizeof(buf[p]), "%s last at %+.3f s (frame %llu, capture point %u, to %s)",
				 p == PARTY_A ? "caller -> callee" : "callee -> caller", rel(c, d->last_ts),
				 (unsigned long long)d->last_frame, d->last_point + 1u, ep);
		else
			snprintf(buf[p], sizeof(buf[p]), "%s never seen", p == PARTY_A ? "caller -> callee" : "callee -> caller");
	}
	snprintf(w->answer[5], sizeof(w->answer[5]), "%s; %s.", buf[0], buf[1]);
	w->known[5] = f->dir[PARTY_A].packets || f->dir[PARTY_B].packets;
}
