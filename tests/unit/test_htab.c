/* SPDX-License-Identifier: MIT */
/* Unit tests for the growing hash table (src/core/htab.c): SipHash-1-3 against
 * the reference vectors, lookups while the table grows, entries of one key
 * kept newest first across growth, removal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/htab.h"

static void test_siphash_vectors(void **state)
{
	(void)state;
	/* key of zeros, message 00 01 .. (n-1): SipHash-1-3 as the reference
	 * implementation (github.com/veorq/SipHash, cROUNDS 1, dROUNDS 3) gives it */
	struct htab t;
	assert_true(htab_init(&t, 1, 0));
	t.k0 = 0;
	t.k1 = 0;
	uint8_t msg[64];
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	assert_true(htab_hash(&t, msg, 0) == 0xd1fba762150c532cULL);
	assert_true(htab_hash(&t, msg, 1) == 0x68a914128e01e473ULL);
	assert_true(htab_hash(&t, msg, 2) == 0x010bac45c41e3669ULL);
	assert_true(htab_hash(&t, msg, 7) == 0x2f098ab0c751325aULL);
	assert_true(htab_hash(&t, msg, 8) == 0xead411e67ebe2eeaULL);
	assert_true(htab_hash(&t, msg, 15) == 0xf30eb725bb91c9eaULL);
	assert_true(htab_hash(&t, msg, 16) == 0x8972188433a5c5b7ULL);
	assert_true(htab_hash(&t, msg, 20) == 0x639e355ae68c0100ULL);
	/* the same bytes as little-endian words */
	uint64_t w[3];
	for (int i = 0; i < 3; i++) {
		w[i] = 0;
		for (int j = 7; j >= 0; j--)
			w[i] = w[i] << 8 | msg[8 * i + j];
	}
	assert_true(htab_hash_words(&t, w, 0) == 0xd1fba762150c532cULL);
	assert_true(htab_hash_words(&t, w, 1) == 0xead411e67ebe2eeaULL);
	assert_true(htab_hash_words(&t, w, 2) == 0x8972188433a5c5b7ULL);
	t.k0 = 0x0706050403020100ULL;
	t.k1 = 0x0f0e0d0c0b0a0908ULL;
	for (size_t n = 0; n <= 3; n++)
		assert_true(htab_hash_words(&t, w, n) == htab_hash(&t, msg, 8 * n));
	htab_free(&t);
}

struct item {
	struct hnode node;
	unsigned key;
	unsigned seq;
};

static struct item *find_first(struct htab *t, unsigned key)
{
	uint64_t h = htab_hash(t, &key, sizeof(key));
	for (struct hnode *n = htab_bucket(t, h); n; n = n->next) {
		struct item *it = HTAB_ENTRY(n, struct item, node);
		if (n->hash == h && it->key == key)
			return it;
	}
	return NULL;
}

static void test_grow_keeps_order(void **state)
{
	(void)state;
	struct htab t;
	assert_true(htab_init(&t, 4, 0));
	enum { N = 50000 };
	struct item *items = calloc(N, sizeof(*items));
	assert_non_null(items);
	for (unsigned i = 0; i < N; i++) {
		items[i].key = i % 1000; /* 50 entries per key */
		items[i].seq = i;
		htab_add(&t, &items[i].node, htab_hash(&t, &items[i].key, sizeof(items[i].key)));
	}
	assert_int_equal(t.count, N);
	assert_true(htab_buckets(&t) >= N / 2);
	/* every key: its entries newest first */
	for (unsigned k = 0; k < 1000; k++) {
		uint64_t h = htab_hash(&t, &k, sizeof(k));
		unsigned last = ~0u, n = 0;
		for (struct hnode *x = htab_bucket(&t, h); x; x = x->next) {
			struct item *it = HTAB_ENTRY(x, struct item, node);
			if (x->hash != h || it->key != k)
				continue;
			assert_true(it->seq < last);
			last = it->seq;
			n++;
		}
		assert_int_equal(n, 50);
	}
	/* removing the newest of a key shows the one before it */
	struct item *first = find_first(&t, 7);
	assert_int_equal(first->seq, N - 1000 + 7);
	htab_del(&t, &first->node);
	htab_del(&t, &first->node); /* twice is harmless */
	assert_int_equal(find_first(&t, 7)->seq, N - 2000 + 7);
	for (unsigned i = 0; i < N; i++)
		htab_del(&t, &items[i].node);
	assert_int_equal(t.count, 0);
	assert_null(find_first(&t, 7));
	htab_free(&t);
	free(items);
}

static void test_max_buckets(void **state)
{
	(void)state;
	struct htab t;
	assert_true(htab_init(&t, 2, 16));
	static struct item items[100];
	for (unsigned i = 0; i < 100; i++) {
		items[i].key = i;
		htab_add(&t, &items[i].node, htab_hash(&t, &i, sizeof(i)));
	}
	assert_int_equal(htab_buckets(&t), 16);
	for (unsigned i = 0; i < 100; i++)
		assert_ptr_equal(find_first(&t, i), &items[i]);
	htab_free(&t);
}

/* htab_hash2 by each way the machine has: a function of the key and the
 * table's secret, SipHash's value without AES-NI, and flows that differ in a
 * port or an address spread evenly over the buckets. */
static void test_hash2(void **state)
{
	(void)state;
	static struct htab t, u;
	assert_true(htab_init(&t, 16, 0));
	assert_true(htab_init(&u, 16, 0));
	bool aes = t.aes;
	for (int way = 0; way < 2; way++) {
		if (way == 1 && !aes)
			break; /* the processor has no AES-NI: SipHash only */
		t.aes = u.aes = way == 1;
		uint64_t a = 0x0a0000010a000002ULL, b = 0x1f4a1f40ULL | 0x12345678ULL << 32;
		assert_true(htab_hash2(&t, a, b) == htab_hash2(&t, a, b));
		assert_true(htab_hash2(&t, a, b) != htab_hash2(&u, a, b)); /* another secret */
		assert_true(htab_hash2(&t, a, b) != htab_hash2(&t, b, a));
		if (way == 0) {
			uint64_t w[2] = { a, b };
			assert_true(htab_hash2(&t, a, b) == htab_hash_words(&t, w, 2));
		}
		/* 2^17 flows of a media server: one address pair, sequential even
		 * ports, sequential SSRCs, into 2^16 buckets: about e^-2 (13.5 %) of
		 * them empty and no long chain, as for a random function */
		enum { BUCKETS = 1 << 16, FLOWS = 1 << 17 };
		static uint16_t load[BUCKETS];
		memset(load, 0, sizeof(load));
		for (uint32_t i = 0; i < FLOWS; i++) {
			uint64_t ports = (uint64_t)(10000 + 2 * (i & 0x7fff)) | (uint64_t)40000 << 16 | (uint64_t)(i >> 15) << 32;
			load[htab_hash2(&t, 0xc0000201c6336401ULL, ports) & (BUCKETS - 1)]++;
		}
		unsigned empty = 0, longest = 0;
		for (unsigned i = 0; i < BUCKETS; i++) {
			empty += load[i] == 0;
			longest = load[i] > longest ? load[i] : longest;
		}
		assert_in_range(empty, BUCKETS * 0.125, BUCKETS * 0.146);
		assert_true(longest <= 14);
	}
	htab_free(&t);
	htab_free(&u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siphash_vectors),
		cmocka_unit_test(test_grow_keeps_order),
		cmocka_unit_test(test_max_buckets),
		cmocka_unit_test(test_hash2),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
