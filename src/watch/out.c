/* SPDX-License-Identifier: MIT */
/* The capture loop's side of --listen and --exec (out.h): counts kept as
 * alerts are written, the recent finished calls with their HTML report
 * (rendered when the call ends, as `analyze -f html` renders it, and kept for
 * the last SNAP_DONE_MAX calls within SNAP_REPORTS_BYTES), and a snapshot
 * built about once a second of wall time and published to the server. */
#include "watch/out.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "report/html_call.h"
#include "report/html_report.h"
#include "watch/exec.h"
#include "watch/http.h"
#include "watch/metrics.h"
#include "watch/warn.h"

#define SEC 1000000000LL
/* RTP of a direction counts as flowing when its last packet is this recent (as warn.c). */
#define FLOW_NS 2000000000LL
/* Reports are rendered in the capture loop: at most this much of each second
 * of wall time (a report takes a few milliseconds; calls ending faster than
 * about 30 a second have the rest of theirs left out, and counted). */
#define RENDER_BUDGET_NS 100000000LL

struct watch_out {
	struct snap_box box;
	struct http_server *http;
	struct watch_exec *exec;
	struct snap_counts counts;
	/* the recent finished calls, newest at done[(head + n - 1) % MAX] */
	struct snap_done done[SNAP_DONE_MAX];
	unsigned head, n_done;
	size_t report_bytes;
	uint64_t finished;
	int64_t last_publish;   /* CLOCK_MONOTONIC */
	int64_t render_window, render_spent; /* the current second of wall time, and rendering in it */
	uint64_t reports_skipped;
	struct snap *building;
	int64_t build_now;
	const struct alerts *names;
};

static int64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * SEC + t.tv_nsec;
}

struct watch_out *out_new(const struct out_config *cfg, char *err, size_t errlen)
{
	struct watch_out *o = calloc(1, sizeof(*o));
	if (!o) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snap_box_init(&o->box);
	o->names = cfg->names;
	if (cfg->exec_cmd) {
		o->exec = exec_new(cfg->exec_cmd, cfg->exec_max, (int64_t)(cfg->exec_timeout_s * SEC));
		if (!o->exec) {
			snprintf(err, errlen, "out of memory");
			out_free(o);
			return NULL;
		}
	}
	if (cfg->listen) {
		struct http_config hc = { .addr = cfg->addr, .addr_len = cfg->addr_len, .loopback = cfg->loopback,
					  .token = cfg->token };
		o->http = http_start(&hc, &o->box, err, errlen);
		if (!o->http) {
			out_free(o);
			return NULL;
		}
	}
	return o;
}

uint16_t out_port(const struct watch_out *o)
{
	return o ? http_port(o->http) : 0;
}

void out_alert(struct watch_out *o, const char *type, const struct call *c, const struct finding *f, int64_t t)
{
	if (!o)
		return;
	if (!strcmp(type, "warning"))
		snap_count_add(o->counts.warnings, &o->counts.n_warnings, &o->counts.warnings_other, f->id, (uint8_t)f->sev);
	else
		snap_count_add(o->counts.findings, &o->counts.n_findings, &o->counts.findings_other, f->id, (uint8_t)f->sev);
	if (!o->exec)
		return;
	char *line = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&line, &len);
	if (!m)
		return;
	alerts_json(m, o->names, type, c, f, t);
	if (fclose(m) == 0)
		exec_alert(o->exec, line, len);
	free(line);
}

void out_hep_packets(struct watch_out *o, const char *agent, uint64_t n)
{
	if (o)
		metrics_hep_packets(&o->counts, agent, n);
}

void out_hep_total(struct watch_out *o, const char *agent, uint64_t total)
{
	if (o)
		metrics_hep_total(&o->counts, agent, total);
}

/* The call's report, as `analyze -f html` writes the call (its section of the
 * page, in the page's frame); NULL when larger than SNAP_REPORT_MAX. */
static struct snap_report *render(const struct call *c, const struct findings *fs, const struct walk *w,
				  unsigned index)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return NULL;
	struct html_doc_opts ho = { .title = c->call_id };
	html_doc_begin(m, &ho);
	html_call(m, c, 0, index, fs, w, "frame", NULL);
	html_doc_end(m);
	struct snap_report *r = NULL;
	if (fclose(m) == 0 && len <= SNAP_REPORT_MAX) {
		r = malloc(sizeof(*r) + len);
		if (r) {
			atomic_init(&r->refs, 1);
			r->len = len;
			memcpy(r->html, buf, len);
		}
	}
	free(buf);
	return r;
}

static void copy_text(char *dst, size_t cap, const char *src)
{
	size_t n = strnlen(src, cap - 1);
	memcpy(dst, src, n);
	dst[n] = 0;
}

void out_call_done(struct watch_out *o, const struct call *c, const struct findings *fs, const struct walk *w,
		   int64_t t)
{
	if (!o || !o->http)
		return;
	o->finished++;
	struct snap_done *d;
	if (o->n_done == SNAP_DONE_MAX) {
		d = &o->done[o->head];
		o->head = (o->head + 1) % SNAP_DONE_MAX;
		if (d->report)
			o->report_bytes -= d->report->len;
		snap_report_unref(d->report);
	} else {
		d = &o->done[(o->head + o->n_done) % SNAP_DONE_MAX];
		o->n_done++;
	}
	memset(d, 0, sizeof(*d));
	d->n = o->finished;
	copy_text(d->call_id, sizeof(d->call_id), c->call_id);
	copy_text(d->from, sizeof(d->from), c->a_uri);
	copy_text(d->to, sizeof(d->to), c->b_uri);
	d->state = (uint8_t)c->state;
	d->final_status = c->final_status;
	d->start_ts = c->start_ts;
	d->end_ts = c->end_ts > c->start_ts ? c->end_ts : t;
	d->warned = c->consumer_marks;
	d->n_findings = fs->n;
	size_t used = 0;
	for (unsigned i = 0; i < fs->n; i++) {
		if (i == 0 || fs->f[i].sev > d->worst)
			d->worst = (uint8_t)fs->f[i].sev;
		size_t k = strlen(fs->f[i].id) + (used ? 1 : 0);
		if (used + k + 1 > sizeof(d->findings))
			continue;
		snprintf(d->findings + used, sizeof(d->findings) - used, "%s%s", used ? " " : "", fs->f[i].id);
		used += k;
	}
	int64_t t0 = mono_ns();
	if (t0 - o->render_window >= SEC) {
		o->render_window = t0;
		o->render_spent = 0;
	}
	if (o->render_spent < RENDER_BUDGET_NS) {
		d->report = render(c, fs, w, (unsigned)d->n);
		o->render_spent += mono_ns() - t0;
	} else {
		o->reports_skipped++;
	}
	if (d->report)
		o->report_bytes += d->report->len;
	/* the oldest reports go first when together they pass the bound */
	for (unsigned i = 0; i < o->n_done && o->report_bytes > SNAP_REPORTS_BYTES; i++) {
		struct snap_done *old = &o->done[(o->head + i) % SNAP_DONE_MAX];
		if (old->report && old != d) {
			o->report_bytes -= old->report->len;
			snap_report_unref(old->report);
			old->report = NULL;
		}
	}
}

static uint64_t resident_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f)
		return 0;
	unsigned long long size = 0, rss = 0;
	int got = fscanf(f, "%llu %llu", &size, &rss);
	fclose(f);
	long page = sysconf(_SC_PAGESIZE);
	return got == 2 && page > 0 ? (uint64_t)rss * (uint64_t)page : 0;
}

static void dir_state(const struct call *c, int64_t now, struct snap_call *sc)
{
	int64_t last[2] = { 0, 0 };
	for (const struct stream *s = c->streams; s; s = s->next) {
		if (s->dir > PARTY_B || s->media == MEDIA_VIDEO || s->media == MEDIA_OTHER)
			continue;
		sc->dir[s->dir].packets += s->packets;
		if (s->packets && s->last_ts > last[s->dir])
			last[s->dir] = s->last_ts;
	}
	for (int d = 0; d < 2; d++) {
		sc->dir[d].flowing = last[d] && now - last[d] < FLOW_NS;
		int64_t from = last[d] ? last[d] : sc->answered ? c->answer_ts : now;
		sc->dir[d].silent_s = now > from ? (double)(now - from) / 1e9 : 0;
	}
}

static void add_call(void *ctx, struct call *c)
{
	struct watch_out *o = ctx;
	struct snap *s = o->building;
	if (c->state < SNAP_STATES)
		s->by_state[c->state]++;
	if (s->n_calls == SNAP_CALLS_MAX)
		return;
	struct snap_call *sc = &s->calls[s->n_calls++];
	copy_text(sc->call_id, sizeof(sc->call_id), c->call_id);
	copy_text(sc->from, sizeof(sc->from), c->a_uri);
	copy_text(sc->to, sizeof(sc->to), c->b_uri);
	sc->state = (uint8_t)c->state;
	sc->start_ts = c->start_ts;
	sc->age_s = o->build_now > c->start_ts ? (double)(o->build_now - c->start_ts) / 1e9 : 0;
	sc->answered = c->answer_ts != 0 && c->state == CALL_ANSWERED;
	sc->warned = c->consumer_marks;
	dir_state(c, o->build_now, sc);
}

static void publish(struct watch_out *o, const struct out_view *v)
{
	unsigned n = calls_in_progress(v->calls);
	for (size_t i = 0; i < v->n_more; i++)
		n += calls_in_progress(v->more[i].calls);
	unsigned room = n < SNAP_CALLS_MAX ? n : SNAP_CALLS_MAX;
	struct snap *s = snap_new(room);
	if (!s)
		return;
	const struct calls_stats *cs = calls_get_stats(v->calls);
	s->capture_now = v->now;
	s->live = v->live != NULL;
	s->ended = v->ended;
	s->frames = v->frames;
	s->sip_messages = cs->sip_messages;
	s->rtp_packets = cs->rtp_packets;
	s->rtp_in_calls = cs->rtp_in_calls;
	s->rtcp_packets = cs->rtcp_packets;
	s->stun_packets = cs->stun_packets;
	s->calls_seen = cs->calls;
	s->calls_finished = v->calls_finished;
	s->calls_refused = cs->limit_calls;
	s->in_progress = n;
	if (v->live) {
		struct live_stats ls;
		live_get_stats(v->live, &ls);
		s->cap_received = ls.received;
		s->cap_dropped = ls.dropped;
		s->cap_if_dropped = ls.if_dropped;
	}
	s->alert_lines = v->alerts->lines;
	s->alert_write_errors = v->alerts->write_errors;
	if (o->exec) {
		struct exec_stats es;
		exec_get_stats(o->exec, &es);
		s->exec_started = es.started;
		s->exec_dropped = es.dropped;
		s->exec_timeouts = es.timeouts;
		s->exec_failed = es.failed;
		s->exec_errors = es.errors;
		s->exec_running = es.running;
	}
	s->rss_bytes = resident_bytes();
	s->reports_skipped = o->reports_skipped;
	s->counts = o->counts;
	o->building = s;
	o->build_now = v->now;
	if (room)
		calls_each(v->calls, room, add_call, o);
	/* the agents' calls, each table at its own time */
	for (size_t i = 0; i < v->n_more && s->n_calls < room; i++) {
		o->build_now = v->more[i].now;
		calls_each(v->more[i].calls, room - s->n_calls, add_call, o);
	}
	o->building = NULL;
	/* newest first */
	for (unsigned i = 0; i < o->n_done; i++) {
		struct snap_done *d = &o->done[(o->head + o->n_done - 1 - i) % SNAP_DONE_MAX];
		s->done[i] = *d;
		snap_report_ref(d->report);
	}
	s->n_done = o->n_done;
	snap_box_publish(&o->box, s);
}

void out_look(struct watch_out *o, const struct out_view *v, bool force)
{
	if (!o)
		return;
	if (o->exec)
		exec_tick(o->exec);
	if (!o->http)
		return;
	int64_t now = mono_ns();
	if (!force && o->last_publish && now - o->last_publish < SEC)
		return;
	o->last_publish = now;
	publish(o, v);
}

void out_poll(struct watch_out *o)
{
	if (o && o->exec)
		exec_tick(o->exec);
}

void out_drain(struct watch_out *o)
{
	if (o && o->exec)
		exec_drain(o->exec);
}

void out_status(const struct watch_out *o, FILE *f)
{
	if (!o || !o->exec)
		return;
	struct exec_stats es;
	exec_get_stats(o->exec, &es);
	fprintf(f, "; exec: %" PRIu64 " started, %" PRIu64 " dropped (--exec-max running), %" PRIu64
		   " killed at --exec-timeout, %" PRIu64 " failed",
		es.started, es.dropped, es.timeouts, es.failed);
	if (es.errors)
		fprintf(f, ", %" PRIu64 " could not be started", es.errors);
}

void out_free(struct watch_out *o)
{
	if (!o)
		return;
	http_stop(o->http);
	exec_free(o->exec);
	for (unsigned i = 0; i < o->n_done; i++)
		snap_report_unref(o->done[(o->head + i) % SNAP_DONE_MAX].report);
	snap_box_destroy(&o->box);
	free(o);
}
