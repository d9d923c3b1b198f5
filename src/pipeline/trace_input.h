/* SPDX-License-Identifier: MIT */
/* A pasted SIP trace as pipeline input: the text (a file or bytes in memory)
 * is read with the source stage's trace reader, each message rebuilt and
 * parsed, ordered by time, and handed on as the datagram the calls stage
 * takes, with the addresses the trace names or, where it names none, those
 * its Via/Contact headers soundly give (marked as inferred). */
#ifndef DEADAIR_PIPELINE_TRACE_INPUT_H
#define DEADAIR_PIPELINE_TRACE_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"
#include "proto/sip.h"
#include "source/trace.h"

struct trace_item {
	struct trace_msg tm;
	int64_t ts;                    /* after Date headers and order */
	uint8_t tkind;                 /* enum trace_time used */
	uint32_t seq;                  /* position in the text, for a stable sort */
	uint8_t fallback;              /* which addresses Via/Contact/Request-URI give (bit 0 source, 1 destination) */
};

struct trace_input {
	uint8_t *owned;                /* the text, when read from a file */
	const char *text;
	size_t len;
	struct trace_reader rd;
	struct trace_item *items;
	size_t n_items, cap_items, next;
	char *msgbuf;                  /* one rebuilt message */
	size_t msglen;
	struct addr local;             /* the logging host, learned from its own Via */
	uint16_t local_port;
	bool have_local;
	struct trace_facts facts;
};

/* Whether these bytes start like a capture (pcap, pcapng, gzip) rather than text. */
bool trace_input_is_capture(const uint8_t *p, size_t n);
/* Same for a file: reads its first bytes. */
bool trace_input_file_is_capture(const char *path);

/* Reads the trace (path, or data/len when path is NULL) and indexes every
 * message. false with a message for a person in err: unreadable, too large,
 * or no SIP message in it. */
bool trace_input_open(struct trace_input *t, const char *path, const uint8_t *data, size_t len,
		      enum trace_format fmt, char *err, size_t errlen);

/* The next message in time order: 1 with *d and *m filled (valid until the
 * next call; d->frame is the message's line in the text), 0 at the end.
 * *inferred tells which addresses were inferred (bit 0 source, bit 1
 * destination). t->facts is complete after trace_input_open: the messages'
 * addresses are counted there. */
int trace_input_next(struct trace_input *t, struct dgram *d, struct sip_msg *m, unsigned *inferred);

void trace_input_close(struct trace_input *t);

#endif
