/* SPDX-License-Identifier: MIT */
/* IP fragment reassembly (RFC 791, RFC 8200): at most a fixed number of
 * datagrams in progress, found by key in a hash index and kept oldest first,
 * each with at most a fixed number of pieces and 64 KiB of data, and a timeout
 * in capture time. When the table is full, the oldest datagram is evicted (and
 * counted): stray first fragments cannot keep a later datagram out. */
#include "decode/frag.h"

#include <stdlib.h>
#include <string.h>

bool frag_table_init(struct frag_table *t, unsigned cap)
{
	memset(t, 0, sizeof(*t));
	t->cap = cap ? cap : 1;
	return htab_init(&t->index, 64, 0);
}

static void unlink_entry(struct frag_table *t, struct frag_entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		t->oldest = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		t->newest = e->prev;
	e->prev = e->next = NULL;
}

void frag_release(struct frag_table *t, struct frag_entry *e)
{
	htab_del(&t->index, &e->node);
	unlink_entry(t, e);
	t->used--;
	t->bytes -= e->cap;
	free(e->buf);
	free(e->pieces);
	free(e);
}

void frag_table_clear(struct frag_table *t)
{
	while (t->oldest)
		frag_release(t, t->oldest);
}

void frag_table_free(struct frag_table *t)
{
	frag_table_clear(t);
	htab_free(&t->index);
}

static uint64_t key_hash(const struct frag_table *t, const struct frag_key *k)
{
	struct hkey h = { .n = 0 };
	hkey_add(&h, &k->src, sizeof(k->src));
	hkey_add(&h, &k->dst, sizeof(k->dst));
	hkey_add(&h, &k->id, sizeof(k->id));
	hkey_add(&h, &k->proto, sizeof(k->proto));
	return htab_hash(&t->index, h.buf, h.n);
}

static bool key_eq(const struct frag_key *a, const struct frag_key *b)
{
	return a->id == b->id && a->proto == b->proto && addr_eq(&a->src, &b->src) &&
	       addr_eq(&a->dst, &b->dst);
}

static struct frag_entry *find(struct frag_table *t, const struct frag_key *k, uint64_t h)
{
	for (struct hnode *n = htab_bucket(&t->index, h); n; n = n->next) {
		struct frag_entry *e = HTAB_ENTRY(n, struct frag_entry, node);
		if (n->hash == h && key_eq(&e->key, k))
			return e;
	}
	return NULL;
}

/* ts - first > timeout, without overflowing on time stamps from strangers. */
static bool frag_expired(int64_t ts, int64_t first, int64_t timeout)
{
	int64_t d;
	if (__builtin_sub_overflow(ts, first, &d))
		return ts > first;
	return d > timeout;
}

/* True when the pieces cover [0, total) without a hole. */
static bool complete(const struct frag_entry *e)
{
	if (!e->total)
		return false;
	uint32_t reach = 0;
	bool progress = true;
	/* pieces are few (bounded): repeat sweeps until no piece extends the reach */
	while (progress && reach < e->total) {
		progress = false;
		for (unsigned i = 0; i < e->n_pieces; i++) {
			if (e->pieces[i].start <= reach && e->pieces[i].end > reach) {
				reach = e->pieces[i].end;
				progress = true;
			}
		}
	}
	return reach >= e->total;
}

/* Makes buf hold need bytes (need <= FRAG_MAX_DATAGRAM). */
static bool reserve(struct frag_table *t, struct frag_entry *e, size_t need)
{
	if (need <= e->cap)
		return true;
	size_t ncap = e->cap ? e->cap : 2048;
	while (ncap < need)
		ncap *= 2;
	if (ncap > FRAG_MAX_DATAGRAM)
		ncap = FRAG_MAX_DATAGRAM;
	uint8_t *nb = realloc(e->buf, ncap);
	if (!nb)
		return false;
	/* bytes not yet written may be read if pieces overlap oddly: keep them defined */
	memset(nb + e->cap, 0, ncap - e->cap);
	t->bytes += ncap - e->cap;
	e->buf = nb;
	e->cap = ncap;
	return true;
}

enum frag_result frag_add(struct frag_table *t, const struct limits *lim, const struct frag_key *k,
			  uint32_t off, const uint8_t *p, size_t n, bool more, int64_t ts, uint8_t ttl,
			  struct frag_entry **done, const struct frag_counts *counts)
{
	/* oldest first: what has waited longer than the timeout will not complete */
	while (t->oldest && frag_expired(ts, t->oldest->first_ts, lim->frag_timeout_ns)) {
		frag_release(t, t->oldest);
		(*counts->dropped)++;
	}
	uint64_t h = key_hash(t, k);
	struct frag_entry *slot = find(t, k, h);
	if ((uint64_t)off + n > FRAG_MAX_DATAGRAM) {
		if (slot) {
			frag_release(t, slot);
			(*counts->dropped)++;
		}
		return FRAG_DROPPED;
	}
	if (!slot) {
		if (t->used >= t->cap && t->oldest) {
			frag_release(t, t->oldest);
			(*counts->evicted)++;
		}
		slot = calloc(1, sizeof(*slot));
		if (slot)
			slot->pieces = calloc(lim->frag_pieces ? lim->frag_pieces : 1, sizeof(*slot->pieces));
		if (!slot || !slot->pieces) {
			free(slot);
			(*counts->dropped)++;
			return FRAG_DROPPED;
		}
		slot->key = *k;
		slot->first_ts = ts;
		htab_add(&t->index, &slot->node, h);
		slot->prev = t->newest;
		if (t->newest)
			t->newest->next = slot;
		else
			t->oldest = slot;
		t->newest = slot;
		t->used++;
	}
	if (slot->n_pieces >= lim->frag_pieces || !reserve(t, slot, (size_t)off + n)) {
		frag_release(t, slot);
		(*counts->dropped)++;
		return FRAG_DROPPED;
	}
	if (n)
		memcpy(slot->buf + off, p, n);
	slot->pieces[slot->n_pieces].start = off;
	slot->pieces[slot->n_pieces].end = (uint32_t)(off + n);
	slot->n_pieces++;
	if (off == 0)
		slot->ttl = ttl;
	if (!more) {
		uint32_t end = (uint32_t)(off + n);
		if (slot->total && slot->total != end) {
			frag_release(t, slot);
			(*counts->dropped)++;
			return FRAG_DROPPED;
		}
		slot->total = end;
	}
	if (!complete(slot))
		return FRAG_HELD;
	if (!reserve(t, slot, slot->total)) {
		frag_release(t, slot);
		(*counts->dropped)++;
		return FRAG_DROPPED;
	}
	*done = slot;
	return FRAG_DONE;
}
