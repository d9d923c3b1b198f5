/* SPDX-License-Identifier: MIT */
/* Findings: what broke in a call, when, in which direction, the evidence a
 * user can jump to in Wireshark (frame numbers and times), and what to change.
 * IDs are stable (DESIGN.md, findings catalog): extend, never rename. */
#ifndef DEADAIR_ANALYZE_FINDING_H
#define DEADAIR_ANALYZE_FINDING_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calls/model.h"

enum severity { SEV_INFO = 0, SEV_WARNING = 1, SEV_CRITICAL = 2 };

#define FINDING_MAX_EVIDENCE 8
#define CALL_MAX_FINDINGS 24

struct evidence {
	uint64_t frame;
	int64_t ts;
	uint16_t point;
	char iface[64];   /* the frame's interface when the capture has several ("wan0"); "" otherwise */
	char what[120];
};

struct finding {
	const char *id;
	enum severity sev;
	uint8_t direction;          /* sender of the media concerned, PARTY_NONE if none */
	uint8_t lost_dirs;          /* directions whose audio the finding says was lost (bit 1 << party):
				     * the media account's, which the headline and walk state too */
	int64_t at;                 /* when it happened, 0 if not a moment */
	char title[200];
	char explanation[1400];
	char recommendation[1400];
	unsigned n_ev;
	struct evidence ev[FINDING_MAX_EVIDENCE];
};

struct findings {
	unsigned n;
	unsigned dropped;
	struct finding f[CALL_MAX_FINDINGS];
};

const char *severity_str(enum severity s);
/* Parses "info", "warning" or "critical". */
bool severity_parse(const char *s, enum severity *out);

/* Starts a finding (NULL when the list is full, counted in dropped). */
struct finding *finding_add(struct findings *fs, const char *id, enum severity sev, uint8_t direction,
			    int64_t at);
void finding_title(struct finding *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends to the explanation / recommendation (sentences accumulate). */
void finding_explain(struct finding *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void finding_recommend(struct finding *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void finding_evidence(struct finding *f, uint64_t frame, int64_t ts, uint16_t point, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Orders by severity (critical first), then time, then id. */
void findings_sort(struct findings *fs);
bool findings_has(const struct findings *fs, const char *id);

#endif
