/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the pasted-trace reader (src/source/trace*.c) in every
 * format, Homer JSON included (jansson and the walk around it), each message
 * rebuilt into a bounded buffer, the time parsers on the input as a whole. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "source/trace.h"

static volatile size_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[TRACE_MAX_MESSAGE];
	const char *p = (const char *)data;
	sink += (size_t)trace_detect(p, size);
	for (int f = TRACE_AUTO; f < TRACE__COUNT; f++) {
		struct trace_reader r;
		trace_reader_init(&r, p, size, (enum trace_format)f);
		struct trace_msg m;
		unsigned guard = 0;
		size_t last_off = 0;
		while (trace_next(&r, &m) == 1) {
			if (m.end > size || m.off > m.end)
				__builtin_trap(); /* a message must lie within the input */
			if (guard && m.off < last_off)
				__builtin_trap(); /* and the reader must move forward */
			last_off = m.off;
			size_t len = trace_msg_text(&r, &m, buf, sizeof(buf));
			if (len > sizeof(buf))
				__builtin_trap();
			for (size_t i = 0; i < len; i++)
				sink += (unsigned char)buf[i];
			size_t small = trace_msg_text(&r, &m, buf, 64);
			if (small > 64)
				__builtin_trap();
			if (++guard > size + 1)
				__builtin_trap(); /* at most one message per byte */
		}
	}
	int64_t ns;
	uint8_t kind;
	sink += trace_parse_time(sv_make(p, size), &ns, &kind);
	sink += trace_parse_date_header(sv_make(p, size), &ns);
	return 0;
}
