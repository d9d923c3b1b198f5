/* SPDX-License-Identifier: MIT */
/* Deadlines of calls and streams in progress: a binary min-heap of timers
 * embedded in them, so that letting capture time pass looks only at what is
 * due, not at everything in progress. */
#include <stdlib.h>

#include "calls/internal.h"

void timer_init(struct timer *x)
{
	x->due = 0;
	x->pos = TIMER_NONE;
}

static void place(struct timers *h, unsigned i, struct timer *x)
{
	h->v[i] = x;
	x->pos = i;
}

static void sift_up(struct timers *h, unsigned i)
{
	struct timer *x = h->v[i];
	while (i > 0) {
		unsigned parent = (i - 1) / 2;
		if (h->v[parent]->due <= x->due)
			break;
		place(h, i, h->v[parent]);
		i = parent;
	}
	place(h, i, x);
}

static void sift_down(struct timers *h, unsigned i)
{
	struct timer *x = h->v[i];
	for (;;) {
		unsigned l = 2 * i + 1, r = l + 1, m = i;
		int64_t best = x->due;
		if (l < h->n && h->v[l]->due < best) {
			m = l;
			best = h->v[l]->due;
		}
		if (r < h->n && h->v[r]->due < best)
			m = r;
		if (m == i)
			break;
		place(h, i, h->v[m]);
		i = m;
	}
	place(h, i, x);
}

static bool insert(struct timers *h, struct timer *x)
{
	if (h->n == h->cap) {
		unsigned ncap = h->cap ? h->cap * 2 : 64;
		struct timer **v = realloc(h->v, (size_t)ncap * sizeof(*v));
		if (!v)
			return false; /* never due: finalised at the end of the input */
		h->v = v;
		h->cap = ncap;
	}
	place(h, h->n++, x);
	sift_up(h, x->pos);
	return true;
}

void timers_set(struct timers *h, struct timer *x, int64_t due)
{
	if (x->pos == TIMER_NONE) {
		x->due = due;
		insert(h, x);
		return;
	}
	int64_t old = x->due;
	x->due = due;
	if (due < old)
		sift_up(h, x->pos);
	else if (due > old)
		sift_down(h, x->pos);
}

void timers_lower(struct timers *h, struct timer *x, int64_t due)
{
	if (x->pos == TIMER_NONE || due < x->due)
		timers_set(h, x, due);
}

void timers_remove(struct timers *h, struct timer *x)
{
	if (x->pos == TIMER_NONE)
		return;
	unsigned i = x->pos;
	x->pos = TIMER_NONE;
	h->n--;
	if (i == h->n)
		return;
	struct timer *last = h->v[h->n];
	place(h, i, last);
	if (i > 0 && h->v[(i - 1) / 2]->due > last->due)
		sift_up(h, i);
	else
		sift_down(h, i);
}

void timers_free(struct timers *h)
{
	free(h->v);
	h->v = NULL;
	h->n = h->cap = 0;
}
