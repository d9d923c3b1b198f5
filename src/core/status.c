/* SPDX-License-Identifier: MIT */
/* Names for the status enum. */
#include "core/status.h"

const char *status_str(enum status st)
{
	switch (st) {
	case ST_OK: return "ok";
	case ST_TRUNCATED: return "truncated";
	case ST_MALFORMED: return "malformed";
	case ST_UNSUPPORTED: return "unsupported";
	case ST_LIMIT: return "limit";
	case ST_NOMEM: return "out of memory";
	}
	return "unknown";
}
