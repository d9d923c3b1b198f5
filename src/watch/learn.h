/* SPDX-License-Identifier: MIT */
/* Media watchdogs learned from finished calls: a call that a party ended after
 * N s without RTP (analyze's RTP_TIMEOUT) shows that the box at that party's
 * signalling address runs a watchdog of about N s; later calls through that
 * address are warned with it, as --rtp-timeout would. */
#ifndef DEADAIR_WATCH_LEARN_H
#define DEADAIR_WATCH_LEARN_H

#include <stdint.h>

#include "analyze/finding.h"
#include "calls/model.h"

#define LEARN_MAX 64 /* addresses remembered; the oldest learned is forgotten first */

struct learned_wd {
	struct addr where;       /* the hanging-up party's signalling address */
	int64_t timeout_ns;      /* silence before its BYE */
	char call_id[64];        /* the call it was learned from */
	uint64_t seq;            /* when it was learned (for forgetting the oldest) */
};

struct wd_learn {
	struct learned_wd v[LEARN_MAX];
	unsigned n;
	uint64_t seq;
};

/* Learns from a finished call and its findings. */
void learn_from_call(struct wd_learn *l, const struct call *c, const struct findings *fs);
/* The watchdog learned for either party of c, or NULL. */
const struct learned_wd *learn_for_call(const struct wd_learn *l, const struct call *c);

#endif
