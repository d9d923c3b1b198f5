/* SPDX-License-Identifier: MIT */
/* RTCP compound packets (RFC 3550 section 6: SR, RR, SDES, BYE, APP; RFC 3611 XR
 * with the VoIP metrics block). An iterator walks the packets of one compound
 * datagram; every length field narrows the window. Pure, no allocation. */
#ifndef DEADAIR_PROTO_RTCP_H
#define DEADAIR_PROTO_RTCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/rd.h"
#include "core/status.h"
#include "core/sv.h"

enum {
	RTCP_SR = 200,
	RTCP_RR = 201,
	RTCP_SDES = 202,
	RTCP_BYE = 203,
	RTCP_APP = 204,
	RTCP_RTPFB = 205,
	RTCP_PSFB = 206,
	RTCP_XR = 207,
};

struct rtcp_report_block {
	uint32_t ssrc;          /* the source this block reports on */
	uint8_t fraction_lost;  /* fixed point, /256 */
	int32_t cum_lost;       /* signed 24-bit, sign-extended */
	uint32_t ext_high_seq;
	uint32_t jitter;        /* timestamp units */
	uint32_t lsr;
	uint32_t dlsr;          /* 1/65536 s */
};

/* RFC 3611 section 4.7 VoIP Metrics Report Block (block type 7). */
struct rtcp_xr_voip {
	uint32_t ssrc;
	uint8_t loss_rate, discard_rate, burst_density, gap_density;
	uint16_t burst_duration, gap_duration, round_trip_delay, end_system_delay;
	uint8_t r_factor, mos_lq, mos_cq; /* 127 = unavailable; MOS in tenths */
};

struct rtcp_pkt {
	uint8_t pt;
	uint8_t count;         /* RC / SC / subtype field */
	bool padding;
	size_t len;            /* bytes of this packet, (length+1)*4 */
	uint32_t ssrc;         /* sender (SR, RR, APP, XR, FB) or first source (SDES, BYE) */
	/* SR sender info */
	uint64_t ntp;
	uint32_t rtp_ts;
	uint32_t pkt_count;
	uint32_t octet_count;
	/* SR/RR report blocks */
	uint8_t n_blocks;
	struct rtcp_report_block blocks[31];
	/* SDES: first CNAME item; BYE: reason text, if any */
	struct sv cname;
	struct sv bye_reason;
	/* APP */
	char app_name[5];
	/* XR */
	uint8_t n_xr_blocks;
	bool has_voip;
	struct rtcp_xr_voip voip;
};

struct rtcp_iter {
	struct rd r;
	unsigned index;
	bool done;
};

void rtcp_iter_init(struct rtcp_iter *it, const uint8_t *p, size_t n);

/* Reads the next packet of the compound. Returns ST_OK and fills *pkt, or an
 * error status; *more is set false when there is nothing left to read (after the
 * last packet, or after an error, which ends the walk). */
enum status rtcp_next(struct rtcp_iter *it, struct rtcp_pkt *pkt, bool *more);

/* RFC 3550 appendix A.2 style validity check of a whole compound datagram:
 * version 2, first packet SR or RR (or, leniently, any RTCP type 200..207 for
 * reduced-size RTCP, RFC 5506), lengths adding up exactly to n. */
bool rtcp_compound_valid(const uint8_t *p, size_t n);

#endif
