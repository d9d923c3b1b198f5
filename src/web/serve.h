/* SPDX-License-Identifier: MIT */
/* `deadair serve`: options, then the web server until SIGINT or SIGTERM. */
#ifndef DEADAIR_WEB_SERVE_H
#define DEADAIR_WEB_SERVE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/* argv[0] is "serve". Returns the process exit status (0, or 2 for a usage
 * error, 3 when it cannot listen). */
int serve_main(int argc, char **argv);

/* Parses "ADDR:PORT" ("127.0.0.1:8080", "[::1]:8080", "0.0.0.0:0"); sets
 * *loopback when ADDR is a loopback address. */
bool serve_parse_listen(const char *text, struct sockaddr_storage *out, socklen_t *len, bool *loopback);
/* Parses a size: a number of bytes with an optional K, M or G (powers of 1024). */
bool serve_parse_size(const char *text, uint64_t *out);

#endif
