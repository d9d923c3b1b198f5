/* SPDX-License-Identifier: MIT */
/* The per-frame dispatch: decoded datagrams through proto to the calls stage. */
#include "pipeline/dispatch.h"

#include "proto/classify.h"
#include "proto/icmp.h"
#include "proto/rtp.h"
#include "proto/turn.h"

void dispatch_dgram(void *ctx, const struct dgram *d)
{
	struct dispatch *x = ctx;
	if (d->transport == TP_ICMP || d->transport == TP_ICMPV6) {
		struct icmp_error e;
		x->frame_transport = d->transport;
		if (icmp_error_parse(d->data, d->len, d->transport == TP_ICMPV6, &e) == ST_OK)
			calls_icmp(x->calls, d, &e);
		return;
	}
	struct rtp_hdr h; /* with PK_RTP, the header the classification parsed */
	enum payload_kind k = classify_payload_rtp(d->data, d->len, d->sport, d->dport, &h);
	/* media relayed through a TURN channel (RFC 8656 section 12.4): the flow is
	 * the client's with its TURN server, as Wireshark shows it */
	struct dgram inner;
	uint16_t channel;
	const uint8_t *in;
	size_t in_len;
	if (k == PK_OTHER && d->transport == TP_UDP && turn_channel_data(d->data, d->len, &channel, &in, &in_len)) {
		enum payload_kind ik = classify_payload_rtp(in, in_len, d->sport, d->dport, &h);
		if (ik == PK_RTP || ik == PK_RTCP || ik == PK_STUN) {
			inner = *d;
			inner.data = in;
			inner.len = in_len;
			inner.encap |= ENC_TURN;
			d = &inner;
			k = ik;
		}
	}
	x->frame_kinds |= 1u << k;
	x->frame_transport = d->transport;
	switch (k) {
	case PK_SIP: {
		struct sip_msg m;
		long n = sip_parse((const char *)d->data, d->len, SIP_DGRAM, &m);
		if (n <= 0)
			return;
		if (x->sip)
			x->sip(x->sip_ctx, d, &m);
		else
			calls_sip(x->calls, d, &m);
		break;
	}
	case PK_RTP:
		calls_rtp(x->calls, d, &h);
		break;
	case PK_RTCP:
		calls_rtcp(x->calls, d);
		break;
	case PK_STUN:
		calls_stun(x->calls, d);
		break;
	default:
		break;
	}
}

void dispatch_gap(void *ctx, const struct decode_gap *g)
{
	struct dispatch *x = ctx;
	calls_transport_gap(x->calls, g);
}
