/* SPDX-License-Identifier: MIT */
/* Unit tests for the pipeline driver: a capture read from memory (plain and
 * gzip-compressed) gives the same report as the file; bad inputs are counted
 * and named; a deadline stops the reading and says so. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zlib.h>

#include "pipeline/pipeline.h"

#define EXAMPLE EXAMPLES_DIR "/sipp-echo-call.pcap"

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	uint8_t *buf = NULL;
	size_t cap = 0;
	*len = 0;
	for (;;) {
		if (*len == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		size_t n = fread(buf + *len, 1, cap - *len, f);
		if (n == 0)
			break;
		*len += n;
	}
	fclose(f);
	return buf;
}

static uint8_t *gzip_bytes(const uint8_t *in, size_t len, size_t *out_len)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	size_t cap = deflateBound(&z, (uLong)len) + 64;
	uint8_t *out = malloc(cap);
	assert_non_null(out);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*out_len = cap - z.avail_out;
	deflateEnd(&z);
	return out;
}

/* Runs the inputs and returns the JSON report (caller frees). */
static char *run_json(const struct pipeline_input *in, size_t n, int64_t deadline, struct pipeline_result *res)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	FILE *err = tmpfile();
	assert_non_null(out);
	assert_non_null(err);
	struct pipeline_opts o = { .inputs = in, .n_inputs = n, .format = REPORT_JSON, .deadline_ns = deadline,
				   .err = err };
	assert_true(pipeline_run(&o, out, res));
	fclose(out);
	fclose(err);
	return buf;
}

static void test_memory_equals_file(void **state)
{
	(void)state;
	size_t len;
	uint8_t *data = slurp(EXAMPLE, &len);
	struct pipeline_input file = { .name = "x.pcap", .path = EXAMPLE };
	struct pipeline_input mem = { .name = "x.pcap", .data = data, .len = len };
	struct pipeline_result r1, r2;
	char *a = run_json(&file, 1, 0, &r1);
	char *b = run_json(&mem, 1, 0, &r2);
	assert_int_equal(r1.read, 1);
	assert_int_equal(r2.read, 1);
	assert_true(strstr(a, "\"calls\"") != NULL);
	assert_string_equal(a, b);
	assert_int_equal(r1.any_finding, r2.any_finding);

	size_t glen;
	uint8_t *gz = gzip_bytes(data, len, &glen);
	struct pipeline_input gzin = { .name = "x.pcap", .data = gz, .len = glen };
	struct pipeline_result r3;
	char *c = run_json(&gzin, 1, 0, &r3);
	assert_int_equal(r3.read, 1);
	/* the same report but for the format name */
	assert_true(strstr(c, "\"format\": \"pcap+gzip\"") != NULL || strstr(c, "\"format\":\"pcap+gzip\"") != NULL);
	char *p = strstr(c, "pcap+gzip");
	assert_non_null(p);
	memmove(p + 4, p + 9, strlen(p + 9) + 1);
	assert_string_equal(a, c);

	/* gzip cut in half: a partial report, not a crash */
	struct pipeline_input cut = { .name = "cut.pcap.gz", .data = gz, .len = glen / 2 };
	struct pipeline_result r4;
	char *d = run_json(&cut, 1, 0, &r4);
	assert_int_equal(r4.read + r4.partial, 1);
	assert_true(r4.partial == 1 || r4.read == 1);
	free(a);
	free(b);
	free(c);
	free(d);
	free(gz);
	free(data);
}

static void test_bad_inputs(void **state)
{
	(void)state;
	/* text with no SIP message in it: neither a capture nor a trace */
	static const uint8_t junk[] = "this is a shopping list, not a capture\r\n\r\n";
	struct pipeline_input in[3] = {
		{ .name = "empty", .data = junk, .len = 0 },
		{ .name = "junk", .data = junk, .len = sizeof(junk) - 1 },
		{ .name = "missing", .path = "/nonexistent/deadair/x.pcap" },
	};
	struct pipeline_result r;
	char *a = run_json(in, 3, 0, &r);
	assert_int_equal(r.failed, 3);
	assert_int_equal(r.read, 0);
	assert_true(strstr(r.first_error, "empty") != NULL);
	free(a);
}

static void test_deadline(void **state)
{
	(void)state;
	struct pipeline_input file = { .name = "x.pcap", .path = EXAMPLE };
	struct pipeline_result r;
	char *a = run_json(&file, 1, 1 /* long past */, &r);
	assert_true(r.timed_out);
	assert_int_equal(r.partial, 1);
	assert_true(strstr(r.first_error, "longer than allowed") != NULL);
	assert_true(strstr(a, "\"complete\": false") != NULL || strstr(a, "\"complete\":false") != NULL);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory_equals_file),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_deadline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
