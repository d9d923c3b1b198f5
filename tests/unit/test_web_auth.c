/* SPDX-License-Identifier: MIT */
/* Unit tests for the web server's own parsing: the token (Bearer and Basic,
 * constant-time comparison), the Host check on loopback, token files, and
 * the --listen and --max-upload values of deadair serve. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "web/auth.h"
#include "web/page.h"
#include "web/serve.h"

#define TOKEN "s3cret-token-0123456789"

static bool ok(const char *header)
{
	return auth_header_ok(header, strlen(header), TOKEN, strlen(TOKEN));
}

static void test_token_equal(void **state)
{
	(void)state;
	assert_true(auth_token_equal("abc", 3, "abc", 3));
	assert_false(auth_token_equal("abd", 3, "abc", 3));
	assert_false(auth_token_equal("ab", 2, "abc", 3));
	assert_false(auth_token_equal("abcd", 4, "abc", 3));
	assert_false(auth_token_equal("", 0, "abc", 3));
}

static void test_bearer_and_basic(void **state)
{
	(void)state;
	assert_true(ok("Bearer " TOKEN));
	assert_true(ok("bearer   " TOKEN "  "));
	assert_false(ok("Bearer " TOKEN "x"));
	assert_false(ok("Bearer s3cret-token-012345678"));
	assert_false(ok("Bearer"));
	assert_false(ok(TOKEN));
	/* base64("anyone:" TOKEN) and base64(":" TOKEN) */
	assert_true(ok("Basic YW55b25lOnMzY3JldC10b2tlbi0wMTIzNDU2Nzg5"));
	assert_true(ok("Basic OnMzY3JldC10b2tlbi0wMTIzNDU2Nzg5"));
	/* base64("anyone:wrong-token-0123456789"), no colon, bad characters, empty */
	assert_false(ok("Basic YW55b25lOndyb25nLXRva2VuLTAxMjM0NTY3ODk="));
	assert_false(ok("Basic czNjcmV0LXRva2VuLTAxMjM0NTY3ODk="));
	assert_false(ok("Basic !!!!"));
	assert_false(ok("Basic "));
	assert_false(ok("Digest username=x"));
	assert_false(ok(""));
	/* a decoded value longer than any token is refused, not overrun */
	char big[2048] = "Basic ";
	memset(big + 6, 'A', sizeof(big) - 7);
	big[sizeof(big) - 1] = '\0';
	assert_false(ok(big));
	assert_false(auth_header_ok("Bearer x", 8, NULL, 0));
}

static void test_host(void **state)
{
	(void)state;
	assert_true(auth_host_loopback("127.0.0.1:8080", 14, 8080, NULL));
	assert_true(auth_host_loopback("LOCALHOST:8080", 14, 8080, NULL));
	assert_true(auth_host_loopback("[::1]:8080", 10, 8080, NULL));
	assert_true(auth_host_loopback("localhost", 9, 80, NULL));
	assert_false(auth_host_loopback("localhost", 9, 8080, NULL));
	assert_false(auth_host_loopback("127.0.0.1:8081", 14, 8080, NULL));
	assert_false(auth_host_loopback("evil.example:8080", 17, 8080, NULL));
	assert_false(auth_host_loopback("127.0.0.1:8080.evil.example", 27, 8080, NULL));
	assert_false(auth_host_loopback("", 0, 8080, NULL));
	assert_false(auth_host_loopback(NULL, 0, 8080, NULL));
	/* the address listened on is a name of the server too (serve on 127.0.0.2) */
	assert_false(auth_host_loopback("127.0.0.2:8080", 14, 8080, NULL));
	assert_true(auth_host_loopback("127.0.0.2:8080", 14, 8080, "127.0.0.2"));
	assert_true(auth_host_loopback("127.0.0.2", 9, 80, "127.0.0.2"));
	assert_false(auth_host_loopback("127.0.0.2:8081", 14, 8080, "127.0.0.2"));
	assert_false(auth_host_loopback("127.0.0.20:8080", 15, 8080, "127.0.0.2"));
	assert_true(auth_host_loopback("127.0.0.1:8080", 14, 8080, "127.0.0.2"));
	assert_false(auth_host_loopback("evil.example:8080", 17, 8080, ""));
}

static bool same(const char *origin, const char *site, const char *host)
{
	return auth_same_origin(origin, origin ? strlen(origin) : 0, site, site ? strlen(site) : 0, host,
				host ? strlen(host) : 0);
}

static void test_same_origin(void **state)
{
	(void)state;
	/* tools send neither header */
	assert_true(same(NULL, NULL, "127.0.0.1:8080"));
	assert_true(same(NULL, NULL, NULL));
	/* the server's own page */
	assert_true(same("http://127.0.0.1:8080", "same-origin", "127.0.0.1:8080"));
	assert_true(same("http://LOCALHOST:8080", NULL, "localhost:8080"));
	assert_true(same("https://deadair.example", "same-origin", "deadair.example"));
	assert_true(same(NULL, "none", "127.0.0.1:8080"));
	assert_true(same(NULL, "Same-Origin", "127.0.0.1:8080"));
	/* another site, or another origin of the same site */
	assert_false(same("http://evil.example", "cross-site", "127.0.0.1:8080"));
	assert_false(same("http://evil.example", NULL, "127.0.0.1:8080"));
	assert_false(same(NULL, "cross-site", "127.0.0.1:8080"));
	assert_false(same(NULL, "same-site", "127.0.0.1:8080"));
	assert_false(same("http://127.0.0.1:9999", "same-site", "127.0.0.1:8080"));
	assert_false(same("http://127.0.0.1:9999", NULL, "127.0.0.1:8080"));
	assert_false(same("http://127.0.0.1:8080", "cross-site", "127.0.0.1:8080"));
	assert_false(same("null", NULL, "127.0.0.1:8080"));
	/* Sec-Fetch-Site is believed over Origin: the page's own form under a
	 * no-referrer policy sends Origin: null */
	assert_true(same("null", "same-origin", "127.0.0.1:8080"));
	assert_false(same("http://127.0.0.1:8080.evil.example", NULL, "127.0.0.1:8080"));
	assert_false(same("http://127.0.0.1:80", NULL, "127.0.0.1:8080"));
	assert_false(same("ftp://127.0.0.1:8080", NULL, "127.0.0.1:8080"));
	assert_false(same("http://127.0.0.1:8080", NULL, NULL));
	assert_false(same("http://127.0.0.1:8080", "", "127.0.0.1:8080"));
	assert_false(same("", NULL, "127.0.0.1:8080"));
}

static void test_token_parse(void **state)
{
	(void)state;
	char t[AUTH_TOKEN_MAX + 1];
	const char *f = "  " TOKEN " \nsecond line\n";
	assert_true(auth_token_parse(f, strlen(f), t));
	assert_string_equal(t, TOKEN);
	assert_false(auth_token_parse("short", 5, t));
	assert_false(auth_token_parse("has a space in the middle!", 26, t));
	assert_false(auth_token_parse("\n" TOKEN, strlen(TOKEN) + 1, t));
	char longer[400];
	memset(longer, 'x', sizeof(longer));
	assert_false(auth_token_parse(longer, sizeof(longer), t));
}

static void test_listen_and_size(void **state)
{
	(void)state;
	struct sockaddr_storage a;
	socklen_t len;
	bool lo;
	assert_true(serve_parse_listen("127.0.0.1:8080", &a, &len, &lo));
	assert_true(lo);
	assert_int_equal(ntohs(((struct sockaddr_in *)&a)->sin_port), 8080);
	assert_true(serve_parse_listen("localhost:0", &a, &len, &lo));
	assert_true(lo);
	assert_true(serve_parse_listen("[::1]:9000", &a, &len, &lo));
	assert_true(lo);
	assert_int_equal(a.ss_family, AF_INET6);
	assert_true(serve_parse_listen("0.0.0.0:8080", &a, &len, &lo));
	assert_false(lo);
	assert_true(serve_parse_listen("192.0.2.1:80", &a, &len, &lo));
	assert_false(lo);
	assert_false(serve_parse_listen("127.0.0.1", &a, &len, &lo));
	assert_false(serve_parse_listen("127.0.0.1:", &a, &len, &lo));
	assert_false(serve_parse_listen(":8080", &a, &len, &lo));
	assert_false(serve_parse_listen("127.0.0.1:65536", &a, &len, &lo));
	assert_false(serve_parse_listen("example.com:80", &a, &len, &lo));
	uint64_t v;
	assert_true(serve_parse_size("100M", &v));
	assert_int_equal(v, 100u << 20);
	assert_true(serve_parse_size("64k", &v));
	assert_int_equal(v, 64u << 10);
	assert_true(serve_parse_size("2GiB", &v));
	assert_int_equal(v, 2ull << 30);
	assert_true(serve_parse_size("1234", &v));
	assert_int_equal(v, 1234);
	assert_false(serve_parse_size("0", &v));
	assert_false(serve_parse_size("M", &v));
	assert_false(serve_parse_size("10X", &v));
	assert_false(serve_parse_size("-5", &v));
	char buf[32];
	page_size(100u << 20, buf, sizeof(buf));
	assert_string_equal(buf, "100 MiB");
	page_size(1536, buf, sizeof(buf));
	assert_string_equal(buf, "1.5 KiB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_equal), cmocka_unit_test(test_bearer_and_basic),
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_same_origin), cmocka_unit_test(test_token_parse),
		cmocka_unit_test(test_listen_and_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
