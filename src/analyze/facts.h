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

/* The one per-direction account of the media over time (DESIGN.md, analyze):
 * every rule, the walk, the headline and the timeline read it, so that they
 * cannot contradict each other. A direction is "lost" when its audio did not
 * reach the other party from some moment to the end of the call; how (nothing
 * sent here, sent where the receiver cannot receive, or lost beyond this
 * capture point as the far end says) and why (the cause) are attached. */
enum acct_state {
	ACCT_NONE = 0,           /* outside the talk time */
	ACCT_FLOWING,            /* RTP reached the other party (as far as this point can see) */
	ACCT_HELD,               /* the SDP in force let this direction carry no audio, or a hold was in force and it sent none */
	ACCT_SILENT,             /* no RTP was sent this way although the SDP asked for it */
	ACCT_MISDIRECTED,        /* RTP went where the receiver cannot receive it */
	ACCT_LOST_BEYOND,        /* RTP passed this point; the far end says it did not arrive */
};

enum acct_cause {
	CAUSE_NONE = 0,
	CAUSE_NEVER_SENT,        /* nothing was ever sent this way */
	CAUSE_STOPPED,           /* it stopped while the other direction went on */
	CAUSE_NOT_RESUMED,       /* it stopped at a hold and never came back after the unhold */
	CAUSE_NAT_EXPIRED,       /* ... and the receiver is behind a NAT whose mapping the silence outlived */
	CAUSE_BOTH_STOPPED,      /* both directions stopped, long before the BYE */
	CAUSE_PRIVATE_ADDR,      /* sent to a private address of a receiver across a public path */
	CAUSE_THIRD_HOST,        /* sent to an address:port none of the receiver's (another device's) */
	CAUSE_STALE_MAPPING,     /* sent to a NAT mapping the receiver no longer uses */
	CAUSE_FAR_END_TIMEOUT,   /* the receiver's BYE names a media timeout */
	CAUSE_RTCP_FROZEN,       /* the receiver's RTCP: highest sequence number received frozen */
	CAUSE_RTCP_STOPPED,      /* the receiver's RTCP went on without a report about this stream */
	CAUSE_RTCP_FULL_LOSS,    /* the receiver's RTCP: fraction lost 255 */
	CAUSE_ICMP,              /* ICMP errors answered the packets */
};

#define ACCT_MAX_SEGS 16
struct acct_seg {
	int64_t t0, t1;
	uint8_t state;           /* enum acct_state */
};

struct acct_dir {
	bool expected;           /* the SDP let this direction carry audio during the talk time */
	bool lost;
	bool from_start;         /* nothing of it ever reached the other party */
	bool from_exact;         /* lost_from is a moment seen; else "by then at the latest" */
	uint8_t state;           /* enum acct_state of the loss */
	uint8_t cause;           /* enum acct_cause */
	int64_t lost_from;
	uint64_t lost_frame;     /* the packet or message that marks it */
	uint16_t lost_point;
	int8_t hold;             /* index into call_facts.holds of the hold it began at (NOT_RESUMED,
				  * NAT_EXPIRED), -1 if none */
	double silence_s;        /* NAT_EXPIRED / STALE_MAPPING: the silence the mapping did not survive */
	uint32_t packets_after;  /* packets seen at this point after lost_from (MISDIRECTED, LOST_BEYOND) */
	struct endpoint to;      /* where they went (MISDIRECTED) */
	/* the far end's statement of it (LOST_BEYOND, or corroborating another state) */
	uint8_t said_by;         /* enum acct_cause of the statement, CAUSE_NONE if none */
	uint64_t said_frame;
	int64_t said_ts;
	uint16_t said_point;
	int8_t icmp;             /* index into call.icmp of errors answering this direction's RTP, -1 */
	unsigned n_seg;
	struct acct_seg seg[ACCT_MAX_SEGS];
};

struct media_account {
	bool valid;              /* answered, with media this capture can judge */
	struct acct_dir dir[2];  /* by sender */
};

struct call_facts {
	struct dir_facts dir[2];     /* by sender: PARTY_A, PARTY_B */
	bool answered;
	int64_t talk_start, talk_end; /* answer .. BYE (or the last packet) */
	int64_t end;                 /* last thing seen of the call */
	unsigned n_holds;
	struct hold_period holds[FACTS_MAX_HOLDS];
	bool has_bye;
	bool bye_both_ways;          /* both parties were sent a BYE within 2 s, or a relay seen
				      * here stopped sending on both ways at once while it still
				      * received both: a box between them ended the media and the
				      * call (a proxy told by its media relay's timeout) */
	int64_t bye_ts;
	uint64_t bye_frame;
	uint8_t bye_by;
	uint32_t bye_retrans;        /* BYE retransmitted */
	uint32_t retrans_before_bye; /* any SIP retransmission before the BYE */
	uint32_t sip_during_silence; /* answered SIP transactions after media went silent */
	struct media_account acct;
	double keepalive_below_s;    /* the NAT idle timeout this call bounds (the keep-alive advice
				      * of every finding of the call comes from it), 0 if none */
};

void facts_derive(const struct call *c, struct call_facts *f);
/* The per-direction account (account.c); capture_has_rtp: the capture carries
 * RTP at all (else absent media proves nothing). */
void account_build(const struct call *c, struct call_facts *f, bool signalling_only, bool capture_has_rtp);
/* "callee -> caller lost from +90.0 s: ...": how and why, in words. */
void acct_describe(const struct call *c, const struct call_facts *f, uint8_t p, char *buf, size_t cap);
/* Whether no media either way is a fact about this call (the NO_RTP case). */
bool account_no_media(const struct call *c, const struct call_facts *f, bool capture_has_rtp);
const char *acct_state_str(uint8_t s);
/* Whether the BYE's Reason says the media timed out (a text naming an RTP or
 * media timeout, or Q.850 cause 102 with no session timer negotiated). */
bool facts_reason_media_timeout(const struct call *c);
/* Whether RTP stream s reached the other party (facts.c). */
bool facts_reaches_other(const struct call *c, const struct stream *s);
/* The legs of a relay seen at this point (rtpengine, an SBC anchoring the
 * media keep the SSRC): the stream with in's party and SSRC leaving the host
 * in goes to, towards another host; and the stream into the host out leaves
 * from. NULL when there is none. */
const struct stream *facts_relay_out(const struct call *c, const struct stream *in);
const struct stream *facts_relay_in(const struct call *c, const struct stream *out);
/* The party's SDP audio media address (latest at t), or NULL. */
const struct sdp_media_rec *facts_audio_at(const struct call *c, uint8_t p, int64_t t);
/* Whether the SDP lets sender send audio to the other party at t. */
bool facts_sdp_allows(const struct call *c, uint8_t sender, int64_t t);
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
