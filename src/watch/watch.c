/* SPDX-License-Identifier: MIT */
/* `deadair watch`: frames from live interfaces (libpcap) or a capture replayed
 * at its recorded pace go through the same stages as `analyze` (decode, the
 * pipeline's per-frame dispatch, calls); about once a second of capture time
 * (and of wall time when no packet comes) every call in progress is looked at
 * for warnings (warn.c), and a finished call is analysed as `analyze` does it.
 * HEP from capture agents (--hep, hep_listen.c) comes in beside the
 * interfaces: each agent is a capture point with its own calls table.
 * Alerts are JSON lines (alerts.c); --listen serves metrics, a live page and
 * reports, --exec runs a command per alert (out.c). SIGINT/SIGTERM end the
 * input as the end of a capture would; SIGHUP reopens --alerts. The command
 * line and the drop of privileges are in watch_args.c. */
#include "watch/watch.h"

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <math.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyze/analyze.h"
#include "calls/calls.h"
#include "core/limits.h"
#include "decode/decode.h"
#include "pipeline/dispatch.h"
#include "proto/sip.h"
#include "source/bpf.h"
#include "source/capture.h"
#include "source/live.h"
#include "web/auth.h"
#include "web/serve.h"
#include "watch/alerts.h"
#include "watch/exec.h"
#include "watch/hep_listen.h"
#include "watch/learn.h"
#include "watch/out.h"
#include "watch/warn.h"
#include "watch/watch_int.h"

/* Calls looked at per look: beyond the calls stage's own limit, never reached. */
#define LOOK_MAX 1000000

static volatile sig_atomic_t g_stop, g_hup;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		g_hup = 1;
	else
		g_stop = 1;
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec t;
	clock_gettime(id, &t);
	return (int64_t)t.tv_sec * SEC + t.tv_nsec;
}

/* ---- the calls stage's consumer ---- */

static void emit_warning(void *ctx, const struct call *c, const struct finding *f)
{
	struct watch *w = ctx;
	alerts_write(&w->out, "warning", c, f, w->look_now);
	out_alert(w->wo, "warning", c, f, w->look_now);
}

/* A finished call of calls (a capture point's table), analysed by an. */
static void call_done(void *ctx, struct analyzer *an, struct calls *calls, struct call *c, int64_t t)
{
	struct watch *w = ctx;
	if (w->verbose && !(c->consumer_marks & WARN_SEEN))
		alerts_call_start(&w->out, c, c->start_ts);
	w->calls_done++;
	/* as analyze: what the point's own input carried (a HEP agent sending
	 * SIP alone is a capture without RTP: no media finding from its absence) */
	an->rtp_seen = calls_get_stats(calls)->rtp_packets;
	analyze_call(an, c, &w->findings, &w->walk);
	for (unsigned i = 0; i < w->findings.n; i++) {
		alerts_write(&w->out, "finding", c, &w->findings.f[i], t);
		out_alert(w->wo, "finding", c, &w->findings.f[i], t);
	}
	out_call_done(w->wo, c, &w->findings, &w->walk, t);
	learn_from_call(&w->learned, c, &w->findings);
	if (w->verbose)
		alerts_call_end(&w->out, c, w->findings.n, t);
}

static void on_call_done(void *ctx, struct call *c)
{
	struct watch *w = ctx;
	call_done(w, &w->an, w->calls, c, w->now);
}

static void on_stream_done(void *ctx, struct stream *s)
{
	(void)ctx;
	(void)s;
}

static void look_at_call(void *ctx, struct call *c)
{
	struct watch *w = ctx;
	if (w->verbose && !(c->consumer_marks & WARN_SEEN))
		alerts_call_start(&w->out, c, c->start_ts);
	c->consumer_marks |= WARN_SEEN;
	if (c->state != CALL_ANSWERED)
		return;
	struct warn_config cfg = w->wcfg;
	char from[200];
	const struct learned_wd *lw = cfg.rtp_timeout_ns ? NULL : learn_for_call(&w->learned, c);
	if (lw) {
		/* no --rtp-timeout: the watchdog an earlier call through the same box showed */
		char ip[ADDR_STRLEN];
		snprintf(from, sizeof(from), "Learned: %s hung up call %s after %.0f s without RTP.",
			 addr_str(&lw->where, ip), lw->call_id, (double)lw->timeout_ns / 1e9);
		cfg.rtp_timeout_ns = lw->timeout_ns;
		cfg.watchdog_from = from;
	}
	warn_check(c, w->look_now, &cfg,
		   calls_on_media_path(w->look_calls, c) && !calls_media_elsewhere(w->look_calls, c), emit_warning,
		   w);
}

/* The calls in progress of the HEP agents' tables. */
static unsigned hep_in_progress(const struct watch *w)
{
	if (!w->hep)
		return 0;
	struct hep_agent_stats ag[HEP_MAX_AGENTS];
	size_t na = hep_agents(w->hep, ag, HEP_MAX_AGENTS);
	unsigned n = 0;
	for (size_t i = 0; i < na; i++)
		n += ag[i].in_progress;
	return n;
}

/* Looks at every call in progress of one capture point's table at capture time now. */
static void look_table(void *ctx, struct calls *calls, int64_t now)
{
	struct watch *w = ctx;
	w->look_now = now;
	w->look_calls = calls;
	w->wcfg.media_seen = calls_get_stats(calls)->rtp_in_calls > 0;
	calls_each(calls, LOOK_MAX, look_at_call, w);
}

/* A snapshot for --listen (about once a second), the commands of --exec looked after. */
static void publish(struct watch *w, bool ended)
{
	if (!w->wo)
		return;
	if (w->hep) {
		struct hep_agent_stats ag[HEP_MAX_AGENTS];
		size_t na = hep_agents(w->hep, ag, HEP_MAX_AGENTS);
		for (size_t i = 0; i < na; i++) {
			char id[16];
			snprintf(id, sizeof(id), "%u", ag[i].agent_id);
			out_hep_total(w->wo, id, ag[i].packets);
		}
	}
	struct out_table more[HEP_MAX_AGENTS];
	size_t n_more = 0;
	if (w->hep) {
		struct calls *t[HEP_MAX_AGENTS];
		int64_t now[HEP_MAX_AGENTS];
		n_more = hep_tables(w->hep, t, now, HEP_MAX_AGENTS);
		for (size_t i = 0; i < n_more; i++)
			more[i] = (struct out_table){ .calls = t[i], .now = now[i] };
	}
	struct out_view v = { .calls = w->calls, .now = w->look_now, .frames = w->frames,
			      .calls_finished = w->calls_done, .live = w->live, .alerts = &w->out, .ended = ended,
			      .more = more, .n_more = n_more };
	out_look(w->wo, &v, ended);
}

/* Looks at every call in progress at capture time now. */
static void look(struct watch *w, int64_t now)
{
	if (w->live) {
		/* packets the capture dropped (no room in the buffer while watch was
		 * behind) arrived between the previous reading and this one, in
		 * wall time, the clock of live time stamps: no silence warning
		 * rests on them (warn.h) */
		struct live_stats st;
		live_get_stats(w->live, &st);
		int64_t wall = clock_ns(CLOCK_REALTIME);
		if (st.dropped + st.if_dropped > w->capture_lost) {
			uint64_t dropped = st.dropped + st.if_dropped - w->capture_lost;
			w->capture_lost = st.dropped + st.if_dropped;
			warn_capture_lost(&w->wcfg, w->stats_ts, wall);
			/* and for the end of each call: loss and MOS of a call up
			 * then are not the network's (analyze/capture_loss.c) */
			analyzer_capture_lost(&w->an, w->stats_ts, wall, dropped);
		}
		w->stats_ts = wall;
	}
	look_table(w, w->calls, now);
	w->next_look = now + SEC;
	publish(w, false);
}

/* ---- frames ---- */

static void on_frame(void *ctx, const struct frame *fin)
{
	struct watch *w = ctx;
	struct frame f = *fin;
	if (f.bad)
		return;
	if (!w->have_frame) {
		w->have_frame = true;
		w->first_ts = f.ts_ns;
		w->next_look = f.ts_ns + SEC;
		calls_set_origin(w->calls, f.ts_ns);
	}
	w->frames++;
	if (f.ts_ns > w->last_ts)
		w->last_ts = f.ts_ns;
	if (f.ts_ns > w->now)
		w->now = f.ts_ns;
	/* a look due before this frame happens first, at its own time; after a
	 * long quiet stretch, one more just before the frame (not one a second) */
	if (w->next_look <= f.ts_ns) {
		look(w, w->next_look);
		if (w->next_look <= f.ts_ns)
			look(w, f.ts_ns);
	}
	decoder_tick(w->dec, f.ts_ns);
	/* calls due by now end before this frame, as analyze does */
	calls_tick(w->calls, f.ts_ns);
	if (w->ffilter && !frame_filter_match(w->ffilter, &f))
		return;
	w->disp.frame_kinds = 0;
	w->disp.frame_transport = 0;
	decoder_frame(w->dec, &f);
}

static void status_line(struct watch *w, bool final)
{
	unsigned in_progress = calls_in_progress(w->calls) + hep_in_progress(w);
	fprintf(stderr, "deadair watch: %s%" PRIu64 " frames, %u calls in progress, %" PRIu64 " finished, %" PRIu64
		" warnings, %" PRIu64 " findings",
		final ? "end: " : "", w->frames, in_progress, w->calls_done, w->out.warnings,
		w->out.findings);
	if (w->live) {
		struct live_stats st;
		live_get_stats(w->live, &st);
		fprintf(stderr, "; capture: %" PRIu64 " received, %" PRIu64 " dropped by the kernel, %" PRIu64
			" by the interface",
			st.received, st.dropped, st.if_dropped);
	}
	if (w->file_dropped)
		fprintf(stderr, "; the file's statistics say the capture dropped %" PRIu64 " packets", w->file_dropped);
	if (w->hep) {
		const struct hep_stats *hs = hep_get_stats(w->hep);
		struct hep_agent_stats ag[HEP_MAX_AGENTS];
		size_t na = hep_agents(w->hep, ag, HEP_MAX_AGENTS);
		fprintf(stderr, "; hep: %" PRIu64 " datagrams (%" PRIu64 " dropped by the kernel), %" PRIu64
			" TCP frames, %zu agents", hs->udp_datagrams, hs->udp_dropped, hs->tcp_frames, na);
		for (size_t i = 0; i < na; i++)
			fprintf(stderr, "%s%u: %" PRIu64, i ? ", " : " (", ag[i].agent_id, ag[i].packets);
		if (na)
			fputc(')', stderr);
		if (hs->not_hep || hs->over_agents || hs->tcp_bad_streams || hs->tcp_evicted || hs->tcp_idle_closed)
			fprintf(stderr, ", %" PRIu64 " not HEP, %" PRIu64 " of agents over %d, TCP connections: %" PRIu64
				" not HEP, %" PRIu64 " evicted, %" PRIu64 " timed out",
				hs->not_hep, hs->over_agents, HEP_MAX_AGENTS, hs->tcp_bad_streams, hs->tcp_evicted,
				hs->tcp_idle_closed);
	}
	if (w->out.write_errors)
		fprintf(stderr, "; %" PRIu64 " alerts could not be written", w->out.write_errors);
	out_status(w->wo, stderr);
	fputc('\n', stderr);
}

static void hep_lost(void *ctx, int64_t from, int64_t to)
{
	struct watch *w = ctx;
	warn_capture_lost(&w->wcfg, from, to);
}

static void hep_frame(void *ctx)
{
	struct watch *w = ctx;
	w->frames++;
}

static const char *alerts_hep_point(void *ctx, uint16_t point)
{
	return hep_point_name(ctx, point);
}

static void handle_hup(struct watch *w)
{
	if (!g_hup)
		return;
	g_hup = 0;
	char err[512];
	if (!alerts_reopen(&w->out, err, sizeof(err)))
		fprintf(stderr, "deadair watch: cannot reopen the alerts: %s\n", err);
}

static int run_live(struct watch *w)
{
	char err[512];
	int64_t next_status = clock_ns(CLOCK_MONOTONIC) + (int64_t)(w->status_s * SEC);
	while (!g_stop) {
		handle_hup(w);
		int n = w->hep ? hep_poll(w->hep, w->live, 100, on_frame, w, err, sizeof(err))
			       : live_poll(w->live, 100, on_frame, w, err, sizeof(err));
		out_poll(w->wo);
		publish(w, false);   /* a quiet interface's counters too (at most once a second) */
		if (n < 0) {
			fprintf(stderr, "deadair watch: %s\n", err);
			return 1;
		}
		if (w->hep)
			hep_age(w->hep);
		/* wall time lets a quiet capture's calls age (live time stamps are the wall clock's) */
		int64_t now = clock_ns(CLOCK_REALTIME);
		if (w->have_frame && now > w->last_ts + SEC / 2 && now >= w->next_look) {
			w->now = now;
			calls_tick(w->calls, now);
			look(w, now);
		}
		if (w->status_s > 0 && clock_ns(CLOCK_MONOTONIC) >= next_status) {
			status_line(w, false);
			next_status = clock_ns(CLOCK_MONOTONIC) + (int64_t)(w->status_s * SEC);
		}
	}
	return 0;
}

/* Sleeps until CLOCK_MONOTONIC reaches until, waking for signals and for the
 * looks due meanwhile (capture time = first frame + elapsed wall time * speed). */
static void replay_wait(struct watch *w, int64_t until, int64_t wall0)
{
	while (!g_stop) {
		handle_hup(w);
		int64_t mono = clock_ns(CLOCK_MONOTONIC);
		if (mono >= until)
			return;
		int64_t cap_now = w->first_ts + (int64_t)((double)(mono - wall0) * w->speed);
		if (cap_now >= w->next_look && cap_now > w->last_ts)
			look(w, w->next_look);
		int64_t step = until - mono;
		int64_t to_look = (int64_t)((double)(w->next_look - cap_now) / w->speed);
		if (to_look > 0 && to_look < step)
			step = to_look;
		if (step > SEC / 10)
			step = SEC / 10;
		if (step < 1000000)
			step = 1000000;
		struct timespec ts = { .tv_sec = (time_t)(step / SEC), .tv_nsec = (long)(step % SEC) };
		nanosleep(&ts, NULL);
		out_poll(w->wo);
	}
}

/* -r: drop windows the file's own statistics give (pcapng ISBs; those at the
 * end of a plain file are read first), as analyze takes them: no silence
 * warning rests on a window, and the loss and MOS of a call up then are not
 * the network's (analyze/capture_loss.c). Once the calls stage's thread is
 * done with what it was given, as it reads the analyzer. */
static void take_file_drops(struct watch *w, struct capture *cap)
{
	for (unsigned k = 0; k < cap->n_drops; k++) {
		const struct capture_drop *d = &cap->drops[k];
		calls_settle(w->calls);
		warn_capture_lost(&w->wcfg, d->from, d->to);
		analyzer_capture_lost(&w->an, d->from, d->to, d->dropped);
		w->file_dropped += d->dropped;
	}
	cap->n_drops = 0;
}

static int run_file(struct watch *w)
{
	struct capture cap;
	struct capture_opts copts = { 0 };
	if (capture_open(&cap, w->file, 0, &copts) != ST_OK) {
		fprintf(stderr, "deadair watch: %s: %s\n", w->file, cap.errbuf);
		capture_close(&cap);
		return 3;
	}
	struct frame f;
	int rc = 0;
	int64_t wall0 = 0;
	publish(w, false);   /* served before the first frame */
	take_file_drops(w, &cap);
	while (!g_stop && (rc = capture_next(&cap, &f)) == 1) {
		if (cap.n_drops)
			take_file_drops(w, &cap);
		handle_hup(w);
		if (w->realtime && !f.bad) {
			if (!w->have_frame)
				wall0 = clock_ns(CLOCK_MONOTONIC);
			else if (f.ts_ns > w->first_ts)
				replay_wait(w, wall0 + (int64_t)((double)(f.ts_ns - w->first_ts) / w->speed), wall0);
			if (g_stop)
				break;
		}
		on_frame(w, &f);
	}
	if (!g_stop && rc < 0)
		fprintf(stderr, "deadair watch: %s: after frame %" PRIu64 ": %s\n", w->file, cap.frames, cap.errbuf);
	take_file_drops(w, &cap);
	capture_close(&cap);
	return 0;
}

/* --linger: the final snapshot stays served until the time is up or a signal. */
static void linger(struct watch *w)
{
	if (!w->wo)
		return;
	int64_t until = clock_ns(CLOCK_MONOTONIC) + (int64_t)(w->linger_s * SEC);
	while (!g_stop && clock_ns(CLOCK_MONOTONIC) < until) {
		struct timespec ts = { 0, 50000000 };
		nanosleep(&ts, NULL);
		out_poll(w->wo);
	}
}

static void finish(struct watch *w)
{
	/* the end of the input, as at the end of a capture: TCP data held behind
	 * holes handed on, every call in progress finished and analysed */
	if (w->have_frame)
		look(w, w->now);
	decoder_flush(w->dec);
	w->an.input_end_ts = w->last_ts;
	calls_finish(w->calls);
	if (w->hep)
		hep_finish(w->hep);
	w->look_now = w->now;
	publish(w, true);
}

int watch_main(int argc, char **argv)
{
	struct watch *w = calloc(1, sizeof(*w));
	if (!w) {
		fputs("deadair watch: out of memory\n", stderr);
		return 3;
	}
	w->speed = 1;
	w->ocfg.exec_max = 4;
	w->ocfg.exec_timeout_s = 10;
	w->silence_s = 5;
	w->status_s = 10;
	w->user = "nobody";
	int rc = watch_parse_args(w, argc, argv);
	if (rc >= 0) {
		free(w);
		return rc;
	}
	char err[512];
	rc = 0;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (w->n_ifaces) {
		struct live_opts lo = {
			.ifaces = w->ifaces, .n_ifaces = w->n_ifaces, .filter = w->filter[0] ? w->filter : NULL,
			.snaplen = w->snaplen, .buffer_bytes = w->buffer_bytes, .promisc = w->promisc, .immediate = w->immediate,
		};
		w->live = live_open(&lo, err, sizeof(err));
		w->stats_ts = clock_ns(CLOCK_REALTIME);
		if (!w->live) {
			fprintf(stderr, "deadair watch: %s\n", err);
			free(w);
			return 3;
		}
	}
	if (w->n_hep) {
		struct hep_hooks hk = {
			.ctx = w, .frame = hep_frame, .look = look_table, .call_done = call_done, .lost = hep_lost, .ccfg = calls_config_default(),
			.acfg = { .rtp_timeout_s = w->rtp_timeout_s }, .limits = limits_default(),
		};
		w->hep = hep_listen_open(w->hep_specs, w->n_hep, 1, &hk, err, sizeof(err));
		if (!w->hep) {
			fprintf(stderr, "deadair watch: %s\n", err);
			live_close(w->live);
			free(w);
			return 3;
		}
	}
	if (w->file && w->filter[0]) {
		w->ffilter = frame_filter_new(w->filter, err, sizeof(err));
		if (!w->ffilter) {
			free(w);
			return watch_usage_error("the filter: %s", err);
		}
	}
	if (!alerts_open(&w->out, w->alerts_path, err, sizeof(err))) {
		fprintf(stderr, "deadair watch: %s\n", err);
		rc = 3;
		goto out;
	}
	if (w->hep) {
		w->out.point_name = alerts_hep_point;
		w->out.point_ctx = w->hep;
		w->ocfg.names = &w->out;
	}
	if ((w->listen || w->ocfg.exec_cmd) && (rc = watch_start_out(w)) != 0)
		goto out;
	if ((w->live || w->hep) && !watch_drop_privileges(w->user)) {
		rc = 3;
		goto out;
	}

	struct calls_config ccfg = calls_config_default();
	struct calls_sink sink = { .ctx = w, .call_done = on_call_done, .stream_done = on_stream_done };
	struct analyze_config acfg = { .rtp_timeout_s = w->rtp_timeout_s };
	analyzer_init(&w->an, &acfg);
	w->calls = calls_new(&ccfg, &sink);
	w->disp.calls = w->calls;
	struct decode_config dcfg = {
		.limits = limits_default(),
		.probe = sip_probe,
		.framer = sip_frame,
		.sink = dispatch_dgram,
		.gap = dispatch_gap,
		.sink_ctx = &w->disp,
	};
	w->dec = decoder_new(&dcfg);
	if (!w->calls || !w->dec) {
		fputs("deadair watch: out of memory\n", stderr);
		rc = 3;
		goto out;
	}
	w->wcfg.silence_ns = (int64_t)(w->silence_s * SEC);
	w->wcfg.rtp_timeout_ns = (int64_t)(w->rtp_timeout_s * SEC);
	if (w->live || w->hep) {
		for (size_t i = 0; w->hep && i < hep_listen_count(w->hep); i++)
			fprintf(stderr, "deadair watch: listening for HEP on %s\n", hep_listen_name(w->hep, i));
		for (size_t i = 0; i < w->n_ifaces; i++)
			fprintf(stderr, "deadair watch: listening on %s (%s)%s%s\n", live_iface_name(w->live, i),
				live_linktype_name(w->live, i), w->filter[0] ? ", filter: " : "", w->filter);
		rc = run_live(w);
	} else {
		rc = run_file(w);
	}
	finish(w);
	linger(w);
	out_drain(w->wo);
	status_line(w, true);
out:
	out_free(w->wo);
	alerts_close(&w->out);
	decoder_free(w->dec);
	calls_free(w->calls);
	live_close(w->live);
	hep_listen_close(w->hep);
	frame_filter_free(w->ffilter);
	free(w);
	return rc;
}
