/* SPDX-License-Identifier: MIT */
/* Small helpers the rule files share. */
#ifndef DEADAIR_ANALYZE_RULE_UTIL_H
#define DEADAIR_ANALYZE_RULE_UTIL_H

#include <stdio.h>
#include <string.h>

#include "analyze/analyze.h"
#include "analyze/recommend.h"
#include "calls/calls.h"

/* What evidence numbers count: "line" (pasted trace) or "frame" (capture). */
static inline const char *unit(const struct rule_ctx *x)
{
	return x->a->cfg.lines ? "line" : "frame";
}

/* Seconds since the call's start. */
static inline double rel_s(const struct call *c, int64_t ts)
{
	return (double)(ts - c->start_ts) / 1e9;
}

static inline void ep_text(const struct endpoint *e, char *buf, size_t cap)
{
	endpoint_str(e, buf, cap);
}

/* The NAT idle timeout bound every keep-alive advice of the call uses (facts). */
static inline double keepalive_below(const struct rule_ctx *x)
{
	return x->f->keepalive_below_s > 0 ? x->f->keepalive_below_s : 20.0;
}

/* "caller -> callee" */
static inline const char *dir_text(uint8_t sender)
{
	return sender == PARTY_A ? "caller -> callee" : sender == PARTY_B ? "callee -> caller" : "unknown direction";
}

/* An outage before this point: most of a stream's loss is one run of at least
 * 50 sequence numbers (a second and more of audio) that never arrived, the
 * longest gap of the stream, after which the sender's packets came again. Its
 * loss is one stretch of nothing (a NAT mapping gone, a link flap, a route
 * change), not loss spread over the call. */
struct outage {
	int64_t start, end;            /* last packet before, first after */
	uint64_t frame_before, frame_after;
	uint32_t packets;              /* the run */
	int64_t rest_lost, rest_exp;   /* the loss and the expected count outside it */
};

static inline bool stream_outage(const struct stream *s, struct outage *o)
{
	int64_t exp = stream_expected(s);
	int64_t lost = exp - (int64_t)(s->packets - s->duplicates);
	if (lost <= 0 || s->max_loss_burst < 50 || (int64_t)s->max_loss_burst * 5 < lost * 4)
		return false;
	const struct gap_rec *g = NULL;
	for (uint32_t i = 0; i < s->n_gaps && i < STREAM_MAX_GAPS; i++)
		if (!g || s->gaps[i].end - s->gaps[i].start > g->end - g->start)
			g = &s->gaps[i];
	if (!g || g->end - g->start < 1000000000LL)
		return false;
	o->start = g->start;
	o->end = g->end;
	o->frame_before = g->frame_before;
	o->frame_after = g->frame_after;
	o->packets = s->max_loss_burst;
	o->rest_lost = lost - s->max_loss_burst;
	o->rest_exp = exp - s->max_loss_burst;
	return true;
}

/* The first message of the call with this method (request) after t, or NULL. */
static inline const struct msg_rec *msg_find(const struct call *c, const char *method, bool request, int64_t t)
{
	for (uint32_t i = 0; i < c->n_msgs; i++)
		if (c->msgs[i].request == request && !strcmp(c->msgs[i].method, method) && c->msgs[i].ts >= t)
			return &c->msgs[i];
	return NULL;
}

#endif
