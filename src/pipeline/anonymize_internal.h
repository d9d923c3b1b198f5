/* SPDX-License-Identifier: MIT */
/* What anonymize.c (pseudonyms, packets) and anonymize_text.c (SIP and SDP
 * text) share: the pseudonym tables and the bounded text buffer. */
#ifndef DEADAIR_PIPELINE_ANONYMIZE_INTERNAL_H
#define DEADAIR_PIPELINE_ANONYMIZE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "pipeline/anonymize.h"

#define MAX_MAP 4096
#define MAX_TOKEN 128

struct amap {
	struct addr orig, pseudo;
};

struct smap {
	char orig[MAX_TOKEN];
	char pseudo[48];
};

struct anon {
	struct addr *seen;     /* addresses of the input (no pseudonym may be one) */
	size_t n_seen;
	struct amap *addrs;
	size_t n_addrs;
	struct smap *users, *hosts, *names;
	size_t n_users, n_hosts, n_names;
	unsigned numbers, words;  /* fake numbers and user names given */
	uint8_t macs[256][6];
	unsigned n_macs;
	unsigned next_pub4, next_priv4, next_cg4, next_ll4, next_pub6, next_priv6, next_ll6;
};

enum pseudo_kind { PS_NUMBER, PS_USER, PS_HOST, PS_NAME };

/* The pseudonym of an address, the same every time (some are kept: 0.0.0.0, loopback, multicast). */
struct addr anon_map_addr(struct anon *a, const struct addr *orig);
/* A pseudonym from a table of strings (users, hosts, display names), the
 * same every time; counter numbers the new ones of its kind. */
const char *anon_map_str(struct smap *m, size_t *n, const char *orig, size_t len, enum pseudo_kind kind,
			 unsigned *counter);

/* Text written into a bounded buffer: over when it did not fit. */
struct tb {
	uint8_t *p;
	size_t n, cap;
	bool over;
};

/* A SIP message (with its SDP) rewritten into t: URIs, display names, hosts,
 * addresses; a=crypto and Authorization lines left out; Content-Length made to
 * claim of the new body what it claimed of the old one. */
void anon_rewrite_sip(struct tb *t, struct anon *a, const uint8_t *s, size_t n);

#endif
