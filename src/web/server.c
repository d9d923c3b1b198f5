/* SPDX-License-Identifier: MIT */
/* The web server: libmicrohttpd parses HTTP (and multipart/form-data through
 * its post processor); this file routes, enforces the limits, runs the
 * pipeline on the bytes in memory and answers with the report or a readable
 * error. One thread per connection; no path from a request reaches the file
 * system (reports go to an unlinked temporary file, then to the client). */
#define _GNU_SOURCE
#include "web/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/sv.h"
#include "pipeline/pipeline.h"
#include "report/html_report.h"
#include "report/json.h"
#include "web/auth.h"
#include "web/page.h"

#define FORM_OVERHEAD (64u * 1024u)    /* multipart boundaries and part headers */
#define DRAIN_EXTRA (64u * 1024u * 1024u) /* body read and dropped before an error answer */
#define MAX_CALL_FILTER 255

struct server {
	struct server_config cfg;
	char token[AUTH_TOKEN_MAX + 1];
	size_t token_len;
	struct MHD_Daemon *d;
	atomic_uint busy;
	uint16_t port;
};

enum route { RT_FORM, RT_REPORT, RT_API, RT_NOT_FOUND };

static const char *const route_names[] = { "form", "report", "api", "not-found" };

struct buf {
	uint8_t *p;
	size_t n, cap;
};

struct req {
	struct server *srv;
	enum route route;
	bool post;
	bool slot;                 /* holds one of the analysis slots */
	unsigned status;           /* an error decided while the body comes in; 0: none */
	char message[480];
	struct MHD_PostProcessor *pp;
	struct buf file, text;
	char filename[128];
	uint64_t received;         /* body bytes seen, kept or not */
	uint64_t declared;         /* Content-Length, 0 if none */
	int64_t t0;
};

static bool buf_add(struct buf *b, const void *data, size_t n, uint64_t limit_total, size_t other)
{
	if ((uint64_t)b->n + n + other > limit_total)
		return false;
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;
		while (cap < b->n + n)
			cap *= 2;
		if ((uint64_t)cap > limit_total)
			cap = (size_t)limit_total;
		uint8_t *p = realloc(b->p, cap);
		if (!p)
			return false;
		b->p = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->n, data, n);
	b->n += n;
	return true;
}

static void buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static void fail(struct req *r, unsigned status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(struct req *r, unsigned status, const char *fmt, ...)
{
	if (r->status)
		return;
	r->status = status;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof(r->message), fmt, ap);
	va_end(ap);
}

static void too_large(struct req *r)
{
	char max[32], got[32];
	page_size(r->srv->cfg.max_upload, max, sizeof(max));
	if (r->declared > r->srv->cfg.max_upload + FORM_OVERHEAD) {
		page_size(r->declared, got, sizeof(got));
		fail(r, MHD_HTTP_CONTENT_TOO_LARGE,
		     "The upload is %s; this server takes at most %s (deadair serve --max-upload). Cut the capture down to "
		     "the call in question (editcap -A/-B, or a display filter such as \"sip || rtp\"), or run "
		     "deadair analyze on it locally.",
		     got, max);
	} else {
		fail(r, MHD_HTTP_CONTENT_TOO_LARGE,
		     "The upload is larger than this server takes: at most %s (deadair serve --max-upload). Cut the "
		     "capture down to the call in question (editcap -A/-B, or a display filter such as \"sip || rtp\"), "
		     "or run deadair analyze on it locally.",
		     max);
	}
}

static void security_headers(struct MHD_Response *resp, const char *csp)
{
	MHD_add_response_header(resp, "Content-Security-Policy", csp);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
}

static const char json_csp[] = "default-src 'none'; frame-ancestors 'none'";

static void log_req(const struct req *r, unsigned status)
{
	FILE *log = r->srv->cfg.log;
	if (!log)
		return;
	double ms = (double)(pipeline_now_ns() - r->t0) / 1e6;
	fprintf(log, "deadair serve: %s %s -> %u (%" PRIu64 " bytes in, %.0f ms)\n", r->post ? "POST" : "GET",
		route_names[r->route], status, r->received, ms);
	fflush(log);
}

/* Queues a response whose body is in a memory stream's buffer (taken over). */
static enum MHD_Result send_mem(struct MHD_Connection *c, struct req *r, unsigned status, const char *type,
				const char *csp, char *body, size_t len)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", type);
	security_headers(resp, csp);
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(resp, "WWW-Authenticate", "Basic realm=\"deadair\", charset=\"UTF-8\"");
	if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
		MHD_add_response_header(resp, "Retry-After", "5");
	enum MHD_Result ok = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	log_req(r, status);
	return ok;
}

static const char *status_title(unsigned status)
{
	switch (status) {
	case 400: return "Nothing to analyse";
	case 401: return "A token is needed";
	case 404: return "No such page";
	case 405: return "Method not allowed";
	case 413: return "The upload is too large";
	case 421: return "Wrong host name";
	case 422: return "Not a capture deadair can read";
	case 503: return "Busy: try again in a few seconds";
	default: return "Something went wrong";
	}
}

static enum MHD_Result send_error(struct MHD_Connection *c, struct req *r)
{
	char *body = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&body, &len);
	if (!f)
		return MHD_NO;
	unsigned status = r->status ? r->status : 500;
	if (r->route == RT_API) {
		struct jw w;
		jw_init(&w, f);
		jw_obj(&w, NULL);
		jw_obj(&w, "error");
		jw_uint(&w, "status", status);
		jw_str(&w, "title", status_title(status));
		jw_str(&w, "message", r->message);
		jw_obj_end(&w);
		jw_obj_end(&w);
		fclose(f);
		return send_mem(c, r, status, "application/json", json_csp, body, len);
	}
	page_error(f, status, status_title(status), r->message);
	fclose(f);
	char csp[400];
	page_csp(csp, sizeof(csp));
	return send_mem(c, r, status, "text/html; charset=utf-8", csp, body, len);
}

static enum MHD_Result send_form(struct MHD_Connection *c, struct req *r)
{
	char *body = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&body, &len);
	if (!f)
		return MHD_NO;
	char origin[160] = "http://127.0.0.1:8080";
	const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	if (host && strlen(host) < 100)
		snprintf(origin, sizeof(origin), "http://%s", host);
	struct page_info pi = { .max_upload = r->srv->cfg.max_upload, .max_time_s = r->srv->cfg.max_time_s,
				.origin = origin };
	page_form(f, &pi);
	fclose(f);
	char csp[400];
	page_csp(csp, sizeof(csp));
	return send_mem(c, r, MHD_HTTP_OK, "text/html; charset=utf-8", csp, body, len);
}

static void release_slot(struct req *r)
{
	if (r->slot) {
		atomic_fetch_sub(&r->srv->busy, 1);
		r->slot = false;
	}
}

static bool blank(const struct buf *b)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->p[i] != ' ' && b->p[i] != '\t' && b->p[i] != '\r' && b->p[i] != '\n')
			return false;
	return true;
}

static enum MHD_Result analyse(struct MHD_Connection *c, struct req *r)
{
	const struct server_config *cfg = &r->srv->cfg;
	struct pipeline_input in[2];
	size_t n = 0;
	memset(in, 0, sizeof(in));
	if (r->file.n)
		in[n++] = (struct pipeline_input){ .name = r->filename[0] ? r->filename : "upload", .data = r->file.p,
						   .len = r->file.n };
	if (r->text.n && !blank(&r->text))
		in[n++] = (struct pipeline_input){ .name = "pasted trace", .data = r->text.p, .len = r->text.n };
	if (!n) {
		fail(r, 400, "%s", r->route == RT_API ? "The request body is empty: send the capture or the SIP trace as the body."
						   : "Paste a SIP trace or choose a capture file, then press Analyze.");
		release_slot(r);
		return send_error(c, r);
	}
	enum report_format fmt = r->route == RT_API ? REPORT_JSON : REPORT_HTML;
	const char *type = r->route == RT_API ? "application/json" : "text/html; charset=utf-8";
	const char *want = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "format");
	if (r->route == RT_API && want) {
		if (!strcmp(want, "html")) {
			fmt = REPORT_HTML;
			type = "text/html; charset=utf-8";
		} else if (!strcmp(want, "text")) {
			fmt = REPORT_TEXT;
			type = "text/plain; charset=utf-8";
		} else if (strcmp(want, "json") != 0) {
			fail(r, 400, "format takes json, html or text.");
			release_slot(r);
			return send_error(c, r);
		}
	}
	const char *call = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "call");
	if (call && (!call[0] || strlen(call) > MAX_CALL_FILTER))
		call = NULL;
	double rtp_timeout = cfg->rtp_timeout_s;
	const char *rt = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "rtp_timeout");
	if (rt) {
		uint64_t v;
		if (!sv_to_u64(sv_from_cstr(rt), 86400, &v) || v == 0) {
			fail(r, 400, "rtp_timeout takes whole seconds, 1 to 86400.");
			release_slot(r);
			return send_error(c, r);
		}
		rtp_timeout = (double)v;
	}
	char *errtext = NULL;
	size_t errlen = 0;
	FILE *err = open_memstream(&errtext, &errlen);
	FILE *out = tmpfile();
	if (!out || !err) {
		if (out)
			fclose(out);
		if (err)
			fclose(err);
		free(errtext);
		fail(r, 500, "The server could not make room for the report (no temporary file).");
		release_slot(r);
		return send_error(c, r);
	}
	struct pipeline_opts po = {
		.inputs = in,
		.n_inputs = n,
		.format = fmt,
		.html_served = true,
		.call_filter = call,
		.rtp_timeout_s = rtp_timeout,
		.deadline_ns = pipeline_now_ns() + (int64_t)(cfg->max_time_s * 1e9),
		.err = err,
	};
	struct pipeline_result res;
	bool ran = pipeline_run(&po, out, &res);
	fclose(err);
	free(errtext);
	buf_free(&r->file);
	buf_free(&r->text);
	release_slot(r);
	if (!ran || res.read + res.partial == 0) {
		fclose(out);
		if (!ran)
			fail(r, 500, "The report could not be made: %s", res.first_error[0] ? res.first_error : "out of memory");
		else
			fail(r, 422, "%s. deadair reads pcap and pcapng captures (also gzip-compressed) and SIP "
				     "messages as text.",
			     res.first_error[0] ? res.first_error : "Nothing could be read");
		return send_error(c, r);
	}
	fflush(out);
	long size = ftell(out);
	int fd = size >= 0 ? dup(fileno(out)) : -1;
	fclose(out);
	struct MHD_Response *resp = fd >= 0 ? MHD_create_response_from_fd((uint64_t)size, fd) : NULL;
	if (!resp) {
		if (fd >= 0)
			close(fd);
		fail(r, 500, "The report could not be sent.");
		return send_error(c, r);
	}
	MHD_add_response_header(resp, "Content-Type", type);
	char csp[400];
	if (fmt == REPORT_HTML) {
		html_report_csp(csp, sizeof(csp));
		strncat(csp, "; frame-ancestors 'none'", sizeof(csp) - strlen(csp) - 1);
	} else {
		snprintf(csp, sizeof(csp), "%s", json_csp);
	}
	security_headers(resp, csp);
	if (res.timed_out)
		MHD_add_response_header(resp, "X-Deadair-Incomplete", "the analysis time limit was reached");
	enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	log_req(r, MHD_HTTP_OK);
	return ok;
}

static enum MHD_Result on_field(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
				const char *content_type, const char *transfer_encoding, const char *data, uint64_t off,
				size_t size)
{
	(void)kind;
	(void)content_type;
	(void)transfer_encoding;
	(void)off;
	struct req *r = cls;
	uint64_t max = r->srv->cfg.max_upload;
	if (!key)
		return MHD_YES;
	if (!strcmp(key, "capture")) {
		if (filename && !r->filename[0] && filename[0]) {
			const char *base = filename;
			for (const char *p = filename; *p; p++)
				if (*p == '/' || *p == '\\')
					base = p + 1;
			snprintf(r->filename, sizeof(r->filename), "%s", base);
		}
		if (!buf_add(&r->file, data, size, max, r->text.n)) {
			too_large(r);
			return MHD_NO;
		}
	} else if (!strcmp(key, "trace")) {
		if (!buf_add(&r->text, data, size, max, r->file.n)) {
			too_large(r);
			return MHD_NO;
		}
	}
	return MHD_YES;
}

static bool authorised(struct server *s, struct MHD_Connection *c)
{
	if (!s->token_len)
		return true;
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	return h && auth_header_ok(h, strlen(h), s->token, s->token_len);
}

/* First call of a request: route it and decide whether it may go on. */
static void begin(struct server *s, struct MHD_Connection *c, struct req *r, const char *url, const char *method)
{
	r->post = !strcmp(method, "POST");
	bool get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	if (!strcmp(url, "/"))
		r->route = RT_FORM;
	else if (!strcmp(url, "/report"))
		r->route = RT_REPORT;
	else if (!strcmp(url, "/api/analyze"))
		r->route = RT_API;
	else
		r->route = RT_NOT_FOUND;
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	uint64_t v;
	if (cl && sv_to_u64(sv_from_cstr(cl), UINT64_MAX, &v))
		r->declared = v;
	if (s->cfg.loopback) {
		const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
		if (!host || !auth_host_loopback(host, strlen(host), s->port)) {
			fail(r, 421, "This server answers only to 127.0.0.1, localhost or [::1] on port %u.", s->port);
			return;
		}
	}
	if (!authorised(s, c)) {
		fail(r, 401, "This server needs its token: as the password when the browser asks (any user name), or "
			     "as \"Authorization: Bearer TOKEN\" from a tool.");
		return;
	}
	if (r->route == RT_NOT_FOUND) {
		fail(r, 404, "There is nothing here. The form is at /, the API at POST /api/analyze.");
		return;
	}
	if (r->route == RT_FORM && !get) {
		fail(r, 405, "The form page is fetched with GET; it sends its data to /report.");
		return;
	}
	if (r->route != RT_FORM && !r->post) {
		fail(r, 405, "%s takes a POST with the capture or the trace.", r->route == RT_API ? "/api/analyze" : "/report");
		return;
	}
	if (r->route == RT_FORM)
		return;
	if (r->declared > s->cfg.max_upload + FORM_OVERHEAD) {
		too_large(r);
		return;
	}
	unsigned was = atomic_fetch_add(&s->busy, 1);
	if (was >= s->cfg.max_concurrent) {
		atomic_fetch_sub(&s->busy, 1);
		fail(r, 503, "This server is analysing %u uploads already (deadair serve --max-concurrent): try again in a "
			     "few seconds.",
		     s->cfg.max_concurrent);
		return;
	}
	r->slot = true;
	const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	/* a form from the page; the API takes the body as it is (curl --data-binary sends it as
	 * application/x-www-form-urlencoded) unless it is multipart (curl -F capture=@FILE) */
	bool multipart = ct && !strncasecmp(ct, "multipart/form-data", 19);
	bool urlencoded = ct && !strncasecmp(ct, "application/x-www-form-urlencoded", 33);
	if (multipart || (urlencoded && r->route == RT_REPORT)) {
		r->pp = MHD_create_post_processor(c, 65536, on_field, r);
		if (!r->pp)
			fail(r, 400, "The form data could not be read (a multipart body needs its boundary).");
	}
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	(void)version;
	struct server *s = cls;
	struct req *r = *con_cls;
	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		r->srv = s;
		r->t0 = pipeline_now_ns();
		*con_cls = r;
		begin(s, c, r, url, method);
		if (!r->post) {
			if (r->status)
				return send_error(c, r);
			return send_form(c, r);
		}
		/* a client waiting for "100 Continue" is answered before it sends the body */
		const char *expect = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
		if (r->status && expect && !strcasecmp(expect, "100-continue"))
			return send_error(c, r);
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		r->received += n;
		if (r->status) {
			/* the body is read and dropped so that the client sees the answer; but not forever */
			if (r->received > s->cfg.max_upload + DRAIN_EXTRA)
				return send_error(c, r);
			return MHD_YES;
		}
		if (r->pp) {
			if (MHD_post_process(r->pp, upload_data, n) != MHD_YES && !r->status)
				fail(r, 400, "The form data could not be read.");
		} else if (!buf_add(&r->file, upload_data, n, s->cfg.max_upload, 0)) {
			too_large(r);
		}
		if (r->status) {
			buf_free(&r->file);
			buf_free(&r->text);
		}
		return MHD_YES;
	}
	if (r->status) {
		release_slot(r);
		return send_error(c, r);
	}
	return analyse(c, r);
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	struct req *r = *con_cls;
	if (!r)
		return;
	if (r->pp)
		MHD_destroy_post_processor(r->pp);
	release_slot(r);
	buf_free(&r->file);
	buf_free(&r->text);
	free(r);
	*con_cls = NULL;
}

struct server *server_start(const struct server_config *cfg, char *err, size_t errcap)
{
	struct server *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errcap, "out of memory");
		return NULL;
	}
	s->cfg = *cfg;
	if (cfg->token) {
		snprintf(s->token, sizeof(s->token), "%s", cfg->token);
		s->token_len = strlen(s->token);
		s->cfg.token = NULL;
	}
	atomic_init(&s->busy, 0);
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
	if (cfg->addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	uint16_t port = cfg->addr.ss_family == AF_INET6 ? ntohs(((const struct sockaddr_in6 *)&cfg->addr)->sin6_port)
						      : ntohs(((const struct sockaddr_in *)&cfg->addr)->sin_port);
	s->port = port;
	s->d = MHD_start_daemon(flags, port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
				(const struct sockaddr *)&s->cfg.addr, MHD_OPTION_CONNECTION_LIMIT,
				(unsigned)cfg->max_connections, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->idle_timeout_s,
				MHD_OPTION_NOTIFY_COMPLETED, on_done, s, MHD_OPTION_END);
	if (!s->d) {
		snprintf(err, errcap, "cannot listen there (%s)", errno ? strerror(errno) : "address in use or not local");
		free(s);
		return NULL;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	if (info && info->port)
		s->port = info->port;
	return s;
}

uint16_t server_port(const struct server *s)
{
	return s->port;
}

void server_stop(struct server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->d);
	memset(s->token, 0, sizeof(s->token));
	free(s);
}
