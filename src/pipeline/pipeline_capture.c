/* SPDX-License-Identifier: MIT */
/* A capture input through the stages: read once, frame by frame. A file is
 * one capture point, or, when its interfaces carry copies of the same SIP
 * messages (points.h), one point per interface concerned: each point then
 * has its own decoder, calls table and report section (written to a
 * temporary file and copied out in order), as if it were a file of its own. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "pipeline/points.h"
#include "pipeline/progress.h"
#include "pipeline/run.h"
#include "pipeline/dispatch.h"
#include "proto/classify.h"
#include "proto/sip.h"
#include "report/summary.h"

/* SIP of the capture: counted and listed by the pipeline, then given to the calls stage. */
static void on_sip(void *ctx, const struct dgram *d, const struct sip_msg *m)
{
	pipeline_sip(ctx, d, m);
}

static void count_frame(struct run *r, enum frame_result fr)
{
	if (fr != FR_DELIVERED)
		return;
	/* the frame counts as the first of SIP, RTCP, RTP, STUN, DTLS, ZRTP,
	 * keep-alive that it carried: the order of the kinds' values, but for
	 * RTCP before RTP (this runs per frame, so no loop over that list) */
	_Static_assert(PK_SIP == 1 && PK_RTP == 2 && PK_RTCP == 3 && PK_STUN == 4 && PK_DTLS == 5 &&
			       PK_ZRTP == 6 && PK_KEEPALIVE == 7 && PK__COUNT == 8,
		       "count_frame follows the values of enum payload_kind");
	unsigned kinds = r->disp.frame_kinds & ((1u << PK__COUNT) - 1) & ~(1u << PK_OTHER);
	if (kinds) {
		unsigned k = (unsigned)__builtin_ctz(kinds);
		if (k == PK_RTP && (kinds & (1u << PK_RTCP)))
			k = PK_RTCP;
		r->sum.kind_frames[k]++;
		return;
	}
	if (r->disp.frame_transport == TP_ICMP || r->disp.frame_transport == TP_ICMPV6)
		return; /* ICMP errors: counted by the decoder (icmp_unreachable), read by calls */
	if (r->disp.frame_transport == TP_TCP)
		r->sum.other_tcp++;
	else if (r->disp.frame_transport == TP_SCTP)
		r->sum.other_sctp++;
	else
		r->sum.other_udp++;
}

/* One capture point of the file. */
struct part {
	struct run *r;         /* the run itself (one point), or a copy writing to a temporary file */
	struct decoder *dec;
	struct capture view;   /* the capture as this point shows it */
	uint16_t point;
	const char *name;
	int iface;             /* the point's one interface; -1: several */
	const struct capture_iface *ifc; /* that interface, as the scan read it (it may come
					  * later in the file than the reader is) */
};

/* The capture as part p shows it: its point, its name and, for a point of
 * one interface, that interface's link type and snap length. */
static void make_view(struct part *p, const struct capture *cap)
{
	p->view = *cap;
	p->view.point = p->point;
	p->view.path = p->name;
	if (p->ifc) {
		const struct capture_iface *i = p->ifc;
		p->view.n_ifaces = 1;
		p->view.ifaces = (struct capture_iface *)i;
		p->view.linktype = i->linktype;
		p->view.linktype_name = i->linktype_name;
		p->view.snaplen = i->snaplen;
	}
}

static bool part_begin(struct run *r, struct part *p, unsigned g, unsigned n, const struct capture *cap, const char *path)
{
	struct run *pr = r;
	if (n > 1) {
		pr = malloc(sizeof(*pr));
		if (!pr)
			return false;
		*pr = *r;
		pr->out = tmpfile();
		if (!pr->out) {
			free(pr);
			return false;
		}
		jw_init(&pr->jw, pr->out);
		pr->jw.depth = r->jw.depth;
		pr->jw.has_items[pr->jw.depth] = r->jw.has_items[r->jw.depth] || g > 0;
		pr->any_finding = false;
	}
	p->r = pr;
	struct decode_config cfg = {
		.limits = limits_default(),
		.probe = sip_probe,
		.framer = sip_frame,
		.sink = dispatch_dgram,
		.gap = dispatch_gap,
		.sink_ctx = &pr->disp,
	};
	struct calls_config ccfg = calls_config_default();
	pr->audio.point = p->point;
	pr->audio.out.ctx = &pr->audio; /* a copy of the run writes through its own */
	ccfg.audio_out = audio_files_out(&pr->audio);
	ccfg.decode_audio = !r->o->no_audio;
	ccfg.audio_thread = pipeline_threads() > 1;
	/* the calls analysed and reported on that thread too, when this input's
	 * state is the sink's alone: one part, no calls followed across inputs,
	 * no packets picked, not HTML (audio players) */
	ccfg.report_thread = n == 1 && !r->mp_on && !r->pick && r->o->format != REPORT_HTML;
	ccfg.keep_raw = pipeline_keeps_raw(r->o);
	/* evidence names interfaces where the point has several */
	struct analyze_config acfg = { .rtp_timeout_s = r->o->rtp_timeout_s, .cap = p->iface < 0 ? cap : NULL };
	p->dec = decoder_new(&cfg);
	if (!p->dec || !pipeline_input_begin(pr, p->point, &ccfg, &acfg))
		return false;
	pr->disp = (struct dispatch){ .calls = pr->calls, .sip = on_sip, .sip_ctx = pr };
	make_view(p, cap);
	pr->sum.cap = &p->view;
	pr->sum.dstats = decoder_stats(p->dec);
	if (r->o->format == REPORT_JSON) {
		struct jw *w = &pr->jw;
		jw_obj(w, NULL);
		jw_uint(w, "point", (uint64_t)p->point + 1);
		jw_str(w, "file", path);
		if (p->ifc)
			jw_str(w, "interface", p->ifc->name);
		jw_str(w, "format", p->view.format);
		jw_str(w, "link_type", p->view.linktype_name);
		jw_uint(w, "snap_length", p->view.snaplen);
		jw_arr(w, "calls");
	} else if (r->o->format == REPORT_TEXT) {
		summary_print_header(pr->out, &p->view);
		if (r->o->list_messages)
			fprintf(pr->out, "  %7s %11s  %-22s    %-22s %-4s  %-24s %s\n", "frame", "time", "source",
				"destination", "via", "message", "Call-ID");
		fputc('\n', pr->out);
	}
	return true;
}

/* Drop windows the reader found in the capture's own statistics (pcapng
 * ISB), each to the analyzer of its interface's point: once the calls
 * stage's thread is done with what it was given, as it reads the analyzer. */
static void take_drops(struct capture *cap, struct part *parts, unsigned n, const struct iface_points *pts)
{
	for (unsigned k = 0; k < cap->n_drops; k++) {
		const struct capture_drop *d = &cap->drops[k];
		struct run *pr = parts[n > 1 ? points_group(pts, d->iface) : 0].r;
		calls_settle(pr->calls);
		analyzer_capture_lost(&pr->an, d->from, d->to, d->dropped);
	}
	cap->n_drops = 0;
}

/* What the capture's statistics said, into each point's summary. */
static void note_drops(const struct capture *cap, struct part *parts, unsigned n, const struct iface_points *pts)
{
	for (unsigned i = 0; i < cap->n_ifaces; i++) {
		uint64_t d = capture_iface_dropped(&cap->ifaces[i]);
		if (!d)
			continue;
		struct capture_summary *sum = &parts[n > 1 ? points_group(pts, (uint16_t)i) : 0].r->sum;
		sum->capture_dropped = sum->capture_dropped > UINT64_MAX - d ? UINT64_MAX : sum->capture_dropped + d;
	}
	parts[0].r->sum.blocks_malformed = cap->blocks_malformed;
}

/* Writes part p's report section (into its own stream). rc is how reading
 * ended; calls left out past the report's deadline make it -1 with the reason
 * in cap->errbuf. Returns the part's outcome. */
static int part_end(struct part *p, struct capture *cap, int rc, bool *late)
{
	struct run *r = p->r;
	/* TCP data still held behind holes: handed on before the calls end */
	decoder_flush(p->dec);
	calls_settle(r->calls); /* the calls ended so far analysed without the input's end */
	r->an.input_end_ts = r->sum.last_ts;
	calls_finish(r->calls);
	bool read_all = rc >= 0;
	if (pipeline_note_late(r, read_all, cap->errbuf, sizeof(cap->errbuf))) {
		*late = true;
		rc = -1;
	}
	make_view(p, cap);
	if (r->mp_on) {
		multipoint_point(r->mp, p->point, p->name, r->sum.first_ts, r->sum.last_ts);
		multipoint_point_losses(r->mp, p->point, &r->an.loss);
	}
	if (r->o->format == REPORT_JSON) {
		pipeline_json_tail(r, &p->view, rc);
	} else if (r->o->format == REPORT_HTML) {
		patterns_finish(&r->pat);
		struct html_capture_info hi = {
			.name = p->name, .cap = &p->view, .sum = &r->sum, .cs = calls_get_stats(r->calls), .an = &r->an,
			.complete = rc >= 0, .read_all = read_all, .error = cap->errbuf,
			.call_filter = r->o->call_filter,
			.selection = r->o->select ? r->o->select->desc : NULL,
			.calls_matched = r->calls_matched,
			.patterns = &r->pat,
		};
		html_capture_end(r->html, r->out, &hi);
	} else {
		pipeline_text_tail(r, &p->view);
		if (r->sum.capture_dropped)
			fprintf(r->out,
				"  warning: the capture itself dropped %" PRIu64 " packets (its own interface statistics): "
				"packets missing from calls up then may be the capture's loss, not the network's\n",
				r->sum.capture_dropped);
		if (r->filter && frame_filter_problem(r->filter)[0])
			fprintf(r->out, "  warning: %s\n", frame_filter_problem(r->filter));
		if (rc < 0 && read_all)
			fprintf(r->out, "  warning: the report is cut short: %s\n", cap->errbuf);
		else if (rc < 0)
			fprintf(r->out, "  warning: reading stopped after frame %" PRIu64 ": %s\n", cap->frames,
				cap->errbuf);
		else if (cap->frames == 0)
			fprintf(r->out, "  warning: the capture holds no packets\n");
		fputc('\n', r->out);
	}
	return rc;
}

/* Frees part p; a copy of the run hands its report section and its findings to r. */
static void part_free(struct run *r, struct part *p)
{
	struct run *pr = p->r;
	if (pr) {
		pipeline_input_end(pr);
		if (pr != r) {
			fflush(pr->out);
			pipeline_copy_file(pr->out, r->out);
			fclose(pr->out);
			if (pr->any_finding) {
				if (!r->any_finding || pr->worst > r->worst)
					r->worst = pr->worst;
				r->any_finding = true;
			}
			r->jw.has_items[r->jw.depth] = true;
			r->audio.written += pr->audio.written;
			r->audio.mixed += pr->audio.mixed;
			r->audio.failed += pr->audio.failed;
			free(pr);
		}
	}
	decoder_free(p->dec);
}

int pipeline_analyze_capture(struct run *r, const struct pipeline_input *in, uint16_t point,
			     const struct iface_points *pts)
{
	struct capture cap;
	const char *path = in->name ? in->name : in->path ? in->path : "input";
	struct capture_opts copts = { .reader = (enum capture_reader)r->o->reader, .max_inflated = r->o->max_inflated };
	enum status st = in->path ? capture_open(&cap, in->path, point, &copts)
				  : capture_open_mem(&cap, path, in->data, in->len, point, &copts);
	if (st != ST_OK) {
		pipeline_note_error(r, path, cap.errbuf);
		capture_close(&cap);
		return -1;
	}
	unsigned n = pts && pts->n_groups > 1 ? pts->n_groups : 1;
	struct part *parts = calloc(n, sizeof(*parts));
	bool ok = parts != NULL;
	for (unsigned g = 0; ok && g < n; g++) {
		parts[g].point = (uint16_t)(point + g);
		parts[g].name = n > 1 ? pts->names[g] : path;
		parts[g].iface = -1;
		if (n > 1 && (int)g != pts->rest_group) {
			for (unsigned i = 0; i < pts->n_ifaces; i++)
				if (pts->group_of[i] == g)
					parts[g].iface = (int)i;
			parts[g].ifc = &pts->ifc[g];
		}
		ok = part_begin(r, &parts[g], g, n, &cap, path);
	}
	if (!ok) {
		pipeline_note_error(r, path, "out of memory or no temporary file");
		for (unsigned g = 0; parts && g < n; g++)
			part_free(r, &parts[g]);
		free(parts);
		capture_close(&cap);
		return -1;
	}
	struct frame f;
	int rc;
	bool out_of_time = false;
	struct progress prog;
	progress_begin(&prog, r->o->progress, path, (unsigned)point + 1u, (unsigned)r->o->n_inputs);
	if (cap.n_drops)
		take_drops(&cap, parts, n, pts);
	while ((rc = capture_next(&cap, &f)) == 1) {
		if (cap.n_drops)
			take_drops(&cap, parts, n, pts);
		if (prog.out && (cap.frames & 4095) == 0) {
			uint64_t done, total, calls = 0;
			capture_progress(&cap, &done, &total);
			for (unsigned g = 0; g < n; g++)
				calls += calls_get_stats(parts[g].r->calls)->calls;
			progress_update(&prog, done, total, cap.frames, calls);
		}
		if (r->o->deadline_ns && (cap.frames & 1023) == 1 && pipeline_now_ns() > r->o->deadline_ns) {
			out_of_time = true;
			rc = -1;
			snprintf(cap.errbuf, sizeof(cap.errbuf), "the analysis took longer than allowed");
			break;
		}
		struct part *p = &parts[n > 1 ? points_group(pts, f.iface) : 0];
		struct run *pr = p->r;
		if (f.bad) {
			/* a packet the reader could not hand over (a time stamp past
			 * 2262, no interface): counted, never computed with */
			pr->sum.frames++;
			pr->sum.reader_malformed++;
			continue;
		}
		f.point = p->point;
		if (pr->sum.frames == pr->sum.reader_malformed) {
			pr->sum.first_ts = f.ts_ns;
			calls_set_origin(pr->calls, f.ts_ns);
		}
		pr->sum.frames++;
		pr->sum.last_ts = f.ts_ns;
		/* TCP data held behind a hole that will not fill is handed on first, with its own frames */
		decoder_tick(p->dec, f.ts_ns);
		/* calls due by now end before this frame: a Call-ID used again after a
		 * long silence starts a new call, as it did in the whole capture */
		if (f.ts_ns >= pr->next_tick)
			pr->next_tick = calls_tick(pr->calls, f.ts_ns);
		if (pr->filter && !frame_filter_match(pr->filter, &f)) {
			pr->sum.filtered_out++;
			continue;
		}
		pr->disp.frame_kinds = 0;
		pr->disp.frame_transport = 0;
		count_frame(pr, decoder_frame(p->dec, &f));
	}
	progress_end(&prog);
	if (cap.n_drops)
		take_drops(&cap, parts, n, pts);
	note_drops(&cap, parts, n, pts);
	bool read_all = rc >= 0, late = false;
	int read_rc = rc;
	for (unsigned g = 0; g < n; g++)
		if (part_end(&parts[g], &cap, read_rc, &late) < 0)
			rc = -1;
	if (late)
		out_of_time = true;
	int result = 0;
	if (rc < 0) {
		char what[700];
		if (out_of_time && read_all)
			snprintf(what, sizeof(what), "cut short: %s", cap.errbuf);
		else if (out_of_time)
			snprintf(what, sizeof(what), "stopped after frame %" PRIu64 ": %s", cap.frames, cap.errbuf);
		else if (cap.cut)
			snprintf(what, sizeof(what), "cut short after frame %" PRIu64 ": %s", cap.frames, cap.errbuf);
		else if (cap.inflate_limit)
			snprintf(what, sizeof(what), "after frame %" PRIu64 ": %s", cap.frames, cap.errbuf);
		else
			snprintf(what, sizeof(what), "damaged after frame %" PRIu64 ": %s", cap.frames, cap.errbuf);
		pipeline_note_error(r, path, what);
		if (out_of_time)
			r->res->timed_out = true;
		result = 1;
	}
	for (unsigned g = 0; g < n; g++)
		part_free(r, &parts[g]);
	free(parts);
	capture_close(&cap);
	return result;
}
