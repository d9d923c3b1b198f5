/* SPDX-License-Identifier: MIT */
/* The growing hash table of htab.h, and SipHash-1-3 (Aumasson and Bernstein,
 * "SipHash: a fast short-input PRF", 2012, with one compression and three
 * finalisation rounds) as its hash: keyed, so a flood of crafted addresses
 * cannot pile into one bucket, and cheap enough to run on every packet. The
 * 1-3 variant is what Rust's standard HashMap and CPython's str hash use for
 * the same purpose; 2-4 is meant for a MAC, which a table index is not. */
#include "core/htab.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

static uint64_t rotl(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

#define SIPROUND(v0, v1, v2, v3)                                                                      \
	do {                                                                                          \
		v0 += v1;                                                                             \
		v1 = rotl(v1, 13);                                                                    \
		v1 ^= v0;                                                                             \
		v0 = rotl(v0, 32);                                                                    \
		v2 += v3;                                                                             \
		v3 = rotl(v3, 16);                                                                    \
		v3 ^= v2;                                                                             \
		v0 += v3;                                                                             \
		v3 = rotl(v3, 21);                                                                    \
		v3 ^= v0;                                                                             \
		v2 += v1;                                                                             \
		v1 = rotl(v1, 17);                                                                    \
		v1 ^= v2;                                                                             \
		v2 = rotl(v2, 32);                                                                    \
	} while (0)

static uint64_t le64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

uint64_t htab_hash(const struct htab *t, const void *data, size_t n)
{
	const uint8_t *p = data;
	uint64_t v0 = 0x736f6d6570736575ULL ^ t->k0;
	uint64_t v1 = 0x646f72616e646f6dULL ^ t->k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ t->k0;
	uint64_t v3 = 0x7465646279746573ULL ^ t->k1;
	size_t whole = n - n % 8;
	for (size_t i = 0; i < whole; i += 8) {
		uint64_t m = le64(p + i);
		v3 ^= m;
		SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	uint64_t last = (uint64_t)(n & 0xff) << 56;
	for (size_t i = 0; i < n % 8; i++)
		last |= (uint64_t)p[whole + i] << (8 * i);
	v3 ^= last;
	SIPROUND(v0, v1, v2, v3);
	v0 ^= last;
	v2 ^= 0xff;
	for (int i = 0; i < 3; i++)
		SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

bool htab_init(struct htab *t, size_t min_buckets, size_t max_buckets)
{
	memset(t, 0, sizeof(*t));
	size_t nb = 1;
	while (nb < min_buckets)
		nb <<= 1;
	t->b = calloc(nb, sizeof(*t->b));
	if (!t->b)
		return false;
	t->mask = nb - 1;
	t->max_buckets = max_buckets;
	uint64_t key[2];
	if (getrandom(key, sizeof(key), GRND_NONBLOCK) == (ssize_t)sizeof(key)) {
		t->k0 = key[0];
		t->k1 = key[1];
	} else {
		/* no entropy yet (early boot): still a working table, with a fixed key */
		t->k0 = 0x0706050403020100ULL;
		t->k1 = 0x0f0e0d0c0b0a0908ULL;
	}
	if (getrandom(t->ak, sizeof(t->ak), GRND_NONBLOCK) != (ssize_t)sizeof(t->ak))
		for (unsigned i = 0; i < 8; i++)
			t->ak[i] = (t->k0 ^ (0x9e3779b97f4a7c15ULL * (i + 1))) + htab_rotl(t->k1, i * 8 + 1);
#if defined(__x86_64__)
	t->aes = __builtin_cpu_supports("aes");
#endif
	return true;
}

#if defined(__x86_64__)
__attribute__((target("aes,sse2"))) uint64_t htab_hash2_aes(const struct htab *t, uint64_t a, uint64_t b)
{
	__m128i x = _mm_set_epi64x((long long)b, (long long)a);
	x = _mm_xor_si128(x, _mm_set_epi64x((long long)t->ak[1], (long long)t->ak[0]));
	x = _mm_aesenc_si128(x, _mm_set_epi64x((long long)t->ak[3], (long long)t->ak[2]));
	x = _mm_aesenc_si128(x, _mm_set_epi64x((long long)t->ak[5], (long long)t->ak[4]));
	x = _mm_aesenc_si128(x, _mm_set_epi64x((long long)t->ak[7], (long long)t->ak[6]));
	return (uint64_t)_mm_cvtsi128_si64(x) ^ (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(x, x));
}
#endif

void htab_free(struct htab *t)
{
	free(t->b);
	t->b = NULL;
	t->count = 0;
}

/* Doubles the buckets. Old bucket i splits into new buckets i and i + old
 * size; each keeps the order the entries had. */
static void grow(struct htab *t)
{
	size_t old = t->mask + 1, nb = old * 2;
	if (nb < old || (t->max_buckets && nb > t->max_buckets))
		return;
	struct hnode **b = calloc(nb, sizeof(*b));
	if (!b)
		return; /* longer chains, still correct */
	for (size_t i = 0; i < old; i++) {
		struct hnode **tail[2] = { &b[i], &b[i + old] };
		for (struct hnode *n = t->b[i], *next; n; n = next) {
			next = n->next;
			int side = (n->hash & old) ? 1 : 0;
			n->pprev = tail[side];
			*tail[side] = n;
			n->next = NULL;
			tail[side] = &n->next;
		}
	}
	free(t->b);
	t->b = b;
	t->mask = nb - 1;
}

void htab_add(struct htab *t, struct hnode *n, uint64_t hash)
{
	if (t->count >= t->mask + 1)
		grow(t);
	struct hnode **head = &t->b[hash & t->mask];
	n->hash = hash;
	n->next = *head;
	n->pprev = head;
	if (*head)
		(*head)->pprev = &n->next;
	*head = n;
	t->count++;
}

void htab_del(struct htab *t, struct hnode *n)
{
	if (!n->pprev)
		return;
	*n->pprev = n->next;
	if (n->next)
		n->next->pprev = n->pprev;
	n->next = NULL;
	n->pprev = NULL;
	t->count--;
}
