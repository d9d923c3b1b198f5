/* SPDX-License-Identifier: MIT */
/* The per-frame dispatch every entry point shares: each datagram the decoder
 * hands over is classified, parsed by proto and given to the calls stage (SIP,
 * RTP, RTCP, STUN, ICMP errors, TURN channel data), so that a capture file and
 * a live interface go through the same steps. */
#ifndef DEADAIR_PIPELINE_DISPATCH_H
#define DEADAIR_PIPELINE_DISPATCH_H

#include <stdint.h>

#include "calls/calls.h"
#include "decode/decode.h"
#include "proto/sip.h"

struct dispatch {
	struct calls *calls;
	/* a parsed SIP message goes here when set (the caller counts it and hands
	 * it to calls_sip itself), else straight to calls_sip */
	void (*sip)(void *ctx, const struct dgram *d, const struct sip_msg *m);
	void *sip_ctx;
	/* kinds seen in the frame being decoded (1 << enum payload_kind; a frame
	 * may carry several payloads) and its transport; the caller clears them
	 * before each frame */
	unsigned frame_kinds;
	uint8_t frame_transport;
};

/* A decoder sink (decode_config.sink): ctx is a struct dispatch. */
void dispatch_dgram(void *ctx, const struct dgram *d);
/* A decoder gap sink (decode_config.gap): ctx is a struct dispatch. */
void dispatch_gap(void *ctx, const struct decode_gap *g);

#endif
