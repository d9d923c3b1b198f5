/* SPDX-License-Identifier: MIT */
/* The per-capture summary: what each capture held (frames by kind, reassembly,
 * problems) and the SIP messages found in it, printed as they are found so
 * memory does not grow with the packets. */
#ifndef DEADAIR_REPORT_SUMMARY_H
#define DEADAIR_REPORT_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "decode/decode.h"
#include "proto/classify.h"
#include "proto/sip.h"
#include "source/capture.h"

struct capture_summary {
	const struct capture *cap;
	uint64_t frames;
	uint64_t filtered_out;           /* frames the capture filter left out */
	const char *filter;              /* its expression, NULL without one */
	uint64_t kind_frames[PK__COUNT]; /* frames whose payload was of this kind */
	uint64_t other_udp;              /* delivered, but nothing we know */
	uint64_t other_tcp;
	uint64_t other_sctp;
	uint64_t sip_messages;           /* messages, several per frame possible */
	uint64_t sip_requests, sip_responses;
	uint64_t sip_malformed;          /* looked like SIP, but headers were broken */
	uint64_t reader_malformed;       /* packets the capture reader could not hand over (time stamp
					  * out of range, no interface), counted with the malformed */
	uint64_t blocks_malformed;       /* pcapng statistics blocks (ISB) naming no interface, or with
					  * an unusable time: counted with the malformed */
	uint64_t capture_dropped;        /* packets the capture dropped, by its own statistics (pcapng ISB) */
	int64_t first_ts, last_ts;
	const struct decode_stats *dstats;
};

/* Writes text taken from the wire with control characters made visible and at
 * most max bytes (then "..."). */
void report_put_safe(FILE *out, struct sv s, size_t max);

void summary_print_header(FILE *out, const struct capture *cap);
/* One line per SIP message: frame, time since the capture's first frame, addresses. */
void summary_print_sip(FILE *out, const struct capture_summary *s, const struct dgram *d,
		       const struct sip_msg *m);
void summary_print_counts(FILE *out, const struct capture_summary *s);

#endif
