/* SPDX-License-Identifier: MIT */
/* Media watchdogs learned from finished calls (learn.h). Only an RTP_TIMEOUT
 * finding teaches: it is analyze's judgement that the BYE followed a silence
 * because a watchdog fired, not a person hanging up. */
#include "watch/learn.h"

#include <stdio.h>
#include <string.h>

/* Watchdogs outside this range are not taken for one (RFC-less, but every
 * platform's setting lies within: AudioCodes 10 s ... FreeSWITCH 300 s). */
#define LEARN_MIN_NS 5000000000LL
#define LEARN_MAX_NS 600000000000LL

void learn_from_call(struct wd_learn *l, const struct call *c, const struct findings *fs)
{
	if (c->state != CALL_ENDED || !c->end_ts || c->ended_by > PARTY_B)
		return;
	const struct endpoint *sig = c->ended_by == PARTY_A ? &c->a_sig : &c->b_sig;
	if (!sig->addr.family)
		return;
	for (unsigned i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->f[i];
		if (strcmp(f->id, "RTP_TIMEOUT") != 0 || !f->at || c->end_ts <= f->at)
			continue;
		int64_t waited = c->end_ts - f->at;
		if (waited < LEARN_MIN_NS || waited > LEARN_MAX_NS)
			return;
		struct learned_wd *slot = NULL;
		for (unsigned k = 0; k < l->n && !slot; k++)
			if (addr_eq(&l->v[k].where, &sig->addr))
				slot = &l->v[k];
		if (!slot && l->n < LEARN_MAX)
			slot = &l->v[l->n++];
		if (!slot) { /* full: the oldest learned makes room */
			slot = &l->v[0];
			for (unsigned k = 1; k < l->n; k++)
				if (l->v[k].seq < slot->seq)
					slot = &l->v[k];
		}
		slot->where = sig->addr;
		slot->timeout_ns = waited;
		snprintf(slot->call_id, sizeof(slot->call_id), "%.63s", c->call_id);
		slot->seq = ++l->seq;
		return;
	}
}

const struct learned_wd *learn_for_call(const struct wd_learn *l, const struct call *c)
{
	for (unsigned k = 0; k < l->n; k++)
		if ((c->a_sig.addr.family && addr_eq(&l->v[k].where, &c->a_sig.addr)) ||
		    (c->b_sig.addr.family && addr_eq(&l->v[k].where, &c->b_sig.addr)))
			return &l->v[k];
	return NULL;
}
