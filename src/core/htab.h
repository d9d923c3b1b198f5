/* SPDX-License-Identifier: MIT */
/* An intrusive chained hash table that grows with its load, for the indexes of
 * the stages (calls by Call-ID, streams by flow, TCP directions, IP fragments).
 * Written here because none of the Debian C libraries offers what these need
 * together: nodes embedded in the objects (an index owns nothing, O(1) removal),
 * entries with equal keys kept in the order they were added, also across
 * growth (several indexes answer "the newest entry that ..."), and a hash
 * keyed with a secret of each table (SipHash-1-3; for the flow index's two
 * words, three keyed AES rounds where the processor has AES-NI), so that a
 * capture crafted to collide cannot turn lookups into scans of one long chain. */
#ifndef DEADAIR_CORE_HTAB_H
#define DEADAIR_CORE_HTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct hnode {
	struct hnode *next;
	struct hnode **pprev;
	uint64_t hash;
};

struct htab {
	struct hnode **b;
	size_t mask;             /* buckets - 1; buckets is a power of two */
	size_t count;
	size_t max_buckets;
	uint64_t k0, k1;         /* the table's SipHash key */
	/* the keys of htab_hash2's AES rounds (whitening and three round keys),
	 * used when the processor has AES-NI (aes) */
	uint64_t ak[8];
	bool aes;
};

/* Prepares a table of min_buckets (rounded up to a power of two) that will
 * grow up to max_buckets (0: no limit but memory). False without memory. */
bool htab_init(struct htab *t, size_t min_buckets, size_t max_buckets);
/* Frees the buckets (the nodes belong to their objects). */
void htab_free(struct htab *t);

/* SipHash-1-3 of p[0..n) with the table's key. */
uint64_t htab_hash(const struct htab *t, const void *p, size_t n);

/* SipHash-1-3 of n 64-bit words with the table's key: the same value as
 * htab_hash of their 8n little-endian bytes, for keys packed into words by
 * the caller (the flow index, once per RTP packet), inlined so that the
 * rounds run without a call or a byte loop. */
static inline uint64_t htab_rotl(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

static inline void htab_sipround(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = htab_rotl(v[1], 13);
	v[1] ^= v[0];
	v[0] = htab_rotl(v[0], 32);
	v[2] += v[3];
	v[3] = htab_rotl(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = htab_rotl(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = htab_rotl(v[1], 17);
	v[1] ^= v[2];
	v[2] = htab_rotl(v[2], 32);
}

static inline uint64_t htab_hash_words(const struct htab *t, const uint64_t *w, size_t n)
{
	uint64_t v[4] = { 0x736f6d6570736575ULL ^ t->k0, 0x646f72616e646f6dULL ^ t->k1,
			  0x6c7967656e657261ULL ^ t->k0, 0x7465646279746573ULL ^ t->k1 };
	for (size_t i = 0; i < n; i++) {
		v[3] ^= w[i];
		htab_sipround(v);
		v[0] ^= w[i];
	}
	uint64_t last = (uint64_t)((n * 8) & 0xff) << 56;
	v[3] ^= last;
	htab_sipround(v);
	v[0] ^= last;
	v[2] ^= 0xff;
	htab_sipround(v);
	htab_sipround(v);
	htab_sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

#if defined(__x86_64__)
uint64_t htab_hash2_aes(const struct htab *t, uint64_t a, uint64_t b);
#endif

/* A keyed hash of two 64-bit words (the flow index's key for IPv4, once per
 * RTP packet): with AES-NI, three AES rounds over the 128-bit block, whitened
 * and keyed with a secret of the table (about ten instructions; Go's runtime
 * hashes its maps this way for the same reason, resistance to crafted
 * collisions); without it, SipHash-1-3 of the two words. Not the value of
 * htab_hash: a table's keys must all be hashed one way. */
static inline uint64_t htab_hash2(const struct htab *t, uint64_t a, uint64_t b)
{
#if defined(__x86_64__)
	if (t->aes)
		return htab_hash2_aes(t, a, b);
#endif
	uint64_t w[2] = { a, b };
	return htab_hash_words(t, w, 2);
}

/* Adds n with its hash in front of the entries already there: walking a
 * bucket meets entries of one key newest first, also after the table grew. */
void htab_add(struct htab *t, struct hnode *n, uint64_t hash);
void htab_del(struct htab *t, struct hnode *n);

/* The first node of the bucket of hash; follow ->next and compare ->hash and the key. */
static inline struct hnode *htab_bucket(const struct htab *t, uint64_t hash)
{
	return t->b ? t->b[hash & t->mask] : NULL;
}

static inline size_t htab_buckets(const struct htab *t)
{
	return t->b ? t->mask + 1 : 0;
}

#define HTAB_ENTRY(node, type, member) ((type *)(void *)((char *)(node) - offsetof(type, member)))

/* Bytes of several fields for htab_hash: append each, then hash buf[0..n). */
struct hkey {
	uint8_t buf[96];
	size_t n;
};

static inline void hkey_add(struct hkey *k, const void *p, size_t n)
{
	size_t room = sizeof(k->buf) - k->n;
	if (n > room)
		n = room;
	if (n) /* p may be NULL then */
		memcpy(k->buf + k->n, p, n);
	k->n += n;
}

#endif
