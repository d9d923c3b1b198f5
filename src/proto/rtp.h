/* SPDX-License-Identifier: MIT */
/* RTP fixed header (RFC 3550 section 5.1: CSRC list, header extension, padding)
 * and RFC 4733 telephone-event payloads. Pure functions: no state, no allocation. */
#ifndef DEADAIR_PROTO_RTP_H
#define DEADAIR_PROTO_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

struct rtp_hdr {
	uint8_t version;
	bool padding;
	bool extension;
	bool marker;
	uint8_t cc;         /* CSRC count */
	uint8_t pt;         /* payload type, 0..127 */
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
	uint32_t csrc[15];
	uint16_t ext_profile; /* when extension: "defined by profile" field */
	uint16_t ext_words;   /* when extension: length in 32-bit words */
	uint8_t pad_len;      /* when padding: the count in the last byte */
	const uint8_t *payload;
	size_t payload_len;   /* payload without header, extension and padding */
};

/* Parses an RTP packet of n bytes. ST_OK when the header, CSRCs, extension
 * and padding all fit; ST_TRUNCATED when n is shorter than they claim;
 * ST_MALFORMED when the version is not 2 or the padding count is 0 or larger
 * than what is left. On error *h holds what could be read. */
enum status rtp_parse(const uint8_t *p, size_t n, struct rtp_hdr *h);

/* RFC 5761 section 4: with RTP and RTCP on one port, a second byte of 192..223
 * (payload type 64..95 with the marker set) means RTCP. */
static inline bool rtp_is_rtcp_pt(uint8_t second_byte)
{
	return second_byte >= 192 && second_byte <= 223;
}

/* RFC 4733 section 2.3 telephone-event payload. */
struct rtp_event {
	uint8_t event;    /* 0-9 digits, 10 '*', 11 '#', 12-15 A-D, ... */
	bool end;
	uint8_t volume;   /* 0..63, -dBm0 */
	uint16_t duration; /* in timestamp units */
};

/* Parses the first 4-byte event of a telephone-event payload. */
enum status rtp_event_parse(const uint8_t *p, size_t n, struct rtp_event *e);
/* '0'..'9', '*', '#', 'A'..'D', or '?' for other events. */
char rtp_event_char(uint8_t event);

#endif
