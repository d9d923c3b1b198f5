/* SPDX-License-Identifier: MIT */
/* deadair watch's HTTP server (http.h). Every answer is rendered from the
 * snapshot current when the request came, held by a reference, never under
 * the lock the capture loop publishes with. GET and HEAD only. */
#include "watch/http.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sv.h"
#include "report/html_report.h"
#include "watch/live.h"
#include "watch/metrics.h"
#include "web/auth.h"

struct http_server {
	struct MHD_Daemon *d;
	struct snap_box *box;
	bool loopback;
	char token[AUTH_TOKEN_MAX + 1];
	size_t token_len;
	char self[64];      /* the address listened on, as in a URL */
	_Atomic uint16_t port;
};

static void security_headers(struct MHD_Response *r, const char *csp)
{
	MHD_add_response_header(r, "Content-Security-Policy", csp);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
}

static const char plain_csp[] = "default-src 'none'; frame-ancestors 'none'";

/* Queues body (malloc'd, taken over). */
static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, const char *type, const char *csp, char *body,
			    size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	security_headers(r, csp);
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(r, "WWW-Authenticate", "Basic realm=\"deadair\", charset=\"UTF-8\"");
	enum MHD_Result ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *text)
{
	char *body = strdup(text);
	if (!body)
		return MHD_NO;
	return answer(c, status, "text/plain; charset=utf-8", plain_csp, body, strlen(body));
}

/* The report of finished call n, copied out of the snapshot. */
static enum MHD_Result report(struct http_server *s, struct MHD_Connection *c, const struct snap *sn, const char *num)
{
	uint64_t n;
	if (!sv_to_u64(sv_from_cstr(num), UINT64_MAX, &n))
		return send_text(c, 404, "No such call.\n");
	for (unsigned i = 0; sn && i < sn->n_done; i++) {
		const struct snap_done *d = &sn->done[i];
		if (d->n != n)
			continue;
		if (!d->report)
			return send_text(c, 404, "This call's report was not kept (too large).\n");
		char *body = malloc(d->report->len ? d->report->len : 1);
		if (!body)
			return MHD_NO;
		memcpy(body, d->report->html, d->report->len);
		char csp[400];
		html_report_csp(csp, sizeof(csp), false);
		return answer(c, 200, "text/html; charset=utf-8", csp, body, d->report->len);
	}
	(void)s;
	return send_text(c, 404, "No such call among the recent finished ones (see /calls.json).\n");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct http_server *s = cls;
	(void)version;
	(void)upload_data;
	(void)upload_size;
	(void)con_cls;
	/* answered as soon as the headers are in: a body is never read (libmicrohttpd
	 * closes the connection after the answer instead) */
	const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	if (s->loopback && (!host || !auth_host_loopback(host, strlen(host), atomic_load(&s->port), s->self)))
		return send_text(c, 421, "This server answers only to its loopback address (127.0.0.1, localhost, [::1]).\n");
	if (s->token_len) {
		const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
		if (!h || !auth_header_ok(h, strlen(h), s->token, s->token_len))
			return send_text(c, 401, "This server needs its token: \"Authorization: Bearer TOKEN\", or as "
						 "the password of HTTP Basic authentication.\n");
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return send_text(c, 405, "deadair watch answers GET only.\n");
	char *body = NULL;
	size_t len = 0;
	if (!strcmp(url, "/")) {
		FILE *f = open_memstream(&body, &len);
		if (!f)
			return MHD_NO;
		livepage_write(f);
		fclose(f);
		char csp[512];
		livepage_csp(csp, sizeof(csp));
		return answer(c, 200, "text/html; charset=utf-8", csp, body, len);
	}
	struct snap *sn = snap_box_get(s->box);
	enum MHD_Result ok;
	if (!strcmp(url, "/metrics") || !strcmp(url, "/calls.json")) {
		FILE *f = open_memstream(&body, &len);
		if (!f) {
			snap_unref(sn);
			return MHD_NO;
		}
		bool metrics = !strcmp(url, "/metrics");
		if (sn && metrics)
			metrics_write(f, sn);
		else if (sn)
			livepage_calls_json(f, sn);
		else if (!metrics)
			fputs("{\"now\":null,\"ended\":false,\"in_progress\":0,\"finished\":0,\"frames\":0,\"calls\":[],"
			      "\"recent\":[]}\n",
			      f);
		fclose(f);
		ok = answer(c, 200, metrics ? METRICS_CONTENT_TYPE : "application/json", plain_csp, body, len);
	} else if (!strncmp(url, "/report/", 8)) {
		ok = report(s, c, sn, url + 8);
	} else {
		ok = send_text(c, 404, "Nothing here: / (the live page), /calls.json, /metrics, /report/N.\n");
	}
	snap_unref(sn);
	return ok;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	(void)fmt;
	(void)ap;   /* a client's error is not watch's */
}

struct http_server *http_start(const struct http_config *cfg, struct snap_box *box, char *err, size_t errlen)
{
	struct http_server *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->box = box;
	s->loopback = cfg->loopback;
	if (cfg->token) {
		snprintf(s->token, sizeof(s->token), "%s", cfg->token);
		s->token_len = strlen(s->token);
	}
	uint16_t port;
	if (cfg->addr.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)&cfg->addr;
		char a[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, &a6->sin6_addr, a, sizeof(a));
		snprintf(s->self, sizeof(s->self), "[%s]", a);
		port = ntohs(a6->sin6_port);
	} else {
		const struct sockaddr_in *a4 = (const struct sockaddr_in *)&cfg->addr;
		inet_ntop(AF_INET, &a4->sin_addr, s->self, sizeof(s->self));
		port = ntohs(a4->sin_port);
	}
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	if (cfg->addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* the server's thread takes none of watch's signals: they stay with the capture loop */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	s->d = MHD_start_daemon(flags, port, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s,
				MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&cfg->addr, MHD_OPTION_CONNECTION_LIMIT,
				(unsigned)HTTP_MAX_CONNECTIONS, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
				(unsigned)(cfg->loopback ? 0 : HTTP_MAX_PER_CLIENT), MHD_OPTION_CONNECTION_TIMEOUT,
				(unsigned)HTTP_TIMEOUT_S, MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!s->d) {
		snprintf(err, errlen, "cannot listen on %s:%u (in use, or not an address of this machine)", s->self, port);
		free(s);
		return NULL;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	atomic_store(&s->port, info && info->port ? info->port : port);
	return s;
}

uint16_t http_port(const struct http_server *s)
{
	return s ? atomic_load(&s->port) : 0;
}

void http_stop(struct http_server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->d);
	memset(s->token, 0, sizeof(s->token));
	free(s);
}
