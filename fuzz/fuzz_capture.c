/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the capture readers (src/source): detection, gzip, zstd
 * and lz4 streams, pcap and pcapng files of every variant, read frame by
 * frame as the pipeline reads them, every frame's bytes touched.
 * Input: the bytes of a capture file. Seeds: fuzz/corpus/capture, made by
 * fuzz/seeds_capture.sh with real tools (editcap, mergecap, gzip, zstd, lz4). */
#include <stddef.h>
#include <stdint.h>

#include "source/capture.h"

static volatile size_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct capture c;
	/* a small limit keeps decompression bombs quick */
	struct capture_opts o = { .max_inflated = 4u << 20 };
	if (capture_open_mem(&c, "fuzz", data, size, 0, &o) != ST_OK) {
		capture_close(&c);
		return 0;
	}
	struct frame f;
	unsigned n = 0;
	while (n++ < 100000 && capture_next(&c, &f) == 1) {
		if (f.bad)
			continue;
		for (uint32_t i = 0; i < f.caplen; i++)
			sink += f.data[i];
		if (f.iface >= c.n_ifaces)
			__builtin_trap();
		sink += (size_t)f.ts_ns + (size_t)f.linktype + f.len;
	}
	for (unsigned i = 0; i < c.n_ifaces; i++)
		for (const char *p = c.ifaces[i].name; *p; p++)
			sink += (unsigned char)*p;
	uint64_t done, total;
	capture_progress(&c, &done, &total);
	sink += (size_t)(done + total);
	capture_close(&c);
	return 0;
}
