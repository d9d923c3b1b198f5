/* SPDX-License-Identifier: MIT */
/* The call list at the head of a capture's report: one line per call in start
 * order (start, duration, from -> to, state, the worst finding and its
 * direction). Calls finish in another order than they start, so each call's
 * rendered report is kept where the caller put it (a temporary file: offset
 * and length) and the list says in which order to copy them out. */
#ifndef DEADAIR_REPORT_CALL_LIST_H
#define DEADAIR_REPORT_CALL_LIST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze/finding.h"
#include "calls/model.h"
#include "report/call_report.h"

struct call_line {
	int64_t start_ts;
	int64_t end_ts;          /* the call's last SIP message, BYE or RTP packet */
	unsigned index;          /* the call's number in the report */
	uint8_t state;           /* enum call_state */
	uint16_t final_status;
	char from[48], to[48];   /* user part (number) of the From/To URIs, else the host */
	char worst_id[40];       /* the most severe finding, "" if none */
	enum severity worst_sev;
	uint8_t worst_dir;       /* PARTY_A / PARTY_B: sender of the media concerned; PARTY_NONE */
	bool problem;            /* a warning or critical finding */
	long off, len;           /* the call's rendered report in the caller's file */
	long off2, len2;         /* a second rendering (HTML: the article besides the table row) */
};

struct call_list {
	struct call_line *v;
	size_t n, cap;
	size_t problems;
};

/* The "number or user" of a SIP/tel URI (bounded; uri comes from the wire). */
void call_list_user(const char *uri, char *out, size_t cap);
/* Adds a finished call; false when there is no memory. */
bool call_list_add(struct call_list *l, const struct call *c, unsigned index, const struct findings *fs);
/* Orders by start time, then call number. */
void call_list_sort(struct call_list *l);
/* The list as text: the calls with problems (all with all), then how many
 * healthy calls are not listed. */
void call_list_text(FILE *f, const struct call_list *l, bool all, const struct text_style *st);
/* Copies [off, off + len) of from to to. */
void call_list_copy_part(FILE *from, long off, long len, FILE *to);
void call_list_free(struct call_list *l);

#endif
