/* SPDX-License-Identifier: MIT */
/* The pipeline for a pasted SIP trace: the same stages and the same report as
 * for a capture, fed one rebuilt message at a time in time order, with the
 * analyzer told that the input holds signalling only. */
#include <stdlib.h>
#include <string.h>

#include "core/textsafe.h"
#include "pipeline/run.h"
#include "pipeline/trace_input.h"
#include "report/findings_report.h"
#include "report/trace_report.h"

bool pipeline_input_is_trace(const struct pipeline_opts *o, const struct pipeline_input *in)
{
	if (o->input_format == INPUT_CAPTURE)
		return false;
	if (o->input_format > TRACE_AUTO && o->input_format < TRACE__COUNT)
		return true;
	if (in->path)
		return !trace_input_file_is_capture(in->path);
	return in->data && in->len && !trace_input_is_capture(in->data, in->len);
}

int pipeline_analyze_trace(struct run *r, const struct pipeline_input *in, uint16_t point)
{
	const char *name = in->name ? in->name : in->path ? in->path : "input";
	if (r->filter) {
		fputs("deadair: ", r->err);
		textsafe_write(r->err, name, strlen(name));
		fputs(": a SIP trace, read whole: the capture filter applies to captures only\n", r->err);
	}
	struct trace_input *t = calloc(1, sizeof(*t));
	struct sip_msg *m = malloc(sizeof(*m));
	char err[400];
	if (!t || !m) {
		free(t);
		free(m);
		pipeline_note_error(r, name, "out of memory");
		return -1;
	}
	enum trace_format fmt = r->o->input_format > TRACE_AUTO && r->o->input_format < TRACE__COUNT
					? (enum trace_format)r->o->input_format
					: TRACE_AUTO;
	if (!trace_input_open(t, in->path, in->data, in->len, fmt, err, sizeof(err))) {
		pipeline_note_error(r, name, err);
		free(t);
		free(m);
		return -1;
	}
	struct dgram d;
	unsigned inf;
	struct trace_facts facts = t->facts;
	static const struct decode_stats no_decode;
	struct capture cap;
	memset(&cap, 0, sizeof(cap));
	cap.path = name;
	cap.point = point;
	cap.format = trace_format_name(facts.format);
	cap.linktype_name = "none";
	struct calls_config ccfg = calls_config_default();
	ccfg.duplicate_ns = 0; /* a log line is a send; its times may be coarse */
	ccfg.keep_raw = pipeline_keeps_raw(r->o);
	struct analyze_config acfg = {
		.rtp_timeout_s = r->o->rtp_timeout_s,
		.signalling_only = true,
		.lines = true,
		.no_times = facts.untimed == facts.messages,
	};
	if (!pipeline_input_begin(r, point, &ccfg, &acfg)) {
		pipeline_note_error(r, name, "out of memory or no temporary file");
		trace_input_close(t);
		free(t);
		free(m);
		return -1;
	}
	html_capture_set_lines(r->html, true);
	r->sum.cap = &cap;
	r->sum.dstats = &no_decode;
	r->trace = &facts;
	bool was_lines = r->style.lines;
	r->style.lines = true;
	if (r->o->format == REPORT_JSON) {
		struct jw *w = &r->jw;
		jw_obj(w, NULL);
		jw_uint(w, "point", (uint64_t)point + 1);
		jw_str(w, "file", name);
		jw_str(w, "format", trace_format_name(facts.format));
		jw_null(w, "link_type");
		jw_null(w, "snap_length");
		jw_str(w, "input", "trace");
		jw_str(w, "frame_unit", "line");
		jw_arr(w, "calls");
	} else if (r->o->format == REPORT_TEXT) {
		report_trace_header_text(r->out, point + 1u, name, &facts);
		if (r->o->list_messages)
			fprintf(r->out, "  %7s %11s  %-22s    %-22s %-4s  %-24s %s\n", "line", "time", "source",
				"destination", "via", "message", "Call-ID");
		fputc('\n', r->out);
	}
	bool out_of_time = false;
	while (trace_input_next(t, &d, m, &inf) == 1) {
		if (r->o->deadline_ns && (r->sum.frames & 255) == 0 && pipeline_now_ns() > r->o->deadline_ns) {
			out_of_time = true;
			break;
		}
		d.point = point;
		if (r->sum.frames == 0) {
			r->sum.first_ts = d.ts_ns;
			calls_set_origin(r->calls, d.ts_ns);
		}
		r->sum.frames++;
		r->sum.last_ts = d.ts_ns;
		r->sum.kind_frames[PK_SIP]++;
		calls_tick(r->calls, d.ts_ns);
		pipeline_sip(r, &d, m);
	}
	r->an.input_end_ts = r->sum.last_ts;
	calls_finish(r->calls);
	if (r->mp_on) {
		multipoint_point(r->mp, point, name, r->sum.first_ts, r->sum.last_ts);
		multipoint_point_sip_only(r->mp, point);
	}
	bool read_all = !out_of_time;
	if (out_of_time)
		snprintf(cap.errbuf, sizeof(cap.errbuf), "the analysis took longer than allowed");
	if (pipeline_note_late(r, read_all, cap.errbuf, sizeof(cap.errbuf)))
		out_of_time = true;
	if (r->o->format == REPORT_JSON) {
		pipeline_json_tail(r, &cap, out_of_time ? -1 : 0);
	} else if (r->o->format == REPORT_HTML) {
		patterns_finish(&r->pat);
		struct html_capture_info hi = {
			.name = name, .cap = &cap, .sum = &r->sum, .cs = calls_get_stats(r->calls), .an = &r->an,
			.complete = !out_of_time, .read_all = read_all, .error = cap.errbuf,
			.call_filter = r->o->call_filter,
			.selection = r->o->select ? r->o->select->desc : NULL,
			.calls_matched = r->calls_matched,
			.patterns = &r->pat,
		};
		html_capture_end(r->html, r->out, &hi);
	} else {
		report_diagnosis_summary_text(r->out, &r->an, &r->style);
		fputc('\n', r->out);
		pipeline_text_calls(r);
		const struct calls_stats *cs = calls_get_stats(r->calls);
		fprintf(r->out, "capture %u summary: %llu SIP messages (%llu requests, %llu responses) in %llu lines; "
			"calls %llu", point + 1u, (unsigned long long)r->sum.sip_messages,
			(unsigned long long)r->sum.sip_requests, (unsigned long long)r->sum.sip_responses,
			(unsigned long long)facts.lines, (unsigned long long)cs->calls);
		if (r->o->call_filter || r->o->select)
			fprintf(r->out, " (%u matching %s%s%s)", r->calls_matched, r->o->call_filter ? "--call" : "",
				r->o->call_filter && r->o->select ? ", " : "", r->o->select ? r->o->select->desc : "");
		fputc('\n', r->out);
		report_trace_limits_text(r->out, &facts);
		if (out_of_time && read_all)
			fprintf(r->out, "  warning: the report is cut short: %s\n", cap.errbuf);
		else if (out_of_time)
			fprintf(r->out, "  warning: reading stopped after %llu messages: %s\n",
				(unsigned long long)r->sum.frames, cap.errbuf);
		fputc('\n', r->out);
	}
	int result = 0;
	if (out_of_time) {
		pipeline_note_error(r, name, read_all ? "cut short: the analysis took longer than allowed"
						      : "stopped: the analysis took longer than allowed");
		r->res->timed_out = true;
		result = 1;
	}
	r->trace = NULL;
	r->style.lines = was_lines;
	pipeline_input_end(r);
	trace_input_close(t);
	free(t);
	free(m);
	return result;
}
