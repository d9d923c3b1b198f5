/* SPDX-License-Identifier: MIT */
/* Token, Host and Origin checks for the web server: bounded parsing of the
 * Authorization header (RFC 7235; Bearer, RFC 6750; Basic, RFC 7617 with
 * base64 of RFC 4648), of the Host header (RFC 9110 section 7.2), of Origin
 * (RFC 6454 section 7) and of Sec-Fetch-Site (W3C Fetch Metadata). */
#include "web/auth.h"

#include <stdio.h>
#include <string.h>

bool auth_token_equal(const char *given, size_t given_len, const char *want, size_t want_len)
{
	volatile unsigned diff = given_len != want_len;
	for (size_t i = 0; i < want_len; i++) {
		unsigned char g = i < given_len ? (unsigned char)given[i] : 0;
		diff |= (unsigned)(g ^ (unsigned char)want[i]);
	}
	return diff == 0;
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decodes base64 (padding optional) into out; -1 when malformed or too long. */
static long b64_decode(const char *in, size_t n, unsigned char *out, size_t cap)
{
	while (n && in[n - 1] == '=')
		n--;
	size_t o = 0;
	uint32_t acc = 0;
	unsigned bits = 0;
	for (size_t i = 0; i < n; i++) {
		int v = b64_value((unsigned char)in[i]);
		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= cap)
				return -1;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	return (long)o;
}

static bool starts_icase(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	if (n < k)
		return false;
	for (size_t i = 0; i < k; i++) {
		char a = s[i], b = prefix[i];
		if (a >= 'A' && a <= 'Z')
			a = (char)(a + 32);
		if (b >= 'A' && b <= 'Z')
			b = (char)(b + 32);
		if (a != b)
			return false;
	}
	return true;
}

/* n bytes of a and b, equal but for ASCII case */
static bool equal_icase_n(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char x = a[i], y = b[i];
		if (x >= 'A' && x <= 'Z')
			x = (char)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (char)(y + 32);
		if (x != y)
			return false;
	}
	return true;
}

bool auth_header_ok(const char *v, size_t n, const char *token, size_t token_len)
{
	if (!v || !token || !token_len)
		return false;
	while (n && (v[0] == ' ' || v[0] == '\t')) {
		v++;
		n--;
	}
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	if (starts_icase(v, n, "bearer ")) {
		size_t k = 7;
		while (k < n && v[k] == ' ')
			k++;
		return auth_token_equal(v + k, n - k, token, token_len);
	}
	if (starts_icase(v, n, "basic ")) {
		size_t k = 6;
		while (k < n && v[k] == ' ')
			k++;
		unsigned char plain[2 * AUTH_TOKEN_MAX];
		long m = b64_decode(v + k, n - k, plain, sizeof(plain));
		if (m < 0)
			return false;
		const unsigned char *colon = memchr(plain, ':', (size_t)m);
		if (!colon)
			return false;
		size_t at = (size_t)(colon - plain) + 1;
		return auth_token_equal((const char *)plain + at, (size_t)m - at, token, token_len);
	}
	return false;
}

static bool equal_icase(const char *s, size_t n, const char *want)
{
	return n == strlen(want) && starts_icase(s, n, want);
}

bool auth_host_loopback(const char *v, size_t n, uint16_t port, const char *self)
{
	const char *const names[] = { "127.0.0.1", "localhost", "[::1]", self };
	if (!v || n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!names[i] || !names[i][0] || strlen(names[i]) > 64)
			continue;
		char want[80];
		snprintf(want, sizeof(want), "%s:%u", names[i], port);
		if (equal_icase(v, n, want))
			return true;
		if (port == 80 && equal_icase(v, n, names[i]))
			return true;
	}
	return false;
}

bool auth_same_origin(const char *origin, size_t origin_n, const char *fetch_site, size_t fetch_site_n,
		      const char *host, size_t host_n)
{
	/* a browser that sends Sec-Fetch-Site says it all (its Origin may be
	 * "null" on the server's own page, whose referrer policy hides it) */
	if (fetch_site)
		return equal_icase(fetch_site, fetch_site_n, "same-origin") || equal_icase(fetch_site, fetch_site_n, "none");
	if (!origin)
		return true;
	if (!host || host_n == 0)
		return false;
	static const char *const schemes[] = { "http://", "https://" };
	for (size_t i = 0; i < 2; i++) {
		size_t k = strlen(schemes[i]);
		if (origin_n == k + host_n && starts_icase(origin, origin_n, schemes[i]) &&
		    equal_icase_n(origin + k, host, host_n))
			return true;
	}
	return false;
}

bool auth_token_parse(const char *text, size_t n, char out[AUTH_TOKEN_MAX + 1])
{
	size_t end = 0;
	while (end < n && text[end] != '\n' && text[end] != '\r')
		end++;
	size_t a = 0;
	while (a < end && (text[a] == ' ' || text[a] == '\t'))
		a++;
	while (end > a && (text[end - 1] == ' ' || text[end - 1] == '\t'))
		end--;
	size_t len = end - a;
	if (len < AUTH_TOKEN_MIN || len > AUTH_TOKEN_MAX)
		return false;
	for (size_t i = a; i < end; i++)
		if ((unsigned char)text[i] <= 0x20 || (unsigned char)text[i] >= 0x7f)
			return false;
	memcpy(out, text + a, len);
	out[len] = '\0';
	return true;
}
