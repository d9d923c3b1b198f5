/* SPDX-License-Identifier: MIT */
/* Who may use `deadair serve`: a shared token (RFC 6750 "Bearer", or RFC 7617
 * Basic with the token as password, so that a browser asks for it), compared
 * in constant time; on loopback, a Host header that names this machine (so
 * that a web page elsewhere cannot reach the server through DNS rebinding);
 * and requests from the server's own page only, by their Origin (RFC 6454)
 * and Sec-Fetch-Site (Fetch Metadata) headers, so that a page of another site
 * cannot make the user's browser send it uploads. */
#ifndef DEADAIR_WEB_AUTH_H
#define DEADAIR_WEB_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUTH_TOKEN_MIN 16
#define AUTH_TOKEN_MAX 256

/* Compares given with want in time that depends only on want's length. */
bool auth_token_equal(const char *given, size_t given_len, const char *want, size_t want_len);
/* An Authorization header value (n bytes, no NUL needed): true when it
 * carries the token, as "Bearer TOKEN" or "Basic base64(any-user:TOKEN)". */
bool auth_header_ok(const char *value, size_t n, const char *token, size_t token_len);
/* A Host header value that names a loopback server on this port:
 * 127.0.0.1, localhost, [::1] or self (the address listened on, as written in
 * a URL: "127.0.0.2", "[::1]"; NULL: none), with ":port" (optional for port 80). */
bool auth_host_loopback(const char *value, size_t n, uint16_t port, const char *self);
/* Whether a request may come from where its headers say. A browser that
 * sends Sec-Fetch-Site (all current ones) is believed: "same-origin" or
 * "none" (typed, bookmarked) only. Without it, Origin, when present, must be
 * http://HOST or https://HOST, HOST the request's own Host header ("null" is
 * another origin). A request with neither header (curl, scripts) is allowed.
 * Any argument may be NULL; the n are lengths. */
bool auth_same_origin(const char *origin, size_t origin_n, const char *fetch_site, size_t fetch_site_n,
		      const char *host, size_t host_n);
/* Reads a token from text (a token file's first line, blanks trimmed); false
 * when it is shorter than AUTH_TOKEN_MIN or longer than AUTH_TOKEN_MAX or holds
 * characters other than printable ASCII. */
bool auth_token_parse(const char *text, size_t n, char out[AUTH_TOKEN_MAX + 1]);

#endif
