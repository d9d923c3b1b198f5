/* SPDX-License-Identifier: MIT */
/* The calls stage: SIP messages, RTP and RTCP packets in, one at a time;
 * finished calls and idle unsignalled streams out, through callbacks, after
 * which they are freed. Memory follows the calls in progress, not the packets. */
#ifndef DEADAIR_CALLS_CALLS_H
#define DEADAIR_CALLS_CALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calls/model.h"
#include "decode/decode.h"
#include "proto/icmp.h"
#include "proto/rtcp.h"
#include "proto/rtp.h"
#include "proto/sip.h"

/* An answered call not on hold whose media was seen here, or an unanswered
 * INVITE, with nothing at all for 4 minutes is over: RTP flows every 20-60 ms
 * and RTCP every ~5 s (RFC 3550), ICE consent checks every ~5 s (RFC 7675),
 * rtpengine ends a call after 60 s without media, and an INVITE transaction
 * is over after Timer C (more than 3 minutes, RFC 3261). A held call may be
 * silent for long (rtpengine's silent-timeout: an hour), and media that this
 * point never saw says nothing: those keep idle_ns. */
#define CALLS_QUIET_NS (240LL * 1000000000LL)

struct calls_worker;

struct calls_config {
	int64_t gap_ns;          /* a silence longer than this in a stream is a gap */
	int64_t bin_ns;          /* activity bin width to start with */
	int64_t linger_ns;       /* an ended call is finalised after this much quiet */
	int64_t idle_ns;         /* any call with no SIP and no media for this long is finalised */
	int64_t quiet_ns;        /* an answered call not on hold whose media was seen here, or an
				  * unanswered INVITE, with nothing at all (SIP, RTP, RTCP, STUN)
				  * for this long is over (0: idle_ns for every call; calls.c) */
	int64_t stream_idle_ns;  /* an unsignalled stream idle this long is finalised */
	unsigned min_unsignalled_packets; /* fewer than this: not reported as a stream */
	unsigned max_calls;      /* calls in progress */
	unsigned max_streams;    /* streams in progress */
	unsigned max_unproven_streams; /* streams in progress on probation (fewer than
				  * STREAM_PROVEN_PACKETS packets in sequence): past it, the
				  * oldest of them is dropped for a new one */
	int64_t duplicate_ns;    /* the same message on the same hop closer than this is one
				  * packet captured twice (0: never, as in a log, where every
				  * line is a send and times may be coarse) */
	int64_t origin_ns;       /* time of the capture's first frame: stream times are taken
				  * relative to it, as tshark does, so rounding agrees */
	bool decode_audio;       /* decode the audio of streams (levels, SILENT_MEDIA) */
	bool keep_raw;           /* keep each call's SIP messages as bytes (a renderer shows them
				  * whole): off by default, and for deadair watch */
	uint32_t raw_msg_max;    /* bytes kept of one message (at most CALL_RAW_MSG_MAX) */
	uint32_t raw_call_max;   /* bytes kept of one call's messages */
	uint64_t raw_total_max;  /* bytes kept of the messages of all calls in progress */
	const struct audio_out *audio_out; /* where decoded audio goes (--write-audio), or NULL */
	bool audio_thread;       /* each packet's figures and its audio on a thread of its
				  * own when there are two processors and no audio_out
				  * (worker.h), with the audio decoded or not */
	bool report_thread;      /* with that thread: the sink's call_done is called there
				  * too, in the order the calls end (calls_settle) */
	struct calls_worker *worker; /* that thread, started by calls_new */
};

struct calls_config calls_config_default(void);

/* Counters about what was not a call. */
struct calls_stats {
	uint64_t sip_messages;
	uint64_t calls;                /* INVITE dialogs seen */
	uint64_t non_call_requests;    /* REGISTER, OPTIONS, SUBSCRIBE, ... outside calls */
	uint64_t non_call_by_method[8];/* REGISTER OPTIONS SUBSCRIBE NOTIFY MESSAGE PUBLISH INFO/REFER other */
	uint64_t non_call_responses;
	uint64_t rtp_packets, rtp_in_calls;
	uint64_t rtcp_packets;
	uint64_t stun_packets;
	uint64_t icmp_errors;          /* ICMP errors seen, and how many quoted a call's packets */
	uint64_t icmp_in_calls;
	uint64_t streams_unsignalled;
	uint64_t stray_rtp;            /* RTP-looking packets in flows too short to report */
	uint64_t limit_calls, limit_streams;
	uint64_t limit_probation;      /* flows dropped while on probation, oldest first, to make
					* room (max_unproven_streams); their packets count as stray */
	uint64_t raw_left_out;         /* messages whose bytes were not kept (keep_raw): a cap was reached */
	unsigned peak_calls, peak_streams;
};

extern const char *const calls_non_call_methods[8];

struct calls_sink {
	void *ctx;
	void (*call_done)(void *ctx, struct call *c);        /* read it; it is freed after (on the
							      * calls stage's thread with report_thread) */
	void (*stream_done)(void *ctx, struct stream *s);    /* an unsignalled stream */
};

struct calls;

struct calls *calls_new(const struct calls_config *cfg, const struct calls_sink *sink);
/* Finalises everything still open (end of input) and frees the table. */
void calls_free(struct calls *t);
void calls_finish(struct calls *t);
/* Returns once the calls stage's thread (calls_config.audio_thread) is done
 * with everything handed to it, the calls ended so far given to the sink:
 * before the sink's state is read or changed by the caller. calls_finish
 * does it. */
void calls_settle(struct calls *t);

void calls_sip(struct calls *t, const struct dgram *d, const struct sip_msg *m);
void calls_rtp(struct calls *t, const struct dgram *d, const struct rtp_hdr *h);
void calls_rtcp(struct calls *t, const struct dgram *d);
void calls_stun(struct calls *t, const struct dgram *d);
/* An ICMP/ICMPv6 error quoting a packet of a call (RTP, RTCP or SIP): recorded
 * on that call as what the network answered. */
void calls_icmp(struct calls *t, const struct dgram *d, const struct icmp_error *e);
/* Bytes a TCP direction lost in the capture (told before what follows them):
 * the calls whose SIP uses that connection note it (CAPTURE_INCOMPLETE). */
void calls_transport_gap(struct calls *t, const struct decode_gap *g);
/* Lets time pass (capture time): finalises calls and streams that are done.
 * Returns the time before which another call does nothing (it looks at most
 * once a second of capture time), so a caller may skip it until then. */
int64_t calls_tick(struct calls *t, int64_t now);

/* Calls in progress, newest first, each given to fn (at most max of them):
 * for a look at every call now and then (deadair watch). fn reads the call
 * and may set its consumer_marks; it must not give the table packets or time.
 * Returns how many were visited. */
size_t calls_each(struct calls *t, size_t max, void (*fn)(void *ctx, struct call *c), void *ctx);
/* Whether the capture is on c's media path so far, as media_path_seen is set
 * when a call is finalised (RTP of both parties' SDP hosts seen, or one of
 * them the capture's own host): for a look at a call in progress. */
bool calls_on_media_path(const struct calls *t, const struct call *c);
/* RTP to c's advertised endpoints bound to other calls so far (a B2BUA's
 * other leg, direct media): media_elsewhere as it stands in progress. */
uint32_t calls_media_elsewhere(const struct calls *t, const struct call *c);
/* Calls in progress now. */
unsigned calls_in_progress(const struct calls *t);

const struct calls_stats *calls_get_stats(const struct calls *t);
const struct calls_config *calls_get_config(const struct calls *t);

/* stream.c: per-packet statistics of one direction/SSRC. A stream's arrays
 * (activity bins, gaps, events, payload-type changes) grow as they fill, so a
 * flow of a few packets stays small; stream_release frees them. */
void stream_init(struct stream *s, const struct dgram *d, const struct rtp_hdr *h,
		 const struct calls_config *cfg);
void stream_update(struct stream *s, const struct dgram *d, const struct rtp_hdr *h,
		   const struct calls_config *cfg);
/* A packet's timing, payload-type, event, gap and activity figures (stream_update
 * hands them on, through the calls worker when there is one). */
void stream_timing(struct stream *s, const struct stream_pkt *p, const uint8_t *payload,
		   const struct calls_config *cfg);
/* Frees what stream_init and stream_timing allocated (not s itself). */
void stream_release(struct stream *s);
/* Sets the clock rate of a dynamic payload type, 96-127 (0: none, as for
 * telephone-event); the static types keep RFC 3551's. */
void stream_set_pt_clock(struct stream *s, uint8_t pt, uint32_t clock);
/* The clock rate used for payload type pt (0: unknown or none). */
uint32_t stream_pt_clock(const struct stream *s, uint8_t pt);
/* Whether the flow has shown STREAM_PROVEN_PACKETS packets in sequence. */
bool stream_is_proven(const struct stream *s);
/* Bytes the stream holds beyond its struct (for the memory it costs). */
size_t stream_heap_bytes(const struct stream *s);
double stream_mean_jitter_ms(const struct stream *s);
double stream_mean_delta_ms(const struct stream *s);
/* RFC 3550 jitter over the voice packets (mean of the estimate after each). */
double stream_voice_mean_jitter_ms(const struct stream *s);
/* Sets the time all stream arithmetic is relative to (the first frame). */
void calls_set_origin(struct calls *t, int64_t origin_ns);

#endif
