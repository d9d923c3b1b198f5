/* SPDX-License-Identifier: MIT */
/* RTP fixed header, CSRC list, header extension and padding (RFC 3550 section
 * 5.1 and 5.3.1), the RTP/RTCP demultiplexing rule of RFC 5761 section 4, and
 * RFC 4733 telephone-event payloads. */
#include "proto/rtp.h"

#include <string.h>

#include "core/rd.h"

/* Bytes 1-11 of the fixed header: marker, payload type, sequence number,
 * time stamp, SSRC. */
static inline void fixed_fields(struct rtp_hdr *h, struct rd_fixed f)
{
	uint8_t b1 = rd_at_u8(f, 0);
	h->marker = (b1 & 0x80) != 0;
	h->pt = b1 & 0x7f;
	h->seq = rd_at_be16(f, 1);
	h->ts = rd_at_be32(f, 3);
	h->ssrc = rd_at_be32(f, 7);
}

enum status rtp_parse(const uint8_t *p, size_t n, struct rtp_hdr *h)
{
	struct rd r = rd_make(p, n);

	/* every field zero first, field by field: a memset of the whole becomes
	 * a rep stos, slower on this path of every RTP packet */
	h->version = 0;
	h->padding = h->extension = h->marker = false;
	h->cc = h->pt = 0;
	h->seq = 0;
	h->ts = h->ssrc = 0;
	memset(h->csrc, 0, sizeof(h->csrc));
	h->ext_profile = h->ext_words = 0;
	h->pad_len = 0;
	h->payload = NULL;
	h->payload_len = 0;
	if (n == 0)
		return ST_TRUNCATED;

	uint8_t b0 = rd_u8(&r);
	h->version = b0 >> 6;
	h->padding = (b0 & 0x20) != 0;
	h->extension = (b0 & 0x10) != 0;
	h->cc = b0 & 0x0f;
	if (h->version != 2)
		return ST_MALFORMED;

	/* the rest of the fixed header, taken at once; a shorter one gives the
	 * fields that fit in what is there (rd_at_* read 0 past its end) */
	if (rd_has(&r, 11)) {
		fixed_fields(h, rd_take(&r, 11));
	} else {
		fixed_fields(h, rd_rest(&r));
		return ST_TRUNCATED;
	}

	for (unsigned i = 0; i < h->cc; i++)
		h->csrc[i] = rd_be32(&r);
	if (r.bad)
		return ST_TRUNCATED;

	if (h->extension) {
		h->ext_profile = rd_be16(&r);
		h->ext_words = rd_be16(&r);
		if (!rd_skip(&r, (size_t)h->ext_words * 4))
			return ST_TRUNCATED;
	}

	/* What is left is payload plus padding; the last byte counts the padding,
	 * itself included (RFC 3550 section 5.1). */
	size_t left = rd_left(&r);
	h->payload = r.p;
	if (h->padding) {
		if (left == 0)
			return ST_MALFORMED;
		h->pad_len = rd_peek(&r, left - 1);
		if (h->pad_len == 0 || h->pad_len > left)
			return ST_MALFORMED;
		left -= h->pad_len;
	}
	h->payload_len = left;
	return ST_OK;
}

enum status rtp_event_parse(const uint8_t *p, size_t n, struct rtp_event *e)
{
	struct rd r = rd_make(p, n);

	memset(e, 0, sizeof(*e));
	e->event = rd_u8(&r);
	uint8_t b1 = rd_u8(&r);
	e->end = (b1 & 0x80) != 0;
	e->volume = b1 & 0x3f;
	e->duration = rd_be16(&r);
	return r.bad ? ST_TRUNCATED : ST_OK;
}

char rtp_event_char(uint8_t event)
{
	static const char tab[] = "0123456789*#ABCD";

	if (event < sizeof(tab) - 1)
		return tab[event];
	return '?';
}
