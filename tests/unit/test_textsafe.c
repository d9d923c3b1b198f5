/* SPDX-License-Identifier: MIT */
/* Unit tests for terminal escaping (src/core/textsafe.c): controls, C1 as UTF-8,
 * invalid UTF-8 and bidi characters become visible escapes, whole and when a
 * sequence is split across writes; deadair's own SGR passes only when allowed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/textsafe.h"

/* Writes in through a textsafe stream in pieces of `step` bytes; returns what came out. */
static char *through(const char *in, size_t n, size_t step, bool sgr)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	assert_non_null(mem);
	FILE *s = textsafe_open(mem, sgr);
	assert_non_null(s);
	for (size_t i = 0; i < n; i += step) {
		fwrite(in + i, 1, n - i < step ? n - i : step, s);
		fflush(s);
	}
	fclose(s);
	fclose(mem);
	return buf;
}

static const char hostile[] = "a\xc2\x9b" "2J|\x9b|\xe2\x80\xae" "b|\x1b]0;t\x07|\xff|\xe2\x82|caf\xc3\xa9|\x1b[1mB\x1b[0m\n";
static const char escaped[] = "a\\u{009b}2J|\\x9b|\\u{202e}b|\\x1b]0;t\\x07|\\xff|\\xe2\\x82|caf\xc3\xa9|"
			      "\\x1b[1mB\\x1b[0m\n";
static const char escaped_sgr[] = "a\\u{009b}2J|\\x9b|\\u{202e}b|\\x1b]0;t\\x07|\\xff|\\xe2\\x82|caf\xc3\xa9|"
				  "\x1b[1mB\x1b[0m\n";

static void test_whole_and_split(void **state)
{
	size_t n = sizeof(hostile) - 1;
	for (size_t step = 1; step <= n; step++) {
		char *out = through(hostile, n, step, false);
		assert_string_equal(out, escaped);
		free(out);
		out = through(hostile, n, step, true);
		assert_string_equal(out, escaped_sgr);
		free(out);
	}
}

static void test_cut_at_the_end(void **state)
{
	/* a sequence that never completes is escaped at close */
	char *out = through("x\xe2\x80", 3, 3, false);
	assert_string_equal(out, "x\\xe2\\x80");
	free(out);
	out = through("x\x1b[12", 5, 5, true);
	assert_string_equal(out, "x\\x1b[12");
	free(out);
}

static void test_str(void **state)
{
	char buf[16];
	assert_string_equal(textsafe_str("ok\xc2\x9d", buf, sizeof(buf)), "ok\\u{009d}");
	/* never half an escape */
	assert_string_equal(textsafe_str("0123456789\x1b", buf, 13), "0123456789");
	assert_string_equal(textsafe_str("tab\there", buf, sizeof(buf)), "tab\there");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_and_split),
		cmocka_unit_test(test_cut_at_the_end),
		cmocka_unit_test(test_str),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
