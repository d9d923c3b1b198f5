/* SPDX-License-Identifier: MIT */
/* RTP in a call's ladder, as Wireshark's flow graph shows it: per stream
 * (direction and SSRC) its first packet, its silences (gaps the calls stage
 * recorded) and its last packet, as rows in time order among the SIP messages. */
#ifndef DEADAIR_REPORT_LADDER_RTP_H
#define DEADAIR_REPORT_LADDER_RTP_H

#include <stddef.h>
#include <stdint.h>

#include "calls/model.h"

#define LADDER_RTP_MAX 64          /* RTP rows per call */
#define LADDER_RTP_GAPS 8          /* silences shown per stream */

enum ladder_rtp_kind { LRTP_FIRST, LRTP_GAP, LRTP_LAST };

struct ladder_rtp {
	int64_t ts;
	uint64_t frame;
	const struct stream *s;
	uint8_t kind;                  /* enum ladder_rtp_kind */
	int64_t silence_ns;            /* LRTP_GAP: from the last packet before to the first after */
	uint64_t frame_after;          /* LRTP_GAP: the first packet after it */
};

/* The RTP rows of c in time order (then frame), at most cap; *left_out
 * counts rows past cap or past LADDER_RTP_GAPS of a stream. */
unsigned ladder_rtp_rows(const struct call *c, struct ladder_rtp *out, unsigned cap, unsigned *left_out);
/* "RTP PCMU, caller: first packet (SSRC 0x1a2b3c4d)" and the like (plain text). */
void ladder_rtp_label(const struct ladder_rtp *r, char *buf, size_t cap);

#endif
