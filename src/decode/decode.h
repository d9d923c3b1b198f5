/* SPDX-License-Identifier: MIT */
/* Frames to transport payloads: link layers (Ethernet, 802.1Q/QinQ, MPLS, Linux
 * SLL/SLL2, raw IP, BSD loopback), IPv4/IPv6 with extension headers and fragment
 * reassembly, tunnels (IP-in-IP, GRE, ERSPAN I/II/III, HEPv3), UDP, SCTP DATA,
 * and TCP reassembly into framed messages (SIP over TCP, SIP over WebSocket). */
#ifndef DEADAIR_DECODE_DECODE_H
#define DEADAIR_DECODE_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/framing.h"
#include "core/limits.h"
#include "source/capture.h"

enum {
	ENC_VLAN = 1u << 0,
	ENC_MPLS = 1u << 1,
	ENC_IPIP = 1u << 2,
	ENC_GRE = 1u << 3,
	ENC_ERSPAN = 1u << 4,
	ENC_HEP = 1u << 5,
	ENC_IPFRAG = 1u << 6,   /* rebuilt from IP fragments */
	ENC_TCP = 1u << 7,      /* cut from a reassembled TCP stream */
	ENC_WEBSOCKET = 1u << 8,
	ENC_HEP_GZIP = 1u << 9,
	ENC_TURN = 1u << 10,    /* relayed in a TURN channel (ChannelData) */
};

enum transport { TP_UDP = 17, TP_TCP = 6, TP_SCTP = 132, TP_ICMP = 1, TP_ICMPV6 = 58 };

/* One transport payload: a UDP datagram, an SCTP DATA chunk, a HEP-carried
 * payload, or one message framed out of a TCP or WebSocket stream; or an
 * ICMP/ICMPv6 error message (transport TP_ICMP/TP_ICMPV6, data = the ICMP
 * message from its type byte, the packet it quotes included; ports 0). */
struct dgram {
	uint64_t frame;       /* frame that completed it */
	int64_t ts_ns;        /* that frame's time (HEP: the agent's time stamp) */
	uint16_t point;       /* capture point */
	uint16_t iface;       /* interface of that frame, within its capture file */
	struct addr src, dst;
	uint16_t sport, dport;
	uint8_t transport;    /* enum transport */
	uint8_t ttl;          /* IPv4 TTL / IPv6 hop limit of the innermost IP header */
	uint16_t ip_id;       /* IPv4 identification of the innermost IP header (0 for IPv6 and
			       * when absent): the same value twice on one hop is one packet seen
			       * twice, a different one a new send */
	uint16_t encap;       /* ENC_* */
	uint8_t hep_proto;    /* HEP chunk 0x000b payload type (1 SIP, 5 RTCP, ...) */
	bool after_gap;       /* the first message of a TCP direction after bytes the capture lost */
	const uint8_t *data;
	size_t len;
};

/* What became of one frame. */
enum frame_result {
	FR_DELIVERED,        /* one or more payloads went to the sink */
	FR_HELD,             /* kept for reassembly (IP fragment, partial TCP message) */
	FR_TCP_OTHER,        /* TCP that carries nothing we frame (handshake, TLS, ...) */
	FR_TCP_DUP,          /* a retransmitted TCP segment */
	FR_OTHER_IP,         /* ICMP, ESP, ... */
	FR_NOT_IP,           /* ARP, LLDP, STP, ... */
	FR_UNSUPPORTED_LINK, /* a link type we do not decode */
	FR_UNSUPPORTED,      /* a known encapsulation we do not decode (jumbogram, SCTP fragments, HEP v1/v2) */
	FR_TRUNCATED,        /* the snap length cut a header we needed */
	FR_MALFORMED,        /* header fields contradict each other */
	FR__COUNT
};

const char *frame_result_str(enum frame_result r);

struct decode_stats {
	uint64_t frames[FR__COUNT];
	uint64_t snap_cut;        /* frames with caplen < len */
	uint64_t ip_fragments;
	uint64_t ip_reassembled;
	uint64_t ip_frag_dropped; /* timed out or over a limit */
	uint64_t ip_frag_evicted; /* the oldest datagram in progress, dropped to make room (table full) */
	uint64_t tcp_segments;
	uint64_t tcp_retrans;
	uint64_t tcp_gaps;        /* data never seen: reassembly skipped ahead */
	uint64_t tcp_limit;       /* flows or bytes over a limit */
	uint64_t tcp_too_large;   /* messages over the framer's size limits (SIP headers past 64 KiB), skipped */
	uint64_t tcp_messages;
	uint64_t tcp_keepalives;
	uint64_t ws_messages;
	uint64_t hep_packets;
	uint64_t hep_unsupported;
	uint64_t hep_rtcp_json;     /* RTCP reports sent as JSON (type 5), read as the RTCP they describe */
	uint64_t sctp_chunks;
	uint64_t short_frames;     /* an IP or UDP length longer than the frame: decoded as far as it goes */
	uint64_t icmp_unreachable; /* ICMP/ICMPv6 destination unreachable (delivered: proto/icmp.c reads the quoted packet) */
};

typedef void (*dgram_sink_fn)(void *ctx, const struct dgram *d);

/* Bytes of a TCP direction that the capture does not hold, given up on. */
struct decode_gap {
	const struct dgram *flow; /* the direction (addresses, ports, point), with the frame
				   * and time of the first data after the gap (no data) */
	uint64_t frame_before;    /* the last data before the gap */
	int64_t ts_before;
	uint64_t bytes;           /* how many are missing */
};

typedef void (*gap_sink_fn)(void *ctx, const struct decode_gap *g);

struct decode_config {
	struct limits limits;
	/* TCP: a stream is reassembled only when probe() finds a message start in
	 * one of its segments; framer() then cuts the stream into messages. */
	bool (*probe)(const uint8_t *p, size_t n);
	framer_fn framer;
	dgram_sink_fn sink;
	gap_sink_fn gap;      /* optional: told of each TCP gap before what follows it */
	void *sink_ctx;       /* for sink and gap */
};

struct decoder;

struct decoder *decoder_new(const struct decode_config *cfg);
void decoder_free(struct decoder *d);
/* Decodes one frame; payloads go to the sink before it returns. */
enum frame_result decoder_frame(struct decoder *d, const struct frame *f);
/* Decodes one HEP packet (HEPv3, or HEPv1/v2) that a collector received
 * itself (f->data: the UDP payload or the frame cut from a TCP stream, not
 * inside IP), as HEP inside a capture is: the datagram the agent captured,
 * with its addresses and time, goes to the sink. */
enum frame_result decoder_hep(struct decoder *d, const struct frame *f);
/* Lets capture time pass before the frame at time now: TCP holes waited for
 * long enough are given up, and what was held behind them is handed on (with
 * its own frames and times) before the next frame is decoded. */
void decoder_tick(struct decoder *d, int64_t now);
/* End of the input: hands on everything held behind TCP holes. */
void decoder_flush(struct decoder *d);
/* Drops everything held for reassembly. */
void decoder_reset(struct decoder *d);
const struct decode_stats *decoder_stats(const struct decoder *d);

/* Live state, to show that memory follows the streams, not the packets. */
size_t decoder_held_bytes(const struct decoder *d);

#endif
