/* SPDX-License-Identifier: MIT */
/* Renderers of the patterns across calls (analyze/patterns.h): a text
 * section after the call list, JSON objects of the top-level "patterns"
 * array, and an HTML section above the call table. */
#ifndef DEADAIR_REPORT_PATTERNS_REPORT_H
#define DEADAIR_REPORT_PATTERNS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze/patterns.h"
#include "report/call_report.h"
#include "report/json.h"

/* "ONE_WAY_AUDIO (callee -> caller) on 6 of 40 calls". */
void report_pattern_head(const struct patterns *ps, const struct pattern *g, char *buf, size_t cap);
/* Trait k of g and its contrast, in one sentence. */
void report_pattern_trait(const struct patterns *ps, const struct pattern *g, unsigned k, char *buf, size_t cap);
/* A User-Agent all the calls share that does not set them apart; false when none for party q. */
bool report_pattern_ua_shared(const struct patterns *ps, const struct pattern *g, uint8_t q, char *buf, size_t cap);
/* What the calls of a network trait say about its NAT's idle timeout; false when nothing. */
bool report_pattern_nat(const struct pat_trait *t, char *buf, size_t cap);
/* Nothing when there is no pattern. */
void report_patterns_text(FILE *f, const struct patterns *ps, const struct text_style *st);
/* One object per pattern into the array w is in; point is 1-based. */
void report_patterns_json(struct jw *w, const struct patterns *ps, unsigned point);
void html_patterns(FILE *f, const struct patterns *ps, uint16_t point);

#endif
