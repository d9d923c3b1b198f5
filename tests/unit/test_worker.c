/* SPDX-License-Identifier: MIT */
/* Unit tests for the calls stage's second thread (src/calls/worker.c): jobs
 * run in the order given, across many turns of the ring and its wrap;
 * calls_worker_wait returns only once the job named has run; a job larger
 * than the ring is meant for runs on the caller's thread after everything
 * before it; the thread stops with its jobs done. Skipped on one processor,
 * where no thread is started. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "calls/calls.h"
#include "calls/stream_audio.h"
#include "calls/worker.h"

struct order {
	uint64_t next;      /* the number the next task must carry */
	uint64_t wrong;     /* tasks that ran out of order */
};

static void task(void *ctx, void *arg)
{
	struct order *o = ctx;
	uint64_t n = (uint64_t)(uintptr_t)arg;
	if (n != o->next)
		o->wrong++;
	o->next = n + 1;
}

static struct calls_worker *start(const struct calls_config *cfg)
{
	struct calls_worker *w = calls_worker_new(cfg);
	if (!w)
		skip(); /* one processor: the calls stage decodes in line */
	return w;
}

static void tasks_in_order(void **state)
{
	struct calls_config cfg = calls_config_default();
	struct calls_worker *w = start(&cfg);
	struct order o = { 0 };
	/* tasks and audio jobs of a few hundred bytes interleaved: the ring
	 * (2 MiB) goes round many times, its end filled and skipped */
	struct stream_audio *a = calloc(1, sizeof(*a));
	assert_non_null(a);
	uint8_t payload[333];
	memset(payload, 0x55, sizeof(payload));
	uint64_t last = 0;
	for (uint64_t i = 0; i < 200000; i++) {
		struct audio_job j = { .kind = AJ_TASK, .fn = task, .ctx = &o, .arg = (void *)(uintptr_t)i };
		last = calls_worker_push(w, &j);
		struct audio_job l = { .kind = AJ_LATE, .a = a, .payload = payload, .pkt = { .payload_len = sizeof(payload) } };
		calls_worker_push(w, &l);
		if (i % 5000 == 4999) {
			calls_worker_wait(w, last);
			assert_true(o.next >= i + 1); /* the task just pushed has run */
		}
	}
	calls_worker_settle(w);
	assert_int_equal(o.next, 200000);
	assert_int_equal(o.wrong, 0);
	assert_int_equal(a->late, 200000);
	calls_worker_free(w);
	free(a);
}

static void large_job_in_line(void **state)
{
	struct calls_config cfg = calls_config_default();
	struct calls_worker *w = start(&cfg);
	struct order o = { 0 };
	for (uint64_t i = 0; i < 1000; i++) {
		struct audio_job j = { .kind = AJ_TASK, .fn = task, .ctx = &o, .arg = (void *)(uintptr_t)i };
		calls_worker_push(w, &j);
	}
	/* an encrypted payload of 300 KiB: counted, not decoded; on this thread,
	 * after the 1,000 tasks before it */
	struct stream_audio *a = calloc(1, sizeof(*a));
	size_t n = 300 * 1024;
	uint8_t *big = calloc(1, n);
	assert_non_null(a);
	assert_non_null(big);
	level_track_init(&a->lv, 0, 100000000);
	struct audio_job j = { .kind = AJ_PACKET, .a = a, .relook = true, .payload = big,
			       .pkt = { .payload_len = (uint32_t)n, .ts_ns = 1000, .frame = 1 } };
	j.look.encrypted_media = true;
	j.look.listed = true;
	j.look.fmt.codec = AUDIO_PCMU;
	uint64_t k = calls_worker_push(w, &j);
	assert_int_equal(k, 1000); /* the number of the last job before it */
	assert_int_equal(o.next, 1000);
	assert_int_equal(a->encrypted, 1);
	calls_worker_wait(w, k); /* returns at once */
	calls_worker_free(w);
	free(big);
	free(a);
}

static void stops_with_jobs_done(void **state)
{
	struct calls_config cfg = calls_config_default();
	struct calls_worker *w = start(&cfg);
	struct order o = { 0 };
	for (uint64_t i = 0; i < 5000; i++) {
		struct audio_job j = { .kind = AJ_TASK, .fn = task, .ctx = &o, .arg = (void *)(uintptr_t)i };
		calls_worker_push(w, &j);
	}
	calls_worker_free(w); /* no wait before: free finishes them */
	assert_int_equal(o.next, 5000);
	assert_int_equal(o.wrong, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tasks_in_order),
		cmocka_unit_test(large_job_in_line),
		cmocka_unit_test(stops_with_jobs_done),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
