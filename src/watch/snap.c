/* SPDX-License-Identifier: MIT */
/* Snapshots of deadair watch for its HTTP server (snap.h): reference counted,
 * immutable once published. */
#include "watch/snap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct snap_report *snap_report_ref(struct snap_report *r)
{
	if (r)
		atomic_fetch_add(&r->refs, 1);
	return r;
}

void snap_report_unref(struct snap_report *r)
{
	if (r && atomic_fetch_sub(&r->refs, 1) == 1)
		free(r);
}

void snap_box_init(struct snap_box *b)
{
	pthread_mutex_init(&b->mu, NULL);
	b->cur = NULL;
}

void snap_box_destroy(struct snap_box *b)
{
	snap_unref(b->cur);
	b->cur = NULL;
	pthread_mutex_destroy(&b->mu);
}

void snap_box_publish(struct snap_box *b, struct snap *s)
{
	pthread_mutex_lock(&b->mu);
	struct snap *old = b->cur;
	b->cur = s;
	pthread_mutex_unlock(&b->mu);
	snap_unref(old);
}

struct snap *snap_box_get(struct snap_box *b)
{
	pthread_mutex_lock(&b->mu);
	struct snap *s = b->cur;
	if (s)
		atomic_fetch_add(&s->refs, 1);
	pthread_mutex_unlock(&b->mu);
	return s;
}

struct snap *snap_new(unsigned n_calls)
{
	struct snap *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	if (n_calls) {
		s->calls = calloc(n_calls, sizeof(*s->calls));
		if (!s->calls) {
			free(s);
			return NULL;
		}
	}
	atomic_init(&s->refs, 1);
	return s;
}

void snap_unref(struct snap *s)
{
	if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	for (unsigned i = 0; i < s->n_done; i++)
		snap_report_unref(s->done[i].report);
	free(s->calls);
	free(s);
}

void snap_count_add(struct snap_count *t, unsigned *n, uint64_t *other, const char *id, uint8_t sev)
{
	for (unsigned i = 0; i < *n; i++)
		if (t[i].sev == sev && !strcmp(t[i].id, id)) {
			t[i].n++;
			return;
		}
	if (*n == SNAP_COUNTS_MAX || strlen(id) >= sizeof(t[0].id)) {
		(*other)++;
		return;
	}
	snprintf(t[*n].id, sizeof(t[0].id), "%s", id);
	t[*n].sev = sev;
	t[*n].n = 1;
	(*n)++;
}
