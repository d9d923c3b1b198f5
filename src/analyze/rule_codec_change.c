/* SPDX-License-Identifier: MIT */
/* CODEC_CHANGE_WITHOUT_REINVITE: RTP switches to (or starts with) a payload
 * type that the receiver's current SDP does not list. */
#include "analyze/rule_util.h"
#include "audio/levels.h"

static bool listed(const struct sdp_rec *r, uint8_t pt)
{
	for (unsigned i = 0; r && i < r->n_media; i++)
		for (unsigned k = 0; k < r->media[i].n_codecs; k++)
			if (r->media[i].codecs[k].pt == pt)
				return true;
	return false;
}

/* What the receiver would hear decoding the payloads with the codec it
 * negotiated: both decodes were made as the packets went by (stream_audio.c). */
static void hear(struct finding *fd, const struct stream *s, uint8_t pt, const char *receiver)
{
	const struct audio_misdecode *m = s->audio ? &s->audio->mis : NULL;
	if (!m || !m->valid || m->pt != pt || !m->heard_samples)
		return;
	double sent = level_dbov(m->sent_energy, m->sent_samples);
	double heard = level_dbov(m->heard_energy, m->heard_samples);
	double clipped = 100.0 * (double)m->heard_clipped / (double)m->heard_samples;
	const char *what = clipped >= 1.0 || heard >= sent + 6.0 ? "loud noise" :
			   heard <= -60.0 ? "near silence" : "garbled audio";
	finding_explain(fd, " Decoding these %u payloads as %s, the codec it negotiated, the %s would hear %s: "
			"the %s audio sent at %.1f dBov comes out at %.1f dBov, %.1f%% of its samples at full scale.",
			m->packets, m->heard_as, receiver, what, m->sent, sent, heard, clipped);
}

static void one(const struct rule_ctx *x, struct findings *out, const struct stream *s, uint8_t pt, int64_t ts,
		uint64_t frame, int from, uint64_t reported[3][2])
{
	const struct call *c = x->c;
	uint8_t rx = facts_other(s->dir);
	const struct sdp_rec *r = facts_sdp_by(c, rx, ts);
	if (!r || listed(r, pt) || pt == 13 || (s->event_pt >= 0 && pt == s->event_pt))
		return;
	/* one finding per direction and payload type */
	uint64_t bit = 1ULL << (pt & 63);
	if (reported[s->dir][pt >> 6] & bit)
		return;
	reported[s->dir][pt >> 6] |= bit;
	struct finding *fd = finding_add(out, "CODEC_CHANGE_WITHOUT_REINVITE", SEV_WARNING, s->dir, ts);
	if (!fd)
		return;
	char list[160] = "";
	size_t used = 0;
	for (unsigned i = 0; i < r->n_media; i++)
		for (unsigned k = 0; k < r->media[i].n_codecs && used < sizeof(list) - 24; k++)
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%u %s", used ? ", " : "",
						 r->media[i].codecs[k].pt, r->media[i].codecs[k].name);
	if (from >= 0)
		finding_title(fd, "RTP %s switched from payload type %d to %u, which was never negotiated",
			      dir_text(s->dir), from, pt);
	else
		finding_title(fd, "RTP %s uses payload type %u, which the %s's SDP does not offer", dir_text(s->dir), pt,
			      who(rx));
	finding_explain(fd, "At %+.3f s (frame %llu) the %s sent payload type %u, but the %s's SDP in force (%s, frame "
			"%llu) lists only: %s. No re-INVITE or UPDATE negotiated it: the receiver may not decode it "
			"(silence or noise on its side).", rel_s(c, ts), (unsigned long long)frame, who(s->dir), pt,
			who(rx), r->context, (unsigned long long)r->frame, list);
	hear(fd, s, pt, who(rx));
	finding_evidence(fd, frame, ts, s->point, "payload type %u", pt);
	finding_evidence(fd, r->frame, r->ts, c->point, "%s's SDP", who(rx));
	finding_recommend(fd, "Make the %s send only codecs from the answer (check its codec preferences and any "
			  "transcoding or codec-switching feature), or renegotiate with a re-INVITE first.", who(s->dir));
}

static void eval(const struct rule_ctx *x, struct findings *out)
{
	uint64_t reported[3][2] = { { 0 } };
	for (const struct stream *s = x->c->streams; s; s = s->next) {
		if (s->dir == PARTY_NONE || s->packets < 10)
			continue;
		one(x, out, s, s->first_pt, s->first_ts, s->first_frame, -1, reported);
		for (uint32_t i = 0; i < s->n_pt_changes && i < STREAM_MAX_PT_CHANGES; i++)
			one(x, out, s, s->pt_changes[i].to, s->pt_changes[i].ts, s->pt_changes[i].frame, s->pt_changes[i].from,
			    reported);
	}
}

const struct rule rule_codec_change = { "CODEC_CHANGE_WITHOUT_REINVITE", "Payload type not negotiated",
					SEV_WARNING, eval };
