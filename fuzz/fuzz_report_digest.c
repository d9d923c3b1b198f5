/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the reader of deadair JSON reports that `deadair diff`
 * takes as input (src/report/report_digest.c: jansson and the walk over its
 * tree), then the comparison of the digest with itself and with an empty
 * report, written as text and JSON (src/report/diff_report.c). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "report/diff_report.h"
#include "report/report_digest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	if (!null)
		null = fopen("/dev/null", "w");
	if (!null)
		return 0;
	(void)report_digest_sniff(data, size);
	struct report_digest d, empty;
	char err[200];
	memset(&empty, 0, sizeof(empty));
	if (!report_digest_read_bytes((const char *)data, size, &d, err, sizeof(err))) {
		if (!memchr(err, '\0', sizeof(err)))
			__builtin_trap(); /* the reason must be a string */
		return 0;
	}
	if (d.calls_with_problems > d.calls)
		__builtin_trap();
	for (size_t i = 0; i < d.n_kinds; i++)
		if (d.kinds[i].calls > d.calls)
			__builtin_trap(); /* a call counts once per kind */
	struct diff_input in = { .name = "fuzz", .report = true };
	const struct report_digest *pairs[3][2] = { { &d, &d }, { &empty, &d }, { &d, &empty } };
	for (int i = 0; i < 3; i++) {
		struct diff df;
		if (!diff_compare(pairs[i][0], pairs[i][1], SEV_INFO, &df))
			continue;
		if (i == 0 && df.fails)
			__builtin_trap(); /* a report compared with itself holds nothing new */
		diff_write_text(null, &df, &in, &in);
		diff_write_json(null, &df, &in, &in);
		diff_free(&df);
	}
	report_digest_free(&d);
	return 0;
}
