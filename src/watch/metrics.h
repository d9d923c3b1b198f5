/* SPDX-License-Identifier: MIT */
/* deadair watch's /metrics: a snapshot in the Prometheus text exposition
 * format (version 0.0.4), every family named deadair_*, with HELP and TYPE. */
#ifndef DEADAIR_WATCH_METRICS_H
#define DEADAIR_WATCH_METRICS_H

#include <stdio.h>

#include "watch/snap.h"

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

void metrics_write(FILE *out, const struct snap *s);

/* Counts n packets received from a HEP capture agent (its name or address, as
 * the HEP receiver knows it) in deadair_hep_packets_total{agent}; the first
 * SNAP_AGENTS_MAX agents one by one, the others as agent="other". */
void metrics_hep_packets(struct snap_counts *c, const char *agent, uint64_t n);
/* The same, from a receiver that keeps its own totals: sets the agent's count
 * to total (an agent past the first SNAP_AGENTS_MAX: nothing, count it with
 * metrics_hep_packets). */
void metrics_hep_total(struct snap_counts *c, const char *agent, uint64_t total);

#endif
