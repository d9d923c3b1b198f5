/* SPDX-License-Identifier: MIT */
/* Shared by the files of the comparison across capture points (multipoint.c:
 * digests and groups; multipoint_order.c: the points' order along the path;
 * multipoint_findings.c: what the comparison finds); nothing else includes it. */
#ifndef DEADAIR_ANALYZE_MULTIPOINT_INT_H
#define DEADAIR_ANALYZE_MULTIPOINT_INT_H

#include "analyze/multipoint.h"

/* The message of c matching m (the first copy; NULL: none). */
const struct mp_msg *mp_find_msg(const struct mp_call *c, const struct mp_msg *m);
/* Whether m goes one hop only (100 Trying). */
bool mp_hop_by_hop(const struct mp_msg *m);
/* "INVITE", "200 INVITE". */
void mp_msg_label(const struct mp_msg *m, char *buf, size_t cap);
/* Whether a SIP element that shows itself (adds a Via) stands between a and b. */
bool mp_proxy_between(const struct mp_call *a, const struct mp_call *b);
/* Whether point p was capturing at t (its own clock). */
bool mp_inside(const struct mp_point *p, int64_t t);
/* Evidence that a's point lies nearer the caller than b's in this call
 * (positive), or farther (negative), 0 when nothing tells; its kinds (enum
 * mp_evidence) are added to *ev. */
int mp_pair_evidence(const struct mp_call *a, const struct mp_call *b, unsigned *ev);
/* Calls fn with the copies of each call seen at two or more points (one per
 * point, by point number), the earliest call first. */
void mp_each_run(const struct multipoint *mp, void (*fn)(void *ctx, const struct mp_call *const *at, unsigned n),
		 void *ctx);

/* Notes a break between the neighbours a and b. */
void mp_add_break(struct mp_group *g, enum mp_break_kind kind, uint8_t from, uint16_t a, uint16_t b,
		  enum severity sev);

/* The comparison's findings (multipoint_findings.c): a rewrite between two
 * neighbouring points, SIP and RTP lost between two neighbours, each once. */
void mp_find_alg(const struct multipoint *mp, struct mp_group *g, const struct mp_call *a, const struct mp_call *b);
void mp_find_sip_lost(const struct multipoint *mp, struct mp_group *g);
void mp_find_media_lost(const struct multipoint *mp, struct mp_group *g, const struct mp_media *md);

#endif
