/* SPDX-License-Identifier: MIT */
/* deadair watch --hep: a collector of HEP (HEPv3, and HEPv1/v2 over UDP) from
 * capture agents (Kamailio's siptrace, OpenSIPS, captagent, heplify, rtpengine)
 * on UDP and TCP sockets; each agent (HEP capture agent ID, chunk 0x000c) is a
 * capture point of its own with its own decoder and calls table. */
#ifndef DEADAIR_WATCH_HEP_LISTEN_H
#define DEADAIR_WATCH_HEP_LISTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/analyze.h"
#include "calls/calls.h"
#include "core/limits.h"
#include "source/capture.h"
#include "source/live.h"

#define HEP_MAX_LISTEN 16          /* --hep sockets */
#define HEP_MAX_AGENTS 64          /* capture points made of agents; packets of more are counted, dropped */
#define HEP_TCP_MAX_CONNS 64       /* TCP connections at once; past it the least recently active goes */
#define HEP_TCP_IDLE_S 120         /* a TCP connection that sent nothing this long is closed */
#define HEP_TCP_PARTIAL_S 10       /* a HEP frame begun on TCP must be complete within this */
/* Bytes buffered per TCP connection: one HEPv3 frame at most (its length
 * field is 16 bits), so a connection holds at most one partial frame. */
#define HEP_TCP_BUF 65536

/* What the receiver counted, for the status line and metrics. */
struct hep_stats {
	uint64_t udp_datagrams;       /* received on the UDP sockets */
	uint64_t tcp_frames;          /* HEPv3 frames cut from TCP streams */
	uint64_t tcp_accepted;        /* connections accepted */
	uint64_t tcp_evicted;         /* closed to make room (HEP_TCP_MAX_CONNS) */
	uint64_t tcp_idle_closed;     /* closed after HEP_TCP_IDLE_S quiet or a frame left unfinished */
	uint64_t tcp_bad_streams;     /* closed because their bytes were not HEPv3 frames */
	uint64_t not_hep;             /* datagrams and frames that are not HEP a decoder takes */
	uint64_t over_agents;         /* packets of agents past HEP_MAX_AGENTS, dropped */
	uint64_t udp_dropped;         /* datagrams the kernel dropped, a UDP socket's buffer full */
};

/* One agent: a capture point. */
struct hep_agent_stats {
	uint32_t agent_id;            /* HEP capture agent ID (chunk 0x000c; HEPv2 captid; HEPv1: 0) */
	uint16_t point;               /* its capture point in the alerts and evidence */
	uint64_t packets;             /* HEP packets received from it */
	uint64_t bytes;               /* their bytes, HEP headers included */
	uint64_t undecodable;         /* of them, those the decoder could not open */
	uint64_t sip, rtp;            /* SIP messages and RTP packets they carried (its calls table's counts) */
	int64_t last_ts;              /* the time stamp of its latest packet (ns since the epoch) */
	unsigned in_progress;         /* its calls in progress */
};

/* How watch takes what the receiver decodes. */
struct hep_hooks {
	void *ctx;
	/* a HEP packet came (counted with the frames) */
	void (*frame)(void *ctx);
	/* a look at the calls in progress of an agent's table at its time now */
	void (*look)(void *ctx, struct calls *calls, int64_t now);
	/* a call of an agent's calls table finished at the agent's time t: an is
	 * that agent's analyzer */
	void (*call_done)(void *ctx, struct analyzer *an, struct calls *calls, struct call *c, int64_t t);
	/* the receiver itself lost packets in this stretch of an agent's time
	 * (a UDP socket's buffer full): no silence warning rests on it */
	void (*lost)(void *ctx, int64_t from, int64_t to);
	struct calls_config ccfg;
	struct analyze_config acfg;
	struct limits limits;
};

struct hep_listen;

/* Opens and binds the sockets of specs ("udp:ADDR:PORT", "tcp:ADDR:PORT";
 * ADDR may be an IPv6 address in brackets) before privileges are dropped;
 * first_point: the capture point of the first agent. NULL with a message in err. */
struct hep_listen *hep_listen_open(const char *const *specs, size_t n, uint16_t first_point,
				   const struct hep_hooks *hooks, char *err, size_t errlen);
void hep_listen_close(struct hep_listen *h);
/* The address a socket is bound to ("udp:127.0.0.1:9060"), for the start line. */
const char *hep_listen_name(const struct hep_listen *h, size_t i);
size_t hep_listen_count(const struct hep_listen *h);

/* Waits up to timeout_ms for HEP packets, and for packets on the live
 * interfaces when live is not NULL (handed to live_fn as live_poll does);
 * each HEP packet goes to its agent's decoder. Returns the packets handled,
 * 0 on a timeout or a signal, -1 when an interface failed (reason in err). */
int hep_poll(struct hep_listen *h, struct live *live, int timeout_ms,
	     void (*live_fn)(void *ctx, const struct frame *f), void *live_ctx, char *err, size_t errlen);

/* Each agent keeps its own time: its packets' time stamps (an agent's clock
 * is not watch's, nor another agent's; a bogus one harms its own point only),
 * a look at its calls about once a second of it, and after half a second
 * without its packets, time going on from its latest as the wall clock does
 * (hep_age, called as often as hep_poll). */
void hep_age(struct hep_listen *h);
/* The end of the input: every agent's calls looked at a last time, its held
 * data handed on, its calls finished. */
void hep_finish(struct hep_listen *h);

const struct hep_stats *hep_get_stats(const struct hep_listen *h);
/* Agents known so far, in the order they were first heard; at most max into out. */
size_t hep_agents(const struct hep_listen *h, struct hep_agent_stats *out, size_t max);
/* Up to max agents' calls tables, each with the agent's time now. */
size_t hep_tables(const struct hep_listen *h, struct calls **calls, int64_t *now, size_t max);
/* "hep agent 2001" for an agent's point, NULL for a point that is not one. */
const char *hep_point_name(const struct hep_listen *h, uint16_t point);

#endif
