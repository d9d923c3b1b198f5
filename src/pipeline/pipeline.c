/* SPDX-License-Identifier: MIT */
/* The pipeline driver: each input is read once, frame by frame, through the
 * stages; calls are reported as they finish and then freed. Used by the
 * command line and the web server alike. */
#include "pipeline/pipeline.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze/analyze.h"
#include "analyze/multipoint.h"
#include "calls/calls.h"
#include "decode/decode.h"
#include "proto/classify.h"
#include "proto/rtp.h"
#include "proto/sip.h"
#include "report/call_report.h"
#include "report/findings_report.h"
#include "report/html_multipoint.h"
#include "report/html_report.h"
#include "report/json.h"
#include "report/multipoint_report.h"
#include "report/summary.h"
#include "report/trace_report.h"
#include "pipeline/run.h"
#include "pipeline/trace_input.h"
#include "source/capture.h"

int64_t pipeline_now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static bool call_matches(const struct run *r, const struct call *c)
{
	const char *want = r->o->call_filter;
	if (!want)
		return true;
	if (!strcmp(c->call_id, want))
		return true;
	for (unsigned i = 0; i < c->n_links; i++)
		if (!strcmp(c->links[i], want))
			return true;
	return false;
}

static void note_findings(struct run *r, const struct findings *fs)
{
	for (unsigned i = 0; i < fs->n; i++) {
		if (!r->any_finding || fs->f[i].sev > r->worst)
			r->worst = fs->f[i].sev;
		r->any_finding = true;
	}
}

void pipeline_on_call(void *ctx, struct call *c)
{
	struct run *r = ctx;
	r->call_index++;
	if (!call_matches(r, c))
		return;
	r->an.rtp_seen = calls_get_stats(r->calls)->rtp_packets;
	analyze_call(&r->an, c, &r->findings, &r->walk);
	note_findings(r, &r->findings);
	if (r->mp_on)
		multipoint_add(&r->mp, c, r->call_index);
	if (r->o->quiet)
		return;
	r->calls_shown++;
	if (r->o->format == REPORT_JSON)
		report_call_json(&r->jw, c, r->call_index, &r->findings, &r->walk);
	else if (r->o->format == REPORT_HTML)
		html_capture_call(r->html, c, r->call_index, &r->findings, &r->walk);
	else
		report_call_text(r->calls_text, c, r->call_index, &r->style, &r->findings, &r->walk);
}

void pipeline_on_unsignalled(void *ctx, struct stream *s)
{
	struct run *r = ctx;
	if (r->o->quiet || r->o->call_filter || !r->unsig)
		return;
	r->unsig_count++;
	if (r->o->format == REPORT_JSON)
		report_stream_json(&r->unsig_jw, s, s->first_ts);
	else if (r->o->format == REPORT_HTML)
		html_capture_stream(r->html, s);
	else
		report_stream_text(r->unsig, s, r->sum.first_ts, &r->style);
}

void pipeline_sip(struct run *r, const struct dgram *d, const struct sip_msg *m)
{
	r->sum.sip_messages++;
	if (m->is_request)
		r->sum.sip_requests++;
	else
		r->sum.sip_responses++;
	if (m->errors & (SIP_E_NO_CALL_ID | SIP_E_BAD_CSEQ | SIP_E_NO_FROM_TO | SIP_E_BAD_HEADER_LINE))
		r->sum.sip_malformed++;
	if (r->o->list_messages && r->o->format == REPORT_TEXT)
		summary_print_sip(r->out, &r->sum, d, m);
	calls_sip(r->calls, d, m);
}

static void on_dgram(void *ctx, const struct dgram *d)
{
	struct run *r = ctx;
	enum payload_kind k = classify_payload(d->data, d->len, d->sport, d->dport);
	r->frame_kinds |= 1u << k;
	r->frame_transport = d->transport;
	switch (k) {
	case PK_SIP: {
		struct sip_msg m;
		long n = sip_parse((const char *)d->data, d->len, SIP_DGRAM, &m);
		if (n <= 0)
			return;
		pipeline_sip(r, d, &m);
		break;
	}
	case PK_RTP: {
		struct rtp_hdr h;
		if (rtp_parse(d->data, d->len, &h) == ST_OK)
			calls_rtp(r->calls, d, &h);
		break;
	}
	case PK_RTCP:
		calls_rtcp(r->calls, d);
		break;
	case PK_STUN:
		calls_stun(r->calls, d);
		break;
	default:
		break;
	}
}

static void on_gap(void *ctx, const struct decode_gap *g)
{
	struct run *r = ctx;
	calls_transport_gap(r->calls, g);
}

static void count_frame(struct run *r, enum frame_result fr)
{
	if (fr != FR_DELIVERED)
		return;
	static const enum payload_kind order[] = { PK_SIP, PK_RTCP, PK_RTP, PK_STUN,
						  PK_DTLS, PK_ZRTP, PK_KEEPALIVE };
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (r->frame_kinds & (1u << order[i])) {
			r->sum.kind_frames[order[i]]++;
			return;
		}
	}
	if (r->frame_transport == TP_TCP)
		r->sum.other_tcp++;
	else if (r->frame_transport == TP_SCTP)
		r->sum.other_sctp++;
	else
		r->sum.other_udp++;
}

bool pipeline_input_begin(struct run *r, uint16_t point, const struct calls_config *ccfg,
			  const struct analyze_config *acfg)
{
	struct calls_sink csink = { .ctx = r, .call_done = pipeline_on_call, .stream_done = pipeline_on_unsignalled };
	r->calls = calls_new(ccfg, &csink);
	r->unsig = tmpfile();
	r->calls_text = tmpfile();
	analyzer_init(&r->an, acfg);
	if (r->o->format == REPORT_HTML)
		r->html = html_capture_new(point);
	if (!r->calls || !r->unsig || !r->calls_text || (r->o->format == REPORT_HTML && !r->html)) {
		pipeline_input_end(r);
		return false;
	}
	jw_init(&r->unsig_jw, r->unsig);
	r->unsig_jw.depth = r->jw.depth + 2;
	r->unsig_count = 0;
	memset(&r->sum, 0, sizeof(r->sum));
	r->call_index = 0;
	r->calls_shown = 0;
	return true;
}

void pipeline_input_end(struct run *r)
{
	calls_free(r->calls);
	r->calls = NULL;
	if (r->unsig)
		fclose(r->unsig);
	r->unsig = NULL;
	if (r->calls_text)
		fclose(r->calls_text);
	r->calls_text = NULL;
	html_capture_free(r->html);
	r->html = NULL;
}

void pipeline_copy_file(FILE *from, FILE *to)
{
	char buf[65536];
	size_t n;
	rewind(from);
	while ((n = fread(buf, 1, sizeof(buf), from)) > 0)
		fwrite(buf, 1, n, to);
}

void pipeline_json_tail(struct run *r, const struct capture *cap, int rc)
{
	struct jw *w = &r->jw;
	const struct decode_stats *ds = r->sum.dstats;
	const struct calls_stats *cs = calls_get_stats(r->calls);
	jw_arr_end(w); /* calls */
	jw_arr(w, "unsignalled_streams");
	if (r->unsig_count) {
		fflush(r->unsig);
		pipeline_copy_file(r->unsig, r->out);
		w->has_items[w->depth] = true;
	}
	jw_arr_end(w);
	jw_uint(w, "frames", r->sum.frames);
	if (r->sum.frames) {
		jw_time(w, "first", r->sum.first_ts);
		jw_time(w, "last", r->sum.last_ts);
	} else {
		jw_null(w, "first");
		jw_null(w, "last");
	}
	jw_bool(w, "complete", rc >= 0);
	if (rc < 0)
		jw_str(w, "error", cap->errbuf);
	else
		jw_null(w, "error");
	jw_obj(w, "frames_by_kind");
	jw_uint(w, "sip", r->sum.kind_frames[PK_SIP]);
	jw_uint(w, "rtp", r->sum.kind_frames[PK_RTP]);
	jw_uint(w, "rtcp", r->sum.kind_frames[PK_RTCP]);
	jw_uint(w, "stun", r->sum.kind_frames[PK_STUN]);
	jw_uint(w, "dtls", r->sum.kind_frames[PK_DTLS]);
	jw_uint(w, "zrtp", r->sum.kind_frames[PK_ZRTP]);
	jw_uint(w, "keepalive", r->sum.kind_frames[PK_KEEPALIVE]);
	jw_uint(w, "other_udp", r->sum.other_udp);
	jw_uint(w, "other_tcp", r->sum.other_tcp + ds->frames[FR_TCP_OTHER]);
	jw_uint(w, "other_sctp", r->sum.other_sctp);
	jw_uint(w, "tcp_retransmission", ds->frames[FR_TCP_DUP]);
	jw_uint(w, "held_for_reassembly", ds->frames[FR_HELD]);
	jw_uint(w, "other_ip", ds->frames[FR_OTHER_IP]);
	jw_uint(w, "not_ip", ds->frames[FR_NOT_IP]);
	jw_uint(w, "unsupported_link_type", ds->frames[FR_UNSUPPORTED_LINK]);
	jw_uint(w, "unsupported_encapsulation", ds->frames[FR_UNSUPPORTED]);
	jw_uint(w, "truncated", ds->frames[FR_TRUNCATED]);
	jw_uint(w, "malformed", ds->frames[FR_MALFORMED]);
	jw_obj_end(w);
	jw_obj(w, "sip");
	jw_uint(w, "messages", r->sum.sip_messages);
	jw_uint(w, "requests", r->sum.sip_requests);
	jw_uint(w, "responses", r->sum.sip_responses);
	jw_uint(w, "broken_headers", r->sum.sip_malformed);
	jw_uint(w, "calls", cs->calls);
	jw_obj(w, "outside_calls");
	for (int i = 0; i < 8; i++)
		jw_uint(w, calls_non_call_methods[i], cs->non_call_by_method[i]);
	jw_uint(w, "responses", cs->non_call_responses);
	jw_obj_end(w);
	jw_obj_end(w);
	jw_obj(w, "media");
	jw_uint(w, "rtp_packets", cs->rtp_packets);
	jw_uint(w, "rtp_in_calls", cs->rtp_in_calls);
	jw_uint(w, "rtcp_packets", cs->rtcp_packets);
	jw_uint(w, "stun_packets", cs->stun_packets);
	jw_uint(w, "unsignalled_streams", cs->streams_unsignalled);
	jw_uint(w, "stray_rtp_packets", cs->stray_rtp);
	jw_obj_end(w);
	jw_obj(w, "reassembly");
	jw_uint(w, "snap_cut_frames", ds->snap_cut);
	jw_uint(w, "ip_fragments", ds->ip_fragments);
	jw_uint(w, "ip_reassembled", ds->ip_reassembled);
	jw_uint(w, "ip_fragments_dropped", ds->ip_frag_dropped);
	jw_uint(w, "ip_datagrams_evicted", ds->ip_frag_evicted);
	jw_uint(w, "tcp_messages", ds->tcp_messages);
	jw_uint(w, "websocket_messages", ds->ws_messages);
	jw_uint(w, "tcp_retransmissions", ds->tcp_retrans);
	jw_uint(w, "tcp_gaps", ds->tcp_gaps);
	jw_uint(w, "tcp_messages_too_large", ds->tcp_too_large);
	jw_uint(w, "hep_packets", ds->hep_packets);
	jw_uint(w, "icmp_unreachable", ds->icmp_unreachable);
	jw_uint(w, "lengths_beyond_frame", ds->short_frames);
	jw_obj_end(w);
	report_diagnosis_summary_json(w, &r->an);
	jw_obj(w, "limits_hit");
	jw_uint(w, "tcp", ds->tcp_limit);
	jw_uint(w, "calls", cs->limit_calls);
	jw_uint(w, "streams", cs->limit_streams);
	jw_uint(w, "flows_on_probation", cs->limit_probation);
	jw_obj_end(w);
	if (r->trace)
		report_trace_json(w, r->trace);
	jw_obj_end(w); /* capture */
}

void pipeline_text_tail(struct run *r, const struct capture *cap)
{
	const struct calls_stats *cs = calls_get_stats(r->calls);
	report_diagnosis_summary_text(r->out, &r->an, &r->style);
	fputc('\n', r->out);
	fflush(r->calls_text);
	pipeline_copy_file(r->calls_text, r->out);
	if (r->unsig_count) {
		fprintf(r->out, "unsignalled RTP streams (no SIP/SDP seen for them): %u\n", r->unsig_count);
		fflush(r->unsig);
		pipeline_copy_file(r->unsig, r->out);
		fputc('\n', r->out);
	}
	fprintf(r->out, "capture %u summary: ", cap->point + 1u);
	summary_print_counts(r->out, &r->sum);
	fprintf(r->out, "  calls %" PRIu64, cs->calls);
	if (r->o->call_filter)
		fprintf(r->out, " (%u matching --call)", r->calls_shown);
	uint64_t other = 0;
	for (int i = 0; i < 8; i++)
		other += cs->non_call_by_method[i];
	if (other) {
		fputs("; SIP outside calls:", r->out);
		for (int i = 0; i < 8; i++)
			if (cs->non_call_by_method[i])
				fprintf(r->out, " %s %" PRIu64, calls_non_call_methods[i], cs->non_call_by_method[i]);
	}
	fputc('\n', r->out);
	if (cs->rtp_packets)
		fprintf(r->out, "  RTP packets %" PRIu64 " (%" PRIu64 " in calls), unsignalled streams %" PRIu64
				", stray RTP-like packets %" PRIu64 "\n",
			cs->rtp_packets, cs->rtp_in_calls, cs->streams_unsignalled, cs->stray_rtp);
	const struct calls_config *cc = calls_get_config(r->calls);
	if (cs->limit_calls)
		fprintf(r->out, "  over a limit: %" PRIu64 " calls not followed (more than %u in progress at once)\n",
			cs->limit_calls, cc->max_calls);
	if (cs->limit_streams)
		fprintf(r->out, "  over a limit: %" PRIu64 " RTP streams not followed (more than %u in progress at once)\n",
			cs->limit_streams, cc->max_streams);
	if (cs->limit_probation)
		fprintf(r->out,
			"  over a limit: %" PRIu64 " RTP-like flows dropped before they showed %u packets in sequence "
			"(more than %u such flows at once; their packets are counted as stray)\n",
			cs->limit_probation, STREAM_PROVEN_PACKETS, cc->max_unproven_streams);
}

void pipeline_note_error(struct run *r, const char *name, const char *what)
{
	fprintf(r->err, "deadair: %s: %s\n", name, what);
	if (!r->res->first_error[0])
		snprintf(r->res->first_error, sizeof(r->res->first_error), "%.200s: %.300s", name, what);
}

/* Returns 0 when read to the end, 1 when damaged or out of time, -1 when not
 * readable at all. */
static int analyze_input(struct run *r, const struct pipeline_input *in, uint16_t point)
{
	struct capture cap;
	const char *path = in->name ? in->name : in->path ? in->path : "input";
	if (pipeline_input_is_trace(r->o, in))
		return pipeline_analyze_trace(r, in, point);
	enum status st = in->path ? capture_open(&cap, in->path, point)
				  : capture_open_mem(&cap, path, in->data, in->len, point);
	if (st != ST_OK) {
		pipeline_note_error(r, path, cap.errbuf);
		return -1;
	}
	struct decode_config cfg = {
		.limits = limits_default(),
		.probe = sip_probe,
		.framer = sip_frame,
		.sink = on_dgram,
		.gap = on_gap,
		.sink_ctx = r,
	};
	struct calls_config ccfg = calls_config_default();
	struct analyze_config acfg = { .rtp_timeout_s = r->o->rtp_timeout_s };
	struct decoder *dec = decoder_new(&cfg);
	if (!dec || !pipeline_input_begin(r, point, &ccfg, &acfg)) {
		pipeline_note_error(r, path, "out of memory or no temporary file");
		decoder_free(dec);
		capture_close(&cap);
		return -1;
	}
	r->sum.cap = &cap;
	r->sum.dstats = decoder_stats(dec);
	if (r->o->format == REPORT_JSON) {
		struct jw *w = &r->jw;
		jw_obj(w, NULL);
		jw_uint(w, "point", (uint64_t)point + 1);
		jw_str(w, "file", path);
		jw_str(w, "format", cap.format);
		jw_str(w, "link_type", cap.linktype_name);
		jw_uint(w, "snap_length", cap.snaplen);
		jw_arr(w, "calls");
	} else if (r->o->format == REPORT_TEXT) {
		summary_print_header(r->out, &cap);
		if (r->o->list_messages)
			fprintf(r->out, "  %7s %11s  %-22s    %-22s %-4s  %-24s %s\n", "frame", "time", "source",
				"destination", "via", "message", "Call-ID");
		fputc('\n', r->out);
	}
	struct frame f;
	int rc;
	bool out_of_time = false;
	while ((rc = capture_next(&cap, &f)) == 1) {
		if (r->o->deadline_ns && (cap.frames & 1023) == 1 && pipeline_now_ns() > r->o->deadline_ns) {
			out_of_time = true;
			rc = -1;
			snprintf(cap.errbuf, sizeof(cap.errbuf), "the analysis took longer than allowed");
			break;
		}
		if (r->sum.frames == 0) {
			r->sum.first_ts = f.ts_ns;
			calls_set_origin(r->calls, f.ts_ns);
		}
		r->sum.frames++;
		r->sum.last_ts = f.ts_ns;
		/* TCP data held behind a hole that will not fill is handed on first, with its own frames */
		decoder_tick(dec, f.ts_ns);
		r->frame_kinds = 0;
		r->frame_transport = 0;
		count_frame(r, decoder_frame(dec, &f));
		calls_tick(r->calls, f.ts_ns);
	}
	decoder_flush(dec);
	calls_finish(r->calls);
	if (r->mp_on)
		multipoint_point(&r->mp, point, path, r->sum.first_ts, r->sum.last_ts);
	if (r->o->format == REPORT_JSON) {
		pipeline_json_tail(r, &cap, rc);
	} else if (r->o->format == REPORT_HTML) {
		struct html_capture_info hi = {
			.name = path, .cap = &cap, .sum = &r->sum, .cs = calls_get_stats(r->calls), .an = &r->an,
			.complete = rc >= 0, .error = cap.errbuf, .call_filter = r->o->call_filter,
		};
		html_capture_end(r->html, r->out, &hi);
	} else {
		pipeline_text_tail(r, &cap);
		if (rc < 0)
			fprintf(r->out, "  warning: reading stopped after frame %" PRIu64 ": %s\n", cap.frames,
				cap.errbuf);
		else if (cap.frames == 0)
			fprintf(r->out, "  warning: the capture holds no packets\n");
		fputc('\n', r->out);
	}
	int result = 0;
	if (rc < 0) {
		char what[700];
		if (out_of_time)
			snprintf(what, sizeof(what), "stopped after frame %" PRIu64 ": %s", cap.frames, cap.errbuf);
		else
			snprintf(what, sizeof(what), "damaged after frame %" PRIu64 ": %s", cap.frames, cap.errbuf);
		pipeline_note_error(r, path, what);
		if (out_of_time)
			r->res->timed_out = true;
		result = 1;
	}
	pipeline_input_end(r);
	decoder_free(dec);
	capture_close(&cap);
	return result;
}

static void mp_json(void *ctx, const struct mp_group *g)
{
	struct run *r = ctx;
	note_findings(r, &g->findings);
	report_multipoint_json(&r->jw, &r->mp, g);
}

static void mp_text(void *ctx, const struct mp_group *g)
{
	struct run *r = ctx;
	note_findings(r, &g->findings);
	report_multipoint_text(r->out, &r->mp, g, &r->style);
}

static void mp_html(void *ctx, const struct mp_group *g)
{
	struct run *r = ctx;
	note_findings(r, &g->findings);
	html_multipoint(r->out, &r->mp, g, ++r->mp_groups);
}

static void mp_count(void *ctx, const struct mp_group *g)
{
	note_findings(ctx, &g->findings);
}

bool pipeline_run(const struct pipeline_opts *o, FILE *out, struct pipeline_result *res)
{
	struct run r;
	memset(&r, 0, sizeof(r));
	memset(res, 0, sizeof(*res));
	r.o = o;
	r.out = out;
	r.err = o->err ? o->err : stderr;
	r.res = res;
	if (o->n_inputs > 65535) {
		snprintf(res->first_error, sizeof(res->first_error), "too many inputs (at most 65535)");
		return false;
	}
	r.style.strip_width = 64;
	r.style.color = o->color;
	if (o->n_inputs >= 2) {
		if (!multipoint_init(&r.mp, o->n_inputs)) {
			snprintf(res->first_error, sizeof(res->first_error), "out of memory");
			return false;
		}
		r.mp_on = true;
	}
	jw_init(&r.jw, r.out);
	if (o->format == REPORT_JSON) {
		jw_obj(&r.jw, NULL);
		jw_obj(&r.jw, "deadair");
		jw_str(&r.jw, "version", DEADAIR_VERSION_STRING);
		jw_uint(&r.jw, "schema", REPORT_SCHEMA_VERSION);
		jw_obj_end(&r.jw);
		jw_arr(&r.jw, "captures");
	} else if (o->format == REPORT_HTML) {
		struct html_doc_opts ho = { .title = o->n_inputs == 1 ? o->inputs[0].name : NULL, .served = o->html_served };
		html_doc_begin(out, &ho);
	}
	for (size_t i = 0; i < o->n_inputs; i++) {
		int got = analyze_input(&r, &o->inputs[i], (uint16_t)i);
		if (got == 0)
			res->read++;
		else if (got > 0)
			res->partial++;
		else
			res->failed++;
	}
	if (o->format == REPORT_JSON) {
		jw_arr_end(&r.jw);
		if (r.mp_on) {
			jw_obj(&r.jw, "across_points");
			jw_arr(&r.jw, "calls");
			multipoint_each(&r.mp, mp_json, &r);
			jw_arr_end(&r.jw);
			jw_uint(&r.jw, "calls_not_followed", r.mp.dropped);
			jw_obj_end(&r.jw);
		} else {
			jw_null(&r.jw, "across_points");
		}
		jw_obj_end(&r.jw);
	} else if (o->format == REPORT_HTML) {
		if (r.mp_on)
			multipoint_each(&r.mp, o->quiet ? mp_count : mp_html, &r);
		html_doc_end(out);
	} else if (r.mp_on && !o->quiet) {
		size_t groups = multipoint_groups(&r.mp);
		report_multipoint_text_head(r.out, &r.mp, groups, &r.style);
		multipoint_each(&r.mp, mp_text, &r);
	} else if (r.mp_on) {
		multipoint_each(&r.mp, mp_count, &r);
	}
	if (r.mp_on)
		multipoint_free(&r.mp);
	res->any_finding = r.any_finding;
	res->worst = r.worst;
	return true;
}
