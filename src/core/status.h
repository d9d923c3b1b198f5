/* SPDX-License-Identifier: MIT */
/* The one status enum every stage returns. */
#ifndef DEADAIR_CORE_STATUS_H
#define DEADAIR_CORE_STATUS_H

/* The release, printed by --version and recorded in JSON reports. */
#define DEADAIR_VERSION_STRING "0.1.0"

enum status {
	ST_OK = 0,
	ST_TRUNCATED,   /* the bytes end before the structure does */
	ST_MALFORMED,   /* the bytes contradict the format */
	ST_UNSUPPORTED, /* valid, but a variant we do not decode */
	ST_LIMIT,       /* a configured limit was reached; counted, not silent */
	ST_NOMEM,
};

const char *status_str(enum status st);

#endif
