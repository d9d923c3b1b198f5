/* SPDX-License-Identifier: MIT */
/* IP fragment reassembly (RFC 791, RFC 8200): a fixed number of datagrams in
 * progress, each with at most a fixed number of pieces and 64 KiB of data, and a
 * timeout in capture time, so memory stays bounded whatever the capture holds. */
#include "decode/frag.h"

#include <stdlib.h>
#include <string.h>

bool frag_table_init(struct frag_table *t, unsigned cap)
{
	memset(t, 0, sizeof(*t));
	t->e = calloc(cap ? cap : 1, sizeof(*t->e));
	if (!t->e)
		return false;
	t->cap = cap ? cap : 1;
	return true;
}

void frag_release(struct frag_table *t, struct frag_entry *e)
{
	if (!e->used)
		return;
	free(e->buf);
	free(e->pieces);
	memset(e, 0, sizeof(*e));
	t->used--;
	t->bytes -= FRAG_MAX_DATAGRAM;
}

void frag_table_clear(struct frag_table *t)
{
	for (unsigned i = 0; i < t->cap; i++)
		frag_release(t, &t->e[i]);
}

void frag_table_free(struct frag_table *t)
{
	if (!t->e)
		return;
	frag_table_clear(t);
	free(t->e);
	t->e = NULL;
}

static bool key_eq(const struct frag_key *a, const struct frag_key *b)
{
	return a->id == b->id && a->proto == b->proto && addr_eq(&a->src, &b->src) &&
	       addr_eq(&a->dst, &b->dst);
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

enum frag_result frag_add(struct frag_table *t, const struct limits *lim, const struct frag_key *k,
			  uint32_t off, const uint8_t *p, size_t n, bool more, int64_t ts, uint8_t ttl,
			  struct frag_entry **done, uint64_t *dropped)
{
	struct frag_entry *slot = NULL, *free_slot = NULL;
	for (unsigned i = 0; i < t->cap; i++) {
		struct frag_entry *e = &t->e[i];
		if (e->used && ts - e->first_ts > lim->frag_timeout_ns) {
			frag_release(t, e);
			(*dropped)++;
		}
		if (!e->used) {
			if (!free_slot)
				free_slot = e;
			continue;
		}
		if (!slot && key_eq(&e->key, k))
			slot = e;
	}
	if ((uint64_t)off + n > FRAG_MAX_DATAGRAM) {
		if (slot) {
			frag_release(t, slot);
			(*dropped)++;
		}
		return FRAG_DROPPED;
	}
	if (!slot) {
		if (!free_slot) {
			(*dropped)++;
			return FRAG_DROPPED;
		}
		slot = free_slot;
		slot->buf = malloc(FRAG_MAX_DATAGRAM);
		slot->pieces = calloc(lim->frag_pieces ? lim->frag_pieces : 1, sizeof(*slot->pieces));
		if (!slot->buf || !slot->pieces) {
			free(slot->buf);
			free(slot->pieces);
			slot->buf = NULL;
			slot->pieces = NULL;
			(*dropped)++;
			return FRAG_DROPPED;
		}
		slot->used = true;
		slot->key = *k;
		slot->first_ts = ts;
		slot->total = 0;
		slot->n_pieces = 0;
		t->used++;
		t->bytes += FRAG_MAX_DATAGRAM;
	}
	if (slot->n_pieces >= lim->frag_pieces) {
		frag_release(t, slot);
		(*dropped)++;
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
			(*dropped)++;
			return FRAG_DROPPED;
		}
		slot->total = end;
	}
	if (!complete(slot))
		return FRAG_HELD;
	*done = slot;
	return FRAG_DONE;
}
