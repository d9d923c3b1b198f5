/* SPDX-License-Identifier: MIT */
/* The HTTP server of `deadair serve` on libmicrohttpd: the form (GET /), the
 * report of a pasted trace or uploaded capture (POST /report, HTML) and the
 * JSON API (POST /api/analyze). Uploads are analysed in memory through the
 * pipeline and not kept; limits on upload size, analysis time and concurrent
 * analyses answer 413, a report cut short (or 503), and 503; requests from
 * pages of other sites 403; clients too slow with their headers or body 408. */
#ifndef DEADAIR_WEB_SERVER_H
#define DEADAIR_WEB_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

struct server_config {
	struct sockaddr_storage addr;   /* where to listen (port 0: any free port) */
	socklen_t addr_len;
	bool loopback;                  /* addr is a loopback address: Host headers are checked */
	const char *token;              /* shared token, NULL: none (loopback only) */
	uint64_t max_upload;            /* bytes of one request's capture and trace together */
	double max_time_s;              /* analysis and report of one request, once its body is in */
	unsigned max_concurrent;        /* analyses at once; more get 503 */
	unsigned max_connections;       /* open connections; more wait */
	unsigned max_per_client;        /* open connections from one address; 0: no limit */
	double header_timeout_s;        /* accept (or the previous answer) to the end of the headers */
	double body_timeout_s;          /* each stretch of a body this long must bring min_rate per second */
	uint64_t min_rate;              /* bytes per second of a body */
	unsigned idle_timeout_s;        /* a connection silent this long is closed (while answered) */
	double rtp_timeout_s;           /* the media watchdog to name (--rtp-timeout) */
	uint64_t embed_audio_max;       /* bytes of WAV an HTML report embeds (players, downloads); 0: none */
	FILE *log;                      /* one line per request; NULL: none */
};

struct server;

/* Starts listening; NULL with a message in err when it cannot. */
struct server *server_start(const struct server_config *cfg, char *err, size_t errcap);
/* The port listened on (the one chosen when cfg asked for port 0). */
uint16_t server_port(const struct server *s);
/* Stops listening, waits for requests in progress, frees. */
void server_stop(struct server *s);

#endif
