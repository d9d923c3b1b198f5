/* SPDX-License-Identifier: MIT */
/* Unit tests for what deadair watch serves and runs: the Prometheus text
 * (src/watch/metrics.c) with label values from the network escaped, counts
 * past their tables' bounds folded into "other"; /calls.json (src/watch/live.c)
 * staying one JSON document whatever a call's strings hold; snapshots
 * outliving their replacement while a reader holds them (src/watch/snap.c);
 * --exec (src/watch/exec.c) with real commands through /bin/sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "analyze/finding.h"
#include "watch/exec.h"
#include "watch/live.h"
#include "watch/metrics.h"
#include "watch/snap.h"

static char *render_metrics(const struct snap *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	metrics_write(f, s);
	fclose(f);
	return buf;
}

/* Every line is a comment or NAME[{labels}] VALUE, with no raw control byte. */
static void assert_exposition(const char *text)
{
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		assert_non_null(nl);
		for (const char *q = p; q < nl; q++)
			assert_true((unsigned char)*q >= 0x20);
		assert_true(!strncmp(p, "# HELP deadair_", 15) || !strncmp(p, "# TYPE deadair_", 15) ||
			    !strncmp(p, "deadair_", 8));
		p = nl + 1;
	}
}

static void test_label_values_escaped(void **state)
{
	(void)state;
	struct snap *s = snap_new(0);
	metrics_hep_packets(&s->counts, "agent \"one\"\\\nnext 1", 3);
	metrics_hep_packets(&s->counts, "10.0.0.1:9060", 2);
	metrics_hep_packets(&s->counts, "10.0.0.1:9060", 5);
	metrics_hep_total(&s->counts, "agent 2002", 40);
	metrics_hep_total(&s->counts, "agent 2002", 41);
	char *t = render_metrics(s);
	assert_exposition(t);
	assert_non_null(strstr(t, "deadair_hep_packets_total{agent=\"agent \\\"one\\\"\\\\\\nnext 1\"} 3\n"));
	assert_non_null(strstr(t, "deadair_hep_packets_total{agent=\"10.0.0.1:9060\"} 7\n"));
	assert_non_null(strstr(t, "deadair_hep_packets_total{agent=\"agent 2002\"} 41\n"));
	/* no live capture: the family is there, without samples */
	assert_non_null(strstr(t, "# TYPE deadair_capture_packets_total counter\n# HELP"));
	free(t);
	snap_unref(s);
}

static void test_bounded_tables(void **state)
{
	(void)state;
	struct snap *s = snap_new(0);
	char name[64];
	for (unsigned i = 0; i < SNAP_AGENTS_MAX + 10; i++) {
		snprintf(name, sizeof(name), "agent-%u", i);
		metrics_hep_packets(&s->counts, name, 1);
	}
	assert_int_equal(s->counts.n_agents, SNAP_AGENTS_MAX);
	assert_int_equal(s->counts.agents_other, 10);
	for (unsigned i = 0; i < SNAP_COUNTS_MAX + 3; i++) {
		snprintf(name, sizeof(name), "ID_%u", i);
		snap_count_add(s->counts.findings, &s->counts.n_findings, &s->counts.findings_other, name, SEV_WARNING);
	}
	snap_count_add(s->counts.findings, &s->counts.n_findings, &s->counts.findings_other, "ID_0", SEV_WARNING);
	snap_count_add(s->counts.findings, &s->counts.n_findings, &s->counts.findings_other, "ID_0", SEV_CRITICAL);
	assert_int_equal(s->counts.n_findings, SNAP_COUNTS_MAX);
	assert_int_equal(s->counts.findings[0].n, 2);
	assert_int_equal(s->counts.findings_other, 4);
	char *t = render_metrics(s);
	assert_exposition(t);
	assert_non_null(strstr(t, "deadair_findings_total{id=\"ID_0\",severity=\"warning\"} 2\n"));
	assert_non_null(strstr(t, "deadair_findings_total{id=\"other\",severity=\"other\"} 4\n"));
	assert_non_null(strstr(t, "deadair_hep_packets_total{agent=\"other\"} 10\n"));
	free(t);
	snap_unref(s);
}

static void test_calls_json_escaped(void **state)
{
	(void)state;
	struct snap *s = snap_new(1);
	s->n_calls = 1;
	snprintf(s->calls[0].call_id, sizeof(s->calls[0].call_id), "a\"b</script><x>\n\x01");
	snprintf(s->calls[0].from, sizeof(s->calls[0].from), "sip:\\evil@x");
	s->calls[0].answered = true;
	s->n_done = 1;
	s->done[0].n = 7;
	snprintf(s->done[0].call_id, sizeof(s->done[0].call_id), "done\"");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	livepage_calls_json(f, s);
	fclose(f);
	/* one line, the strings escaped, no report kept: null */
	assert_non_null(strchr(buf, '\n'));
	assert_int_equal(strchr(buf, '\n') - buf, (long)len - 1);
	assert_non_null(strstr(buf, "\"call_id\":\"a\\\"b</script><x>\\n\\u0001\""));
	assert_non_null(strstr(buf, "\"from\":\"sip:\\\\evil@x\""));
	assert_non_null(strstr(buf, "\"report\":null"));
	free(buf);
	snap_unref(s);
}

static void test_snapshot_outlives_replacement(void **state)
{
	(void)state;
	struct snap_box box;
	snap_box_init(&box);
	assert_null(snap_box_get(&box));
	struct snap *a = snap_new(0);
	a->frames = 1;
	struct snap_report *r = malloc(sizeof(*r) + 4);
	atomic_init(&r->refs, 1);
	r->len = 4;
	memcpy(r->html, "<p>x", 4);
	a->done[0].report = snap_report_ref(r);
	a->n_done = 1;
	snap_box_publish(&box, a);
	struct snap *held = snap_box_get(&box);
	assert_ptr_equal(held, a);
	struct snap *b = snap_new(0);
	b->frames = 2;
	snap_box_publish(&box, b);       /* a stays alive: held */
	assert_int_equal(held->frames, 1);
	assert_int_equal(held->done[0].report->len, 4);
	snap_unref(held);                /* now a goes, and its reference to r */
	assert_int_equal(atomic_load(&r->refs), 1);
	snap_report_unref(r);
	struct snap *c = snap_box_get(&box);
	assert_int_equal(c->frames, 2);
	snap_unref(c);
	snap_box_destroy(&box);
}

static void wait_idle(struct watch_exec *x, double max_s)
{
	struct exec_stats st;
	for (int i = 0; i < (int)(max_s * 100); i++) {
		exec_tick(x);
		exec_get_stats(x, &st);
		if (!st.running)
			return;
		struct timespec ts = { 0, 10000000 };
		nanosleep(&ts, NULL);
	}
}

static void test_exec_limits(void **state)
{
	(void)state;
	char dir[] = "/tmp/deadair-exec-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "cat > %s/in.$$; sleep 0.3", dir);
	struct watch_exec *x = exec_new(cmd, 2, 5000000000LL);
	const char line[] = "{\"type\":\"warning\"}\n";
	for (int i = 0; i < 5; i++)
		exec_alert(x, line, sizeof(line) - 1);
	struct exec_stats st;
	exec_get_stats(x, &st);
	assert_int_equal(st.started, 2);
	assert_int_equal(st.dropped, 3);
	wait_idle(x, 5);
	exec_get_stats(x, &st);
	assert_int_equal(st.running, 0);
	assert_int_equal(st.failed, 0);
	exec_free(x);
	char rm[300];
	snprintf(rm, sizeof(rm), "n=$(cat %s/in.* | grep -c warning); rm -r %s; test $n = 2", dir, dir);
	assert_int_equal(system(rm), 0);

	/* past its time: killed, counted as a timeout, not as a failure */
	x = exec_new("sleep 20", 4, 200000000LL);
	exec_alert(x, line, sizeof(line) - 1);
	wait_idle(x, 5);
	exec_get_stats(x, &st);
	assert_int_equal(st.running, 0);
	assert_int_equal(st.timeouts, 1);
	assert_int_equal(st.failed, 0);
	exec_free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label_values_escaped),
		cmocka_unit_test(test_bounded_tables),
		cmocka_unit_test(test_calls_json_escaped),
		cmocka_unit_test(test_snapshot_outlives_replacement),
		cmocka_unit_test(test_exec_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
