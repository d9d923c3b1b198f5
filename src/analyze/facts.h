/* SPDX-License-Identifier: MIT */
/* Facts about a call that several rules need: media per direction over the
 * talk time, what the SDP intended each side to send, hold periods, silences
 * before the BYE. Derived once per call, read by every rule. */
#ifndef DEADAIR_ANALYZE_FACTS_H
#define DEADAIR_ANALYZE_FACTS_H

#include <stdbool.h>
#include <stdint.h>

#include "calls/model.h"

#define FACTS_MAX_HOLDS 8

struct dir_facts {
	uint32_t packets;            /* all RTP sent by this party */
	uint32_t packets_in_talk;    /* between the answer and the end */
	unsigned n_streams;
	const struct stream *main;   /* the stream with most packets */
	const struct stream *first_stream, *last_stream; /* by first / last packet */
	int64_t first_ts, last_ts;
	uint64_t first_frame, last_frame;
	uint16_t last_point;
	bool intended;               /* the SDP lets this party send (at answer time) */
	bool intended_end;           /* ... and in the last offer/answer */
	unsigned misdirected;        /* streams sent to neither the other party's SDP, RTP
				      * source nor signalling address (left out above) */
	const struct stream *misdirected_stream; /* the first of them */
};

struct hold_period {
	uint8_t by;                  /* who put the call on hold */
	int64_t start, end;          /* end 0: never resumed */
	uint64_t frame_start, frame_end;
	char how[32];                /* "sendonly", "inactive", "c=0.0.0.0", "port 0" */
};

struct call_facts {
	struct dir_facts dir[2];     /* by sender: PARTY_A, PARTY_B */
	bool answered;
	int64_t talk_start, talk_end; /* answer .. BYE (or the last packet) */
	int64_t end;                 /* last thing seen of the call */
	unsigned n_holds;
	struct hold_period holds[FACTS_MAX_HOLDS];
	bool has_bye;
	int64_t bye_ts;
	uint64_t bye_frame;
	uint8_t bye_by;
	uint32_t bye_retrans;        /* BYE retransmitted */
	uint32_t retrans_before_bye; /* any SIP retransmission before the BYE */
	uint32_t sip_during_silence; /* answered SIP transactions after media went silent */
};

void facts_derive(const struct call *c, struct call_facts *f);
/* The party other than p. */
uint8_t facts_other(uint8_t p);
/* Whether party p was on hold (by either side) at time t. */
const struct hold_period *facts_hold_at(const struct call_facts *f, int64_t t);
/* Longest silence of party p's RTP inside [t0, t1] (ns), from the activity bins. */
int64_t facts_longest_silence(const struct call *c, uint8_t p, int64_t t0, int64_t t1, int64_t *at);
/* Packets of one stream inside [t0, t1), from its activity bins. */
uint32_t facts_stream_packets_between(const struct stream *s, int64_t t0, int64_t t1);
/* Packets party p sent to the other party inside [t0, t1), from the activity bins. */
uint32_t facts_packets_between(const struct call *c, uint8_t p, int64_t t0, int64_t t1);
/* Party names for text: "caller" / "callee". */
const char *who(uint8_t p);
/* The SDP that party p sent last at or before t (NULL if none). */
const struct sdp_rec *facts_sdp_by(const struct call *c, uint8_t p, int64_t t);
/* Seconds between two times. */
static inline double secs(int64_t a, int64_t b)
{
	return (double)(b - a) / 1e9;
}

#endif
