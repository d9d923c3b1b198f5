/* SPDX-License-Identifier: MIT */
/* Per-direction audio over time from the level bins (audio_account.h). */
#include "analyze/audio_account.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "audio/levels.h"

char audio_bin_kind(const struct level_bin *b)
{
	if (b->cn_packets > 0 && (b->samples == 0 || b->peak <= LEVEL_QUIET_SAMPLE))
		return AB_CN;
	if (b->samples == 0)
		return AB_NONE;
	if (level_bin_silent(b))
		return AB_SILENT;
	if (b->packets > 0 && b->repeats >= b->packets)
		return AB_CONSTANT;
	return AB_AUDIO;
}

static int64_t bin_start(const struct level_track *t, uint32_t i)
{
	return t->origin + (int64_t)i * t->width;
}

/* Ends the open run; next_is_audio: audio follows it directly. */
static void close_run(struct audio_dir *d, struct audio_run *r, double min_s, bool next_is_audio)
{
	if (!r->s)
		return;
	double len = secs(r->start, r->end);
	if (len >= min_s && d->n_runs < AUDIO_MAX_RUNS)
		d->runs[d->n_runs++] = *r;
	if (len >= 0.2 && r->kind == AB_SILENT)
		d->silences++;
	(void)next_is_audio;
	r->s = NULL;
}

void audio_account_dir(const struct call *c, const struct call_facts *f, uint8_t p, double min_s,
		       struct audio_dir *out)
{
	memset(out, 0, sizeof(*out));
	if (!f->answered)
		return;
	for (const struct stream *s = c->streams; s; s = s->next) {
		const struct stream_audio *a = s->audio;
		if (s->dir != p || !a)
			continue;
		out->encrypted += a->encrypted;
		if (a->undecoded && !out->undecoded)
			memcpy(out->undecoded_codec, a->undecoded_codec, sizeof(out->undecoded_codec));
		out->undecoded += a->undecoded;
		if (!a->decoded && !a->cn)
			continue;
		out->decoded = true;
		if (!out->codec[0])
			memcpy(out->codec, a->codec, sizeof(out->codec));
		const struct level_track *t = &a->lv;
		double w = (double)t->width / 1e9;
		bool seen_audio = false;
		double absent = 0;        /* a stretch of bins without packets, not yet told apart */
		double run_gap = 0;       /* bins without packets since the open run's last bin */
		struct audio_run run = { 0 };
		for (uint32_t i = 0; i < t->n; i++) {
			const struct level_bin *b = &t->bins[i];
			int64_t t0 = bin_start(t, i), t1 = t0 + t->width;
			if (t1 <= f->talk_start || t0 >= f->talk_end) {
				if (audio_bin_kind(b) == AB_AUDIO)
					seen_audio = true;
				continue;
			}
			out->talk_s += w;
			char k = audio_bin_kind(b);
			if (facts_hold_at(f, t0 + t->width / 2)) {
				if (k != AB_AUDIO)
					out->hold_s += w;
				close_run(out, &run, min_s, false);
				absent = 0;
				continue;
			}
			if (k != AB_NONE && absent > 0) {
				/* packets again after none: a talkspurt's marker bit says the
				 * sender suppressed its silence; otherwise packets were lost */
				if (b->flags & LEVEL_TALKSPURT)
					out->suppressed_s += absent;
				else
					out->gap_s += absent;
				absent = 0;
			}
			if (k == AB_SILENT || k == AB_CONSTANT) {
				out->silent_s += w;
				if (run.s && run.kind == k) {
					run.end = t1;
					run_gap = 0;
				} else {
					run_gap = 0;
					close_run(out, &run, min_s, false);
					run.s = s;
					run.kind = k;
					run.start = t0 > f->talk_start ? t0 : f->talk_start;
					run.end = t1;
					run.frame = b->frame;
					run.after_audio = seen_audio;
				}
				continue;
			}
			if (k == AB_NONE && run.s && t0 >= s->first_ts && t1 <= s->last_ts &&
			    run_gap + w <= AUDIO_RUN_BRIDGE_S + 1e-9) {
				/* packets late or lost for a moment (a sender's stall, jitter)
				 * inside dead air do not end it: it goes on if the same
				 * silence comes back within AUDIO_RUN_BRIDGE_S */
				run_gap += w;
				absent += w;
				continue;
			}
			close_run(out, &run, min_s, k == AB_AUDIO);
			if (k == AB_AUDIO) {
				for (unsigned r = 0; r < out->n_runs; r++)
					if (out->runs[r].s == s)
						out->runs[r].audio_later = true;
				seen_audio = true;
				out->audio_s += w;
				out->energy += b->energy;
				out->samples += b->samples;
			} else if (k == AB_CN) {
				out->cn_s += w;
			} else if (t0 >= s->first_ts && t1 <= s->last_ts) {
				absent += w;
			}
		}
		if (run.s && run.end > s->last_ts)
			run.end = s->last_ts > run.start ? s->last_ts : run.start;
		if (run.s && run.end > f->talk_end)
			run.end = f->talk_end;
		close_run(out, &run, min_s, false);
	}
}

void audio_describe_between(const struct call *c, uint8_t p, int64_t t0, int64_t t1, char *buf, size_t cap)
{
	double kinds[128] = { 0 };
	uint64_t energy = 0, samples = 0;
	uint32_t encrypted = 0, undecoded = 0, packets = 0;
	double total = 0;
	for (const struct stream *s = c->streams; s; s = s->next) {
		if (s->dir != p)
			continue;
		packets += facts_stream_packets_between(s, t0, t1);
		const struct stream_audio *a = s->audio;
		if (!a)
			continue;
		encrypted += a->encrypted;
		undecoded += a->undecoded;
		const struct level_track *t = &a->lv;
		for (uint32_t i = 0; i < t->n; i++) {
			int64_t b0 = bin_start(t, i), b1 = b0 + t->width;
			if (b1 <= t0 || b0 >= t1)
				continue;
			const struct level_bin *b = &t->bins[i];
			char k = audio_bin_kind(b);
			kinds[(unsigned char)k] += (double)t->width / 1e9;
			total += (double)t->width / 1e9;
			if (k == AB_AUDIO) {
				energy += b->energy;
				samples += b->samples;
			}
		}
	}
	const char *name = p == PARTY_A ? "caller" : "callee";
	if (!packets)
		snprintf(buf, cap, "the %s sent no RTP", name);
	else if (total == 0 && encrypted)
		snprintf(buf, cap, "the %s's RTP could not be decoded (SRTP)", name);
	else if (total == 0 && undecoded)
		snprintf(buf, cap, "the %s's RTP was in a codec not decoded here", name);
	else if (kinds[AB_AUDIO] >= 0.2 * total && samples)
		snprintf(buf, cap, "the %s's RTP carried audio (%.1f dBov over %.1f s of it)", name,
			 level_dbov(energy, samples), kinds[AB_AUDIO]);
	else if (kinds[AB_SILENT] + kinds[AB_CONSTANT] >= 0.5 * total)
		snprintf(buf, cap, "the %s's RTP was dead air too (digital silence or a constant payload)", name);
	else if (kinds[AB_CN] >= 0.5 * total)
		snprintf(buf, cap, "the %s sent comfort noise only", name);
	else
		snprintf(buf, cap, "the %s's RTP carried little audio (%.1f s of %.1f s)", name, kinds[AB_AUDIO], total);
}

static size_t add(char *buf, size_t cap, size_t n, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static size_t add(char *buf, size_t cap, size_t n, const char *fmt, ...)
{
	if (n >= cap)
		return n;
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(buf + n, cap - n, fmt, ap);
	va_end(ap);
	if (k < 0)
		return n;
	return n + (size_t)k < cap ? n + (size_t)k : cap - 1;
}

void audio_walk(const struct call *c, const struct call_facts *f, char *buf, size_t cap)
{
	size_t n = 0;
	buf[0] = '\0';
	if (!f->answered)
		return;
	for (uint8_t p = PARTY_A; p <= PARTY_B; p++) {
		struct audio_dir d;
		audio_account_dir(c, f, p, SILENT_MEDIA_MIN_S, &d);
		if (!d.decoded && !d.encrypted && !d.undecoded)
			continue;
		n = add(buf, cap, n, "%s%s: ", n ? "; " : "", p == PARTY_A ? "caller -> callee" : "callee -> caller");
		size_t start = n;
		if (d.encrypted && !d.decoded)
			n = add(buf, cap, n, "encrypted (SRTP), not judged");
		else if (d.undecoded && !d.decoded)
			n = add(buf, cap, n, "%s, not decoded", d.undecoded_codec);
		if (d.audio_s > 0 && d.samples)
			n = add(buf, cap, n, "%s%.1f s of audio at %.1f dBov", n > start ? ", " : "", d.audio_s,
				level_dbov(d.energy, d.samples));
		if (d.n_runs)
			n = add(buf, cap, n, "%sdead air from %+.1f s (%.1f s, SILENT_MEDIA)", n > start ? ", " : "",
				(double)(d.runs[0].start - c->start_ts) / 1e9, secs(d.runs[0].start, d.runs[0].end));
		else if (d.silent_s >= 1.0)
			n = add(buf, cap, n, "%s%.1f s of digital silence in pauses", n > start ? ", " : "", d.silent_s);
		if (d.cn_s >= 1.0)
			n = add(buf, cap, n, "%scomfort noise %.1f s (expected)", n > start ? ", " : "", d.cn_s);
		if (d.suppressed_s >= 1.0)
			n = add(buf, cap, n, "%sno packets %.1f s (silence suppression: audio resumed with a talkspurt's "
				"marker bit, expected)", n > start ? ", " : "", d.suppressed_s);
		if (d.hold_s >= 1.0)
			n = add(buf, cap, n, "%squiet %.1f s on hold (expected)", n > start ? ", " : "", d.hold_s);
		if (n == start)
			n = add(buf, cap, n, "no audio decoded");
	}
}
