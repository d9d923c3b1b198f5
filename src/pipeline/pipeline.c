/* SPDX-License-Identifier: MIT */
/* The pipeline driver: each input is read once, frame by frame, through the
 * stages; calls are reported as they finish and then freed. Used by the
 * command line and the web server alike. */
#include "pipeline/pipeline.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "analyze/analyze.h"
#include "analyze/multipoint.h"
#include "calls/calls.h"
#include "core/textsafe.h"
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
#include "report/patterns_report.h"
#include "report/summary.h"
#include "report/trace_report.h"
#include "pipeline/points.h"
#include "pipeline/run.h"
#include "pipeline/trace_input.h"
#include "source/bpf.h"
#include "source/capture.h"

bool pipeline_filter_check(const char *expr, char *err, size_t errlen)
{
	struct frame_filter *f = frame_filter_new(expr, err, errlen);
	frame_filter_free(f);
	return f != NULL;
}

int64_t pipeline_now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Whether needle is in hay, any case (bounded by hay's terminator). */
static bool has_part(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	if (!n)
		return true;
	for (const char *p = hay; *p; p++) {
		size_t i = 0;
		while (i < n && p[i] && tolower((unsigned char)p[i]) == tolower((unsigned char)needle[i]))
			i++;
		if (i == n)
			return true;
	}
	return false;
}

/* The selection that needs no analysis: Call-ID, From, To, start time. */
static bool call_matches(const struct run *r, const struct call *c)
{
	const char *want = r->o->call_filter;
	const struct call_select *s = r->o->select;
	if (want) {
		/* the whole Call-ID, a prefix or any part of it, as people copy them */
		bool found = strstr(c->call_id, want) != NULL;
		for (unsigned i = 0; !found && i < c->n_links; i++)
			found = strstr(c->links[i], want) != NULL;
		if (!found)
			return false;
	}
	if (!s)
		return true;
	if (s->from && !has_part(c->a_uri, s->from))
		return false;
	if (s->to && !has_part(c->b_uri, s->to))
		return false;
	if (s->since_set && c->start_ts < (s->since_rel ? r->sum.first_ts : 0) + s->since_ns)
		return false;
	if (s->until_set && c->start_ts > (s->until_rel ? r->sum.first_ts : 0) + s->until_ns)
		return false;
	return true;
}

/* The selection by findings (after the analysis). */
static bool findings_match(const struct call_select *s, const struct findings *fs)
{
	if (!s)
		return true;
	if (s->min_sev >= 0) {
		bool ok = false;
		for (unsigned i = 0; i < fs->n && !ok; i++)
			ok = (int)fs->f[i].sev >= s->min_sev;
		if (!ok)
			return false;
	}
	if (s->n_findings) {
		bool ok = false;
		for (size_t k = 0; k < s->n_findings && !ok; k++)
			ok = findings_has(fs, s->findings[k]);
		if (!ok)
			return false;
	}
	return true;
}

static bool select_by_findings(const struct call_select *s)
{
	return s && (s->min_sev >= 0 || s->n_findings);
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
	/* calls are numbered in the order they began (the calls stage's creation
	 * order), whatever order they end in and whichever the filters keep */
	r->call_index = (unsigned)c->seq_no;
	r->res->calls++;
	audio_files_call_done(&r->audio, c);
	if (!call_matches(r, c))
		return;
	if (r->pick)
		pcap_pick_call(r->pick, c);
	if (r->o->report_deadline_ns && pipeline_now_ns() > r->o->report_deadline_ns) {
		r->res->calls_matched++;
		r->calls_matched++;
		r->late_calls++;
		return;
	}
	r->an.rtp_seen = c->capture_rtp;
	if (select_by_findings(r->o->select)) {
		/* a call the findings leave out counts in no total of the report */
		struct analyzer before = r->an;
		analyze_call(&r->an, c, &r->findings, &r->walk);
		if (!findings_match(r->o->select, &r->findings)) {
			r->an.calls = before.calls;
			r->an.calls_with_problems = before.calls_with_problems;
			memcpy(r->an.by_rule, before.by_rule, sizeof(r->an.by_rule));
			memcpy(r->an.by_sev, before.by_sev, sizeof(r->an.by_sev));
			r->an.any = before.any;
			r->an.worst = before.worst;
			return;
		}
	} else {
		analyze_call(&r->an, c, &r->findings, &r->walk);
	}
	r->res->calls_matched++;
	r->calls_matched++;
	note_findings(r, &r->findings);
	if (r->mp_on)
		multipoint_add(r->mp, c, r->call_index);
	/* patterns contrast every call with the others: not when some are left out */
	if (!r->o->call_filter && !r->o->select)
		patterns_add(&r->pat, c, r->call_index, &r->findings, &r->walk, &r->an);
	if (r->o->quiet)
		return;
	if (r->o->format == REPORT_JSON) {
		report_call_json(&r->jw, c, r->call_index, &r->findings, &r->walk);
	} else if (r->o->format == REPORT_HTML) {
		struct html_player pl;
		audio_files_player(&r->audio, c, &pl);
		html_capture_call(r->html, c, r->call_index, &r->findings, &r->walk, r->audio.emb ? &pl : NULL);
		audio_files_player_done(&r->audio, &pl);
	} else {
		long off = ftell(r->calls_text);
		report_call_text(r->calls_text, c, r->call_index, &r->style, &r->findings, &r->walk);
		if (off >= 0 && call_list_add(&r->list, c, r->call_index, &r->findings)) {
			r->list.v[r->list.n - 1].off = off;
			r->list.v[r->list.n - 1].len = ftell(r->calls_text) - off;
		}
	}
}

void pipeline_on_unsignalled(void *ctx, struct stream *s)
{
	struct run *r = ctx;
	if (r->o->quiet || r->o->call_filter || r->o->select || !r->unsig)
		return;
	if (r->o->report_deadline_ns && pipeline_now_ns() > r->o->report_deadline_ns) {
		r->late_streams++;
		return;
	}
	r->unsig_count++;
	if (r->o->format == REPORT_JSON)
		report_stream_json(&r->unsig_jw, s, s->first_ts);
	else if (r->o->format == REPORT_HTML)
		html_capture_stream(r->html, s);
	else
		report_stream_text(r->unsig, s, r->sum.first_ts, &r->style);
}

unsigned pipeline_threads(void)
{
	const char *e = getenv("DEADAIR_THREADS");
	return e && strcmp(e, "1") == 0 ? 1 : 2;
}

bool pipeline_keeps_raw(const struct pipeline_opts *o)
{
	return !o->quiet && (o->format == REPORT_HTML || o->whole_messages);
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

bool pipeline_input_begin(struct run *r, uint16_t point, const struct calls_config *ccfg,
			  const struct analyze_config *acfg)
{
	struct calls_sink csink = { .ctx = r, .call_done = pipeline_on_call, .stream_done = pipeline_on_unsignalled };
	r->calls = calls_new(ccfg, &csink);
	r->next_tick = INT64_MIN;
	r->unsig = tmpfile();
	r->calls_text = tmpfile();
	analyzer_init(&r->an, acfg);
	patterns_init(&r->pat);
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
	r->sum.filter = r->filter ? frame_filter_expr(r->filter) : NULL;
	r->call_index = 0;
	r->calls_matched = 0;
	r->late_calls = 0;
	r->late_streams = 0;
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
	call_list_free(&r->list);
	patterns_free(&r->pat);
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

void pipeline_note_error(struct run *r, const char *name, const char *what)
{
	fputs("deadair: ", r->err);
	textsafe_write(r->err, name, strlen(name));
	fputs(": ", r->err);
	textsafe_write(r->err, what, strlen(what));
	fputc('\n', r->err);
	if (!r->res->first_error[0])
		snprintf(r->res->first_error, sizeof(r->res->first_error), "%.200s: %.300s", name, what);
}

bool pipeline_note_late(struct run *r, bool read_all, char *errbuf, size_t cap)
{
	if (!r->late_calls && !r->late_streams)
		return false;
	char what[200];
	if (r->late_calls && r->late_streams)
		snprintf(what, sizeof(what), "%" PRIu64 " call%s and %" PRIu64 " unsignalled stream%s were not analysed",
			 r->late_calls, r->late_calls == 1 ? "" : "s", r->late_streams, r->late_streams == 1 ? "" : "s");
	else if (r->late_calls)
		snprintf(what, sizeof(what), "%" PRIu64 " call%s not analysed", r->late_calls,
			 r->late_calls == 1 ? " was" : "s were");
	else
		snprintf(what, sizeof(what), "%" PRIu64 " unsignalled stream%s not analysed", r->late_streams,
			 r->late_streams == 1 ? " was" : "s were");
	size_t n = strlen(errbuf);
	if (read_all || !n)
		snprintf(errbuf, cap, "the analysis took longer than allowed: %s", what);
	else if (n + 2 < cap)
		snprintf(errbuf + n, cap - n, "; %s", what);
	r->res->timed_out = true;
	return true;
}

static void mp_json(void *ctx, const struct mp_group *g)
{
	struct run *r = ctx;
	note_findings(r, &g->findings);
	report_multipoint_json(&r->jw, r->mp, g);
}

static void mp_text(void *ctx, const struct mp_group *g)
{
	struct run *r = ctx;
	note_findings(r, &g->findings);
	report_multipoint_text(r->out, r->mp, g, &r->style);
}

static void mp_html(void *ctx, const struct mp_group *g)
{
	struct run *r = ctx;
	note_findings(r, &g->findings);
	html_multipoint(r->out, r->mp, g, ++r->mp_groups);
}

static void mp_sum(void *ctx, const struct mp_group *g)
{
	mp_summary_add(ctx, g);
}

static void mp_count(void *ctx, const struct mp_group *g)
{
	note_findings(ctx, &g->findings);
}

static bool input_is_dir(const struct pipeline_input *in)
{
	struct stat sb;
	return in->path && stat(in->path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* --write-pcap, once the analysis has said which calls: their packets out
 * of the (one) capture input, said on the error stream. */
static void write_pcap_out(struct run *r, const struct pipeline_opts *o, struct pipeline_result *res)
{
	char err[400];
	const struct pipeline_input *in = &o->inputs[0];
	if (o->n_inputs != 1 || pipeline_input_is_trace(o, in)) {
		snprintf(err, sizeof(err), "--write-pcap needs one capture file (a pasted trace holds no packets)");
	} else if (res->read + res->partial == 0) {
		return;
	} else if (res->calls_matched == 0) {
		fprintf(r->err, "deadair: no call picked: %s not written\n", o->write_pcap);
		return;
	} else {
		struct pcap_pick_result pr;
		if (pcap_pick_write(r->pick, in, o, o->write_pcap, o->anonymize, &pr, err, sizeof(err))) {
			fprintf(r->err, "deadair: %llu packet(s) of %llu call(s) written to %s%s\n",
				(unsigned long long)pr.frames, (unsigned long long)pr.calls, o->write_pcap,
				o->anonymize ? ", anonymized" : "");
			if (pr.dropped)
				fprintf(r->err, "deadair: warning: %llu packet(s) left out, not anonymized (%s)\n",
					(unsigned long long)pr.dropped, pr.why_dropped);
			return;
		}
	}
	res->pcap_failed = true;
	snprintf(res->first_error, sizeof(res->first_error), "%s", err);
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
	audio_files_init(&r.audio, o->audio_dir, o->audio_mix, r.err);
	struct audio_embed emb;
	FILE *body = NULL;
	if (o->n_inputs > 65535) {
		snprintf(res->first_error, sizeof(res->first_error), "too many inputs (at most 65535)");
		return false;
	}
	r.style.strip_width = 64;
	r.style.color = o->color;
	/* text goes to terminals: what came from the wire is escaped on its way out */
	FILE *safe = NULL;
	if (o->format == REPORT_TEXT) {
		safe = textsafe_open(out, o->color);
		if (!safe) {
			snprintf(res->first_error, sizeof(res->first_error), "out of memory");
			return false;
		}
		r.out = safe;
	}
	if (o->filter) {
		r.filter = frame_filter_new(o->filter, res->first_error, sizeof(res->first_error));
		if (!r.filter) {
			if (safe)
				fclose(safe);
			return false;
		}
	}
	if (o->write_pcap) {
		r.pick = pcap_pick_new();
		if (!r.pick) {
			snprintf(res->first_error, sizeof(res->first_error), "out of memory");
			goto fail;
		}
	}
	/* with audio embedded, whether the policy allows it is known at the end:
	 * the body goes to a temporary file, the head is written last */
	if (o->embed_audio && o->format == REPORT_HTML) {
		audio_files_embed_init(&r.audio, &emb, o->embed_audio_max ? o->embed_audio_max : PIPELINE_EMBED_AUDIO_MAX);
		body = tmpfile();
		if (!body) {
			audio_files_embed_end(&emb);
			snprintf(res->first_error, sizeof(res->first_error), "no temporary file for the report");
			goto fail;
		}
		r.out = body;
	}
	/* capture points: one per input, or one per interface concerned when a
	 * file's interfaces carry the same SIP messages (points.h) */
	struct iface_points *pts = calloc(o->n_inputs ? o->n_inputs : 1, sizeof(*pts));
	uint16_t *base = calloc(o->n_inputs ? o->n_inputs : 1, sizeof(*base));
	struct multipoint mp;
	if (!pts || !base) {
		free(pts);
		free(base);
		snprintf(res->first_error, sizeof(res->first_error), "out of memory");
		goto fail;
	}
	size_t n_points = 0;
	struct capture_opts copts = { .reader = (enum capture_reader)o->reader, .max_inflated = o->max_inflated };
	for (size_t i = 0; i < o->n_inputs; i++) {
		const struct pipeline_input *in = &o->inputs[i];
		const char *name = in->name ? in->name : in->path ? in->path : "input";
		pts[i].n_groups = 1;
		pts[i].rest_group = -1;
		if (!input_is_dir(in) && !pipeline_input_is_trace(o, in) && n_points < 65535)
			points_scan(in, name, &copts, o->deadline_ns, &pts[i]);
		if (n_points + pts[i].n_groups > 65535)
			points_free(&pts[i]);
		base[i] = (uint16_t)n_points;
		n_points += pts[i].n_groups;
	}
	if (n_points >= 2) {
		if (!multipoint_init(&mp, n_points)) {
			for (size_t i = 0; i < o->n_inputs; i++)
				points_free(&pts[i]);
			free(pts);
			free(base);
			snprintf(res->first_error, sizeof(res->first_error), "out of memory");
			goto fail;
		}
		r.mp = &mp;
		r.mp_on = true;
	}
	/* across capture points the comparison comes first, known last: the
	 * reports of the inputs wait in a temporary file */
	FILE *inputs_text = NULL;
	if (r.mp_on && !o->quiet && (o->format == REPORT_TEXT || (o->format == REPORT_HTML && !body))) {
		inputs_text = tmpfile();
		if (!inputs_text) {
			multipoint_free(&mp);
			for (size_t i = 0; i < o->n_inputs; i++)
				points_free(&pts[i]);
			free(pts);
			free(base);
			snprintf(res->first_error, sizeof(res->first_error), "no temporary file for the report");
			goto fail;
		}
		r.out = inputs_text;
	}
	jw_init(&r.jw, r.out);
	/* JSON: the patterns of each input wait in a file for the top-level array */
	struct jw pat_jw;
	FILE *pat_file = NULL;
	if (o->format == REPORT_JSON && !o->call_filter && !o->select) {
		pat_file = tmpfile();
		if (pat_file) {
			jw_init(&pat_jw, pat_file);
			pat_jw.depth = 2;
			r.pat_jw = &pat_jw;
		}
	}
	if (o->format == REPORT_JSON) {
		jw_obj(&r.jw, NULL);
		jw_obj(&r.jw, "deadair");
		jw_str(&r.jw, "version", DEADAIR_VERSION_STRING);
		jw_uint(&r.jw, "schema", REPORT_SCHEMA_VERSION);
		jw_obj_end(&r.jw);
		jw_arr(&r.jw, "captures");
	} else if (o->format == REPORT_HTML && !body && !inputs_text) {
		struct html_doc_opts ho = { .title = o->n_inputs == 1 ? o->inputs[0].name : NULL, .served = o->html_served,
					    .trace = o->served_trace, .trace_len = o->served_trace_len };
		html_doc_begin(out, &ho);
	}
	for (size_t i = 0; i < o->n_inputs; i++) {
		const struct pipeline_input *in = &o->inputs[i];
		int got;
		if (input_is_dir(in)) {
			pipeline_note_error(&r, in->name ? in->name : in->path, "is a directory");
			got = -1;
		} else {
			got = pipeline_input_is_trace(o, in) ? pipeline_analyze_trace(&r, in, base[i])
							     : pipeline_analyze_capture(&r, in, base[i], &pts[i]);
		}
		points_free(&pts[i]);
		if (got == 0)
			res->read++;
		else if (got > 0)
			res->partial++;
		else
			res->failed++;
	}
	if (r.mp_on)
		multipoint_order(r.mp, o->points);
	else if (o->points)
		fputs("deadair: --points: one capture point only, nothing to put in order\n", r.err);
	if (o->format == REPORT_JSON) {
		jw_arr_end(&r.jw);
		if (pat_file) {
			/* patterns across calls, of every capture point */
			jw_arr(&r.jw, "patterns");
			fflush(pat_file);
			pipeline_copy_file(pat_file, r.out);
			if (pat_jw.has_items[2])
				r.jw.has_items[r.jw.depth] = true;
			jw_arr_end(&r.jw);
		} else {
			jw_null(&r.jw, "patterns");
		}
		if (r.mp_on) {
			jw_obj(&r.jw, "across_points");
			report_multipoint_json_head(&r.jw, r.mp);
			jw_arr(&r.jw, "calls");
			multipoint_each(r.mp, mp_json, &r);
			jw_arr_end(&r.jw);
			jw_uint(&r.jw, "calls_not_followed", r.mp->dropped);
			jw_obj_end(&r.jw);
		} else {
			jw_null(&r.jw, "across_points");
		}
		jw_obj_end(&r.jw);
	} else if (o->format == REPORT_HTML) {
		FILE *held = body ? body : inputs_text;
		if (held) {
			struct html_doc_opts ho = { .title = o->n_inputs == 1 ? o->inputs[0].name : NULL,
						    .served = o->html_served, .media = body && emb.embedded > 0,
						    .trace = o->served_trace, .trace_len = o->served_trace_len };
			html_doc_begin(out, &ho);
		}
		r.out = out;
		if (r.mp_on && !o->quiet) {
			struct mp_summary sum;
			memset(&sum, 0, sizeof(sum));
			multipoint_each(r.mp, mp_sum, &sum);
			html_multipoint_head(out, r.mp, &sum);
		}
		if (r.mp_on)
			multipoint_each(r.mp, o->quiet ? mp_count : mp_html, &r);
		if (held) {
			fflush(held);
			pipeline_copy_file(held, out);
		}
		html_doc_end(out);
	} else if (r.mp_on && !o->quiet) {
		/* the comparison first, then each input's report */
		r.out = safe;
		struct mp_summary sum;
		memset(&sum, 0, sizeof(sum));
		multipoint_each(r.mp, mp_sum, &sum);
		report_multipoint_text_head(r.out, r.mp, &sum, &r.style);
		multipoint_each(r.mp, mp_text, &r);
		if (inputs_text) {
			fflush(inputs_text);
			pipeline_copy_file(inputs_text, r.out);
		}
	} else if (r.mp_on) {
		multipoint_each(r.mp, mp_count, &r);
	}
	if (r.mp_on)
		multipoint_free(r.mp);
	if (pat_file)
		fclose(pat_file);
	if (inputs_text)
		fclose(inputs_text);
	free(pts);
	free(base);
	if (safe)
		fclose(safe);
	frame_filter_free(r.filter);
	if (r.pick) {
		write_pcap_out(&r, o, res);
		pcap_pick_free(r.pick);
	}
	if (o->audio_dir)
		fprintf(r.err, "deadair: %u WAV file(s) of decoded audio%s written to %s%s\n", r.audio.written + r.audio.mixed,
			o->audio_mix ? " (one stereo mix per call)" : "", o->audio_dir,
			r.audio.failed ? ", some could not be written" : "");
	if (body) {
		fclose(body);
		res->audio_embedded = emb.embedded;
		res->audio_too_large = emb.too_large;
		audio_files_embed_end(&emb);
	}
	res->any_finding = r.any_finding;
	res->worst = r.worst;
	return true;
fail:
	if (body) {
		fclose(body);
		audio_files_embed_end(&emb);
	}
	if (safe)
		fclose(safe);
	frame_filter_free(r.filter);
	pcap_pick_free(r.pick);
	return false;
}
