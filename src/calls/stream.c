/* SPDX-License-Identifier: MIT */
/* Per-stream RTP statistics: RFC 3550 sequence accounting (appendix A.1) with
 * duplicates and reordering, arrival deltas, interarrival jitter (section 6.4.1)
 * with the payload's clock rate, gaps, payload-type changes, RFC 4733 events,
 * comfort noise (RFC 3389), TTL changes and activity bins over time. */
#include <string.h>

#include "calls/calls.h"

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

static void bin_add(struct stream *s, int64_t ts)
{
	if (ts < s->bin_origin)
		ts = s->bin_origin;
	int64_t idx = (ts - s->bin_origin) / s->bin_ns;
	while (idx >= STREAM_MAX_BINS) {
		/* coarsen: each bin absorbs its right neighbour */
		for (uint32_t i = 0; i < STREAM_MAX_BINS / 2; i++) {
			uint32_t v = (uint32_t)s->bins[2 * i] + s->bins[2 * i + 1];
			s->bins[i] = v > 0xffff ? 0xffff : (uint16_t)v;
		}
		memset(s->bins + STREAM_MAX_BINS / 2, 0, sizeof(s->bins) / 2);
		s->bin_ns *= 2;
		s->n_bins = (s->n_bins + 1) / 2;
		idx = (ts - s->bin_origin) / s->bin_ns;
	}
	if (s->bins[idx] < 0xffff)
		s->bins[idx]++;
	if ((uint32_t)idx + 1 > s->n_bins)
		s->n_bins = (uint32_t)idx + 1;
}

void stream_set_clock(struct stream *s, uint32_t clock)
{
	s->clock = clock;
}

void stream_init(struct stream *s, const struct dgram *d, const struct rtp_hdr *h,
		 const struct calls_config *cfg)
{
	s->point = d->point;
	s->ssrc = h->ssrc;
	s->first_frame = s->last_frame = d->frame;
	s->first_ts = s->last_ts = d->ts_ns;
	s->first_ttl = s->last_ttl = d->ttl;
	s->base_seq = s->max_seq = h->seq;
	s->first_pt = s->last_pt = h->pt;
	s->min_delta_ms = -1;
	s->bin_origin = d->ts_ns;
	s->bin_ns = cfg->bin_ns > 0 ? cfg->bin_ns : 100000000;
	s->event_pt = -1;
}

static void on_event(struct stream *s, const struct dgram *d, const struct rtp_hdr *h)
{
	struct rtp_event e;
	s->event_packets++;
	if (rtp_event_parse(h->payload, h->payload_len, &e) != ST_OK)
		return;
	bool new_digit = !s->event_open || h->ts != s->last_event_ts;
	if (new_digit && s->n_events > 0 && h->ts == s->last_event_ts)
		new_digit = false;
	if (new_digit) {
		if (s->n_events < STREAM_MAX_EVENTS) {
			struct event_rec *r = &s->events[s->n_events];
			r->ts = d->ts_ns;
			r->frame = d->frame;
			r->digit = rtp_event_char(e.event);
			r->volume = e.volume;
			r->duration = e.duration;
		}
		s->n_events++;
		s->last_event_ts = h->ts;
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
	if (h->marker)
		s->markers++;
	if (!first && d->ttl != s->last_ttl)
		s->ttl_changes++;
	s->last_ttl = d->ttl;

	/* sequence accounting, RFC 3550 A.1 without the probation period */
	if (first) {
		seen_set(s, h->seq, true);
	} else {
		uint16_t udelta = (uint16_t)(h->seq - s->max_seq);
		if (udelta == 0) {
			s->duplicates++;
		} else if (udelta < MAX_DROPOUT) {
			if (h->seq < s->max_seq)
				s->cycles += 65536;
			seen_advance(s, s->max_seq, h->seq);
			seen_set(s, h->seq, true);
			s->max_seq = h->seq;
		} else if (udelta <= 65536 - MAX_MISORDER) {
			/* a big jump: the source restarted its sequence; start over */
			s->seq_jumps++;
			s->cycles += 0;
			memset(s->seen_bits, 0, sizeof(s->seen_bits));
			/* keep the count of what was expected so far in base_seq terms */
			s->base_seq = (uint16_t)(h->seq - (uint16_t)(s->max_seq - s->base_seq) - 1);
			s->max_seq = h->seq;
			seen_set(s, h->seq, true);
		} else {
			/* behind the highest: a duplicate or a late packet */
			if (seen_test(s, h->seq))
				s->duplicates++;
			else
				s->out_of_order++;
			seen_set(s, h->seq, true);
		}
	}

	/* payload type */
	s->pt_seen[h->pt >> 6] |= 1ULL << (h->pt & 63);
	bool is_event = s->event_pt >= 0 && h->pt == (uint8_t)s->event_pt;
	if (h->pt == 13)
		s->comfort_noise++;
	if (is_event)
		on_event(s, d, h);
	else
		s->event_open = false;
	if (!first && h->pt != s->last_pt && !is_event && !(s->event_pt >= 0 && s->last_pt == (uint8_t)s->event_pt) &&
	    h->pt != 13 && s->last_pt != 13) {
		if (s->n_pt_changes < STREAM_MAX_PT_CHANGES) {
			struct pt_change_rec *r = &s->pt_changes[s->n_pt_changes];
			r->ts = d->ts_ns;
			r->frame = d->frame;
			r->from = s->last_pt;
			r->to = h->pt;
		}
		s->n_pt_changes++;
	}
	if (!is_event && h->pt != 13)
		s->last_pt = h->pt;

	/* timing: arrival deltas, gaps and interarrival jitter */
	if (!first) {
		int64_t dt = d->ts_ns - s->last_ts;
		double dms = (double)dt / 1e6;
		if (s->min_delta_ms < 0 || dms < s->min_delta_ms)
			s->min_delta_ms = dms;
		if (dms > s->max_delta_ms) {
			s->max_delta_ms = dms;
			s->max_delta_frame = d->frame;
		}
		s->sum_delta_ms += dms;
		if (dt > cfg->gap_ns) {
			if (s->n_gaps < STREAM_MAX_GAPS) {
				struct gap_rec *g = &s->gaps[s->n_gaps];
				g->start = s->last_ts;
				g->end = d->ts_ns;
				g->frame_before = s->last_frame;
				g->frame_after = d->frame;
			}
			s->n_gaps++;
		}
		if (s->clock && !is_event) {
			double transit_diff = (double)(d->ts_ns - s->last_arrival) / 1e9 * s->clock -
					      (double)(int32_t)(h->ts - s->last_rtp_ts);
			if (transit_diff < 0)
				transit_diff = -transit_diff;
			s->jitter += (transit_diff - s->jitter) / 16.0;
			double jms = s->jitter * 1000.0 / s->clock;
			if (jms > s->max_jitter_ms)
				s->max_jitter_ms = jms;
			s->sum_jitter_ms += jms;
		}
	}
	if (!is_event) {
		s->last_arrival = d->ts_ns;
		s->last_rtp_ts = h->ts;
	}
	s->last_ts = d->ts_ns;
	s->last_frame = d->frame;
	bin_add(s, d->ts_ns);
}

double stream_mean_jitter_ms(const struct stream *s)
{
	return s->packets ? s->sum_jitter_ms / s->packets : 0;
}

double stream_mean_delta_ms(const struct stream *s)
{
	return s->packets > 1 ? s->sum_delta_ms / (s->packets - 1) : 0;
}

int64_t stream_expected(const struct stream *s)
{
	return (int64_t)s->cycles + s->max_seq - s->base_seq + 1;
}

int64_t stream_lost(const struct stream *s)
{
	return stream_expected(s) - (int64_t)s->packets;
}
