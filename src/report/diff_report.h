/* SPDX-License-Identifier: MIT */
/* `deadair diff`: two digests of reports (before and after a fix) compared per
 * kind of finding (ID and direction) and per pattern (a kind among the calls
 * of one network or User-Agent), by the share of calls each holds; written as
 * text or JSON. The calls themselves differ between the two captures: only
 * kinds and rates are compared, never calls. */
#ifndef DEADAIR_REPORT_DIFF_REPORT_H
#define DEADAIR_REPORT_DIFF_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "report/report_digest.h"

enum diff_status {
	DS_NEW,          /* on no call before, on some after */
	DS_WORSE,        /* on both, the rate clearly higher after */
	DS_UNCHANGED,    /* on both, no clear change */
	DS_BETTER,       /* on both, the rate clearly lower after */
	DS_RESOLVED,     /* on some calls before, on none after */
	DS_ONLY_BEFORE,  /* a pattern whose network or User-Agent had no call after */
	DS_ONLY_AFTER,   /* ... or none before */
};

/* "Clearly": the rate after at least DIFF_RATIO times the rate before (or at
 * most 1/DIFF_RATIO of it), and a two-proportion z score of at least DIFF_Z
 * (one-sided, about one chance in 200 for equal rates). */
#define DIFF_RATIO 1.5
#define DIFF_Z 2.58
#define DIFF_MAX_PATTERNS_PER_KIND 6
#define DIFF_MIN_PATTERN_CALLS 2

struct diff_row {
	const char *id;
	uint8_t dir;                 /* enum digest_dir */
	enum severity sev;           /* the most severe on either side */
	int attr;                    /* patterns: enum digest_attr; kinds: -1 */
	const char *value;           /* patterns: the network or User-Agent */
	uint64_t kb, nb, ka, na;     /* calls with it, of calls (of that value), before and after */
	double z;                    /* two-proportion z score, after minus before */
	enum diff_status st;
	bool sure;                   /* |z| >= DIFF_Z: not chance */
};

struct diff {
	const struct report_digest *b, *a;
	size_t n_kinds, n_patterns;
	struct diff_row *kinds, *patterns;   /* kinds sorted by status, severity, ID; patterns by kind, then size */
	size_t patterns_not_shown;
	unsigned n_new, n_worse, n_still, n_resolved; /* kinds */
	bool fails;                  /* something new or clearly worse at or above fail_on */
};

/* One side as given on the command line. */
struct diff_input {
	const char *name;
	bool report;                 /* a JSON report, not a capture or trace */
	bool partial;                /* damaged, cut short (the capture, or the report says so) */
};

/* Compares; fail_on is the least severity that makes something new or worse
 * fail (exit status 1). False without memory. d points into b and a. */
bool diff_compare(const struct report_digest *b, const struct report_digest *a, enum severity fail_on,
		  struct diff *d);
void diff_free(struct diff *d);
const char *diff_status_name(enum diff_status s);

void diff_write_text(FILE *out, const struct diff *d, const struct diff_input *b, const struct diff_input *a);
/* False when the document could not be built (no memory). */
bool diff_write_json(FILE *out, const struct diff *d, const struct diff_input *b, const struct diff_input *a);

#endif
