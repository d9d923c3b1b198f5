/* SPDX-License-Identifier: MIT */
/* How a byte stream splits into messages. decode's TCP reassembly asks a framer
 * (supplied by whoever wires the pipeline, e.g. proto's SIP framer) where the
 * message at the head of a stream ends, without decode knowing the protocol. */
#ifndef DEADAIR_CORE_FRAMING_H
#define DEADAIR_CORE_FRAMING_H

#include <stddef.h>
#include <stdint.h>

enum frame_cut {
	FRAME_MESSAGE,   /* *len bytes form one complete message */
	FRAME_NEED_MORE, /* the head is the start of a message that is not complete; *len
			  * is the length the stream must reach before it can be (0:
			  * not known yet), so that a framer is not run for nothing */
	FRAME_SKIP,      /* *len bytes at the head are not a message: drop them */
	FRAME_TOO_LARGE, /* *len bytes at the head are a message over the parser's size
			  * limits: drop them, and count it */
};

typedef enum frame_cut (*framer_fn)(const uint8_t *p, size_t n, size_t *len);

#endif
