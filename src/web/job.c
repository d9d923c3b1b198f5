/* SPDX-License-Identifier: MIT */
/* The analyses of the web server. A request takes one of --max-concurrent
 * slots once its body is complete; its connection is suspended while a thread
 * of its own runs the pipeline on the uploaded bytes (which the analysis then
 * owns), writing the report to an unlinked temporary file, and resumed when it
 * ends. The pipeline stops reading at 9/10 of --max-time and leaves out (and
 * counts) the calls not reported by --max-time; should it still not have
 * returned a second later, the client is answered 503 and the analysis goes
 * on alone, holding its slot, until it does. */
#define _GNU_SOURCE
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sv.h"
#include "web/request.h"

#define ANSWER_GRACE_NS 1000000000LL   /* past --max-time, this long for the report to come */

enum job_state { JOB_RUNNING, JOB_DONE, JOB_ABANDONED };

/* One analysis: owns the uploaded bytes from the moment it starts. */
struct job {
	struct job *prev, *next;
	struct server *srv;
	struct MHD_Connection *c;
	struct req *r;             /* the request, while the job is not abandoned */
	enum job_state state;
	int64_t answer_by;
	struct pipeline_opts po;
	struct pipeline_input in[MAX_UPLOAD_FILES + 1];
	struct buf file, text;
	struct upload_part parts[MAX_UPLOAD_FILES];
	char call[MAX_CALL_FILTER + 1];
	FILE *out;
	bool ran;
	struct pipeline_result res;
};

static bool blank(const struct buf *b)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->p[i] != ' ' && b->p[i] != '\t' && b->p[i] != '\r' && b->p[i] != '\n')
			return false;
	return true;
}

static void job_free(struct job *j)
{
	if (j->out)
		fclose(j->out);
	buf_free(&j->file);
	buf_free(&j->text);
	free(j);
}

/* The thread of one analysis. Its connection is suspended until it ends, or
 * until the answer deadline, when job_tick resumes it with a 503 and the job
 * goes on alone, holding its slot, until the pipeline returns. */
static void *job_run(void *arg)
{
	struct job *j = arg;
	struct server *s = j->srv;
	char *errtext = NULL;
	size_t errlen = 0;
	FILE *err = open_memstream(&errtext, &errlen);
	j->po.err = err ? err : stderr;
	j->ran = pipeline_run(&j->po, j->out, &j->res);
	if (err)
		fclose(err);
	free(errtext);
	buf_free(&j->file);
	buf_free(&j->text);
	/* the slot is free before the answer goes out: a client answered may ask again at once */
	pthread_mutex_lock(&s->mu);
	bool abandoned = j->state == JOB_ABANDONED;
	if (!abandoned)
		j->state = JOB_DONE;
	if (j->prev)
		j->prev->next = j->next;
	else
		s->jobs = j->next;
	if (j->next)
		j->next->prev = j->prev;
	s->busy--;
	pthread_mutex_unlock(&s->mu);
	if (!abandoned)
		MHD_resume_connection(j->c);
	else
		job_free(j);
	pthread_mutex_lock(&s->mu);
	s->threads--;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

void job_tick(void *ctx, int64_t now)
{
	struct server *s = ctx;
	for (;;) {
		struct MHD_Connection *c = NULL;
		pthread_mutex_lock(&s->mu);
		for (struct job *j = s->jobs; j; j = j->next) {
			if (j->state == JOB_RUNNING && now > j->answer_by) {
				j->state = JOB_ABANDONED;
				j->r->abandoned = true;
				j->r = NULL;
				c = j->c;
				break;
			}
		}
		pthread_mutex_unlock(&s->mu);
		if (!c)
			return;
		MHD_resume_connection(c);
	}
}

/* The form's fields, as typed: the call filter without the blanks around it,
 * the RTP timeout in whole seconds (blank: the server's). False: r failed. */
static bool form_fields(struct req *r)
{
	size_t a = 0, n = strlen(r->call);
	while (a < n && isspace((unsigned char)r->call[a]))
		a++;
	while (n > a && isspace((unsigned char)r->call[n - 1]))
		n--;
	memmove(r->call, r->call + a, n - a);
	r->call[n - a] = '\0';
	struct sv rt = sv_from_cstr(r->rt_field);
	while (rt.n && isspace((unsigned char)rt.p[0])) {
		rt.p++;
		rt.n--;
	}
	while (rt.n && isspace((unsigned char)rt.p[rt.n - 1]))
		rt.n--;
	if (!rt.n)
		return true;
	uint64_t v;
	if (!sv_to_u64(rt, 86400, &v) || v == 0) {
		req_fail(r, 400, "A field is wrong", "The RTP timeout takes whole seconds, 1 to 86400.");
		return false;
	}
	r->rtp_timeout = (double)v;
	return true;
}

enum MHD_Result job_start(struct MHD_Connection *c, struct req *r)
{
	struct server *s = r->srv;
	const struct server_config *cfg = &s->cfg;
	if (!form_fields(r)) {
		req_release_body(r);
		return answer_error(c, r);
	}
	bool has_file = r->file.n > 0, has_text = r->text.n && !blank(&r->text);
	if (!has_file && !has_text) {
		req_fail(r, 400, "Nothing to analyse", "%s",
			 r->route == RT_API ? "The request body is empty: send the capture or the SIP trace as the body."
					    : "Paste a SIP trace or choose a capture file, then press Analyze.");
		req_release_body(r);
		return answer_error(c, r);
	}
	struct job *j = calloc(1, sizeof(*j));
	FILE *out = j ? tmpfile() : NULL;
	if (!j || !out) {
		free(j);
		req_fail(r, 500, NULL, "The server could not make room for the report (no memory or temporary file).");
		req_release_body(r);
		return answer_error(c, r);
	}
	pthread_mutex_lock(&s->mu);
	bool slot = !s->stopping && s->busy < cfg->max_concurrent;
	if (slot) {
		s->busy++;
		s->threads++;
		s->buffered -= r->held; /* the bytes are the analysis's now, within its slot */
	}
	pthread_mutex_unlock(&s->mu);
	if (!slot) {
		fclose(out);
		free(j);
		req_fail(r, 503, NULL,
			 "This server is analysing %u uploads already (deadair serve --max-concurrent): try again in a "
			 "few seconds.",
			 cfg->max_concurrent);
		req_release_body(r);
		return answer_error(c, r);
	}
	r->held = 0;
	j->srv = s;
	j->c = c;
	j->r = r;
	j->out = out;
	j->file = r->file;
	j->text = r->text;
	memset(&r->file, 0, sizeof(r->file));
	memset(&r->text, 0, sizeof(r->text));
	memcpy(j->parts, r->parts, sizeof(j->parts));
	memcpy(j->call, r->call, sizeof(j->call));
	size_t n = 0;
	/* each file a capture point, as analyze takes several files (the API's
	 * body, or a form without parts, is one) */
	unsigned n_parts = r->n_parts;
	if (has_file && !n_parts) {
		j->parts[0] = (struct upload_part){ .off = 0, .len = j->file.n };
		n_parts = 1;
	}
	for (unsigned i = 0; has_file && i < n_parts; i++) {
		if (!j->parts[i].len)
			continue;
		j->in[n++] = (struct pipeline_input){ .name = j->parts[i].name[0] ? j->parts[i].name : "upload",
						      .data = j->file.p + j->parts[i].off, .len = j->parts[i].len };
	}
	if (has_text)
		j->in[n++] = (struct pipeline_input){ .name = "pasted trace", .data = j->text.p, .len = j->text.n };
	/* reading stops at nine tenths of --max-time, leaving the rest to report
	 * the calls still open; at --max-time those not yet reported are counted,
	 * not analysed; the answer goes out a second later whatever happens */
	int64_t now = pipeline_now_ns(), max_ns = (int64_t)(cfg->max_time_s * 1e9);
	j->po = (struct pipeline_opts){
		.inputs = j->in,
		.n_inputs = n,
		.format = r->fmt,
		.html_served = !r->download, /* a file to save: no link back to this server */
		/* a paste stays in its box on the report, to edit and send again */
		.served_trace = has_text && !r->download && r->fmt == REPORT_HTML ? (const char *)j->text.p : NULL,
		.served_trace_len = has_text ? j->text.n : 0,
		.call_filter = j->call[0] ? j->call : NULL,
		.rtp_timeout_s = r->rtp_timeout,
		.deadline_ns = now + max_ns - max_ns / 10,
		.report_deadline_ns = now + max_ns,
		/* each call's audio to play and download, within the report's budget */
		.embed_audio = r->fmt == REPORT_HTML && cfg->embed_audio_max > 0,
		.embed_audio_max = cfg->embed_audio_max,
	};
	j->answer_by = now + max_ns + ANSWER_GRACE_NS;
	r->form_trace = j->po.served_trace != NULL;
	r->job = j;
	pthread_mutex_lock(&s->mu);
	j->next = s->jobs;
	if (s->jobs)
		s->jobs->prev = j;
	s->jobs = j;
	pthread_mutex_unlock(&s->mu);
	MHD_suspend_connection(c);
	pthread_attr_t attr;
	pthread_t t;
	bool made = pthread_attr_init(&attr) == 0;
	if (made) {
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		made = pthread_create(&t, &attr, job_run, j) == 0;
		pthread_attr_destroy(&attr);
	}
	if (!made) {
		pthread_mutex_lock(&s->mu);
		if (j->prev)
			j->prev->next = j->next;
		else
			s->jobs = j->next;
		if (j->next)
			j->next->prev = j->prev;
		s->busy--;
		s->threads--;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
		r->job = NULL;
		job_free(j);
		req_fail(r, 500, NULL, "The server could not start the analysis (no thread).");
		MHD_resume_connection(c);
	}
	return MHD_YES;
}

enum MHD_Result job_answer(struct MHD_Connection *c, struct req *r)
{
	struct server *s = r->srv;
	if (r->abandoned) {
		r->job = NULL;
		req_fail(r, 503, "The analysis ran out of time",
			 "The analysis did not finish within %g s (deadair serve --max-time). Cut the capture down to the "
			 "call in question (editcap -A/-B, or a display filter such as \"sip || rtp\"), or run deadair "
			 "analyze on it locally.",
			 s->cfg.max_time_s);
		return answer_error(c, r);
	}
	struct job *j = r->job;
	r->job = NULL;
	if (!j->ran || j->res.read + j->res.partial == 0) {
		if (!j->ran)
			req_fail(r, 500, NULL, "The report could not be made: %s",
				 j->res.first_error[0] ? j->res.first_error : "out of memory");
		else
			req_fail(r, 422, NULL,
				 "%s. deadair reads pcap and pcapng captures (also gzip-compressed) and SIP messages as text.",
				 j->res.first_error[0] ? j->res.first_error : "Nothing could be read");
		job_free(j);
		return answer_error(c, r);
	}
	bool incomplete = j->res.timed_out;
	enum MHD_Result ok = answer_report(c, r, j->out, incomplete, j->res.audio_embedded > 0);
	job_free(j);
	return ok;
}

void job_forget(struct req *r)
{
	/* an analysis abandoned is its thread's to free; one ended is ours */
	if (r->job && !r->abandoned)
		job_free(r->job);
	r->job = NULL;
}
