/* SPDX-License-Identifier: MIT */
/* Audio of a stream (stream_audio.h): the codec of each payload type from the
 * receiver's SDP in force (RFC 3264: a party receives the payload types its
 * own description lists; the m= line the stream is sent to, by port), else
 * RFC 3551's static types; one decoder per stream kept across packets; lost
 * packets concealed where the codec can; levels per bin; and the audio placed
 * in time by RTP time stamps (so jitter does not tear it) for the writer. */
#include "calls/stream_audio.h"

#include <stdlib.h>
#include <string.h>

#include "calls/worker.h"
#include "calls/calls.h"

/* Lost packets concealed by the codec at most; a longer gap is silence. */
#define CONCEAL_MAX_PACKETS 5

#define CALL_EARLY_AUDIO 16 /* streams of one call decoded before they prove to be streams */

static const struct sdp_media_rec *media_for(const struct sdp_rec *r, uint16_t port)
{
	const struct sdp_media_rec *first = NULL;
	for (unsigned i = 0; i < r->n_media; i++) {
		const struct sdp_media_rec *m = &r->media[i];
		if (strcmp(m->type, "audio") != 0)
			continue;
		if (m->rtp.port == port)
			return m;
		if (!first)
			first = m;
	}
	return first;
}

/* The latest SDP of party `by` at or before now (any party when PARTY_NONE). */
static const struct sdp_rec *sdp_of(const struct call *c, uint8_t by, int64_t now)
{
	for (uint32_t i = c->n_sdp; i-- > 0;)
		if ((by == PARTY_NONE || c->sdp[i].by == by) && c->sdp[i].ts <= now)
			return &c->sdp[i];
	return NULL;
}

static bool format_in(const struct sdp_media_rec *m, uint8_t pt, struct audio_format *f)
{
	for (unsigned k = 0; m && k < m->n_codecs; k++) {
		const struct codec_rec *cr = &m->codecs[k];
		if (cr->pt != pt)
			continue;
		if (cr->clock == 0) /* no rtpmap: the static table */
			return audio_format_static(pt, f);
		audio_format_rtpmap(cr->name, strlen(cr->name), cr->clock, cr->channels, f);
		return true;
	}
	return false;
}

/* The receiver's first codec that is audio (not CN, not telephone-event). */
static bool first_sound(const struct sdp_media_rec *m, struct audio_format *f)
{
	for (unsigned k = 0; m && k < m->n_codecs; k++) {
		if (!format_in(m, m->codecs[k].pt, f))
			continue;
		if (f->codec != AUDIO_CN && f->codec != AUDIO_EVENT)
			return true;
	}
	return false;
}

static void lookup(struct audio_look *a, const struct stream *s, uint8_t pt, int64_t now)
{
	const struct call *c = s->call;
	struct audio_format f;
	bool found = false;
	a->encrypted_media = false;
	a->listed = true;
	memset(&a->expected, 0, sizeof(a->expected));
	if (c && c->n_sdp) {
		uint8_t rx = s->dir == PARTY_A ? PARTY_B : s->dir == PARTY_B ? PARTY_A : PARTY_NONE;
		const struct sdp_rec *r = sdp_of(c, rx, now);
		if (!r)
			r = sdp_of(c, PARTY_NONE, now);
		const struct sdp_media_rec *m = r ? media_for(r, s->dst.port) : NULL;
		if (m) {
			a->encrypted_media = m->srtp;
			found = format_in(m, pt, &f);
			if (!found && rx != PARTY_NONE) {
				/* not what the receiver listed: what the sender meant by it */
				a->listed = false;
				first_sound(m, &a->expected);
				const struct sdp_rec *sr = sdp_of(c, s->dir, now);
				found = sr && format_in(media_for(sr, s->src.port), pt, &f);
			}
		}
	}
	if (!found && !audio_format_static(pt, &f)) {
		memset(&f, 0, sizeof(f));
		f.codec = AUDIO_UNKNOWN;
		f.clock = stream_pt_clock(s, (uint8_t)(pt & 127));
		f.name[0] = 'P';
		f.name[1] = 'T';
		f.name[2] = (char)('0' + pt / 100);
		f.name[3] = (char)('0' + pt / 10 % 10);
		f.name[4] = (char)('0' + pt % 10);
		f.name[5] = '\0';
	}
	a->fmt = f;
	a->sdp_seen = c ? c->n_sdp : 0;
}

/* A hash of the payload, eight bytes a step (it runs on every packet). */
static uint64_t hash_payload(const uint8_t *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	uint64_t w = 0;
	memcpy(&w, p + i, n - i);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

/* Mixes interleaved channels down to mono in place; returns the frames. */
static size_t to_mono(int16_t *x, size_t n, unsigned ch)
{
	if (ch <= 1)
		return n;
	size_t frames = n / ch;
	for (size_t i = 0; i < frames; i++) {
		int32_t sum = 0;
		for (unsigned k = 0; k < ch; k++)
			sum += x[i * ch + k];
		x[i] = (int16_t)(sum / (int32_t)ch);
	}
	return frames;
}

/* The frame position of this packet's audio: from its RTP time stamp relative
 * to the first packet, resynchronised on the arrival time when the two
 * disagree by more than a second (a time stamp jump, a new rate). */
static uint64_t place(struct stream_audio *a, const struct audio_job *j)
{
	uint32_t rate = a->fmt.rate, clock = a->fmt.clock ? a->fmt.clock : rate;
	if (!a->pos_init) {
		a->origin = j->origin;
		if (a->origin > j->pkt.ts_ns)
			a->origin = j->pkt.ts_ns;
		a->pos_init = true;
		a->pos_rate = 0;
	}
	/* a capture whose clock steps back puts a packet before the origin: frame 0 */
	int64_t arrival = j->pkt.ts_ns > a->origin ? (j->pkt.ts_ns - a->origin) / 1000 * (int64_t)rate / 1000000 : 0;
	if (a->pos_rate != rate) {
		a->pos_rate = rate;
		a->base_pos = arrival;
		a->ext_rtp = 0;
		a->last_rtp = j->pkt.rtp_ts;
		a->next_pos = 0;
	} else {
		a->ext_rtp += (int32_t)(j->pkt.rtp_ts - a->last_rtp);
		a->last_rtp = j->pkt.rtp_ts;
	}
	int64_t pos = a->base_pos + a->ext_rtp * (int64_t)rate / (int64_t)clock;
	int64_t diff = pos - arrival;
	if (pos < 0 || diff > (int64_t)rate || diff < -(int64_t)rate) {
		a->base_pos = arrival;
		a->ext_rtp = 0;
		pos = arrival;
	}
	return (uint64_t)pos;
}

static void emit(struct stream_audio *a, struct stream *s, const struct calls_config *cfg, uint64_t pos,
		 int16_t *x, size_t n)
{
	if (!cfg->audio_out || !cfg->audio_out->pcm || n == 0)
		return;
	size_t frames = to_mono(x, n, a->fmt.channels);
	cfg->audio_out->pcm(cfg->audio_out->ctx, s, a->origin, pos, a->fmt.rate, x, frames);
	a->next_pos = pos + frames;
}

/* Decodes the payload as the receiver would with its negotiated codec. */
static void misdecode(struct stream_audio *a, const struct audio_job *h, const int16_t *sent, size_t n_sent)
{
	struct audio_misdecode *m = &a->mis;
	if (!audio_codec_decodable(a->expected.codec) || a->expected.codec == a->fmt.codec)
		return;
	if (m->valid && m->pt != h->pkt.pt)
		return; /* one payload type is enough to tell */
	if (!a->mis_dec || audio_dec_format(a->mis_dec)->codec != a->expected.codec) {
		audio_dec_free(a->mis_dec);
		a->mis_dec = NULL;
		if (audio_dec_new(&a->expected, &a->mis_dec) != ST_OK)
			return;
	}
	if (!m->valid) {
		m->valid = true;
		m->pt = h->pkt.pt;
		memcpy(m->sent, a->fmt.name, sizeof(m->sent));
		memcpy(m->heard_as, a->expected.name, sizeof(m->heard_as));
	}
	int16_t pcm[AUDIO_OUT_MAX];
	size_t got = 0;
	audio_dec_decode(a->mis_dec, h->payload, h->pkt.payload_len, pcm, AUDIO_OUT_MAX, &got);
	struct level_bin b;
	memset(&b, 0, sizeof(b));
	level_bin_add(&b, pcm, got);
	m->heard_energy += b.energy;
	m->heard_samples += b.samples;
	m->heard_clipped += b.clipped;
	memset(&b, 0, sizeof(b));
	level_bin_add(&b, sent, n_sent);
	m->sent_energy += b.energy;
	m->sent_samples += b.samples;
	m->packets++;
}

/* What the thread reading packets decides of one (the stream's and its
 * call's state are its own to read), handed with the packet's figures to
 * stream_audio_run in line or through the calls worker. */
void stream_audio_update(struct stream *s, struct audio_job *j, const struct calls_config *cfg)
{
	struct stream_audio_front *f = &s->af;
	const struct stream_pkt *p = &j->pkt;
	if (!cfg->decode_audio || s->media == MEDIA_VIDEO || s->media == MEDIA_OTHER)
		goto run;
	if (!f->on) {
		/* a flow on probation costs little (media.c): its audio waits
		 * until it proves to be a stream, its first packets not heard;
		 * but the streams of a call are heard from their first packet,
		 * up to a few per call */
		bool early = s->call && s->call->audio_streams < CALL_EARLY_AUDIO;
		if (!early && !stream_is_proven(s))
			goto run;
		/* allocated here, so that the calls worker never reads the
		 * stream's pointer to it; set up by the job (fresh) */
		struct stream_audio *a = malloc(sizeof(*a));
		if (!a)
			goto run;
		/* what the worker reads of it to fetch ahead, before this job
		 * has set it up (worker.c) */
		a->dec = NULL;
		a->lv.hot = 0;
		s->audio = a;
		j->a = a;
		j->fresh = true;
		f->on = true;
		if (s->call)
			s->call->audio_streams++;
	}
	if (p->event)
		goto run;
	j->a = s->audio;
	j->kind = AJ_LATE;
	/* in sequence order only, as a receiver's jitter buffer plays them */
	uint16_t lost = 0;
	if (f->have_seq) {
		uint16_t dseq = (uint16_t)(p->seq - f->last_seq);
		if (dseq == 0 || dseq >= 0x8000)
			goto run;
		lost = (uint16_t)(dseq - 1);
	}
	f->have_seq = true;
	f->last_seq = p->seq;
	if (!f->have_fmt || p->pt != f->pt || (s->call && s->call->n_sdp != f->sdp_seen)) {
		lookup(&j->look, s, p->pt, p->ts_ns);
		j->relook = true;
		f->have_fmt = true;
		f->pt = p->pt;
		f->sdp_seen = j->look.sdp_seen;
	}
	j->kind = AJ_PACKET;
	j->origin = s->call ? s->call->start_ts : s->first_ts;
	j->lost = lost;
run:
	if (cfg->worker)
		f->job = calls_worker_push(cfg->worker, j);
	else
		stream_audio_run(j, cfg);
}

void stream_audio_run(const struct audio_job *j, const struct calls_config *cfg)
{
	struct stream *s = j->s;
	if (j->timing)
		stream_timing(s, &j->pkt, j->payload, cfg);
	if (j->fresh) {
		/* a new audio state: zero, its level track from the stream's
		 * first packet (first_ts is set before the stream's first job) */
		memset(j->a, 0, offsetof(struct stream_audio, lv));
		level_track_init(&j->a->lv, s->first_ts, cfg->bin_ns > 0 ? cfg->bin_ns : 100000000);
	}
	if (j->kind == AJ_NONE)
		return;
	/* of the stream, s->audio alone from here (and s for the writer) */
	struct stream_audio *a = j->a;
	if (j->kind == AJ_LATE) {
		a->late++;
		return;
	}
	uint16_t lost = j->lost;
	if (j->relook) {
		enum audio_codec before = a->fmt.codec;
		uint32_t before_rate = a->fmt.rate;
		a->fmt = j->look.fmt;
		a->expected = j->look.expected;
		a->encrypted_media = j->look.encrypted_media;
		a->listed = j->look.listed;
		if (a->dec && (a->fmt.codec != before || a->fmt.rate != before_rate)) {
			audio_dec_free(a->dec);
			a->dec = NULL;
		}
	}
	const struct audio_job *h = j;
	struct level_bin *bin = level_track_at(&a->lv, j->pkt.ts_ns);
	if (!bin->frame)
		bin->frame = (uint32_t)j->pkt.frame;
	if (h->pkt.marker)
		bin->flags |= LEVEL_TALKSPURT;
	if (a->fmt.codec == AUDIO_CN || h->pkt.pt == 13 || h->pkt.pt == 19) {
		uint8_t lev = 127;
		audio_cn_level(h->payload, h->pkt.payload_len, &lev);
		level_bin_add_cn(bin, lev);
		a->cn++;
		return;
	}
	if (a->fmt.codec == AUDIO_EVENT || h->pkt.payload_len == 0)
		return; /* telephone-event; an empty keep-alive */
	if (a->encrypted_media) {
		a->encrypted++;
		return;
	}
	if (!a->dec) {
		/* (a decoder there is one of a->fmt's codec: a new format
		 * freed it) */
		if (!audio_codec_decodable(a->fmt.codec)) {
			if (!a->undecoded++)
				memcpy(a->undecoded_codec, a->fmt.name, sizeof(a->undecoded_codec));
			return;
		}
		if (audio_dec_new(&a->fmt, &a->dec) != ST_OK) {
			a->undecoded++;
			return;
		}
		memcpy(a->codec, a->fmt.name, sizeof(a->codec));
		a->rate = a->fmt.rate;
		a->last_frames = 0;
	}
	int16_t pcm[AUDIO_OUT_MAX];
	/* the audio's place in time is the writer's alone (emit) */
	bool writing = cfg->audio_out && cfg->audio_out->pcm;
	uint64_t pos = writing ? place(a, j) : 0;
	if (lost > 0 && lost <= CONCEAL_MAX_PACKETS && a->last_frames && audio_dec_has_plc(a->dec)) {
		size_t frames = lost * a->last_frames;
		uint64_t at = pos >= frames ? pos - frames : 0;
		while (frames > 0) {
			size_t chunk = frames < AUDIO_OUT_MAX / a->fmt.channels ? frames : AUDIO_OUT_MAX / a->fmt.channels;
			size_t got = audio_dec_conceal(a->dec, chunk, pcm, AUDIO_OUT_MAX);
			if (got == 0)
				break;
			bin->concealed = (uint16_t)(bin->concealed + got > 0xffff ? 0xffff : bin->concealed + got);
			emit(a, s, cfg, at, pcm, got);
			at += got / a->fmt.channels;
			frames -= chunk;
		}
		a->concealed += lost;
	}
	bool sid = (a->fmt.codec == AUDIO_G729 && h->pkt.payload_len == 2) ||
		   (a->fmt.codec == AUDIO_OPUS && h->pkt.payload_len <= 2);
	/* the samples themselves are wanted for the audio written out and for
	 * hearing it as the receiver's codec; otherwise a codec that knows its
	 * levels from the bytes (G.711) is not decoded */
	bool want_pcm = !a->listed || writing;
	bool have_pcm = sid || want_pcm || !audio_dec_has_levels(a->dec);
	uint64_t e0 = bin->energy;
	uint32_t s0 = bin->samples;
	uint16_t c0 = bin->clipped;
	size_t n = 0;
	enum status st = have_pcm ? audio_dec_decode(a->dec, h->payload, h->pkt.payload_len, pcm, AUDIO_OUT_MAX, &n)
				  : audio_dec_levels(a->dec, h->payload, h->pkt.payload_len, AUDIO_OUT_MAX, bin, &n);
	if (st == ST_MALFORMED || st == ST_LIMIT)
		a->malformed++;
	a->decoded++;
	if (n > 0)
		a->last_frames = a->fmt.channels > 1 ? (uint32_t)n / a->fmt.channels : n; /* n <= AUDIO_OUT_MAX */
	if (sid) {
		/* a G.729 Annex B SID frame, an opus DTX packet: comfort noise in band */
		level_bin_add_cn(bin, 127);
		a->cn++;
	} else {
		/* the stream's totals from what this packet added to its bin */
		if (have_pcm)
			level_bin_add(bin, pcm, n);
		a->energy += bin->energy - e0;
		a->samples += bin->samples - s0;
		a->clipped += (uint16_t)(bin->clipped - c0);
		if (bin->packets < 0xffff)
			bin->packets++;
		bool same;
		uint64_t hash = 0;
		if (h->pkt.payload_len <= STREAM_AUDIO_KEEP) {
			same = a->last_len == h->pkt.payload_len && !memcmp(a->last_payload, h->payload, h->pkt.payload_len);
			if (!same) {
				memcpy(a->last_payload, h->payload, h->pkt.payload_len);
				a->last_len = (uint16_t)h->pkt.payload_len;
				a->last_hashed = false;
			} else if (!a->last_hashed) {
				/* once per run of the same payload, for the tone's cache */
				a->last_hash = hash_payload(h->payload, h->pkt.payload_len);
				a->last_hashed = true;
			}
			hash = a->last_hashed ? a->last_hash : 0;
		} else {
			hash = hash_payload(h->payload, h->pkt.payload_len);
			same = hash == a->last_hash;
			a->last_len = 0;
			a->last_hashed = false;
		}
		/* the same payload again: a stuck source, unless it carries a tone
		 * (looked at once per payload that repeats, not on every packet) */
		if (same && bin->repeats < 0xffff) {
			if (!a->tone_known || a->tone_hash != hash) {
				if (!have_pcm) {
					audio_dec_decode(a->dec, h->payload, h->pkt.payload_len, pcm, AUDIO_OUT_MAX, &n);
					have_pcm = true;
				}
				a->tone = level_frame_periodic(pcm, n, a->fmt.channels ? a->fmt.channels : 1);
				a->tone_hash = hash;
				a->tone_known = true;
			}
			if (!a->tone)
				bin->repeats++;
		}
		a->last_hash = hash;
	}
	if (!a->listed)
		misdecode(a, h, pcm, n);
	emit(a, s, cfg, pos, pcm, n);
}

void stream_audio_free(struct stream *s, const struct calls_config *cfg)
{
	struct stream_audio *a = s->audio;
	if (!a)
		return;
	if (a->out && cfg->audio_out && cfg->audio_out->close)
		cfg->audio_out->close(cfg->audio_out->ctx, s);
	audio_dec_free(a->dec);
	audio_dec_free(a->mis_dec);
	free(a);
	s->audio = NULL;
}

double stream_audio_dbov(const struct stream_audio *a)
{
	return level_dbov(a->energy, a->samples);
}
