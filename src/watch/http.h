/* SPDX-License-Identifier: MIT */
/* deadair watch's HTTP server (--listen) on libmicrohttpd, in a thread of its
 * own: GET /metrics (Prometheus), / (the live page), /calls.json (what the
 * page shows), /report/N (the HTML report of finished call N, while kept).
 * It answers from the latest published snapshot only; a token (as serve's)
 * beyond loopback, Host headers checked on loopback, bounded connections and
 * timeouts. */
#ifndef DEADAIR_WATCH_HTTP_H
#define DEADAIR_WATCH_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "watch/snap.h"

#define HTTP_MAX_CONNECTIONS 64
#define HTTP_MAX_PER_CLIENT 16      /* beyond loopback */
#define HTTP_TIMEOUT_S 10           /* a connection silent this long is closed */

struct http_config {
	struct sockaddr_storage addr;
	socklen_t addr_len;
	bool loopback;
	const char *token;              /* NULL: none */
};

struct http_server;

struct http_server *http_start(const struct http_config *cfg, struct snap_box *box, char *err, size_t errlen);
uint16_t http_port(const struct http_server *s);
void http_stop(struct http_server *s);

#endif
