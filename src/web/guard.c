/* SPDX-License-Identifier: MIT */
/* The connection guard of `deadair serve`: deadlines for the headers, a
 * minimum rate for the body, room made near the connection limit.
 *
 * Written here because libmicrohttpd 0.9.75 (Debian 12) has no such clock:
 * its one timeout (MHD_OPTION_CONNECTION_TIMEOUT) is an idle timeout that
 * every byte received starts again, so a client sending a byte every few
 * seconds holds a connection for ever, and it offers no call to end a
 * connection from outside its own callbacks. The guard learns of connections
 * through MHD_OPTION_NOTIFY_CONNECTION (which reports a connection closed
 * before its socket is) and of their progress through the server's callbacks;
 * a thread looks at them a few times a second, and ends one by writing a 408
 * answer (RFC 9110 section 15.5.9) and shutting its socket down, which
 * libmicrohttpd then sees as the client going away. Everything else about the
 * connection stays libmicrohttpd's. */
#define _GNU_SOURCE
#include "web/guard.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "pipeline/pipeline.h"

enum phase {
	PH_WAIT,     /* nothing of a request yet (a new or kept-alive connection) */
	PH_HEADERS,  /* the request line came; its headers are awaited */
	PH_BODY,     /* the headers are complete; the body is awaited */
	PH_BUSY,     /* the request is complete: analysed or answered */
};

enum why { W_HEADERS, W_BODY, W_ROOM, W_N };

struct guard_conn {
	struct guard_conn *prev, *next;
	int fd;
	enum phase phase;
	int64_t since;             /* the phase began */
	uint64_t body;             /* body bytes so far */
	int64_t win_start;         /* the current stretch of the body began */
	uint64_t win_body;         /* body bytes when it began */
	bool api;                  /* answer a timeout as JSON */
	bool dropped;              /* closed by the guard */
	bool kept;                 /* kept alive after an answer */
};

struct guard {
	struct guard_config cfg;
	int64_t header_ns, body_ns, room_age_ns;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	bool stop;
	bool joined;
	struct guard_conn *head;
	unsigned open;
	unsigned dropping;         /* closed by the guard, not yet gone */
	unsigned closed[W_N];      /* since the last log line */
};

static void send_408(struct guard *g, struct guard_conn *c, enum why why)
{
	char msg[320], out[640];
	if (why == W_HEADERS)
		snprintf(msg, sizeof(msg), "The request's headers did not arrive within %g s (deadair serve --header-timeout).",
			 g->cfg.header_timeout_s);
	else if (why == W_BODY)
		snprintf(msg, sizeof(msg), "The upload came slower than %llu bytes per second over %g s (deadair serve "
					   "--min-rate, --body-timeout).",
			 (unsigned long long)g->cfg.min_rate, g->cfg.body_timeout_s);
	else
		snprintf(msg, sizeof(msg), "The request's headers were still coming after %g s while the server was near "
					   "its connection limit.",
			 (double)g->room_age_ns / 1e9);
	char body[420];
	int bn;
	if (c->api)
		bn = snprintf(body, sizeof(body),
			      "{\"error\": {\"status\": 408, \"title\": \"The request took too long\", \"message\": \"%s\"}}\n", msg);
	else
		bn = snprintf(body, sizeof(body), "408 The request took too long\n\n%s\n", msg);
	if (bn < 0 || (size_t)bn >= sizeof(body))
		return;
	int n = snprintf(out, sizeof(out),
			 "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: %s\r\n"
			 "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nContent-Length: %d\r\n\r\n%s",
			 c->api ? "application/json" : "text/plain; charset=utf-8", bn, body);
	if (n > 0 && (size_t)n < sizeof(out))
		(void)!send(c->fd, out, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* Ends a connection; called with the lock held (the socket is open while the
 * connection is in the list). One without a request line yet is closed
 * without a word (it may be a browser's spare connection), and one kept alive
 * after an answer is not counted: closing it is ordinary. */
static void drop(struct guard *g, struct guard_conn *c, enum why why)
{
	if (c->dropped)
		return;
	c->dropped = true;
	g->dropping++;
	if (c->phase != PH_WAIT)
		send_408(g, c, why);
	shutdown(c->fd, SHUT_RDWR);
	if (c->phase != PH_WAIT || !c->kept)
		g->closed[why]++;
}

static void log_closed(struct guard *g)
{
	unsigned n = g->closed[W_HEADERS] + g->closed[W_BODY] + g->closed[W_ROOM];
	if (!n || !g->cfg.log)
		return;
	fprintf(g->cfg.log, "deadair serve: closed %u slow connection%s (408): %u without complete headers after %g s, "
			    "%u with an upload slower than %llu bytes/s, %u to make room\n",
		n, n == 1 ? "" : "s", g->closed[W_HEADERS], g->cfg.header_timeout_s, g->closed[W_BODY],
		(unsigned long long)g->cfg.min_rate, g->closed[W_ROOM]);
	fflush(g->cfg.log);
	memset(g->closed, 0, sizeof(g->closed));
}

static void sweep(struct guard *g, int64_t now)
{
	for (struct guard_conn *c = g->head; c; c = c->next) {
		if (c->dropped)
			continue;
		switch (c->phase) {
		case PH_WAIT:
		case PH_HEADERS:
			if (now - c->since > g->header_ns)
				drop(g, c, W_HEADERS);
			break;
		case PH_BODY: {
			int64_t span = now - c->win_start;
			if (span < g->body_ns)
				break;
			double want = (double)g->cfg.min_rate * (double)span / 1e9;
			if ((double)(c->body - c->win_body) < want) {
				drop(g, c, W_BODY);
			} else {
				c->win_start = now;
				c->win_body = c->body;
			}
			break;
		}
		case PH_BUSY:
			break;
		}
	}
}

/* Near the limit, the oldest connections still short of their headers make
 * room, down to 3/4 of the limit (at most `want` of them); called with the lock. */
static void make_room(struct guard *g, int64_t now, unsigned want)
{
	unsigned high = g->cfg.max_connections - g->cfg.max_connections / 4;
	while (want-- && g->open - g->dropping >= high) {
		struct guard_conn *oldest = NULL;
		for (struct guard_conn *o = g->head; o; o = o->next)
			if (!o->dropped && (o->phase == PH_WAIT || o->phase == PH_HEADERS) && now - o->since >= g->room_age_ns &&
			    (!oldest || o->since < oldest->since))
				oldest = o;
		if (!oldest)
			return;
		drop(g, oldest, W_ROOM);
	}
}

static void *run(void *arg)
{
	struct guard *g = arg;
	pthread_mutex_lock(&g->mu);
	while (!g->stop) {
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		t.tv_nsec += 200 * 1000 * 1000;
		if (t.tv_nsec >= 1000000000L) {
			t.tv_sec++;
			t.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&g->cv, &g->mu, &t);
		if (g->stop)
			break;
		int64_t now = pipeline_now_ns();
		sweep(g, now);
		make_room(g, now, g->cfg.max_connections);
		log_closed(g);
		pthread_mutex_unlock(&g->mu);
		if (g->cfg.tick)
			g->cfg.tick(g->cfg.tick_ctx, now);
		pthread_mutex_lock(&g->mu);
	}
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

struct guard *guard_new(const struct guard_config *cfg)
{
	struct guard *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->cfg = *cfg;
	g->header_ns = (int64_t)(cfg->header_timeout_s * 1e9);
	g->body_ns = (int64_t)(cfg->body_timeout_s * 1e9);
	/* a client that means it sends its headers at once; one still at it after
	 * a second (or half the deadline) may give way to a newcomer */
	g->room_age_ns = g->header_ns / 2 < 1000000000LL ? g->header_ns / 2 : 1000000000LL;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&g->thread, NULL, run, g) != 0) {
		pthread_cond_destroy(&g->cv);
		pthread_mutex_destroy(&g->mu);
		free(g);
		return NULL;
	}
	return g;
}

void guard_stop(struct guard *g)
{
	if (!g || g->joined)
		return;
	pthread_mutex_lock(&g->mu);
	g->stop = true;
	pthread_cond_signal(&g->cv);
	pthread_mutex_unlock(&g->mu);
	pthread_join(g->thread, NULL);
	g->joined = true;
}

void guard_free(struct guard *g)
{
	if (!g)
		return;
	guard_stop(g);
	while (g->head) {
		struct guard_conn *c = g->head;
		g->head = c->next;
		free(c);
	}
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
	free(g);
}

struct guard_conn *guard_open(struct guard *g, int fd)
{
	struct guard_conn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	int64_t now = pipeline_now_ns();
	c->fd = fd;
	c->phase = PH_WAIT;
	c->since = now;
	pthread_mutex_lock(&g->mu);
	make_room(g, now, 1);
	c->next = g->head;
	if (g->head)
		g->head->prev = c;
	g->head = c;
	g->open++;
	pthread_mutex_unlock(&g->mu);
	return c;
}

void guard_close(struct guard *g, struct guard_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->mu);
	if (c->prev)
		c->prev->next = c->next;
	else
		g->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	g->open--;
	if (c->dropped)
		g->dropping--;
	pthread_mutex_unlock(&g->mu);
	free(c);
}

void guard_request_line(struct guard *g, struct guard_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->mu);
	if (c->phase == PH_WAIT)
		c->phase = PH_HEADERS;
	pthread_mutex_unlock(&g->mu);
}

void guard_body_begin(struct guard *g, struct guard_conn *c, bool api)
{
	if (!c)
		return;
	int64_t now = pipeline_now_ns();
	pthread_mutex_lock(&g->mu);
	c->phase = PH_BODY;
	c->since = c->win_start = now;
	c->body = c->win_body = 0;
	c->api = api;
	pthread_mutex_unlock(&g->mu);
}

bool guard_body(struct guard *g, struct guard_conn *c, size_t n)
{
	if (!c)
		return true;
	pthread_mutex_lock(&g->mu);
	c->body += n;
	bool ok = !c->dropped;
	pthread_mutex_unlock(&g->mu);
	return ok;
}

bool guard_busy(struct guard *g, struct guard_conn *c)
{
	if (!c)
		return true;
	pthread_mutex_lock(&g->mu);
	c->phase = PH_BUSY;
	bool ok = !c->dropped;
	pthread_mutex_unlock(&g->mu);
	return ok;
}

void guard_idle(struct guard *g, struct guard_conn *c)
{
	if (!c)
		return;
	int64_t now = pipeline_now_ns();
	pthread_mutex_lock(&g->mu);
	c->phase = PH_WAIT;
	c->since = now;
	c->api = false;
	c->kept = true;
	pthread_mutex_unlock(&g->mu);
}
