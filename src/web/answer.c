/* SPDX-License-Identifier: MIT */
/* The answers of the web server: the form, the report (from its temporary
 * file) and readable errors, as a page or, for the API, as JSON; each with
 * its security headers, and one line in the log. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/html_report.h"
#include "report/json.h"
#include "web/page.h"
#include "web/request.h"

static const char *const route_names[] = { "form", "report", "api", "not-found" };

void req_fail(struct req *r, unsigned status, const char *title, const char *fmt, ...)
{
	if (r->status)
		return;
	r->status = status;
	r->title = title;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof(r->message), fmt, ap);
	va_end(ap);
}

void req_too_large(struct req *r)
{
	char max[32], got[32];
	page_size(r->srv->cfg.max_upload, max, sizeof(max));
	if (r->declared > r->srv->cfg.max_upload + FORM_OVERHEAD) {
		page_size(r->declared, got, sizeof(got));
		req_fail(r, MHD_HTTP_CONTENT_TOO_LARGE, NULL,
			 "The upload is %s; this server takes at most %s (deadair serve --max-upload). Cut the capture down to "
			 "the call in question (editcap -A/-B, or a display filter such as \"sip || rtp\"), or run "
			 "deadair analyze on it locally.",
			 got, max);
	} else {
		req_fail(r, MHD_HTTP_CONTENT_TOO_LARGE, NULL,
			 "The upload is larger than this server takes: at most %s (deadair serve --max-upload). Cut the "
			 "capture down to the call in question (editcap -A/-B, or a display filter such as \"sip || rtp\"), "
			 "or run deadair analyze on it locally.",
			 max);
	}
}

/* referrer: the policy; the form's is "same-origin", so that even a browser
 * without Sec-Fetch-Site sends the Origin of its POST (auth_same_origin) */
static void security_headers(struct MHD_Response *resp, const char *csp, const char *referrer)
{
	MHD_add_response_header(resp, "Content-Security-Policy", csp);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", referrer);
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
	/* the one 200 sent from memory is the form */
	security_headers(resp, csp, status == MHD_HTTP_OK ? "same-origin" : "no-referrer");
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
	case 400: return "Bad request";
	case 401: return "A token is needed";
	case 403: return "Refused";
	case 404: return "No such page";
	case 405: return "Method not allowed";
	case 413: return "The upload is too large";
	case 421: return "Wrong host name";
	case 422: return "Not a capture deadair can read";
	case 503: return "Busy: try again in a few seconds";
	default: return "Something went wrong";
	}
}

enum MHD_Result answer_error(struct MHD_Connection *c, struct req *r)
{
	char *body = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&body, &len);
	if (!f)
		return MHD_NO;
	unsigned status = r->status ? r->status : 500;
	const char *title = r->title ? r->title : status_title(status);
	if (r->route == RT_API) {
		struct jw w;
		jw_init(&w, f);
		jw_obj(&w, NULL);
		jw_obj(&w, "error");
		jw_uint(&w, "status", status);
		jw_str(&w, "title", title);
		jw_str(&w, "message", r->message);
		jw_obj_end(&w);
		jw_obj_end(&w);
		fclose(f);
		return send_mem(c, r, status, "application/json", json_csp, body, len);
	}
	page_error(f, status, title, r->message);
	fclose(f);
	char csp[400];
	page_csp(csp, sizeof(csp));
	return send_mem(c, r, status, "text/html; charset=utf-8", csp, body, len);
}

enum MHD_Result answer_form(struct MHD_Connection *c, struct req *r)
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

enum MHD_Result answer_report(struct MHD_Connection *c, struct req *r, FILE *out, bool incomplete, bool media)
{
	fflush(out);
	long size = ftell(out);
	int fd = size >= 0 ? dup(fileno(out)) : -1;
	struct MHD_Response *resp = fd >= 0 ? MHD_create_response_from_fd((uint64_t)size, fd) : NULL;
	if (!resp) {
		if (fd >= 0)
			close(fd);
		req_fail(r, 500, NULL, "The report could not be sent.");
		return answer_error(c, r);
	}
	MHD_add_response_header(resp, "Content-Type", r->type);
	char csp[400];
	if (r->fmt == REPORT_HTML) {
		html_report_csp_form(csp, sizeof(csp), media, r->form_trace);
		strncat(csp, "; frame-ancestors 'none'", sizeof(csp) - strlen(csp) - 1);
	} else {
		snprintf(csp, sizeof(csp), "%s", json_csp);
	}
	security_headers(resp, csp, "no-referrer");
	if (r->download && r->fmt == REPORT_HTML) /* one file, its style and script inside */
		MHD_add_response_header(resp, "Content-Disposition", "attachment; filename=\"deadair-report.html\"");
	if (incomplete)
		MHD_add_response_header(resp, "X-Deadair-Incomplete", "the analysis time limit was reached");
	enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	log_req(r, MHD_HTTP_OK);
	return ok;
}
