/* SPDX-License-Identifier: MIT */
/* A digest of a deadair JSON report (docs/json-schema.md) for `deadair diff`:
 * how many calls, and per kind of finding (ID and direction) and per pattern
 * (a kind among the calls that share a network or a User-Agent) how many of
 * them. The report is read with jansson and is hostile input like any file. */
#ifndef DEADAIR_REPORT_REPORT_DIGEST_H
#define DEADAIR_REPORT_REPORT_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/finding.h"

#define DIGEST_MAX_KINDS 256      /* distinct kinds per report; more are counted in kinds_dropped */
#define DIGEST_MAX_CALL_KINDS 32  /* distinct kinds per call */
#define DIGEST_ID_MAX 64          /* a finding ID: [A-Za-z0-9_], at most 63 characters */
#define DIGEST_VALUE_MAX 100      /* a User-Agent is cut to this many bytes (whole UTF-8 characters) */

/* What calls of a pattern share. */
enum digest_attr { ATTR_CALLER_NET, ATTR_CALLEE_NET, ATTR_CALLER_UA, ATTR_CALLEE_UA, ATTR__COUNT };

/* Direction of the media a finding concerns. */
enum digest_dir { DIR_NONE, DIR_CALLER_CALLEE, DIR_CALLEE_CALLER };

struct digest_kind {
	char id[DIGEST_ID_MAX];
	uint8_t dir;                 /* enum digest_dir */
	enum severity sev;           /* the most severe finding of this kind */
	uint64_t calls;              /* calls with at least one finding of this kind */
};

/* calls of one attribute value (kind < 0) or of a kind among them */
struct digest_group {
	int kind;                    /* index into kinds, or -1: every call of the value */
	uint8_t attr;                /* enum digest_attr */
	char *value;                 /* owned */
	uint64_t calls;
};

struct report_digest {
	uint64_t calls;              /* distinct Call-IDs over every capture point */
	uint64_t calls_with_problems;/* of them, with a warning or critical finding */
	uint64_t captures, incomplete; /* capture entries, and those read only in part */
	uint64_t traces;             /* of them, pasted SIP traces ("input": "trace") */
	uint64_t calls_not_listed;   /* calls its captures held (sip.calls) that the report does not list:
				      * it was made with a call filter (--call, --from, ...) */
	uint64_t kinds_dropped;      /* findings of kinds past DIGEST_MAX_KINDS, or past a call's share */
	size_t n_kinds;
	struct digest_kind kinds[DIGEST_MAX_KINDS];
	/* sorted by (attr, value, kind): values (kind -1) first within each value */
	size_t n_groups;
	struct digest_group *groups;
};

/* Reads a parsed report (a json_t *, as void so that callers need not see
 * jansson) into d, which it initialises. False, with why in err, when the
 * document is not a deadair report of schema 1 or holds a required field of
 * the wrong type; optional fields of the wrong type are ignored. */
bool report_digest_read(const void *root, struct report_digest *d, char *err, size_t errlen);
/* The same from bytes; also false when they are not JSON. */
bool report_digest_read_bytes(const char *p, size_t n, struct report_digest *d, char *err, size_t errlen);
/* Whether bytes (the start of a file) may be a JSON report: a JSON object
 * (after an optional BOM and white space). Captures never start so; a pasted
 * trace in Homer's JSON does, and is told apart by report_digest_read. */
bool report_digest_sniff(const uint8_t *p, size_t n);
void report_digest_free(struct report_digest *d);

const char *digest_attr_name(enum digest_attr a);   /* "caller_network", ... */
const char *digest_attr_text(enum digest_attr a);   /* "caller network", ... */
const char *digest_dir_name(enum digest_dir d);     /* "caller->callee", ... or NULL */
/* The group of (attr, value, kind) in d, or NULL (binary search). */
const struct digest_group *digest_group_find(const struct report_digest *d, uint8_t attr, const char *value,
					     int kind);
/* The index of kind (id, dir) in d, or -1. */
int digest_kind_find(const struct report_digest *d, const char *id, uint8_t dir);

#endif
