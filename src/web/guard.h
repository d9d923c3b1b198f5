/* SPDX-License-Identifier: MIT */
/* How long a client of `deadair serve` may take: each connection is watched
 * from the moment it is accepted; its request line and headers must arrive
 * within a deadline and its body at a minimum rate, else it is answered 408
 * and closed; near the connection limit, the oldest connection still waiting
 * for its headers makes room for a new one. */
#ifndef DEADAIR_WEB_GUARD_H
#define DEADAIR_WEB_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct guard_config {
	double header_timeout_s;   /* accept (or the previous answer) to the end of the headers */
	double body_timeout_s;     /* each stretch of the body this long must bring min_rate per second */
	uint64_t min_rate;         /* bytes per second */
	unsigned max_connections;  /* the server's limit: room is made from 3/4 of it */
	FILE *log;                 /* one line per tick with connections closed; NULL: none */
	/* called by the guard's thread a few times a second, without the guard's lock */
	void (*tick)(void *ctx, int64_t now_ns);
	void *tick_ctx;
};

struct guard;
struct guard_conn;

/* Starts the guard's thread; NULL when there is no memory or thread. */
struct guard *guard_new(const struct guard_config *cfg);
/* Stops the thread (no more ticks, no more connections closed); the
 * connection calls below stay valid until guard_free. */
void guard_stop(struct guard *g);
/* Stops the thread if it runs and frees; connections still open are forgotten. */
void guard_free(struct guard *g);

/* A connection was accepted (fd: its socket, left open by the guard until
 * guard_close); NULL when there is no memory (then it is not watched). */
struct guard_conn *guard_open(struct guard *g, int fd);
/* The connection is gone (before its socket is closed). */
void guard_close(struct guard *g, struct guard_conn *c);
/* Its request line has arrived; the headers are on their way. */
void guard_request_line(struct guard *g, struct guard_conn *c);
/* Its headers are complete and a body follows (api: answer a timeout in JSON). */
void guard_body_begin(struct guard *g, struct guard_conn *c, bool api);
/* n more bytes of the body arrived; false when the guard has closed the connection. */
bool guard_body(struct guard *g, struct guard_conn *c, size_t n);
/* The request is complete (or being answered): the guard leaves it alone;
 * false when the guard had closed the connection already. */
bool guard_busy(struct guard *g, struct guard_conn *c);
/* The answer is sent: the next request's headers are awaited from now. */
void guard_idle(struct guard *g, struct guard_conn *c);

#endif
