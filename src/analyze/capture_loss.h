/* SPDX-License-Identifier: MIT */
/* Stretches of time in which the capture itself dropped packets (a live
 * capture's pcap_stats rose between two readings; a pcapng file's Interface
 * Statistics Blocks), the latest kept: packets of a call up then may be
 * missing because the capture lost them, not the network (capture_loss.c).
 * An analyzer keeps those of its capture point; the comparison of points
 * (multipoint.c) a copy of each point's. */
#ifndef DEADAIR_ANALYZE_CAPTURE_LOSS_H
#define DEADAIR_ANALYZE_CAPTURE_LOSS_H

#include <stdbool.h>
#include <stdint.h>

#define ANALYZE_LOSS_WINDOWS 16
/* A window this close to a call's first or last packet still counts: a
 * dropped INVITE or BYE lies just before or after what was seen. */
#define ANALYZE_LOSS_MARGIN_NS 2000000000LL
struct capture_loss_window {
	int64_t from, to;            /* drops happened in (from, to] */
	uint64_t dropped;            /* packets the capture dropped in it (0: not known) */
};
struct capture_losses {
	struct capture_loss_window w[ANALYZE_LOSS_WINDOWS]; /* the latest at (n - 1) % N */
	unsigned n;                  /* windows recorded in all (0: the capture dropped nothing) */
};
/* What the windows say of one call (or one stretch of time). */
struct capture_loss_hit {
	unsigned windows;            /* windows that met the call */
	uint64_t dropped;            /* their drops (not all of them need be this call's) */
	bool older;                  /* more windows than kept passed, and the call is older than
				      * the oldest kept: it may have met one of those too */
	bool wide;                   /* every window met is longer than the call and its margins
				      * (a file's statistics: they say how many, not when) */
};

/* Records that the capture dropped `dropped` packets between from and to
 * (windows that touch are one). */
void capture_losses_add(struct capture_losses *l, int64_t from, int64_t to, uint64_t dropped);
/* Whether the capture dropped packets from `from` to `to` (each widened by
 * ANALYZE_LOSS_MARGIN_NS); hit (may be NULL) says how. */
bool capture_losses_in(const struct capture_losses *l, int64_t from, int64_t to, struct capture_loss_hit *hit);

#endif
