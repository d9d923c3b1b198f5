/* SPDX-License-Identifier: MIT */
/* The web server: libmicrohttpd parses HTTP (and multipart/form-data through
 * its post processor) on one polling thread (epoll); this file routes each
 * request, refuses what it must (foreign Host, no token, another site, too
 * large), keeps the body within the upload limit and the memory budget of
 * uploads in flight, and hands a complete one to job.c. How long a client may
 * take over its headers and body is guard.c's; answers are answer.c's. No
 * path from a request reaches the file system. */
#define _GNU_SOURCE
#include "web/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/sv.h"
#include "web/request.h"

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

void buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void req_release_body(struct req *r)
{
	struct server *s = r->srv;
	if (r->held) {
		pthread_mutex_lock(&s->mu);
		s->buffered -= r->held;
		pthread_mutex_unlock(&s->mu);
		r->held = 0;
	}
	buf_free(&r->file);
	buf_free(&r->text);
}

/* Keeps n more bytes of the body in b, within the upload limit and the budget
 * of bytes all requests may hold while they arrive; false (and the error
 * decided) when it cannot. */
static bool keep(struct req *r, struct buf *b, const void *data, size_t n, size_t other)
{
	struct server *s = r->srv;
	if ((uint64_t)b->n + n + other > s->cfg.max_upload) {
		req_too_large(r);
		return false;
	}
	pthread_mutex_lock(&s->mu);
	bool room = s->buffered + n <= s->buffer_budget;
	if (room)
		s->buffered += n;
	pthread_mutex_unlock(&s->mu);
	if (!room) {
		req_fail(r, MHD_HTTP_SERVICE_UNAVAILABLE, "Busy: try again in a few seconds",
			 "This server is receiving as many uploads as it can hold at once: try again in a few seconds.");
		return false;
	}
	r->held += n;
	if (!buf_add(b, data, n, s->cfg.max_upload, other)) {
		req_fail(r, 500, NULL, "The server has no memory left for this upload.");
		return false;
	}
	return true;
}

static enum MHD_Result on_field(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
				const char *content_type, const char *transfer_encoding, const char *data, uint64_t off,
				size_t size)
{
	(void)kind;
	(void)content_type;
	(void)transfer_encoding;
	struct req *r = cls;
	if (!key)
		return MHD_YES;
	if (!strcmp(key, "capture")) {
		/* each file of the form starts a part of its own (a capture point);
		 * an empty file input leaves an empty part, which the next reuses */
		if (off == 0 && (!r->n_parts || r->parts[r->n_parts - 1].len)) {
			if (r->n_parts == MAX_UPLOAD_FILES) {
				req_fail(r, 400, "Too many files",
					 "At most %u files can be sent at once, each a capture point.", MAX_UPLOAD_FILES);
				return MHD_NO;
			}
			r->n_parts++;
		}
		if (!r->n_parts)
			return MHD_YES;
		struct upload_part *part = &r->parts[r->n_parts - 1];
		if (off == 0) {
			part->off = r->file.n;
			part->len = 0;
			part->name[0] = '\0';
			if (filename && filename[0]) {
				const char *base = filename;
				for (const char *p = filename; *p; p++)
					if (*p == '/' || *p == '\\')
						base = p + 1;
				snprintf(part->name, sizeof(part->name), "%s", base);
			}
		}
		if (!keep(r, &r->file, data, size, r->text.n))
			return MHD_NO;
		part->len += size;
	} else if (!strcmp(key, "call") || !strcmp(key, "rtp_timeout")) {
		/* the form's fields; the query's parameters for the API */
		bool call = key[0] == 'c';
		char *dst = call ? r->call : r->rt_field;
		size_t cap = call ? sizeof(r->call) : sizeof(r->rt_field);
		if (off + size >= cap) {
			req_fail(r, 400, "A field is too long", "%s",
				 call ? "The call filter takes at most 255 characters (a Call-ID or a part of one)."
				      : "The RTP timeout takes whole seconds, 1 to 86400.");
			return MHD_NO;
		}
		memcpy(dst + off, data, size);
		dst[off + size] = '\0';
	} else if (!strcmp(key, "download")) {
		r->download = true;
	} else if (!strcmp(key, "trace")) {
		if (!keep(r, &r->text, data, size, r->file.n))
			return MHD_NO;
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

static size_t len_or_0(const char *s)
{
	return s ? strlen(s) : 0;
}

/* The query of an analysis: which report, which call, which watchdog. */
static void parameters(struct MHD_Connection *c, struct req *r)
{
	r->fmt = r->route == RT_API ? REPORT_JSON : REPORT_HTML;
	r->type = r->route == RT_API ? "application/json" : "text/html; charset=utf-8";
	r->rtp_timeout = r->srv->cfg.rtp_timeout_s;
	const char *want = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "format");
	if (r->route == RT_API && want) {
		if (!strcmp(want, "html")) {
			r->fmt = REPORT_HTML;
			r->type = "text/html; charset=utf-8";
		} else if (!strcmp(want, "text")) {
			r->fmt = REPORT_TEXT;
			r->type = "text/plain; charset=utf-8";
		} else if (strcmp(want, "json") != 0) {
			req_fail(r, 400, "A parameter is wrong", "format takes json, html or text.");
			return;
		}
	}
	const char *call = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "call");
	if (call && call[0] && strlen(call) <= MAX_CALL_FILTER)
		snprintf(r->call, sizeof(r->call), "%s", call);
	const char *rt = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "rtp_timeout");
	if (rt) {
		uint64_t v;
		if (!sv_to_u64(sv_from_cstr(rt), 86400, &v) || v == 0) {
			req_fail(r, 400, "A parameter is wrong", "rtp_timeout takes whole seconds, 1 to 86400.");
			return;
		}
		r->rtp_timeout = (double)v;
	}
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
	const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	uint16_t port = atomic_load(&s->port);
	if (s->cfg.loopback && (!host || !auth_host_loopback(host, strlen(host), port, s->self))) {
		req_fail(r, 421, NULL, "This server answers only to %s:%u (or 127.0.0.1, localhost, [::1] on that port).",
			 s->self, port);
		return;
	}
	if (!authorised(s, c)) {
		req_fail(r, 401, NULL,
			 "This server needs its token: as the password when the browser asks (any user name), or as "
			 "\"Authorization: Bearer TOKEN\" from a tool.");
		return;
	}
	if (r->route == RT_NOT_FOUND) {
		req_fail(r, 404, NULL, "There is nothing here. The form is at /, the API at POST /api/analyze.");
		return;
	}
	if (r->route == RT_FORM && !get) {
		req_fail(r, 405, NULL, "The form page is fetched with GET; it sends its data to /report.");
		return;
	}
	if (r->route != RT_FORM && !r->post) {
		req_fail(r, 405, NULL, "%s takes a POST with the capture or the trace.",
			 r->route == RT_API ? "/api/analyze" : "/report");
		return;
	}
	if (r->route == RT_FORM)
		return;
	/* a page of another site must not make the user's browser send uploads here */
	const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	const char *site = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Sec-Fetch-Site");
	if (!auth_same_origin(origin, len_or_0(origin), site, len_or_0(site), host, len_or_0(host))) {
		req_fail(r, 403, "Refused: a request from another site",
			 "This server takes uploads only from its own page, and this request came from another site "
			 "(its Origin or Sec-Fetch-Site header says so). Open the form at http://%.100s/ and send it from "
			 "there; tools such as curl send neither header.",
			 host ? host : s->self);
		return;
	}
	if (r->declared > s->cfg.max_upload + FORM_OVERHEAD) {
		req_too_large(r);
		return;
	}
	parameters(c, r);
	if (r->status)
		return;
	const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	/* a form from the page; the API takes the body as it is (curl --data-binary sends it as
	 * application/x-www-form-urlencoded) unless it is multipart (curl -F capture=@FILE) */
	bool multipart = ct && !strncasecmp(ct, "multipart/form-data", 19);
	bool urlencoded = ct && !strncasecmp(ct, "application/x-www-form-urlencoded", 33);
	if (multipart || (urlencoded && r->route == RT_REPORT)) {
		r->pp = MHD_create_post_processor(c, 65536, on_field, r);
		if (!r->pp)
			req_fail(r, 400, "The form data could not be read",
				 "The form data could not be read (a multipart body needs its boundary).");
	}
}

static struct guard_conn *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
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
		r->gc = conn_of(c);
		r->t0 = pipeline_now_ns();
		*con_cls = r;
		begin(s, c, r, url, method);
		if (!r->post) {
			if (!guard_busy(s->guard, r->gc))
				return MHD_NO;
			if (r->status)
				return answer_error(c, r);
			return answer_form(c, r);
		}
		/* a client waiting for "100 Continue" is answered before it sends the body */
		const char *expect = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
		if (r->status && expect && !strcasecmp(expect, "100-continue")) {
			if (!guard_busy(s->guard, r->gc))
				return MHD_NO;
			return answer_error(c, r);
		}
		guard_body_begin(s->guard, r->gc, r->route == RT_API);
		return MHD_YES;
	}
	if (r->job || r->abandoned)
		return job_answer(c, r);
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (!guard_body(s->guard, r->gc, n))
			return MHD_NO;
		r->received += n;
		if (r->status) {
			/* the body is read and dropped so that the client sees the answer; but not forever */
			if (r->received > s->cfg.max_upload + DRAIN_EXTRA)
				return guard_busy(s->guard, r->gc) ? answer_error(c, r) : MHD_NO;
			return MHD_YES;
		}
		if (r->pp) {
			if (MHD_post_process(r->pp, upload_data, n) != MHD_YES && !r->status)
				req_fail(r, 400, "The form data could not be read", "The form data could not be read.");
		} else {
			keep(r, &r->file, upload_data, n, 0);
		}
		if (r->status)
			req_release_body(r);
		return MHD_YES;
	}
	if (!guard_busy(s->guard, r->gc))
		return MHD_NO;
	if (r->status)
		return answer_error(c, r);
	return job_start(c, r);
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct server *s = cls;
	(void)toe;
	struct req *r = *con_cls;
	if (!r)
		return;
	if (r->pp)
		MHD_destroy_post_processor(r->pp);
	job_forget(r);
	req_release_body(r);
	free(r);
	*con_cls = NULL;
	guard_idle(s->guard, conn_of(c));
}

/* libmicrohttpd's own messages: all of them while the server starts, then at
 * most one in 5 s (clients that go away mid-request are routine; slow ones
 * closed by the guard would otherwise give a line each). */
/* fmt: one of libmicrohttpd's own formats */
static __attribute__((format(printf, 2, 0))) void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct server *s = cls;
	FILE *log = s->cfg.log ? s->cfg.log : stderr;
	pthread_mutex_lock(&s->mu);
	int64_t now = pipeline_now_ns();
	bool say = !s->started || now - s->mhd_said >= 5000000000LL;
	unsigned quiet = s->mhd_quiet;
	if (say) {
		s->mhd_said = now;
		s->mhd_quiet = 0;
	} else {
		s->mhd_quiet++;
	}
	pthread_mutex_unlock(&s->mu);
	if (!say || (s->started && !s->cfg.log))
		return;
	char msg[400];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	if (quiet)
		fprintf(log, "deadair serve: libmicrohttpd: %s (and %u more such messages)\n", msg, quiet);
	else
		fprintf(log, "deadair serve: libmicrohttpd: %s\n", msg);
	fflush(log);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct server *s = cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		*socket_context = ci ? guard_open(s->guard, ci->connect_fd) : NULL;
	} else {
		guard_close(s->guard, *socket_context);
		*socket_context = NULL;
	}
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct server *s = cls;
	(void)uri;
	guard_request_line(s->guard, conn_of(c));
	return NULL;
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
	/* uploads still arriving hold at most as much memory as the analyses may */
	s->buffer_budget = cfg->max_upload * cfg->max_concurrent;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	uint16_t port;
	if (cfg->addr.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&cfg->addr;
		char text[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof(text));
		snprintf(s->self, sizeof(s->self), "[%s]", text);
		port = ntohs(a->sin6_port);
	} else {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&cfg->addr;
		inet_ntop(AF_INET, &a->sin_addr, s->self, sizeof(s->self));
		port = ntohs(a->sin_port);
	}
	atomic_init(&s->port, port);
	struct guard_config gcfg = {
		.header_timeout_s = cfg->header_timeout_s,
		.body_timeout_s = cfg->body_timeout_s,
		.min_rate = cfg->min_rate,
		.max_connections = cfg->max_connections,
		.log = cfg->log,
		.tick = job_tick,
		.tick_ctx = s,
	};
	s->guard = guard_new(&gcfg);
	if (!s->guard) {
		snprintf(err, errcap, "out of memory");
		goto fail;
	}
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	if (cfg->addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	errno = 0;
	s->d = MHD_start_daemon(flags, port, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s,
				MHD_OPTION_SOCK_ADDR,
				(const struct sockaddr *)&s->cfg.addr, MHD_OPTION_CONNECTION_LIMIT,
				(unsigned)cfg->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
				(unsigned)cfg->max_per_client, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->idle_timeout_s,
				MHD_OPTION_NOTIFY_COMPLETED, on_done, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
				MHD_OPTION_URI_LOG_CALLBACK, on_uri, s, MHD_OPTION_END);
	if (!s->d) {
		snprintf(err, errcap, "cannot listen there (%s)", errno ? strerror(errno) : "address in use or not local");
		goto fail;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	if (info && info->port)
		atomic_store(&s->port, info->port);
	pthread_mutex_lock(&s->mu);
	s->started = true;
	pthread_mutex_unlock(&s->mu);
	return s;
fail:
	guard_free(s->guard);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
	return NULL;
}

uint16_t server_port(const struct server *s)
{
	return atomic_load(&s->port);
}

void server_stop(struct server *s)
{
	if (!s)
		return;
	/* no new connections; analyses running end (bounded by --max-time) and are answered */
	MHD_socket ls = MHD_quiesce_daemon(s->d);
	pthread_mutex_lock(&s->mu);
	s->stopping = true;
	while (s->threads)
		pthread_cond_wait(&s->cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
	guard_stop(s->guard);
	MHD_stop_daemon(s->d);
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	guard_free(s->guard);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	memset(s->token, 0, sizeof(s->token));
	free(s);
}
