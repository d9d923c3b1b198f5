/* SPDX-License-Identifier: MIT */
/* HEPv3 over TCP: the stream of one connection cut into frames by the length
 * field of each "HEP3" header (bytes 4-5, the whole frame's length), with at
 * most one frame (64 KiB) buffered. Pure: no sockets, no allocation. */
#ifndef DEADAIR_WATCH_HEP_STREAM_H
#define DEADAIR_WATCH_HEP_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HEP_STREAM_CAP 65536

struct hep_stream {
	size_t n;                    /* bytes buffered: the start of one frame */
	bool bad;                    /* the stream held something other than HEPv3 frames */
	uint8_t buf[HEP_STREAM_CAP];
};

/* The length of the HEPv3 frame at the start of p[0..n): > 0 when it is
 * complete, 0 when more bytes are needed, -1 when p does not start one (a
 * wrong magic, or a length below the 6 bytes of the header). */
long hep_stream_frame(const uint8_t *p, size_t n);

/* Takes len more bytes of the stream; each complete frame goes to fn (its
 * bytes valid during the call only). Returns the frames handed over, or -1
 * once the stream is bad (nothing more is taken from it). */
long hep_stream_feed(struct hep_stream *s, const uint8_t *data, size_t len,
		     void (*fn)(void *ctx, const uint8_t *frame, size_t n), void *ctx);

#endif
