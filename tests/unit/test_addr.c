/* SPDX-License-Identifier: MIT */
/* Unit tests for address text (src/core/addr.c): addr_str writes IPv4 by hand
 * and must give inet_ntop's text for every octet value in every position;
 * IPv6 and unknown families keep theirs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>

#include <cmocka.h>

#include "core/addr.h"

static uint64_t rng = 0x2545f4914f6cdd1du;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void check_v4(const uint8_t b[4])
{
	struct addr a;
	addr_v4(&a, b);
	char want[INET_ADDRSTRLEN], got[ADDR_STRLEN];
	assert_non_null(inet_ntop(AF_INET, b, want, sizeof(want)));
	memset(got, 'x', sizeof(got));
	assert_ptr_equal(addr_str(&a, got), got);
	assert_string_equal(got, want);
}

static void test_v4(void **state)
{
	(void)state;
	/* every value in every position, the others 0, 255 or random */
	for (int pos = 0; pos < 4; pos++)
		for (int v = 0; v < 256; v++)
			for (int fill = 0; fill < 3; fill++) {
				uint8_t b[4];
				for (int i = 0; i < 4; i++)
					b[i] = fill == 0 ? 0 : fill == 1 ? 255 : (uint8_t)next();
				b[pos] = (uint8_t)v;
				check_v4(b);
			}
	for (int i = 0; i < 200000; i++) {
		uint32_t r = (uint32_t)next();
		uint8_t b[4] = {(uint8_t)r, (uint8_t)(r >> 8), (uint8_t)(r >> 16), (uint8_t)(r >> 24)};
		check_v4(b);
	}
}

static void test_v6_and_none(void **state)
{
	(void)state;
	struct addr a;
	uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8};
	b[15] = 1;
	addr_v6(&a, b);
	char buf[ADDR_STRLEN];
	assert_string_equal(addr_str(&a, buf), "2001:db8::1");
	memset(&a, 0, sizeof(a));
	assert_string_equal(addr_str(&a, buf), "-");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4),
		cmocka_unit_test(test_v6_and_none),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
