/* SPDX-License-Identifier: MIT */
/* IPv4 (RFC 791) and IPv6 (RFC 8200 section 4.5) fragment reassembly with a
 * bounded table: big SIP INVITEs over UDP arrive in pieces. */
#ifndef DEADAIR_DECODE_FRAG_H
#define DEADAIR_DECODE_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/htab.h"
#include "core/limits.h"

#define FRAG_MAX_DATAGRAM 65535u

struct frag_key {
	struct addr src, dst;
	uint32_t id;
	uint8_t proto;
};

struct frag_piece {
	uint32_t start, end;
};

struct frag_entry {
	struct hnode node;        /* in the table's index by key */
	struct frag_entry *prev, *next; /* oldest first */
	struct frag_key key;
	int64_t first_ts;
	uint32_t total;           /* 0 until the last fragment is seen */
	uint8_t ttl;
	uint8_t *buf;
	size_t cap;               /* bytes allocated in buf (grows with the pieces) */
	unsigned n_pieces;
	struct frag_piece *pieces;
};

struct frag_table {
	struct htab index;
	struct frag_entry *oldest, *newest;
	unsigned cap;             /* datagrams in progress at most */
	unsigned used;
	size_t bytes;
};

enum frag_result { FRAG_HELD, FRAG_DONE, FRAG_DROPPED };

/* What frag_add gave up on, for the decoder's counters. */
struct frag_counts {
	uint64_t *dropped;        /* datagrams given up: timed out, too many pieces, inconsistent */
	uint64_t *evicted;        /* datagrams dropped, oldest first, to make room for a new one */
};

bool frag_table_init(struct frag_table *t, unsigned cap);
void frag_table_free(struct frag_table *t);
void frag_table_clear(struct frag_table *t);

/* Adds the fragment p[0..n) at byte offset off; more is the MF flag. On
 * FRAG_DONE, *done is the complete entry (buf[0..total)); release it with
 * frag_release after use. Datagrams older than the timeout are dropped first;
 * when the table is full, the oldest datagram in it makes room. */
enum frag_result frag_add(struct frag_table *t, const struct limits *lim, const struct frag_key *k,
			  uint32_t off, const uint8_t *p, size_t n, bool more, int64_t ts, uint8_t ttl,
			  struct frag_entry **done, const struct frag_counts *counts);
void frag_release(struct frag_table *t, struct frag_entry *e);

#endif
