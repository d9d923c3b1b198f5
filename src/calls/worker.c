/* SPDX-License-Identifier: MIT */
/* The thread of worker.h: one producer (the reader) and one
 * consumer (the thread) share a ring of bytes whose positions only grow, so
 * each side writes its own counter and reads the other's. Each side spins a
 * little before it sleeps on the condition variable, since the other is
 * usually microseconds away. */
#define _GNU_SOURCE
#include "calls/worker.h"

#include <stddef.h>

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "calls/calls.h"
#include "calls/stream_audio.h"

#define RING_BYTES (2u << 20)
#define REC_ALIGN 16u
#define BATCH_BYTES (64u << 10) /* published to the thread, and given back, in steps of this */
#define SPINS 1000

/* A record: its length (header included) and whether it only fills the
 * ring's end, then the job and its payload. */
struct rec {
	uint32_t len;
	uint32_t skip;
};

struct calls_worker {
	const struct calls_config *cfg;
	uint8_t *ring;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t pushed;                /* the reader's: jobs pushed */
	uint64_t head_local;            /* the reader's: bytes written */
	uint64_t head_shown;            /* the reader's: bytes published */
	_Alignas(64) _Atomic uint64_t head; /* bytes published */
	_Alignas(64) _Atomic uint64_t tail; /* bytes consumed */
	_Atomic uint64_t done;          /* jobs done */
	_Alignas(64) _Atomic int sleepers; /* either side asleep on cv */
	_Atomic bool stop;
};

static size_t rec_size(size_t body)
{
	size_t n = sizeof(struct rec) + AUDIO_JOB_HEAD + body;
	return (n + REC_ALIGN - 1) & ~(size_t)(REC_ALIGN - 1);
}

static void wake(struct calls_worker *w)
{
	if (atomic_load(&w->sleepers)) {
		pthread_mutex_lock(&w->mu);
		pthread_cond_broadcast(&w->cv);
		pthread_mutex_unlock(&w->mu);
	}
}

/* Waits until ready(w, arg) holds: a spin, then the condition variable. */
static void await(struct calls_worker *w, bool (*ready)(struct calls_worker *, uint64_t), uint64_t arg)
{
	for (int i = 0; i < SPINS; i++) {
		if (ready(w, arg))
			return;
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
	}
	pthread_mutex_lock(&w->mu);
	atomic_fetch_add(&w->sleepers, 1);
	while (!ready(w, arg))
		pthread_cond_wait(&w->cv, &w->mu);
	atomic_fetch_sub(&w->sleepers, 1);
	pthread_mutex_unlock(&w->mu);
}

static bool has_room(struct calls_worker *w, uint64_t need)
{
	return w->head_local + need - atomic_load(&w->tail) <= RING_BYTES;
}

static bool has_work(struct calls_worker *w, uint64_t tail)
{
	return atomic_load(&w->head) != tail || atomic_load(&w->stop);
}

static bool is_done(struct calls_worker *w, uint64_t job)
{
	return atomic_load(&w->done) >= job;
}

/* The job at *pos, or after the record that fills the ring's end there, if
 * it is published: its position in *pos, its record in *r, its fields at *job. */
static bool job_at(struct calls_worker *w, uint64_t *pos, struct rec *r, const uint8_t **job)
{
	for (int i = 0; i < 2; i++) {
		if (atomic_load_explicit(&w->head, memory_order_acquire) == *pos)
			return false;
		const uint8_t *p = w->ring + *pos % RING_BYTES;
		memcpy(r, p, sizeof(*r));
		if (!r->skip) {
			*job = p + sizeof(*r);
			return true;
		}
		*pos += r->len;
	}
	return false;
}

/* What a packet's job at q works on: its stream when stream_timing runs, its
 * audio state when it is decoded. */
static void job_targets(const uint8_t *q, const char **s, struct stream_audio **a)
{
	uint8_t kind;
	bool timing;
	memcpy(&kind, q + offsetof(struct audio_job, kind), sizeof(kind));
	memcpy(&timing, q + offsetof(struct audio_job, timing), sizeof(timing));
	*s = NULL;
	*a = NULL;
	if (kind == AJ_TASK)
		return;
	if (timing)
		memcpy(s, q + offsetof(struct audio_job, s), sizeof(*s));
	if (kind != AJ_NONE)
		memcpy(a, q + offsetof(struct audio_job, a), sizeof(*a));
}

/* Asks for the lines of `bytes` (a constant, at most 8 lines) from p on, for
 * writing: one instruction a line, no loop (the conditions fold). */
#define FETCH_LINE(p, k, bytes)                                \
	do {                                                   \
		if ((k) * 64u < (bytes))                       \
			__builtin_prefetch((p) + (k) * 64u, 1); \
	} while (0)
#define FETCH_LINES(p, bytes)                                          \
	do {                                                           \
		const char *fl_ = (p);                                 \
		_Static_assert((bytes) <= 8 * 64, "at most 8 lines");  \
		FETCH_LINE(fl_, 0, bytes);                             \
		FETCH_LINE(fl_, 1, bytes);                             \
		FETCH_LINE(fl_, 2, bytes);                             \
		FETCH_LINE(fl_, 3, bytes);                             \
		FETCH_LINE(fl_, 4, bytes);                             \
		FETCH_LINE(fl_, 5, bytes);                             \
		FETCH_LINE(fl_, 6, bytes);                             \
		FETCH_LINE(fl_, 7, bytes);                             \
	} while (0)

/* Memory asked for ahead, in two steps, while the job at hand is done: for the
 * job two records on, the head lines of its stream's stream_timing fields, of
 * its audio state and of that state's level track; for the next job, whose
 * stream's and audio state's lines came in meanwhile, the activity bin its
 * packet counts in, its decoder and its level bin. */
static void ahead(struct calls_worker *w, uint64_t next)
{
	struct rec r;
	const uint8_t *q;
	if (!job_at(w, &next, &r, &q))
		return;
	const char *sp;
	struct stream_audio *a;
	job_targets(q, &sp, &a);
	if (sp) {
		/* the last bin in use: a packet counts in it or in the one
		 * after, on the same line nearly always (no division here) */
		const struct stream *s = (const struct stream *)(const void *)sp;
		if (s->bins && s->n_bins)
			__builtin_prefetch(&s->bins[s->n_bins <= s->bins_cap ? s->n_bins - 1 : 0], 1);
	}
	bool fresh;
	memcpy(&fresh, q + offsetof(struct audio_job, fresh), sizeof(fresh));
	if (a && !fresh) {
		/* its decoder and the level bin of its packet before (a new
		 * audio state is set up by the job itself; the reader set these
		 * two fields when it allocated it, for when the job at hand is
		 * that one) */
		__builtin_prefetch(a->dec, 0);
		__builtin_prefetch(&a->lv.bins[a->lv.hot < LEVEL_MAX_BINS ? a->lv.hot : 0], 1);
	}
	next += r.len;
	if (!job_at(w, &next, &r, &q))
		return;
	job_targets(q, &sp, &a);
	if (sp)
		FETCH_LINES(sp + STREAM_TIMING_AT, STREAM_TIMING_HOT);
	if (a) {
		FETCH_LINES((const char *)a, STREAM_AUDIO_HOT);
		__builtin_prefetch(&a->lv, 1);
	}
}

static void *run(void *arg)
{
	struct calls_worker *w = arg;
	uint64_t tail = atomic_load(&w->tail), given = tail, done = 0;
	for (;;) {
		if (atomic_load_explicit(&w->head, memory_order_acquire) == tail) {
			/* all done: said before waiting for more */
			atomic_store(&w->tail, tail);
			atomic_fetch_add(&w->done, done);
			given = tail;
			done = 0;
			wake(w);
			await(w, has_work, tail);
			if (atomic_load_explicit(&w->head, memory_order_acquire) == tail)
				break; /* stopped, nothing left */
		}
		const uint8_t *p = w->ring + tail % RING_BYTES;
		struct rec r;
		memcpy(&r, p, sizeof(r));
		ahead(w, tail + r.len);
		if (!r.skip) {
			struct audio_job j;
			const uint8_t *q = p + sizeof(r);
			memcpy(&j, q, AUDIO_JOB_HEAD);
			q += AUDIO_JOB_HEAD;
			if (j.kind == AJ_TASK) {
				j.fn(j.ctx, j.arg);
			} else {
				if (j.relook) {
					memcpy(&j.look, q, sizeof(j.look));
					q += sizeof(j.look);
				}
				j.payload = q;
				stream_audio_run(&j, w->cfg);
			}
		}
		tail += r.len;
		done += !r.skip;
		if (tail - given >= BATCH_BYTES) {
			/* sequentially consistent, as wake() then reads the sleepers */
			atomic_store(&w->tail, tail);
			atomic_fetch_add(&w->done, done);
			given = tail;
			done = 0;
			wake(w);
		}
	}
	return NULL;
}

static unsigned processors(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 1;
	return (unsigned)CPU_COUNT(&set);
}

struct calls_worker *calls_worker_new(const struct calls_config *cfg)
{
	if (processors() < 2)
		return NULL;
	struct calls_worker *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->cfg = cfg;
	w->ring = malloc(RING_BYTES);
	if (!w->ring || pthread_mutex_init(&w->mu, NULL) != 0) {
		free(w->ring);
		free(w);
		return NULL;
	}
	if (pthread_cond_init(&w->cv, NULL) != 0) {
		pthread_mutex_destroy(&w->mu);
		free(w->ring);
		free(w);
		return NULL;
	}
	if (pthread_create(&w->th, NULL, run, w) != 0) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		free(w->ring);
		free(w);
		return NULL;
	}
	return w;
}

static void publish(struct calls_worker *w)
{
	if (w->head_shown == w->head_local)
		return;
	w->head_shown = w->head_local;
	atomic_store(&w->head, w->head_local); /* before wake() reads the sleepers */
	wake(w);
}

uint64_t calls_worker_push(struct calls_worker *w, const struct audio_job *j)
{
	size_t payload = audio_job_payload(j);
	size_t look = j->kind != AJ_TASK && j->relook ? sizeof(j->look) : 0;
	size_t need = rec_size(look + payload);
	if (need > RING_BYTES / 8) {
		/* more than a datagram holds: done here, once the thread is done
		 * with everything before it (its number is the last one's) */
		calls_worker_settle(w);
		if (j->kind == AJ_TASK)
			j->fn(j->ctx, j->arg);
		else
			stream_audio_run(j, w->cfg);
		return w->pushed;
	}
	size_t off = (size_t)(w->head_local % RING_BYTES);
	if (RING_BYTES - off < need) {
		/* the rest of the ring is too short: a record that fills it */
		size_t fill = RING_BYTES - off;
		if (!has_room(w, fill)) {
			publish(w);
			await(w, has_room, fill);
		}
		struct rec r = { .len = (uint32_t)fill, .skip = 1 };
		memcpy(w->ring + off, &r, sizeof(r));
		w->head_local += fill;
		off = 0;
	}
	if (!has_room(w, need)) {
		publish(w);
		await(w, has_room, need);
	}
	uint8_t *p = w->ring + off;
	struct rec r = { .len = (uint32_t)need, .skip = 0 };
	memcpy(p, &r, sizeof(r));
	p += sizeof(r);
	memcpy(p, j, AUDIO_JOB_HEAD);
	p += AUDIO_JOB_HEAD;
	if (look) {
		memcpy(p, &j->look, look);
		p += look;
	}
	if (payload)
		memcpy(p, j->payload, payload);
	w->head_local += need;
	if (w->head_local - w->head_shown >= BATCH_BYTES)
		publish(w);
	return ++w->pushed;
}

void calls_worker_wait(struct calls_worker *w, uint64_t job)
{
	if (is_done(w, job))
		return;
	publish(w);
	await(w, is_done, job);
}

void calls_worker_settle(struct calls_worker *w)
{
	calls_worker_wait(w, w->pushed);
}

void calls_worker_free(struct calls_worker *w)
{
	if (!w)
		return;
	publish(w);
	atomic_store(&w->stop, true);
	pthread_mutex_lock(&w->mu);
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->th, NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w->ring);
	free(w);
}
