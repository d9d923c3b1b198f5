/* SPDX-License-Identifier: MIT */
/* Unit tests for the JSON writer (src/report/json.c): numbers with fixed
 * decimals give the text of printf's "%.*f" for every kind of double (random
 * bit patterns, ties at every decimal, the .0005 boundaries, zeros, huge,
 * NaN and infinities), strings the escapes of a byte-by-byte escaper, and
 * objects, arrays and lists their layout, also past the writer's buffer and
 * under jw_hold; times the text of strftime and printf. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <inttypes.h>
#include <math.h>

#include <cmocka.h>

#include "core/sv.h"
#include "report/json.h"

/* A memory stream and what of it has been compared so far. */
struct out {
	char *buf;
	size_t len, seen;
	FILE *f;
};

static void out_open(struct out *o)
{
	memset(o, 0, sizeof(*o));
	o->f = open_memstream(&o->buf, &o->len);
	assert_non_null(o->f);
}

/* The bytes written since the last call, NUL-terminated in place. */
static const char *out_new(struct out *o, size_t *n)
{
	assert_int_equal(fflush(o->f), 0);
	const char *p = o->buf + o->seen;
	*n = o->len - o->seen;
	o->seen = o->len;
	return p;
}

static void out_close(struct out *o)
{
	fclose(o->f);
	free(o->buf);
}

static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* What jw_num wrote before it formatted numbers by hand. */
static int num_ref(char *buf, size_t cap, double v, int decimals)
{
	if (!isfinite(v))
		return snprintf(buf, cap, "null");
	double scale = pow(10, decimals);
	if (fabs(v) * scale < 0.5)
		v = 0;
	return snprintf(buf, cap, "%.*f", decimals, v);
}

static unsigned long checked;

static void check_num(struct jw *w, struct out *o, double v, int d)
{
	char want[512];
	int wn = num_ref(want, sizeof(want), v, d);
	assert_true(wn > 0 && (size_t)wn < sizeof(want));
	jw_num(w, NULL, v, d);
	size_t n;
	const char *got = out_new(o, &n);
	if (n != (size_t)wn || memcmp(got, want, n) != 0)
		fail_msg("jw_num(%a, %d): \"%.*s\", printf gives \"%s\"", v, d, (int)n, got, want);
	checked++;
}

static const int decimals[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 17, -1};
#define NDEC (sizeof(decimals) / sizeof(decimals[0]))

static void check_all_decimals(struct jw *w, struct out *o, double v)
{
	for (size_t i = 0; i < NDEC; i++) {
		check_num(w, o, v, decimals[i]);
		check_num(w, o, -v, decimals[i]);
	}
}

static double from_bits(uint64_t b)
{
	double d;
	memcpy(&d, &b, sizeof(d));
	return d;
}

static void test_num_edges(void **state)
{
	(void)state;
	struct out o;
	out_open(&o);
	struct jw w;
	jw_init(&w, o.f);
	const double edges[] = {
		0.0, 0.5, 1.5, 2.5, 0.25, 0.75, 0.125, 0.375, 0.0625, 0.1875, 0.03125, 0.015625,
		0.0078125, 0.00390625, 0.001953125, 0.0009765625, 0.00048828125, 0.000244140625,
		0.0005, 0.0015, 0.0025, 0.0045, 0.05, 0.15, 0.25, 0.35, 0.45, 0.95, 0.995, 0.9995,
		0.99995, 0.999999999, 0.9999999995, 9.9995, 99.9995, 999.9995, 1e-5, 1e-9, 1e-10,
		1e-300, 4.9e-324, 2.2250738585072014e-308, 2.225073858507201e-308, 1.0, 10.0, 1e15,
		1e16, 4503599627370495.5, 4503599627370496.0, 9007199254740991.0, 9007199254740992.0,
		9007199254740993.0, 18446744073709551615.0, 1e19, 1e20, 1e22, 1e23, 1e300, 1.7976931348623157e308,
		123.456, 0.1, 0.2, 0.3, 1.005, 2.675, 1.0005, 80.0, 4.4, 20.0 / 3, 1.0 / 3,
	};
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		check_all_decimals(&w, &o, edges[i]);
		/* and their neighbours, a few ulps either side */
		double up = edges[i], down = edges[i];
		for (int k = 0; k < 4; k++) {
			up = nextafter(up, INFINITY);
			down = nextafter(down, -INFINITY);
			check_all_decimals(&w, &o, up);
			check_all_decimals(&w, &o, down);
		}
	}
	check_all_decimals(&w, &o, NAN);
	check_all_decimals(&w, &o, INFINITY);
	check_all_decimals(&w, &o, -0.0);
	jw_num(&w, NULL, -0.0, 3); /* zeroed before it is written: never "-0.000" */
	size_t n;
	const char *got = out_new(&o, &n);
	assert_int_equal(n, 5);
	assert_memory_equal(got, "0.000", 5);
	out_close(&o);
}

/* Ties and the values either side of them at d decimals: j / 10^d +- half a
 * unit, for integer parts small and large. */
static void test_num_boundaries(void **state)
{
	(void)state;
	struct out o;
	out_open(&o);
	struct jw w;
	jw_init(&w, o.f);
	const double ints[] = {0, 1, 7, 42, 1000, 65535, 1e9, 123456789012.0};
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		for (int d = 0; d <= 4; d++) {
			double unit = pow(10, -d);
			for (int j = 0; j < 2000; j++) {
				double v = ints[i] + (j + 0.5) * unit / (d >= 3 ? 1 : 10);
				check_num(&w, &o, v, d);
				check_num(&w, &o, nextafter(v, 0), d);
				check_num(&w, &o, nextafter(v, INFINITY), d);
				check_num(&w, &o, -v, d);
			}
		}
		/* dyadic ties: n + j / 2^s */
		for (int s = 1; s <= 12; s++)
			for (int j = 1; j < (1 << s) && j < 300; j += 2)
				check_all_decimals(&w, &o, ints[i] + ldexp(j, -s));
	}
	out_close(&o);
}

static void test_num_random(void **state)
{
	(void)state;
	struct out o;
	out_open(&o);
	struct jw w;
	jw_init(&w, o.f);
	for (int i = 0; i < 20000; i++) {
		/* any bit pattern: every exponent, subnormals, NaNs, infinities */
		double v = from_bits(next());
		check_num(&w, &o, v, decimals[next() % NDEC]);
		/* the values reports hold: a few thousands with a fraction */
		v = (double)(int64_t)(next() % 20000000) / (double)(1 + next() % 10000) - 1000.0;
		for (size_t k = 0; k < NDEC; k++)
			check_num(&w, &o, v, decimals[k]);
		/* small magnitudes around the rounding of the last decimal */
		v = ldexp((double)(next() >> 11), -(int)(next() % 80) - 53);
		check_num(&w, &o, v, (int)(next() % 10));
		/* fractions with few bits: ties are frequent among them */
		v = ldexp((double)(next() % 100000), -(int)(next() % 24));
		check_num(&w, &o, v, (int)(next() % 10));
	}
	print_message("%lu numbers compared with printf so far\n", checked);
	out_close(&o);
}

/* What json_put_string wrote before it copied runs: one byte at a time. */
static size_t str_ref(char *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t k = 0;
	out[k++] = '"';
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		if (c == '"' || c == '\\') {
			out[k++] = '\\';
			out[k++] = (char)c;
			i++;
		} else if (c == '\n') {
			k += (size_t)snprintf(out + k, 8, "\\n");
			i++;
		} else if (c == '\r') {
			k += (size_t)snprintf(out + k, 8, "\\r");
			i++;
		} else if (c == '\t') {
			k += (size_t)snprintf(out + k, 8, "\\t");
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			k += (size_t)snprintf(out + k, 8, "\\u%04x", c);
			i++;
		} else if (c < 0x80) {
			out[k++] = (char)c;
			i++;
		} else {
			size_t l = utf8_seq_len(p + i, n - i);
			if (l == 0) {
				k += (size_t)snprintf(out + k, 8, "\\ufffd");
				i++;
			} else {
				memcpy(out + k, p + i, l);
				k += l;
				i += l;
			}
		}
	}
	out[k++] = '"';
	return k;
}

static void check_str(struct jw *w, struct out *o, const char *s, size_t n, char *want)
{
	size_t wn = str_ref(want, s, n);
	jw_sv(w, NULL, (struct sv){s, n});
	size_t gn;
	const char *got = out_new(o, &gn);
	assert_int_equal(gn, wn);
	assert_memory_equal(got, want, wn);
	json_put_string(o->f, s, n);
	got = out_new(o, &gn);
	assert_int_equal(gn, wn);
	assert_memory_equal(got, want, wn);
}

static void test_strings(void **state)
{
	(void)state;
	struct out o;
	out_open(&o);
	struct jw w;
	jw_init(&w, o.f);
	size_t cap = 3 * JW_BUF + 100;
	char *s = malloc(cap);
	char *want = malloc(6 * cap + 2);
	assert_non_null(s);
	assert_non_null(want);
	static const char *const fixed[] = {
		"", "plain", "a\"b\\c", "line\r\nnext\ttab", "\x01\x1f\x7f", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x9e",
		"\xff\xfe", "\xc3", "\xe2\x82", "\xed\xa0\x80", "\xc0\xaf", "sip:alice@example.com;tag=1",
	};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		check_str(&w, &o, fixed[i], strlen(fixed[i]), want);
	/* random bytes and mostly-plain text of every length up to past the buffer,
	 * so that runs and escapes meet its end */
	static const char alphabet[] = "abcXYZ019 :;@<>\"\\\n\t\x01\x7f\xc3\xa9\xe2\x82\xac\xf0\x9f\x93\x9e\xff";
	for (int round = 0; round < 3000; round++) {
		size_t n = round < 2000 ? next() % 200 : next() % cap;
		int kind = (int)(next() % 3);
		for (size_t i = 0; i < n; i++) {
			if (kind == 0)
				s[i] = (char)next();
			else if (kind == 1)
				s[i] = alphabet[next() % (sizeof(alphabet) - 1)];
			else
				s[i] = next() % 64 ? 'a' + (char)(next() % 26) : alphabet[next() % (sizeof(alphabet) - 1)];
		}
		check_str(&w, &o, s, n, want);
	}
	/* a run that fills the buffer exactly, then one escape */
	for (size_t n = JW_BUF - 8; n < JW_BUF + 8; n++) {
		memset(s, 'x', n);
		s[n] = '"';
		check_str(&w, &o, s, n + 1, want);
	}
	free(s);
	free(want);
	out_close(&o);
}

static void test_layout(void **state)
{
	(void)state;
	struct out o;
	out_open(&o);
	struct jw w;
	jw_init(&w, o.f);
	jw_obj(&w, NULL);
	jw_str(&w, "name", "x\"y");
	jw_str(&w, "none", NULL);
	jw_int(&w, "neg", INT64_MIN);
	jw_uint(&w, "big", UINT64_MAX);
	jw_num(&w, "f", 1.0625, 3);
	jw_num(&w, "nan", NAN, 1);
	jw_bool(&w, "t", true);
	jw_bool(&w, "f2", false);
	jw_null(&w, "n");
	jw_arr(&w, "empty");
	jw_arr_end(&w);
	jw_obj(&w, "o");
	jw_arr(&w, "a");
	jw_uint(&w, NULL, 0);
	jw_obj(&w, NULL);
	jw_obj_end(&w);
	jw_arr_end(&w);
	const uint16_t u[] = {0, 9, 65535};
	jw_uint_list(&w, "u", u, 3);
	const int16_t s[] = {-32768, -1, 0, 7, 32767};
	jw_int_list(&w, "s", s, 5, 7);
	jw_time(&w, "at", 1700000000123456789LL);
	jw_obj_end(&w);
	jw_obj_end(&w);
	size_t n;
	const char *got = out_new(&o, &n);
	static const char want[] = "{\n"
				   "  \"name\": \"x\\\"y\",\n"
				   "  \"none\": null,\n"
				   "  \"neg\": -9223372036854775808,\n"
				   "  \"big\": 18446744073709551615,\n"
				   "  \"f\": 1.062,\n"
				   "  \"nan\": null,\n"
				   "  \"t\": true,\n"
				   "  \"f2\": false,\n"
				   "  \"n\": null,\n"
				   "  \"empty\": [],\n"
				   "  \"o\": {\n"
				   "    \"a\": [\n"
				   "      0,\n"
				   "      {}\n"
				   "    ],\n"
				   "    \"u\": [0, 9, 65535],\n"
				   "    \"s\": [-32768, -1, 0, null, 32767],\n"
				   "    \"at\": \"2023-11-14T22:13:20.123456Z\"\n"
				   "  }\n"
				   "}\n";
	assert_int_equal(n, sizeof(want) - 1);
	assert_memory_equal(got, want, n);

	/* compact: one line per top-level value */
	w.compact = true;
	jw_obj(&w, NULL);
	jw_str(&w, "k", "v");
	jw_arr(&w, "a");
	jw_int(&w, NULL, -5);
	jw_num(&w, NULL, -0.04, 1);
	jw_arr_end(&w);
	jw_obj_end(&w);
	got = out_new(&o, &n);
	static const char want_compact[] = "{\"k\":\"v\",\"a\":[-5,0.0]}\n";
	assert_int_equal(n, sizeof(want_compact) - 1);
	assert_memory_equal(got, want_compact, n);

	/* lists longer than the writer's buffer, held and not */
	for (int held = 0; held < 2; held++) {
		enum { N = 3000 };
		static uint16_t uv[N];
		static int16_t sv[N];
		static char lw[2 * 9 * N + 64];
		size_t ln = (size_t)snprintf(lw, sizeof(lw), "[");
		for (int i = 0; i < N; i++) {
			uv[i] = (uint16_t)next();
			ln += (size_t)snprintf(lw + ln, sizeof(lw) - ln, "%s%u", i ? ", " : "", (unsigned)uv[i]);
		}
		ln += (size_t)snprintf(lw + ln, sizeof(lw) - ln, "]");
		if (held)
			jw_hold(&w);
		jw_uint_list(&w, NULL, uv, N);
		if (held)
			jw_release(&w);
		got = out_new(&o, &n);
		assert_int_equal(n, ln);
		assert_memory_equal(got, lw, n);
		for (int i = 0; i < N; i++)
			sv[i] = i % 10 == 3 ? 99 : i == 7 ? INT16_MIN : (int16_t)next();
		ln = (size_t)snprintf(lw, sizeof(lw), "[");
		for (int i = 0; i < N; i++) {
			if (sv[i] == 99)
				ln += (size_t)snprintf(lw + ln, sizeof(lw) - ln, "%snull", i ? ", " : "");
			else
				ln += (size_t)snprintf(lw + ln, sizeof(lw) - ln, "%s%d", i ? ", " : "", sv[i]);
		}
		ln += (size_t)snprintf(lw + ln, sizeof(lw) - ln, "]");
		if (held)
			jw_hold(&w);
		jw_int_list(&w, NULL, sv, N, 99);
		if (held)
			jw_release(&w);
		got = out_new(&o, &n);
		assert_int_equal(n, ln);
		assert_memory_equal(got, lw, n);
	}

	/* deeper than the writer counts: indentation stops growing, text stays whole */
	w.compact = false;
	for (int i = 0; i < JW_MAX_DEPTH + 3; i++)
		jw_arr(&w, NULL);
	jw_uint(&w, NULL, 1);
	for (int i = 0; i < JW_MAX_DEPTH + 3; i++)
		jw_arr_end(&w);
	got = out_new(&o, &n);
	assert_true(n > 0);
	assert_int_equal(got[n - 1], '\n');
	out_close(&o);
}

/* Text written to the FILE between calls lands where it was written. */
static void test_interleaved(void **state)
{
	(void)state;
	struct out o;
	out_open(&o);
	struct jw w;
	jw_init(&w, o.f);
	jw_obj(&w, NULL);
	jw_arr(&w, "a");
	fputs("\n    1", o.f);
	w.has_items[w.depth] = true;
	jw_uint(&w, NULL, 2);
	jw_arr_end(&w);
	jw_obj_end(&w);
	size_t n;
	const char *got = out_new(&o, &n);
	static const char want[] = "{\n  \"a\": [\n    1,\n    2\n  ]\n}\n";
	assert_int_equal(n, sizeof(want) - 1);
	assert_memory_equal(got, want, n);
	out_close(&o);
}

/* A value written under jw_hold: the same text, whole once released. */
static void write_sample(struct jw *w, int holds)
{
	for (int h = 0; h < holds; h++)
		jw_hold(w);
	jw_obj(w, NULL);
	jw_arr(w, "items");
	char big[JW_BUF + 300];
	memset(big, 'b', sizeof(big));
	for (int i = 0; i < 400; i++) {
		jw_obj(w, NULL);
		jw_uint(w, "i", (uint64_t)i);
		jw_num(w, "x", i / 7.0, 3);
		jw_num(w, "huge", 1e300, 2); /* through printf */
		jw_sv(w, "s", (struct sv){big, i % 5 == 0 ? sizeof(big) : (size_t)i});
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
	for (int h = 0; h < holds; h++)
		jw_release(w);
}

static void test_hold(void **state)
{
	(void)state;
	struct out a, b;
	out_open(&a);
	out_open(&b);
	struct jw wa, wb;
	jw_init(&wa, a.f);
	jw_init(&wb, b.f);
	write_sample(&wa, 0);
	write_sample(&wb, 2);
	assert_int_equal(wb.hold, 0);
	assert_int_equal(wb.n, 0);
	size_t na, nb;
	const char *pa = out_new(&a, &na), *pb = out_new(&b, &nb);
	assert_true(na > 3 * JW_BUF);
	assert_int_equal(na, nb);
	assert_memory_equal(pa, pb, na);
	/* held text has not all reached the stream before the release */
	jw_hold(&wb);
	jw_str(&wb, "k", "v");
	assert_true(wb.n > 0);
	jw_release(&wb);
	assert_int_equal(wb.n, 0);
	out_close(&a);
	out_close(&b);
}

/* What format_utc wrote before it wrote digits by hand. */
static void utc_ref(char *buf, size_t cap, int64_t ns)
{
	time_t sec = (time_t)(ns / 1000000000LL);
	int64_t frac = ns % 1000000000LL;
	if (frac < 0) {
		frac += 1000000000LL;
		sec--;
	}
	struct tm tm;
	if (!gmtime_r(&sec, &tm)) {
		snprintf(buf, cap, "?");
		return;
	}
	char date[32];
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, cap, "%s.%06" PRId64 "Z", date, frac / 1000);
}

static void check_utc(int64_t ns)
{
	char want[80], got[80];
	const size_t caps[] = {64, 48, 28, 27, 10, 1};
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		memset(want, 'w', sizeof(want));
		memset(got, 'g', sizeof(got));
		utc_ref(want, caps[i], ns);
		format_utc(got, caps[i], ns);
		if (strcmp(got, want) != 0)
			fail_msg("format_utc(%" PRId64 ", %zu): \"%s\", before \"%s\"", ns, caps[i], got, want);
		assert_int_equal(got[caps[i]], 'g'); /* nothing past cap */
	}
}

static void test_utc(void **state)
{
	(void)state;
	const int64_t edges[] = {0, 1, -1, 999, 1000, -1000, 999999999, 1000000000, -999999999, -1000000000,
				 1700000000123456789LL, 946684799999999999LL, 951782400000000000LL,
				 -1000000001, 4102444800000000000LL, 4102444799999999999LL, INT64_MAX,
				 INT64_MIN, INT64_MIN + 1};
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		check_utc(edges[i]);
	for (int i = 0; i < 100000; i++) {
		check_utc((int64_t)next());
		/* (int64_t nanoseconds reach from 1677 to 2262) near today */
		check_utc(1600000000000000000LL + (int64_t)(next() % 400000000000000000ULL));
	}
	char buf[64];
	format_utc_readable(buf, sizeof(buf), 1700000000123456789LL);
	assert_string_equal(buf, "2023-11-14 22:13:20.123456 UTC");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_num_edges),     cmocka_unit_test(test_num_boundaries),
		cmocka_unit_test(test_num_random),    cmocka_unit_test(test_strings),
		cmocka_unit_test(test_layout),        cmocka_unit_test(test_interleaved),
		cmocka_unit_test(test_hold),          cmocka_unit_test(test_utc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
