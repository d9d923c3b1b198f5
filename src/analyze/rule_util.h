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

/* The first message of the call with this method (request) after t, or NULL. */
static inline const struct msg_rec *msg_find(const struct call *c, const char *method, bool request, int64_t t)
{
	for (uint32_t i = 0; i < c->n_msgs; i++)
		if (c->msgs[i].request == request && !strcmp(c->msgs[i].method, method) && c->msgs[i].ts >= t)
			return &c->msgs[i];
	return NULL;
}

#endif
