/* SPDX-License-Identifier: MIT */
/* Unit tests for the call's player (report/html_player.c): the WAV copied as
 * base64 (RFC 4648 test vectors, padding, a file longer than one block), a
 * file that is not the size expected closes the attribute and says so, and
 * the notes for a call over the budget or without decoded audio. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "report/html_player.h"

/* Renders p into a string (the caller frees it). */
static char *render(const struct html_player *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	html_player(f, p);
	fclose(f);
	return buf;
}

/* The data: URI's payload of a rendering, in a static buffer. */
static const char *payload(const char *html, char *out, size_t cap)
{
	const char *a = strstr(html, "base64,");
	assert_non_null(a);
	a += 7;
	const char *e = strchr(a, '"');
	assert_non_null(e);
	assert_true((size_t)(e - a) < cap);
	memcpy(out, a, (size_t)(e - a));
	out[e - a] = '\0';
	return out;
}

static char *file_of(const void *data, size_t n)
{
	static char path[64];
	snprintf(path, sizeof(path), "/tmp/deadair-player-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
	return path;
}

static void test_base64_vectors(void **state)
{
	(void)state;
	/* RFC 4648, section 10 */
	static const char *const in[] = { "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *const want[] = { "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	for (size_t i = 0; i < 6; i++) {
		char *path = file_of(in[i], strlen(in[i]));
		struct html_player p = { .state = PLAYER_EMBED, .path = path, .bytes = strlen(in[i]), .seconds = 1,
					 .max = 100, .left = 100 };
		snprintf(p.name, sizeof(p.name), "p1-x");
		char *html = render(&p);
		char got[64];
		assert_string_equal(payload(html, got, sizeof(got)), want[i]);
		assert_non_null(strstr(html, "<audio controls"));
		assert_non_null(strstr(html, "data-name=\"p1-x\""));
		free(html);
		remove(path);
	}
}

static void test_base64_long(void **state)
{
	(void)state;
	/* longer than the encoder's block (12288 bytes), not a multiple of 3 */
	size_t n = 3 * 4096 * 2 + 5;
	unsigned char *data = malloc(n);
	assert_non_null(data);
	for (size_t i = 0; i < n; i++)
		data[i] = (unsigned char)(i * 7 + (i >> 8));
	char *path = file_of(data, n);
	struct html_player p = { .state = PLAYER_EMBED, .path = path, .bytes = n, .seconds = 1 };
	char *html = render(&p);
	size_t cap = n * 2;
	char *b64 = malloc(cap);
	assert_non_null(b64);
	payload(html, b64, cap);
	assert_int_equal(strlen(b64), (n + 2) / 3 * 4);
	/* '=' only at the very end */
	assert_ptr_equal(strchr(b64, '='), b64 + strlen(b64) - 1);
	/* decoding gives the bytes back */
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t k = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (const char *c = b64; *c && *c != '='; c++) {
		const char *at = strchr(tab, *c);
		assert_non_null(at);
		acc = (acc << 6) | (uint32_t)(at - tab);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			assert_true(k < n);
			assert_int_equal((unsigned char)(acc >> bits), data[k]);
			k++;
		}
	}
	assert_int_equal(k, n);
	free(b64);
	free(html);
	free(data);
	remove(path);
}

static void test_short_file(void **state)
{
	(void)state;
	char *path = file_of("abc", 3);
	struct html_player p = { .state = PLAYER_EMBED, .path = path, .bytes = 4000, .seconds = 1 };
	char *html = render(&p);
	assert_non_null(strstr(html, "\"></audio><p class=\"note\">The audio could not be read back"));
	assert_non_null(strstr(html, "</section>"));
	free(html);
	remove(path);
	p.path = "/nonexistent/deadair.wav";
	html = render(&p);
	assert_non_null(strstr(html, "could not be read back"));
	free(html);
}

static void test_notes(void **state)
{
	(void)state;
	struct html_player p = { .state = PLAYER_TOO_LARGE, .bytes = 3u << 20, .left = 1u << 20, .max = 8u << 20,
				 .seconds = 98.3 };
	char *html = render(&p);
	assert_non_null(strstr(html, "(98.3 s, 3.0 MiB as WAV) is not embedded"));
	assert_non_null(strstr(html, "what is left (1.0 MiB) of the report's limit of 8.0 MiB (--embed-audio-max)"));
	assert_null(strstr(html, "<audio"));
	free(html);
	p.bytes = (8u << 20) + 1;
	html = render(&p);
	assert_non_null(strstr(html, "more than the report's limit of 8.0 MiB"));
	free(html);
	p.shared = true;
	html = render(&p);
	assert_non_null(strstr(html, "passed what was left of the report's limit of 8.0 MiB (--embed-audio-max)"));
	free(html);
	p.shared = false;
	p.state = PLAYER_NO_AUDIO;
	html = render(&p);
	assert_non_null(strstr(html, "No audio to play"));
	assert_null(strstr(html, "<audio"));
	free(html);
	p.state = PLAYER_OFF;
	html = render(&p);
	assert_string_equal(html, "");
	free(html);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64_vectors),
		cmocka_unit_test(test_base64_long),
		cmocka_unit_test(test_short_file),
		cmocka_unit_test(test_notes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
