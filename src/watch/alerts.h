/* SPDX-License-Identifier: MIT */
/* Where deadair watch's alerts go: one JSON object per line (docs/watch.md),
 * to standard output or a file that SIGHUP reopens (for logrotate). */
#ifndef DEADAIR_WATCH_ALERTS_H
#define DEADAIR_WATCH_ALERTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze/finding.h"
#include "calls/model.h"

struct alerts {
	const char *path;    /* NULL: standard output */
	FILE *f;
	uint64_t warnings, findings, lines;
	uint64_t write_errors;
	/* names a call's capture point ("hep agent 2001") for a "point" field;
	 * NULL, or a NULL name: no field */
	const char *(*point_name)(void *ctx, uint16_t point);
	void *point_ctx;
};

/* Opens path for appending (NULL: standard output); false with the reason in err. */
bool alerts_open(struct alerts *a, const char *path, char *err, size_t errlen);
/* Reopens the file under its name (after logrotate moved it); on failure the
 * old file stays in use and the reason is in err. */
bool alerts_reopen(struct alerts *a, char *err, size_t errlen);
void alerts_close(struct alerts *a);

/* A warning about a call in progress ("warning") or a finding of a finished
 * call ("finding"), at capture time t. */
void alerts_write(struct alerts *a, const char *type, const struct call *c, const struct finding *f, int64_t t);
/* The same alert as one JSON object and its newline, written to out (for
 * --exec, which hands it to a command); a names the capture points (or NULL). */
void alerts_json(FILE *out, const struct alerts *a, const char *type, const struct call *c, const struct finding *f,
		 int64_t t);
/* --verbose: a call seen for the first time, and a call finished (with how
 * many findings). */
void alerts_call_start(struct alerts *a, const struct call *c, int64_t t);
void alerts_call_end(struct alerts *a, const struct call *c, unsigned n_findings, int64_t t);

#endif
