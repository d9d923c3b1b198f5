/* SPDX-License-Identifier: MIT */
/* Renders findings, the diagnostic walk and the capture-level diagnosis
 * summary, as text and as JSON. */
#ifndef DEADAIR_REPORT_FINDINGS_REPORT_H
#define DEADAIR_REPORT_FINDINGS_REPORT_H

#include <stdio.h>

#include "analyze/analyze.h"
#include "report/call_report.h"
#include "report/json.h"

void report_findings_text(FILE *f, const struct call *c, const struct findings *fs, const struct walk *w,
			  const struct text_style *st);
/* The findings alone, times relative to origin (used for calls and for
 * calls seen across capture points). */
void report_finding_list_text(FILE *f, const struct findings *fs, int64_t origin, const struct text_style *st);
void report_finding_list_json(struct jw *w, const struct findings *fs, int64_t origin);
void report_findings_json(struct jw *w, const struct call *c, const struct findings *fs, const struct walk *wk);
/* The call's media account (analyze/account.c) as JSON: "media_account". */
void report_account_json(struct jw *w, const struct call *c, const struct walk *wk);
/* "3 calls, 1 with problems: ONE_WAY_AUDIO 1 ...", and the NAT timeout bounds. */
void report_diagnosis_summary_text(FILE *f, const struct analyzer *a, const struct text_style *st);
void report_diagnosis_summary_json(struct jw *w, const struct analyzer *a);
/* NATs the capture's summary lists one by one; past that, nat_bounds_overview. */
#define NAT_LIST_MAX 3
/* One NAT's idle-timeout bounds as a sentence (naming the NAT's address when name). */
void nat_bounds_text(const struct nat_bounds *b, bool name, char *buf, size_t cap);
/* Past a few NATs, one sentence for them all: how far apart their bounds are. */
void nat_bounds_overview(const struct analyzer *a, char *buf, size_t cap);

#endif
