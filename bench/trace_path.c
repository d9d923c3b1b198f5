/* SPDX-License-Identifier: MIT */
/* Times the trace path alone, without the calls stage: trace_input_open
 * (detection, reading every message, rebuilding and parsing it, ordering by
 * time) and the pass of trace_input_next that pipeline_analyze_trace makes
 * (each message rebuilt and parsed again, handed on in time order).
 * bench/trace_bench.sh builds it against build/libdeadair_lib.a and compares
 * it with full runs.
 *
 *   trace_path TRACE...      one line per trace: messages, milliseconds of each part */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pipeline/trace_input.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	struct sip_msg *m = malloc(sizeof(*m));
	struct trace_input *t = malloc(sizeof(*t));
	if (!m || !t)
		return 1;
	int status = 0;
	for (int i = 1; i < argc; i++) {
		char err[400];
		double t0 = now_ms();
		if (!trace_input_open(t, argv[i], NULL, 0, TRACE_AUTO, err, sizeof(err))) {
			fprintf(stderr, "%s: %s\n", argv[i], err);
			status = 1;
			continue;
		}
		double t1 = now_ms();
		struct dgram d;
		unsigned inf;
		size_t count = 0;
		while (trace_input_next(t, &d, m, &inf) == 1)
			count++;
		double t2 = now_ms();
		printf("%s: %s, %zu messages, %llu lines; open %.0f ms, pass %.0f ms, total %.0f ms\n", argv[i],
		       trace_format_name(t->facts.format), count, (unsigned long long)t->facts.lines, t1 - t0, t2 - t1,
		       t2 - t0);
		if (count != t->facts.messages)
			status = 1;
		trace_input_close(t);
	}
	free(m);
	free(t);
	return status;
}
