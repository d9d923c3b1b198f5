/* SPDX-License-Identifier: MIT */
/* The RTP rows of a call's ladder (first packet, silences, last packet of
 * each stream), as Wireshark's VoIP flow graph draws media next to the
 * signalling; from the stream records of the calls stage only. */
#include "report/ladder_rtp.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static int by_time(const void *x, const void *y)
{
	const struct ladder_rtp *a = x, *b = y;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	if (a->frame != b->frame)
		return a->frame < b->frame ? -1 : 1;
	return (int)a->kind - (int)b->kind;
}

static void add(struct ladder_rtp *out, unsigned cap, unsigned *n, unsigned *left_out, struct ladder_rtp r)
{
	if (*n < cap)
		out[(*n)++] = r;
	else
		(*left_out)++;
}

unsigned ladder_rtp_rows(const struct call *c, struct ladder_rtp *out, unsigned cap, unsigned *left_out)
{
	const struct stream *v[64];
	unsigned ns = call_streams_ordered(c, v, 64);
	unsigned n = 0;
	*left_out = 0;
	if (c->n_streams > ns)
		*left_out += c->n_streams - ns; /* streams past those ordered: not drawn */
	for (unsigned i = 0; i < ns; i++) {
		const struct stream *s = v[i];
		if (!s->packets)
			continue;
		add(out, cap, &n, left_out, (struct ladder_rtp){ .ts = s->first_ts, .frame = s->first_frame, .s = s,
								  .kind = LRTP_FIRST });
		uint32_t gaps = s->n_gaps < STREAM_MAX_GAPS ? s->n_gaps : STREAM_MAX_GAPS;
		for (uint32_t k = 0; k < gaps && s->gaps; k++) {
			if (k >= LADDER_RTP_GAPS) {
				(*left_out)++;
				continue;
			}
			const struct gap_rec *g = &s->gaps[k];
			add(out, cap, &n, left_out,
			    (struct ladder_rtp){ .ts = g->start, .frame = g->frame_before, .s = s, .kind = LRTP_GAP,
						 .silence_ns = g->end - g->start, .frame_after = g->frame_after });
		}
		if (s->n_gaps > STREAM_MAX_GAPS)
			*left_out += s->n_gaps - STREAM_MAX_GAPS;
		if (s->packets > 1)
			add(out, cap, &n, left_out, (struct ladder_rtp){ .ts = s->last_ts, .frame = s->last_frame, .s = s,
									  .kind = LRTP_LAST });
	}
	qsort(out, n, sizeof(*out), by_time);
	return n;
}

void ladder_rtp_label(const struct ladder_rtp *r, char *buf, size_t cap)
{
	char codec[24];
	stream_codec_name(r->s, codec, sizeof(codec));
	const char *who = r->s->dir == PARTY_NONE ? "unknown sender" : party_str(r->s->dir);
	switch (r->kind) {
	case LRTP_FIRST:
		snprintf(buf, cap, "RTP %s from the %s: first packet (SSRC 0x%08" PRIx32 ")", codec, who, r->s->ssrc);
		break;
	case LRTP_GAP:
		snprintf(buf, cap, "no RTP from the %s for %.2f s", who, (double)r->silence_ns / 1e9);
		break;
	default:
		snprintf(buf, cap, "RTP from the %s: last packet (%" PRIu32 " packets)", who, r->s->packets);
		break;
	}
}
