/* SPDX-License-Identifier: MIT */
/* SILENT_MEDIA: RTP flows in a direction while the call is not on hold, but
 * what it carries is dead air: digital silence (every decoded sample within
 * a step or two of zero) or the same payload over and over, for at least
 * SILENT_MEDIA_MIN_S. Comfort noise (RFC 3389, G.729 Annex B, opus DTX), hold
 * and silence suppression (no packets) are the expected silences and never
 * count. Says when it started, what the other direction did meanwhile, and the
 * likely causes by what the evidence shows. */
#include "analyze/audio_account.h"
#include "analyze/rule_util.h"

static void one(const struct rule_ctx *x, struct findings *out, uint8_t p, const struct audio_dir *d,
		const struct audio_run *r)
{
	const struct call *c = x->c;
	const struct call_facts *f = x->f;
	uint8_t other = facts_other(p);
	double dur = secs(r->start, r->end);
	double talk = secs(f->talk_start, f->talk_end);
	bool whole = !r->after_audio && !r->audio_later && secs(f->talk_start, r->start) < 2.0 && dur >= 0.9 * talk;
	/* a source that goes to digital silence more than once (a noise gate, voice
	 * activity detection without comfort noise) does so while its user listens
	 * too: not a fault on its own */
	bool gated = r->kind == AB_SILENT && d->silences >= 2 && (r->after_audio || r->audio_later);
	const char *what = r->kind == AB_SILENT ? "digital silence" : "the same payload repeated (a constant signal)";
	char other_did[200];
	audio_describe_between(c, other, r->start, r->end, other_did, sizeof(other_did));
	bool both = strstr(other_did, "dead air too") != NULL;
	/* a PBX or media server sends silence while it listens (voicemail recording,
	 * an IVR waiting for digits, Asterisk's transmit_silence) */
	enum platform pf = platform_of(p == PARTY_A ? c->a_ua : c->b_ua);
	bool server = pf == PF_ASTERISK || pf == PF_FREESWITCH;
	/* critical when the other side talked into it all call: one-way audio in effect */
	enum severity sev = whole && !both && !server ? SEV_CRITICAL : gated || server ? SEV_INFO : SEV_WARNING;
	struct finding *fd = finding_add(out, "SILENT_MEDIA", sev, p, r->start);
	if (!fd)
		return;
	if (whole)
		finding_title(fd, "Dead air: the %s's RTP flows but has carried only %s all call", who(p),
			      r->kind == AB_SILENT ? "digital silence" : "a constant payload");
	else
		finding_title(fd, "Dead air: the %s's RTP flows but has carried %s since %+.1f s", who(p),
			      r->kind == AB_SILENT ? "digital silence" : "a constant payload", rel_s(c, r->start));
	finding_explain(fd, "From %+.3f s to %+.3f s (%.1f s, frame %llu on) RTP %s (SSRC 0x%08X, %s) kept flowing "
			"but decoded to %s: the %s heard nothing from the %s, and the call was not on hold. "
			"Meanwhile %s.", rel_s(c, r->start), rel_s(c, r->end), dur, (unsigned long long)r->frame,
			dir_text(p), r->s->ssrc, d->codec[0] ? d->codec : "audio", what, who(other), who(p), other_did);
	if (d->audio_s > 0 && d->samples)
		finding_explain(fd, " The rest of the time this direction carried audio at %.1f dBov (%.1f s).",
				level_dbov(d->energy, d->samples), d->audio_s);
	if (server && r->kind == AB_SILENT)
		finding_explain(fd, " The %s is %s, which sends digital silence while it listens and has "
				"nothing to play (recording a voicemail, an IVR waiting for digits, a conference "
				"with no other speaker; Asterisk's transmit_silence): expected there, unless "
				"the %s should have been hearing someone.", who(p), platform_name(pf), who(other));
	else if (r->kind == AB_CONSTANT)
		finding_explain(fd, " Identical payloads packet after packet come from a source that is stuck: an "
				"encoder or transcoder repeating one frame, or a media server looping a buffer.");
	else if (gated)
		finding_explain(fd, " This source went to digital silence %u times in all, around its audio: it "
				"gates its microphone to zero when its user does not speak (a noise gate, or voice "
				"activity detection without comfort noise), so this stretch is most likely its user "
				"listening, or a mute.", d->silences);
	else if (r->after_audio && r->audio_later)
		finding_explain(fd, " The audio stopped mid-call and came back later while the packets went on: "
				"most likely the %s muted (a mute that sends silence instead of comfort noise).",
				who(p));
	else if (r->after_audio)
		finding_explain(fd, " The audio stopped mid-call while the packets went on: most likely the %s "
				"muted (a mute that sends silence instead of comfort noise), or what fed the RTP "
				"stopped: a gateway that lost its trunk (TDM) side, a transcoder whose input went "
				"away, a headset unplugged.", who(p));
	else if (r->audio_later)
		finding_explain(fd, " This direction carried no audio until after this stretch: its source started "
				"late (a microphone or audio device that came up late, a gateway whose trunk side "
				"connected late), or its user was muted.");
	else
		finding_explain(fd, " This direction never carried audio: nothing fed its RTP. Likely a broken, "
				"disconnected or muted microphone, a softphone without access to its audio device, a "
				"gateway or media server sending silence because its own input is down, or a "
				"transcoder in the path fed by nothing.");
	if (both)
		finding_explain(fd, " Both directions were silent at once: suspect a media server, B2BUA or "
				"transcoder in the path rather than the two phones, or a test call nobody spoke in.");
	finding_evidence(fd, r->frame, r->start, r->s->point, "first packet of %s %s", what, dir_text(p));
	finding_evidence(fd, r->s->last_frame, r->s->last_ts, r->s->point, "RTP %s still flowing", dir_text(p));
	finding_recommend(fd, "Listen to it (deadair analyze --write-audio DIR). Check the %s's mute state, microphone "
			  "or headset and the audio device its software uses; on a gateway, the trunk side (E1/T1 "
			  "alarms, the PSTN leg of the call); on a transcoder or media server, the input of this leg. "
			  "A phone that should stay quiet while muted sends comfort noise (RFC 3389), which deadair "
			  "tells apart.", who(p));
}

static void eval(const struct rule_ctx *x, struct findings *out)
{
	if (x->a->cfg.signalling_only || !x->f->answered)
		return;
	for (uint8_t p = PARTY_A; p <= PARTY_B; p++) {
		struct audio_dir d;
		audio_account_dir(x->c, x->f, p, SILENT_MEDIA_MIN_S, &d);
		/* the first stretch of dead air per direction (the explanation gives the rest) */
		if (d.n_runs)
			one(x, out, p, &d, &d.runs[0]);
	}
}

const struct rule rule_silent_media = { "SILENT_MEDIA", "RTP carries dead air", SEV_CRITICAL, eval };
