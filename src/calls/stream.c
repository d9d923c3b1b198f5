/* SPDX-License-Identifier: MIT */
/* Per-stream RTP statistics: RFC 3550 sequence accounting (appendix A.1) with
 * duplicates and reordering, arrival deltas, interarrival jitter (section 6.4.1)
 * with the payload's clock rate, gaps, payload-type changes, RFC 4733 events,
 * comfort noise (RFC 3389), TTL changes and activity bins over time. */
#include <stdlib.h>
#include <string.h>

#include "calls/calls.h"
#include "calls/worker.h"

#define MAX_DROPOUT 3000
#define MAX_MISORDER 100

static bool seen_test(const struct stream *s, uint16_t seq)
{
	unsigned i = seq & 1023;
	return s->seen_bits[i >> 6] >> (i & 63) & 1;
}

static void seen_set(struct stream *s, uint16_t seq, bool on)
{
	unsigned i = seq & 1023;
	if (on)
		s->seen_bits[i >> 6] |= 1ULL << (i & 63);
	else
		s->seen_bits[i >> 6] &= ~(1ULL << (i & 63));
}

/* Clears the marks of the sequence numbers between the old and new highest,
 * which now stand for packets not yet received. */
static void seen_advance(struct stream *s, uint16_t old_max, uint16_t new_max)
{
	uint16_t n = (uint16_t)(new_max - old_max);
	if (n >= 1024) {
		memset(s->seen_bits, 0, sizeof(s->seen_bits));
		return;
	}
	for (uint16_t i = 1; i <= n; i++)
		seen_set(s, (uint16_t)(old_max + i), false);
}

/* Makes *arr hold at least need elements of size elem (at most max), new
 * ones zeroed; *cap counts them. False when memory runs out. */
static bool reserve(void **arr, uint32_t *cap, uint32_t need, uint32_t max, size_t elem, uint32_t first)
{
	if (need <= *cap)
		return true;
	if (need > max)
		return false;
	uint32_t ncap = *cap ? *cap : first;
	while (ncap < need)
		ncap *= 2;
	if (ncap > max)
		ncap = max;
	void *p = realloc(*arr, (size_t)ncap * elem);
	if (!p)
		return false;
	memset((char *)p + (size_t)*cap * elem, 0, (size_t)(ncap - *cap) * elem);
	*arr = p;
	*cap = ncap;
	return true;
}

/* Room for record number n (0-based) of an array of at most max records
 * whose allocated count is kept in a byte. */
static bool room(void **arr, uint8_t *capf, uint32_t n, uint32_t max, size_t elem)
{
	uint32_t c = *capf;
	bool ok = reserve(arr, &c, n + 1, max, elem, 4);
	*capf = (uint8_t)c;
	return ok;
}

static void bin_add(struct stream *s, int64_t ts)
{
	if (ts < s->bin_origin)
		ts = s->bin_origin;
	int64_t idx = (ts - s->bin_origin) / s->bin_ns;
	while (idx >= STREAM_MAX_BINS) {
		/* coarsen: each bin absorbs its right neighbour (bins past what
		 * is allocated are empty) */
		uint32_t cap = s->bins_cap;
		for (uint32_t i = 0; i < cap / 2; i++) {
			uint32_t v = (uint32_t)s->bins[2 * i] + s->bins[2 * i + 1];
			s->bins[i] = v > 0xffff ? 0xffff : (uint16_t)v;
		}
		if (cap)
			memset(s->bins + cap / 2, 0, (cap - cap / 2) * sizeof(*s->bins));
		s->bin_ns *= 2;
		s->n_bins = (s->n_bins + 1) / 2;
		idx = (ts - s->bin_origin) / s->bin_ns;
	}
	if ((uint32_t)idx >= s->bins_cap) { /* most packets find their bin allocated */
		uint32_t cap = s->bins_cap;
		bool ok = reserve((void **)&s->bins, &cap, (uint32_t)idx + 1, STREAM_MAX_BINS, sizeof(*s->bins), 16);
		s->bins_cap = (uint16_t)cap;
		if (!ok)
			return; /* out of memory: the activity strip misses this packet */
	}
	if (s->bins[idx] < 0xffff)
		s->bins[idx]++;
	if ((uint32_t)idx + 1 > s->n_bins)
		s->n_bins = (uint32_t)idx + 1;
}

/* Clock rates of the static payload types as Wireshark's RTP analysis uses them
 * (RFC 3551 table 4; G.722 counts at 8000 Hz). */
static uint32_t static_clock(uint8_t pt)
{
	switch (pt) {
	case 0: case 1: case 2: case 3: case 4: case 5: case 7: case 8: case 9:
	case 12: case 13: case 15: case 18: case 19:
		return 8000;
	case 6:
		return 16000;
	case 10: case 11:
		return 44100;
	case 16:
		return 11025;
	case 17:
		return 22050;
	case 14: case 25: case 26: case 28: case 31: case 32: case 33: case 34:
		return 90000;
	default:
		return 0;
	}
}

void stream_set_pt_clock(struct stream *s, uint8_t pt, uint32_t clock)
{
	if (pt < 96 || pt > 127)
		return;
	s->dyn_clock[pt - 96] = clock;
	if (pt == s->first_pt)
		s->clock = clock;
}

uint32_t stream_pt_clock(const struct stream *s, uint8_t pt)
{
	pt &= 127;
	return pt >= 96 ? s->dyn_clock[pt - 96] : static_clock(pt);
}

bool stream_is_proven(const struct stream *s)
{
	return s->in_seq + 1u >= STREAM_PROVEN_PACKETS;
}

void stream_release(struct stream *s)
{
	free(s->bins);
	free(s->gaps);
	free(s->events);
	free(s->pt_changes);
	s->bins = NULL;
	s->gaps = NULL;
	s->events = NULL;
	s->pt_changes = NULL;
	s->bins_cap = 0;
	s->gaps_cap = s->events_cap = s->pt_changes_cap = 0;
}

size_t stream_heap_bytes(const struct stream *s)
{
	return (size_t)s->bins_cap * sizeof(*s->bins) + (size_t)s->gaps_cap * sizeof(*s->gaps) +
	       (size_t)s->events_cap * sizeof(*s->events) + (size_t)s->pt_changes_cap * sizeof(*s->pt_changes);
}

void stream_init(struct stream *s, const struct dgram *d, const struct rtp_hdr *h,
		 const struct calls_config *cfg)
{
	s->point = d->point;
	s->iface = s->last_iface = d->iface;
	s->ssrc = h->ssrc;
	s->first_frame = s->last_frame = d->frame;
	s->first_ts = s->last_ts = s->prev_ts = d->ts_ns;
	s->prev_frame = d->frame;
	s->first_ttl = s->last_ttl = d->ttl;
	s->base_seq = s->max_seq = s->prove_seq = h->seq;
	s->first_pt = s->last_pt = h->pt;
	s->first_rtp_ts = h->ts;
	s->min_delta_ms = -1;
	s->min_jitter_ms = -1;
	s->bin_origin = d->ts_ns;
	s->bin_ns = cfg->bin_ns > 0 ? cfg->bin_ns : 100000000;
	s->event_pt = -1;
	s->mline = -1;
	memset(s->dyn_clock, 0, sizeof(s->dyn_clock));
	s->clock = stream_pt_clock(s, h->pt);
}

/* Milliseconds since the capture's first frame, computed from whole seconds and
 * nanoseconds as tshark does, so that rounding agrees. */
static double rel_ms(int64_t ts, int64_t origin)
{
	int64_t rel = ts - origin;
	int64_t secs = rel / 1000000000LL;
	int64_t nsecs = rel % 1000000000LL;
	return (double)secs * 1000.0 + (double)nsecs / 1000000.0;
}

/* RFC 3550 section 6.4.1 jitter over voice packets: D is computed against the
 * previous voice packet of the same payload type. */
static void voice_jitter(struct stream *s, const struct stream_pkt *p)
{
	uint32_t clock = p->clock;
	if (p->event || !clock || p->pt == 13 || p->pt == 19)
		return;
	if (s->voice_init && s->voice_pt == p->pt) {
		double arrival = (double)(p->ts_ns - s->voice_arrival) * (double)clock / 1e9;
		double dts = (double)(int32_t)(p->rtp_ts - s->voice_rtp_ts);
		double dd = arrival - dts;
		if (dd < 0)
			dd = -dd;
		s->voice_j += (dd - s->voice_j) / 16.0;
		s->voice_jitter_ms = s->voice_j * 1000.0 / clock;
		if (s->voice_jitter_ms > s->voice_max_jitter_ms)
			s->voice_max_jitter_ms = s->voice_jitter_ms;
		s->voice_sum_jitter_ms += s->voice_jitter_ms;
		s->voice_n++;
	}
	s->voice_init = true;
	s->voice_arrival = p->ts_ns;
	s->voice_rtp_ts = p->rtp_ts;
	s->voice_pt = p->pt;
}

/* Deltas and jitter of one packet (after the first), as in Wireshark 4.0's
 * rtppacket_analyse(): jitter is RFC 3550's estimator in milliseconds with the
 * payload type's clock; marker-bit packets, comfort noise and the packet after
 * comfort noise, and packets whose time stamp lies before the first packet's
 * are left out of the min/mean/max figures; means are running averages. */
static void timing(struct stream *s, const struct stream_pkt *p, double t)
{
	uint32_t clock = p->clock;
	uint32_t dts = p->rtp_ts - s->first_rtp_ts;
	bool in_seq = dts < 0x80000000u;
	if (!in_seq)
		s->wrong_ts++;
	bool cn = p->pt == 13 || p->pt == 19;
	bool follow_cn = s->prev_cn;
	s->prev_cn = cn;
	double cur_jitter = 0;
	if (in_seq) {
		if (clock) {
			double nominal = (double)dts / (double)(clock / 1000);
			double diff = t - (s->t_last_ms + nominal - s->last_nominal_ms);
			if (diff < 0)
				diff = -diff;
			s->jitter_ms = cur_jitter = (15.0 * s->jitter_ms + diff) / 16.0;
			s->last_nominal_ms = nominal;
		}
		s->delta_ms = t - s->t_last_ms;
	}
	if (!p->marker && !cn && !follow_cn && in_seq) {
		double n = (double)p->before;
		if (s->delta_ms > s->max_delta_ms) {
			s->max_delta_ms = s->delta_ms;
			s->max_delta_frame = p->frame;
		}
		if (s->min_delta_ms < 0 || s->delta_ms < s->min_delta_ms)
			s->min_delta_ms = s->delta_ms;
		s->mean_delta_ms = (s->mean_delta_ms * (n - 1) + s->delta_ms) / n;
		if (clock) {
			if (s->jitter_ms > s->max_jitter_ms)
				s->max_jitter_ms = s->jitter_ms;
			if (s->min_jitter_ms < 0 || s->jitter_ms < s->min_jitter_ms)
				s->min_jitter_ms = s->jitter_ms;
			s->mean_jitter_ms = (s->mean_jitter_ms * (n - 1) + cur_jitter) / n;
		}
	}
	if (in_seq)
		s->t_last_ms = t;
}

static void on_event(struct stream *s, const struct stream_pkt *p, const uint8_t *payload)
{
	struct rtp_event e;
	s->event_packets++;
	if (rtp_event_parse(payload, p->payload_len, &e) != ST_OK)
		return;
	bool new_digit = !s->event_open || p->rtp_ts != s->last_event_ts;
	if (new_digit && s->n_events > 0 && p->rtp_ts == s->last_event_ts)
		new_digit = false;
	if (new_digit) {
		if (s->n_events < STREAM_MAX_EVENTS) {
			if (!room((void **)&s->events, &s->events_cap, s->n_events, STREAM_MAX_EVENTS, sizeof(*s->events)))
				return; /* out of memory */
			struct event_rec *r = &s->events[s->n_events];
			r->ts = p->ts_ns;
			r->frame = p->frame;
			r->digit = rtp_event_char(e.event);
			r->volume = e.volume;
			r->duration = e.duration;
		}
		s->n_events++;
		s->last_event_ts = p->rtp_ts;
		s->event_open = true;
	} else if (s->n_events > 0 && s->n_events <= STREAM_MAX_EVENTS) {
		struct event_rec *r = &s->events[s->n_events - 1];
		if (e.duration > r->duration)
			r->duration = e.duration;
	}
}

void stream_update(struct stream *s, const struct dgram *d, const struct rtp_hdr *h,
		   const struct calls_config *cfg)
{
	bool first = s->packets == 0;
	s->packets++;
	s->payload_bytes += h->payload_len;

	/* what proves a flow to be a stream (stream_is_proven): packets that
	 * come next in sequence, followed as stream_timing's sequence
	 * accounting follows the highest number */
	if (first) {
		s->prove_seq = h->seq;
	} else {
		uint16_t udelta = (uint16_t)(h->seq - s->prove_seq);
		if (udelta != 0 && udelta <= 65536 - MAX_MISORDER) {
			if (udelta == 1 && s->in_seq < 255)
				s->in_seq++;
			s->prove_seq = h->seq;
		}
	}
	s->last_ts = d->ts_ns;
	s->last_frame = d->frame;
	s->last_iface = d->iface;

	/* the rest of the packet's figures, and its audio, from what the SDP
	 * says now (the reader's to read): one job, built where it is handed on */
	struct audio_job j; /* every field of its head set (no memset: it is on every packet) */
	j.a = NULL;
	j.s = s;
	j.pkt.ts_ns = d->ts_ns;
	j.pkt.frame = d->frame;
	j.pkt.rtp_ts = h->ts;
	j.pkt.payload_len = (uint32_t)h->payload_len;
	j.pkt.clock = stream_pt_clock(s, h->pt);
	j.pkt.before = s->packets - 1;
	j.pkt.event_pt = s->event_pt;
	j.pkt.seq = h->seq;
	j.pkt.pt = h->pt;
	j.pkt.ttl = d->ttl;
	j.pkt.marker = h->marker;
	j.pkt.first = first;
	j.pkt.event = s->event_pt >= 0 && h->pt == (uint8_t)s->event_pt;
	j.origin = 0;
	j.lost = 0;
	j.kind = AJ_NONE;
	j.timing = true;
	j.fresh = false;
	j.relook = false;
	j.payload = h->payload;
	stream_audio_update(s, &j, cfg);
}

void stream_timing(struct stream *s, const struct stream_pkt *p, const uint8_t *payload,
		   const struct calls_config *cfg)
{
	bool first = p->first;
	/* sequence accounting, RFC 3550 A.1 without the probation period */
	if (first) {
		seen_set(s, p->seq, true);
	} else {
		uint16_t udelta = (uint16_t)(p->seq - s->max_seq);
		if (udelta == 0) {
			s->duplicates++;
		} else if (udelta < MAX_DROPOUT) {
			if (p->seq < s->max_seq)
				s->cycles += 65536;
			if (udelta > 1) {
				s->loss_bursts++;
				if (udelta - 1u > s->max_loss_burst)
					s->max_loss_burst = udelta - 1u;
			}
			if (udelta > 1) /* next in sequence: its mark alone changes */
				seen_advance(s, s->max_seq, p->seq);
			seen_set(s, p->seq, true);
			s->max_seq = p->seq;
		} else if (udelta <= 65536 - MAX_MISORDER) {
			/* a big jump: the source restarted its sequence; count what was
			 * expected so far and go on from the new number */
			s->seq_jumps++;
			memset(s->seen_bits, 0, sizeof(s->seen_bits));
			s->base_seq = (uint16_t)(p->seq - (uint16_t)(s->max_seq - s->base_seq) - 1);
			s->max_seq = p->seq;
			seen_set(s, p->seq, true);
		} else {
			/* behind the highest: a duplicate or a late packet */
			if (seen_test(s, p->seq))
				s->duplicates++;
			else
				s->out_of_order++;
			seen_set(s, p->seq, true);
		}
	}
	if (p->marker)
		s->markers++;
	if (!first && p->ttl != s->last_ttl)
		s->ttl_changes++;
	s->last_ttl = p->ttl;

	/* payload type */
	s->pt_seen[p->pt >> 6] |= 1ULL << (p->pt & 63);
	bool is_event = p->event;
	if (p->pt == 13)
		s->comfort_noise++;
	if (is_event)
		on_event(s, p, payload);
	else
		s->event_open = false;
	voice_jitter(s, p);
	/* the telephone-event type of now, also for the packet before */
	bool last_event = p->event_pt >= 0 && s->last_pt == (uint8_t)p->event_pt;
	if (!first && p->pt != s->last_pt && !is_event && !last_event && p->pt != 13 && s->last_pt != 13) {
		if (s->n_pt_changes >= STREAM_MAX_PT_CHANGES ||
		    room((void **)&s->pt_changes, &s->pt_changes_cap, s->n_pt_changes, STREAM_MAX_PT_CHANGES,
			 sizeof(*s->pt_changes))) {
			if (s->n_pt_changes < STREAM_MAX_PT_CHANGES) {
				struct pt_change_rec *r = &s->pt_changes[s->n_pt_changes];
				r->ts = p->ts_ns;
				r->frame = p->frame;
				r->from = s->last_pt;
				r->to = p->pt;
			}
			s->n_pt_changes++;
		}
	}
	if (!is_event && p->pt != 13)
		s->last_pt = p->pt;

	/* silences (whatever the packets were) and Wireshark-style timing */
	double t = rel_ms(p->ts_ns, cfg->origin_ns);
	if (first) {
		s->t_last_ms = t;
		s->prev_cn = p->pt == 13 || p->pt == 19;
	} else {
		int64_t dt = p->ts_ns - s->prev_ts;
		if (dt > s->max_silence_ns)
			s->max_silence_ns = dt;
		if (dt > cfg->gap_ns &&
		    (s->n_gaps >= STREAM_MAX_GAPS || room((void **)&s->gaps, &s->gaps_cap, s->n_gaps, STREAM_MAX_GAPS, sizeof(*s->gaps)))) {
			if (s->n_gaps < STREAM_MAX_GAPS) {
				struct gap_rec *g = &s->gaps[s->n_gaps];
				g->start = s->prev_ts;
				g->end = p->ts_ns;
				g->frame_before = s->prev_frame;
				g->frame_after = p->frame;
			}
			s->n_gaps++;
		}
		timing(s, p, t);
	}
	s->prev_ts = p->ts_ns;
	s->prev_frame = p->frame;
	bin_add(s, p->ts_ns);
}

double stream_mean_jitter_ms(const struct stream *s)
{
	return s->mean_jitter_ms;
}

double stream_voice_mean_jitter_ms(const struct stream *s)
{
	return s->voice_n ? s->voice_sum_jitter_ms / s->voice_n : 0;
}

double stream_mean_delta_ms(const struct stream *s)
{
	return s->mean_delta_ms;
}

int64_t stream_expected(const struct stream *s)
{
	return (int64_t)s->cycles + s->max_seq - s->base_seq + 1;
}

int64_t stream_lost(const struct stream *s)
{
	return stream_expected(s) - (int64_t)s->packets;
}
